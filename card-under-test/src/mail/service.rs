//! The mailer, for ever: each event to the recipients whose type and filter want it (after
//! the delay before sending, and then only if it is still present), and the daily status
//! report at its time. Each outcome goes to the card events log.

use super::{MailError, Summary, daily_report, deliver, event_mail, test_mail};
use crate::alarms::Severity;
use crate::config::{Mail, MailType};
use crate::logs::LogKind;
use crate::notify::Notice;
use crate::run::{Agent, Shared};
use lettre::Message;
use std::time::Duration;

const DAY_S: i64 = 86_400;

/// An event mail waiting for its moment.
#[derive(Debug)]
struct Waiting {
    /// Card time it goes out.
    due_s: f64,
    notice: Notice,
    to: String,
    history: bool,
}

/// The first moment after `now_s` (calendar, Unix s) at `minute_of_day` (UTC).
fn next_daily_s(now_s: i64, minute_of_day: u16) -> i64 {
    let at_s = now_s.div_euclid(DAY_S) * DAY_S + i64::from(minute_of_day) * 60;
    if at_s <= now_s { at_s + DAY_S } else { at_s }
}

/// A mail made under the lock, to be sent after it.
struct Ready {
    to: String,
    made: Result<Message, String>,
}

/// Sends the mails and logs what became of each.
async fn send_all(shared: &Shared, mails: Vec<Ready>) -> Vec<Result<(), MailError>> {
    let (settings, outlet, hello) = {
        let agent = shared.lock();
        (agent.config.mail.clone(), agent.outlet.clone(), agent.config.host_name())
    };
    let mut outcomes = Vec::new();
    for Ready { to, made } in mails {
        let (subject, outcome) = match made {
            Ok(message) => {
                let subject = message.headers().get_raw("Subject").unwrap_or_default().to_string();
                (subject, deliver(&settings, &outlet, &hello, message).await)
            }
            Err(why) => (
                String::new(),
                Err(MailError { code: "002", event: "Mail send error/unknown error", detail: why }),
            ),
        };
        let mut agent = shared.lock();
        let stamp = agent.clock.stamp();
        match &outcome {
            Ok(()) => agent.card.service_event(
                stamp,
                Severity::Information,
                &format!("Mail sent to {to}: {subject}"),
            ),
            Err(e) => agent.card.service_event(stamp, Severity::Warning, &format!("{e}, mail to {to}")),
        }
        outcomes.push(outcome);
    }
    outcomes
}

/// The event mails due at card time `now_s` that are still wanted, made now.
fn due_mails(agent: &Agent, waiting: &mut Vec<Waiting>, now_s: f64, delayed: bool) -> Vec<Ready> {
    let settings = &agent.config.mail;
    let summary = Summary::of(agent);
    let (due, later): (Vec<Waiting>, Vec<Waiting>) = waiting.drain(..).partition(|w| w.due_s <= now_s);
    *waiting = later;
    due.into_iter()
        .filter(|w| settings.enabled && (!delayed || agent.card.still_present(&w.notice)))
        .map(|w| {
            let history = w.history.then(|| agent.card.logs().csv(LogKind::History));
            Ready { made: event_mail(settings, &w.to, &w.notice, &summary, history), to: w.to }
        })
        .collect()
}

/// The daily report to each "Daily Status" recipient, made now.
fn daily_reports(agent: &Agent) -> Vec<Ready> {
    let settings = &agent.config.mail;
    let summary = Summary::of(agent);
    let stamp = agent.clock.stamp();
    (settings.recipients.iter().filter(|r| r.kind == MailType::DailyStatus))
        .map(|r| Ready {
            to: r.address.clone(),
            made: daily_report(
                settings,
                &r.address,
                stamp,
                &summary,
                agent.card.logs().csv(LogKind::History),
            ),
        })
        .collect()
}

/// Mails every event and the daily reports, for ever.
pub async fn send(shared: Shared) {
    let mut news = shared.notices();
    let mut seen = 0;
    let mut waiting: Vec<Waiting> = Vec::new();
    // The next report (calendar s) and the minute of the day it was reckoned from.
    let mut report: Option<(i64, u16)> = None;
    loop {
        let (mails, wait_s) = {
            let agent = shared.lock();
            let settings: &Mail = &agent.config.mail;
            let now_s = agent.clock.now_s();
            let delay_s = f64::from(settings.delay_min) * 60.0;
            for notice in agent.card.notices().since(seen) {
                seen = notice.seq;
                let trap_filter = agent.config.snmp.trap_filter;
                let wanted = (settings.recipients.iter())
                    .filter(|r| settings.enabled && r.kind.events())
                    .filter(|r| r.filter.passes(notice.trap, notice.level, trap_filter));
                for recipient in wanted {
                    let history = recipient.kind == MailType::EventsStatus;
                    let to = recipient.address.clone();
                    waiting.push(Waiting { due_s: now_s + delay_s, notice: notice.clone(), to, history });
                }
            }
            let mut mails = due_mails(&agent, &mut waiting, now_s, delay_s > 0.0);
            let calendar_s = agent.clock.calendar_s() as i64;
            let minute = settings.daily_report_at.minute_of_day;
            let mut at_s = match report {
                Some((at_s, reckoned_for)) if reckoned_for == minute => at_s,
                _ => next_daily_s(calendar_s, minute),
            };
            if calendar_s >= at_s {
                if settings.enabled {
                    mails.extend(daily_reports(&agent));
                }
                at_s = next_daily_s(calendar_s, minute);
            }
            report = Some((at_s, minute));
            let next_mail_s = waiting.iter().map(|w| w.due_s - now_s).fold(f64::INFINITY, f64::min);
            let next_report_s = (at_s - calendar_s) as f64;
            (mails, next_mail_s.min(next_report_s))
        };
        if !mails.is_empty() {
            send_all(&shared, mails).await;
            continue;
        }
        let wait = Duration::from_secs_f64(wait_s.clamp(0.001, DAY_S as f64));
        tokio::select! {
            changed = news.changed() => if changed.is_err() { return },
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// The test mail (§18.9 "Send Test") to every recipient with a mail type; the addresses it
/// went to, or the first failure.
pub async fn test(shared: &Shared, by: &str) -> Result<Vec<String>, MailError> {
    let mails: Vec<Ready> = {
        let mut agent = shared.lock();
        let stamp = agent.clock.stamp();
        agent.card.service_event(stamp, Severity::Information, &format!("Test mail requested by {by}"));
        let settings = &agent.config.mail;
        let summary = Summary::of(&agent);
        (settings.recipients.iter().filter(|r| r.kind != MailType::None))
            .map(|r| Ready { to: r.address.clone(), made: test_mail(settings, &r.address, stamp, &summary) })
            .collect()
    };
    if mails.is_empty() {
        let detail = "no recipient has a mail type".to_string();
        return Err(MailError { code: "002", event: "Incorrect Mail receiver", detail });
    }
    let addresses: Vec<String> = mails.iter().map(|m| m.to.clone()).collect();
    let outcomes = send_all(shared, mails).await;
    outcomes.into_iter().find_map(Result::err).map_or(Ok(addresses), Err)
}

#[cfg(test)]
mod tests {
    use super::next_daily_s;

    #[test]
    fn the_daily_report_is_next_at_its_time() {
        let midnight_s = 1_795_046_400; // 2026-11-19 00:00 UTC
        assert_eq!(next_daily_s(midnight_s + 3600, 7 * 60 + 30), midnight_s + 7 * 3600 + 1800);
        assert_eq!(next_daily_s(midnight_s + 8 * 3600, 7 * 60 + 30), midnight_s + 86_400 + 7 * 3600 + 1800);
        assert_eq!(next_daily_s(midnight_s, 0), midnight_s + 86_400, "at the moment itself: tomorrow's");
    }
}
