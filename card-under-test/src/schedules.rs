//! The card's schedules (§16.3–16.6; vendor MIB upsControlWeeklyScheduleTable,
//! upsControlSpecialScheduleEntry, upsControlEcoModeScheduleTable): when the battery test
//! starts (VU-MAP UPSs only), when eco mode is switched on and off, and when the servers are
//! shut down and restarted, weekly and on special days. Pure: given the card's calendar
//! time (Unix seconds, the card's clock), which moments fell due since the last look.
//! Times are the card's clock time, UTC: the card keeps no time zone.

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};

/// The battery test schedule is for VU-MAP UPSs only (§16.3).
pub fn battery_test_schedule_allowed(map_name: &str) -> bool {
    map_name == "vumap"
}

/// Why a battery test schedule is refused on another UPS.
pub const BATTERY_TEST_SCHEDULE_VU_MAP_ONLY: &str =
    "the battery test schedule is for VU-MAP UPSs only (§16.3)";

/// `text` is exactly `digits` ASCII digits (no sign, no shorter form).
fn digits(text: &str, digits: usize) -> bool {
    text.len() == digits && text.bytes().all(|b| b.is_ascii_digit())
}

/// Most entries each schedule keeps (ours: the manual's pages show numbered lines).
pub const MAX_ENTRIES: usize = 8;

const DAY_S: i64 = 86_400;
const WEEK_S: i64 = 7 * DAY_S;
/// Monday 5 January 1970, 00:00: weeks start on Mondays, counted from this one.
const FIRST_MONDAY_S: i64 = 4 * DAY_S;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Day {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

/// A time of day as the pages write it, `hh:mm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeOfDay {
    pub minute_of_day: u16,
}

impl TryFrom<String> for TimeOfDay {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let wanted = || format!("`{text}`: a time hh:mm from 00:00 to 23:59");
        let (hours, minutes) = text.split_once(':').ok_or_else(wanted)?;
        if !(digits(hours, 2) && digits(minutes, 2)) {
            return Err(wanted());
        }
        match (hours.parse::<u16>(), minutes.parse::<u16>()) {
            (Ok(h), Ok(m)) if h < 24 && m < 60 => Ok(TimeOfDay { minute_of_day: h * 60 + m }),
            _ => Err(wanted()),
        }
    }
}

impl From<TimeOfDay> for String {
    fn from(time: TimeOfDay) -> String {
        format!("{:02}:{:02}", time.minute_of_day / 60, time.minute_of_day % 60)
    }
}

/// A calendar day as the pages write it, `dd/mm/yyyy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date(time::Date);

impl TryFrom<String> for Date {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let wanted = || format!("`{text}`: a date dd/mm/yyyy");
        let parts: Vec<&str> = text.split('/').collect();
        let [day, month, year] = parts.as_slice() else { return Err(wanted()) };
        if !(digits(day, 2) && digits(month, 2) && digits(year, 4)) {
            return Err(wanted());
        }
        let (Ok(day), Ok(month), Ok(year)) = (day.parse::<u8>(), month.parse::<u8>(), year.parse::<i32>())
        else {
            return Err(wanted());
        };
        let month = time::Month::try_from(month).map_err(|_| wanted())?;
        time::Date::from_calendar_date(year, month, day).map(Date).map_err(|_| wanted())
    }
}

impl From<Date> for String {
    fn from(date: Date) -> String {
        let d = date.0;
        format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year())
    }
}

/// Both are strings on the wire; the pattern lets a form check them as they are typed.
fn text_schema(pattern: &str, shape: &str) -> Schema {
    schemars::json_schema!({ "type": "string", "pattern": pattern, "description": shape })
}

impl JsonSchema for TimeOfDay {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TimeOfDay".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        text_schema("^([01][0-9]|2[0-3]):[0-5][0-9]$", "hh:mm")
    }
}

impl JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        text_schema("^[0-3][0-9]/[01][0-9]/[0-9]{4}$", "dd/mm/yyyy")
    }
}

impl Date {
    fn start_s(self) -> i64 {
        self.0.midnight().assume_utc().unix_timestamp()
    }
}

/// A day of the week at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Weekly {
    pub day: Day,
    pub at: TimeOfDay,
}

impl Weekly {
    /// Seconds from Monday 00:00.
    fn week_offset_s(self) -> i64 {
        self.day as i64 * DAY_S + i64::from(self.at.minute_of_day) * 60
    }

    /// Its moments in `(from_s, to_s]`.
    fn between(self, from_s: i64, to_s: i64) -> impl Iterator<Item = i64> {
        let first_week = (from_s - FIRST_MONDAY_S).div_euclid(WEEK_S);
        (first_week..)
            .map(move |week| FIRST_MONDAY_S + week * WEEK_S + self.week_offset_s())
            .skip_while(move |at_s| *at_s <= from_s)
            .take_while(move |at_s| *at_s <= to_s)
    }
}

/// A calendar day at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dated {
    pub date: Date,
    pub at: TimeOfDay,
}

impl Dated {
    fn at_s(self) -> i64 {
        self.date.start_s() + i64::from(self.at.minute_of_day) * 60
    }
}

/// §16.3 (VU-MAP UPSs only): every `every_weeks` weeks (`None`: Disabled), on `day` at
/// `hour`:00. Weeks are counted from the first Monday of 1970, so "every 2 weeks" means
/// the even weeks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct BatteryTestSchedule {
    pub every_weeks: Option<u8>,
    pub day: Day,
    pub hour: u8,
}

impl Default for BatteryTestSchedule {
    fn default() -> Self {
        Self { every_weeks: None, day: Day::Monday, hour: 0 }
    }
}

impl BatteryTestSchedule {
    fn between(self, from_s: i64, to_s: i64) -> impl Iterator<Item = i64> {
        let every = i64::from(self.every_weeks.unwrap_or(0));
        let weekly = Weekly { day: self.day, at: TimeOfDay { minute_of_day: u16::from(self.hour) * 60 } };
        weekly
            .between(from_s, to_s)
            .filter(move |at_s| every > 0 && (at_s - FIRST_MONDAY_S).div_euclid(WEEK_S) % every == 0)
    }
}

/// §16.4: eco mode from `on`, back to normal mode at `off` (`None`: Disabled).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EcoPeriod {
    pub on: Weekly,
    pub off: Option<Weekly>,
}

/// §16.5: the servers shut down at `shutdown`, restarted at `restart` (`None`: Disabled).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyShutdown {
    pub shutdown: Weekly,
    pub restart: Option<Weekly>,
}

/// §16.6: one shutdown on a calendar day, and its restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpecialDay {
    pub shutdown: Dated,
    pub restart: Option<Dated>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Schedules {
    pub battery_test: BatteryTestSchedule,
    pub eco: Vec<EcoPeriod>,
    pub weekly_shutdown: Vec<WeeklyShutdown>,
    pub special_days: Vec<SpecialDay>,
}

/// What a schedule asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Due {
    BatteryTest,
    EcoOn,
    EcoOff,
    /// The servers are to shut down (the shutdown manager acts on it).
    Shutdown(Source),
    Restart(Source),
}

/// Which schedule a shutdown or restart comes from: the shutdown manager has an event for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    Weekly,
    SpecialDay,
}

/// The next moment of each kind, Unix seconds (for the pages).
#[derive(Debug, Clone, PartialEq)]
pub struct Next {
    pub battery_test_s: Option<i64>,
    pub eco_on_s: Option<i64>,
    pub eco_off_s: Option<i64>,
    pub shutdown_s: Option<i64>,
    pub restart_s: Option<i64>,
}

impl Schedules {
    /// What falls due in `(from_s, to_s]`, in time order. A special day takes precedence
    /// over the weekly schedule (iStars §3.2.2.3): on a day with a special-day entry, the
    /// weekly shutdowns and restarts are left out.
    pub fn due_between(&self, from_s: i64, to_s: i64) -> Vec<(i64, Due)> {
        let mut due: Vec<(i64, Due)> = Vec::new();
        due.extend(self.battery_test.between(from_s, to_s).map(|at_s| (at_s, Due::BatteryTest)));
        for period in &self.eco {
            due.extend(period.on.between(from_s, to_s).map(|at_s| (at_s, Due::EcoOn)));
            due.extend(
                period.off.iter().flat_map(|off| off.between(from_s, to_s)).map(|at_s| (at_s, Due::EcoOff)),
            );
        }
        let special_day = |at_s: i64| {
            self.special_days
                .iter()
                .flat_map(|s| [Some(s.shutdown), s.restart])
                .flatten()
                .any(|dated| (dated.date.start_s()..dated.date.start_s() + DAY_S).contains(&at_s))
        };
        for entry in &self.weekly_shutdown {
            let shutdowns =
                entry.shutdown.between(from_s, to_s).map(|at_s| (at_s, Due::Shutdown(Source::Weekly)));
            let restarts = entry
                .restart
                .iter()
                .flat_map(|r| r.between(from_s, to_s))
                .map(|at_s| (at_s, Due::Restart(Source::Weekly)));
            due.extend(shutdowns.chain(restarts).filter(|(at_s, _)| !special_day(*at_s)));
        }
        for entry in &self.special_days {
            let moments = [
                Some((entry.shutdown, Due::Shutdown(Source::SpecialDay))),
                entry.restart.map(|r| (r, Due::Restart(Source::SpecialDay))),
            ];
            due.extend(moments.into_iter().flatten().map(|(d, what)| (d.at_s(), what)));
        }
        due.retain(|(at_s, _)| (from_s + 1..=to_s).contains(at_s));
        due.sort();
        due
    }

    /// The next moment of each kind after `now_s` (looking a year ahead at most).
    pub fn next(&self, now_s: i64) -> Next {
        let due = self.due_between(now_s, now_s + 366 * DAY_S);
        let first = |kind: Due| due.iter().find(|(_, what)| *what == kind).map(|(at_s, _)| *at_s);
        Next {
            battery_test_s: first(Due::BatteryTest),
            eco_on_s: first(Due::EcoOn),
            eco_off_s: first(Due::EcoOff),
            shutdown_s: first(Due::Shutdown(Source::Weekly))
                .into_iter()
                .chain(first(Due::Shutdown(Source::SpecialDay)))
                .min(),
            restart_s: first(Due::Restart(Source::Weekly))
                .into_iter()
                .chain(first(Due::Restart(Source::SpecialDay)))
                .min(),
        }
    }

    /// The next moment after `now_s` that asks something of the UPS (a battery test, eco
    /// mode on or off); found week by week, cheap enough for every turn of the poll loop.
    pub fn next_ups_moment_s(&self, now_s: i64) -> Option<i64> {
        let week_ahead_s = now_s + WEEK_S;
        let eco = self.eco.iter().flat_map(|p| [Some(p.on), p.off]).flatten();
        let eco_next = eco.filter_map(|w| w.between(now_s, week_ahead_s).next()).min();
        let test = self.battery_test;
        let test_next = test.every_weeks.and_then(|_| test.between(now_s, now_s + 53 * WEEK_S).next());
        eco_next.into_iter().chain(test_next).min()
    }

    /// Days until the next scheduled battery test, rounded up; 0 if none is programmed
    /// (§16.2 "Next test (in day)").
    pub fn battery_test_in_days(&self, now_s: i64) -> u32 {
        let next = self.battery_test.between(now_s, now_s + 53 * WEEK_S).next();
        next.map_or(0, |at_s| u32::try_from((at_s - now_s + DAY_S - 1) / DAY_S).unwrap_or(u32::MAX))
    }

    /// The first rule broken, as "field: what was expected".
    pub fn rule_broken(&self) -> Option<String> {
        let lists = [
            ("eco", self.eco.len()),
            ("weekly_shutdown", self.weekly_shutdown.len()),
            ("special_days", self.special_days.len()),
        ];
        if let Some((name, _)) = lists.iter().find(|(_, len)| *len > MAX_ENTRIES) {
            return Some(format!("{name}: at most {MAX_ENTRIES} entries"));
        }
        let test = self.battery_test;
        if test.every_weeks.is_some_and(|weeks| !(1..=52).contains(&weeks)) {
            return Some("battery_test: every_weeks None (Disabled) or Some(1 to 52) (§16.3)".into());
        }
        if test.hour > 23 {
            return Some("battery_test: hour from 0 to 23".into());
        }
        let backwards =
            self.special_days.iter().any(|s| s.restart.is_some_and(|r| r.at_s() <= s.shutdown.at_s()));
        backwards.then(|| "special_days: a restart after its shutdown".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wednesday 1 April 2026, 00:00 UTC.
    const WEDNESDAY_S: i64 = 1_775_001_600;

    fn weekly(day: Day, at: &str) -> Weekly {
        Weekly { day, at: TimeOfDay::try_from(at.to_string()).unwrap() }
    }

    #[test]
    fn times_and_dates_read_as_the_pages_write_them() {
        assert_eq!(TimeOfDay::try_from("08:30".to_string()).unwrap().minute_of_day, 510);
        assert!(
            TimeOfDay::try_from("24:00".to_string()).is_err()
                && TimeOfDay::try_from("8h".to_string()).is_err()
        );
        assert_eq!(String::from(TimeOfDay { minute_of_day: 65 }), "01:05");
        let date = Date::try_from("01/04/2026".to_string()).unwrap();
        assert_eq!(date.start_s(), WEDNESDAY_S);
        assert_eq!(String::from(date), "01/04/2026");
        for bad in ["31/02/2026", "01/04/26", "+1/04/2026", "1/4/2026"] {
            assert!(Date::try_from(bad.to_string()).is_err(), "{bad}");
        }
    }

    #[test]
    fn weekly_moments_fall_on_their_day_and_time() {
        let friday_evening = weekly(Day::Friday, "20:00");
        let moments: Vec<i64> = friday_evening.between(WEDNESDAY_S, WEDNESDAY_S + 15 * DAY_S).collect();
        assert_eq!(moments, vec![WEDNESDAY_S + 2 * DAY_S + 72_000, WEDNESDAY_S + 9 * DAY_S + 72_000]);
        // A moment exactly at `from` has passed; one exactly at `to` is due.
        let at = moments[0];
        assert_eq!(friday_evening.between(at, at).count(), 0);
        assert_eq!(friday_evening.between(at - 1, at).collect::<Vec<_>>(), vec![at]);
    }

    #[test]
    fn the_battery_test_runs_every_n_weeks_and_says_in_how_many_days() {
        let mut schedules = Schedules::default();
        assert_eq!(schedules.battery_test_in_days(WEDNESDAY_S), 0, "0 if not programmed");
        schedules.battery_test = BatteryTestSchedule { every_weeks: Some(2), day: Day::Thursday, hour: 6 };
        let tests: Vec<i64> = schedules
            .due_between(WEDNESDAY_S, WEDNESDAY_S + 35 * DAY_S)
            .into_iter()
            .map(|(at_s, what)| {
                assert_eq!(what, Due::BatteryTest);
                at_s
            })
            .collect();
        assert_eq!(tests.len(), 3, "every other week over five weeks: {tests:?}");
        // Weeks count from Monday 5 January 1970: the week of 1 April 2026 is even, so its
        // Thursday is a test day.
        assert_eq!(tests[0], WEDNESDAY_S + DAY_S + 6 * 3600);
        assert!(tests.windows(2).all(|w| w[1] - w[0] == 2 * WEEK_S));
        assert_eq!(schedules.battery_test_in_days(WEDNESDAY_S), 2, "1 day 6 hours, rounded up");
        assert_eq!(schedules.next_ups_moment_s(WEDNESDAY_S), Some(tests[0]));
        // Monday 6 April starts an odd week: skipped; the test is on Monday 13 April.
        schedules.battery_test.day = Day::Monday;
        let first = schedules.due_between(WEDNESDAY_S, WEDNESDAY_S + 35 * DAY_S)[0].0;
        assert_eq!(first, WEDNESDAY_S + 12 * DAY_S + 6 * 3600);
        assert_eq!(schedules.battery_test_in_days(WEDNESDAY_S), 13);
    }

    #[test]
    fn a_special_day_overrides_the_weekly_schedule_that_day() {
        let schedules = Schedules {
            eco: vec![EcoPeriod {
                on: weekly(Day::Wednesday, "08:00"),
                off: Some(weekly(Day::Wednesday, "18:00")),
            }],
            weekly_shutdown: vec![WeeklyShutdown {
                shutdown: weekly(Day::Friday, "20:00"),
                restart: Some(weekly(Day::Monday, "06:00")),
            }],
            special_days: vec![SpecialDay {
                shutdown: Dated {
                    date: Date::try_from("03/04/2026".to_string()).unwrap(),
                    at: weekly(Day::Friday, "12:00").at,
                },
                restart: None,
            }],
            ..Schedules::default()
        };
        let due = schedules.due_between(WEDNESDAY_S, WEDNESDAY_S + 7 * DAY_S);
        let at = |days: i64, hh: i64| WEDNESDAY_S + days * DAY_S + hh * 3600;
        assert_eq!(
            due,
            vec![
                (at(0, 8), Due::EcoOn),
                (at(0, 18), Due::EcoOff),
                (at(2, 12), Due::Shutdown(Source::SpecialDay)),
                (at(5, 6), Due::Restart(Source::Weekly)),
            ],
            "Friday's weekly 20:00 shutdown gives way to the special day's 12:00 one"
        );
        let next = schedules.next(WEDNESDAY_S);
        assert_eq!((next.shutdown_s, next.restart_s), (Some(at(2, 12)), Some(at(5, 6))));
    }

    #[test]
    fn broken_rules_are_named() {
        let mut schedules = Schedules::default();
        assert_eq!(schedules.rule_broken(), None);
        schedules.battery_test.every_weeks = Some(53);
        assert!(schedules.rule_broken().unwrap().starts_with("battery_test: every_weeks"));
        schedules.battery_test.every_weeks = Some(1);
        schedules.eco = vec![EcoPeriod { on: weekly(Day::Monday, "00:00"), off: None }; MAX_ENTRIES + 1];
        assert_eq!(schedules.rule_broken().unwrap(), "eco: at most 8 entries");
    }
}
