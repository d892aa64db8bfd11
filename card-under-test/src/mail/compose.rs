//! The mails, as messages (RFC 5322): pure, from the settings, the event and the summary.

use super::Summary;
use crate::clock::Stamp;
use crate::config::Mail;
use crate::notify::Notice;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, MultiPart, SinglePart};

/// The history log's file name when attached.
const HISTORY_CSV: &str = "history.csv";

/// `[prefix] system name - what`.
fn subject(settings: &Mail, summary: &Summary, what: &str) -> String {
    let prefix = settings.subject_prefix.trim();
    let head = if prefix.is_empty() {
        summary.system_name.clone()
    } else {
        format!("{prefix} {}", summary.system_name)
    };
    format!("{head} - {what}")
}

/// A Message-ID (RFC 5322 §3.6.4) in the sender's domain: 16 random bytes, hex (the
/// shutdown protocol's nonce, which falls back on the time when the system has no randomness).
fn message_id(sender: &str) -> String {
    let domain = sender.rsplit_once('@').map_or("localhost", |(_, domain)| domain.trim_end_matches('>'));
    format!("<{}@{domain}>", crate::shutdown::protocol::nonce())
}

/// A message from the sender to `to`, the history log attached when given.
fn message(
    settings: &Mail,
    to: &str,
    subject: String,
    at: Stamp,
    body: String,
    history_csv: Option<String>,
) -> Result<Message, String> {
    let from = settings.sender.parse().map_err(|e| format!("sender {:?}: {e}", settings.sender))?;
    let to = to.parse().map_err(|e| format!("recipient {to:?}: {e}"))?;
    let builder = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .date(at.system_time())
        .message_id(Some(message_id(&settings.sender)));
    let text = SinglePart::plain(body);
    let made = match history_csv {
        None => builder.singlepart(text),
        Some(csv) => {
            let csv_type = ContentType::parse("text/csv").unwrap_or(ContentType::TEXT_PLAIN);
            let attachment = Attachment::new(HISTORY_CSV.into()).body(csv, csv_type);
            builder.multipart(MultiPart::mixed().singlepart(text).singlepart(attachment))
        }
    };
    made.map_err(|e| e.to_string())
}

/// The mail of an event (§18.9 "Events", "Events / Status" with the history log).
pub fn event_mail(
    settings: &Mail,
    to: &str,
    notice: &Notice,
    summary: &Summary,
    history_csv: Option<String>,
) -> Result<Message, String> {
    let body = format!(
        "{}\n\nEvent level: {:?}\nEvent time: {}\nEvent number: {} (NET VISION trap)\n\n{}",
        notice.text,
        notice.level,
        notice.at,
        notice.trap,
        summary.text()
    );
    message(settings, to, subject(settings, summary, notice.text), notice.at, body, history_csv)
}

/// The daily status report (§18.9 "Daily Status"), with the history log.
pub fn daily_report(
    settings: &Mail,
    to: &str,
    at: Stamp,
    summary: &Summary,
    history_csv: String,
) -> Result<Message, String> {
    let body = format!("Daily status report of {at}\n\n{}", summary.text());
    message(settings, to, subject(settings, summary, "Daily status report"), at, body, Some(history_csv))
}

/// The test mail (§18.9 "Send Test").
pub fn test_mail(settings: &Mail, to: &str, at: Stamp, summary: &Summary) -> Result<Message, String> {
    let body = format!("Test mail sent at {at}: the mail settings work.\n\n{}", summary.text());
    message(settings, to, subject(settings, summary, "Test mail"), at, body, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alarms::Severity;
    use crate::notify::Detail;

    fn settings() -> Mail {
        Mail { sender: "card@example.com".into(), subject_prefix: "[UPS]".into(), ..Mail::default() }
    }

    fn summary() -> Summary {
        Summary {
            system_name: "Socomec".into(),
            system_location: "Room 1".into(),
            system_contact: "ops@example.com".into(),
            ups: "MASTERYS GP4".into(),
            ups_status: "Operating on Battery",
            battery_status: "Battery discharging",
            output_status: "Load protected",
            battery_charge_pct: Some(97.4),
            remaining_min: Some(21.0),
            alarms: vec![("Warning".into(), "General Alarm".into())],
        }
    }

    fn text_of(message: &Message) -> String {
        String::from_utf8_lossy(&message.formatted()).into_owned()
    }

    #[test]
    fn an_event_mail_says_the_event_and_the_ups() {
        let notice = Notice {
            seq: 3,
            at: Stamp { unix_ms: 1_795_000_000_000 },
            trap: 15,
            level: Severity::Warning,
            text: "UPS on battery",
            detail: Detail::None,
        };
        let mail = event_mail(&settings(), "ops@example.com", &notice, &summary(), None).unwrap();
        let text = text_of(&mail);
        assert!(text.contains("Subject: [UPS] Socomec - UPS on battery"), "{text}");
        assert!(text.contains("From: card@example.com") && text.contains("To: ops@example.com"), "{text}");
        assert!(text.contains("Battery charge: 97 %") && text.contains("Warning: General Alarm"), "{text}");
        assert!(!text.contains(HISTORY_CSV), "no attachment for Events");
        let id = text.lines().find_map(|l| l.strip_prefix("Message-ID: ")).unwrap_or_default();
        assert!(id.starts_with('<') && id.ends_with("@example.com>") && id.len() == 46, "{text}");
        let with_log =
            event_mail(&settings(), "ops@example.com", &notice, &summary(), Some("a;b\n1;2\n".into()))
                .unwrap();
        assert!(text_of(&with_log).contains("filename=\"history.csv\""), "{}", text_of(&with_log));
    }

    #[test]
    fn a_bad_address_is_an_error_not_a_panic() {
        let at = Stamp::default();
        assert!(test_mail(&settings(), "not an address", at, &summary()).is_err());
        let no_sender = Mail::default();
        assert!(test_mail(&no_sender, "ops@example.com", at, &summary()).is_err());
    }
}
