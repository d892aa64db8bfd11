//! The battery test page (§16.2): the test's status from the UPS's bits, and the date and
//! result of the last test the card saw end.

use crate::clock::Stamp;
use crate::rules::Condition;
use serde::Serialize;
use std::collections::BTreeSet;

/// What the card remembers of battery tests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatteryTests {
    last: Option<(Stamp, &'static str)>,
}

/// §16.2's table row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatteryTestView {
    /// Disabled, In progress, On standby, Programmed, Enabled.
    pub status: &'static str,
    /// `day/month` of the last test; `00/00` when none.
    pub last_test: String,
    /// No test, OK, Interrupted, Failed.
    pub result: &'static str,
    /// Days to the next programmed test; 0 if not programmed.
    pub next_test_days: u32,
}

/// RFC1628 upsTestResultsSummary of a test that ended between two polls: donePass(1),
/// doneError(3), aborted(4); `None` when no test ended.
pub fn ended(before: &BTreeSet<Condition>, after: &BTreeSet<Condition>) -> Option<i32> {
    if !before.contains(&Condition::BatteryTest) || after.contains(&Condition::BatteryTest) {
        return None;
    }
    Some(match result(after) {
        "Failed" => 3,
        "Interrupted" => 4,
        _ => 1,
    })
}

/// The manual's result word (§16.2) of a test that has just ended.
fn result(after: &BTreeSet<Condition>) -> &'static str {
    if after.contains(&Condition::BatteryTestFailed) {
        "Failed"
    } else if after.contains(&Condition::BatteryTestInterrupted) {
        "Interrupted"
    } else {
        "OK"
    }
}

impl BatteryTests {
    /// Notes a test that ended between two complete polls, with its result.
    pub fn observe(&mut self, before: &BTreeSet<Condition>, after: &BTreeSet<Condition>, now: Stamp) {
        if ended(before, after).is_some() {
            self.last = Some((now, result(after)));
        }
    }

    /// The page as the UPS's bits show it now (`None`: not polled yet).
    pub fn view(&self, conditions: Option<&BTreeSet<Condition>>) -> BatteryTestView {
        let holds = |c: Condition| conditions.is_some_and(|set| set.contains(&c));
        let status = if conditions.is_none()
            || holds(Condition::BatteryTestUnsupported)
            || holds(Condition::RemoteControlsDisabled)
        {
            "Disabled"
        } else if holds(Condition::BatteryTest) {
            "In progress"
        } else if holds(Condition::BatteryTestStandby) {
            "On standby"
        } else if holds(Condition::BatteryTestProgrammed) {
            "Programmed"
        } else {
            "Enabled"
        };
        let (last_test, result) = match self.last {
            Some((stamp, result)) => (stamp.to_string()[..5].to_string(), result),
            None => ("00/00".to_string(), "No test"),
        };
        BatteryTestView { status, last_test, result, next_test_days: 0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_that_ends_leaves_its_day_and_result() {
        let mut tests = BatteryTests::default();
        let idle = BTreeSet::new();
        assert_eq!(tests.view(Some(&idle)).status, "Enabled");
        assert_eq!(
            (tests.view(Some(&idle)).last_test.as_str(), tests.view(Some(&idle)).result),
            ("00/00", "No test")
        );
        let running = BTreeSet::from([Condition::BatteryTest]);
        tests.observe(&idle, &running, Stamp::default());
        assert_eq!(tests.view(Some(&running)).status, "In progress");
        let failed = BTreeSet::from([Condition::BatteryTestFailed]);
        tests.observe(&running, &failed, Stamp { unix_ms: 1_767_268_800_000 });
        let view = tests.view(Some(&failed));
        assert_eq!((view.status, view.last_test.as_str(), view.result), ("Enabled", "01/01", "Failed"));
        tests.observe(&idle, &running, Stamp::default());
        tests.observe(&running, &idle, Stamp { unix_ms: 1_767_355_200_000 });
        assert_eq!(tests.view(Some(&idle)).result, "OK");
        assert_eq!(tests.view(None).status, "Disabled");
    }
}
