//! What an SNMP SET does: the vendor upsControlStatusControl and RFC1628's upsTestId and
//! upsShutdownAfterDelay become UPS controls (sent only if the UPS allows them now: "Control
//! executed only if remote control enabled", §22); the delays are remembered for the next
//! shutdown. Checked in the test phase, done in the commit phase.

use super::netvision::{SHUTDOWN_DELAY, STATUS_CONTROL, TURN_OFF_AFTER_SHUTDOWN};
use super::rfc1628::{
    GENERAL_SYSTEMS_TEST, QUICK_BATTERY_TEST, SHUTDOWN_AFTER_DELAY, STARTUP_AFTER_DELAY, TEST_ID,
    TEST_SPIN_LOCK,
};
use async_snmp::{Oid, SetTestError, Value};
use std::collections::BTreeMap;

/// What SETs left for the objects that read them back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sets {
    /// The last upsControlStatusControl set (0: none yet).
    pub status_control: i32,
    /// upsShutdownDelay (s): the UPS shut-off delay of a vendor shutdown.
    pub shutdown_delay_s: i32,
    pub turn_off_after_shutdown: bool,
    /// RFC1628 upsShutdownAfterDelay: the countdown asked last, -1 none.
    pub shutdown_after_delay_s: i32,
    /// RFC1628 upsStartupAfterDelay: the restart delay the next shutdown asks, -1 none.
    pub startup_after_delay_s: i32,
    /// RFC1628 upsTestSpinLock (TestAndIncr): a manager sets it with upsTestId.
    pub test_spin_lock: i32,
}

impl Default for Sets {
    fn default() -> Self {
        Self {
            status_control: 0,
            shutdown_delay_s: 120,
            turn_off_after_shutdown: true,
            shutdown_after_delay_s: -1,
            startup_after_delay_s: -1,
            test_spin_lock: 0,
        }
    }
}

/// What one SET varbind will do.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// Send control `name` with `params`, then remember what `remember` says.
    Control {
        name: &'static str,
        params: BTreeMap<String, f64>,
        remember: Remember,
    },
    Remember(Remember),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remember {
    Nothing,
    StatusControl(i32),
    ShutdownDelay(i32),
    TurnOffAfterShutdown(bool),
    ShutdownAfterDelay(i32),
    StartupAfterDelay(i32),
    /// The next value of upsTestSpinLock.
    TestSpinLock(i32),
}

impl Sets {
    pub fn remember(&mut self, what: Remember) {
        match what {
            Remember::Nothing => {}
            Remember::StatusControl(value) => self.status_control = value,
            Remember::ShutdownDelay(seconds) => self.shutdown_delay_s = seconds,
            Remember::TurnOffAfterShutdown(on) => self.turn_off_after_shutdown = on,
            Remember::ShutdownAfterDelay(seconds) => self.shutdown_after_delay_s = seconds,
            Remember::StartupAfterDelay(seconds) => self.startup_after_delay_s = seconds,
            Remember::TestSpinLock(value) => self.test_spin_lock = value,
        }
    }

    /// What `what` would overwrite, to put back if the SET is undone.
    pub fn before(&self, what: Remember) -> Remember {
        match what {
            Remember::Nothing => Remember::Nothing,
            Remember::StatusControl(_) => Remember::StatusControl(self.status_control),
            Remember::ShutdownDelay(_) => Remember::ShutdownDelay(self.shutdown_delay_s),
            Remember::TurnOffAfterShutdown(_) => Remember::TurnOffAfterShutdown(self.turn_off_after_shutdown),
            Remember::ShutdownAfterDelay(_) => Remember::ShutdownAfterDelay(self.shutdown_after_delay_s),
            Remember::StartupAfterDelay(_) => Remember::StartupAfterDelay(self.startup_after_delay_s),
            Remember::TestSpinLock(_) => Remember::TestSpinLock(self.test_spin_lock),
        }
    }
}

fn integer(value: &Value, low: i32, high: i32) -> Result<i32, SetTestError> {
    match value {
        Value::Integer(number) if (low..=high).contains(number) => Ok(*number),
        Value::Integer(_) => Err(SetTestError::WrongValue),
        _ => Err(SetTestError::WrongType),
    }
}

/// What setting `oid` to `value` would do, given what earlier SETs left.
pub fn plan(oid: &Oid, value: &Value, sets: &Sets) -> Result<Plan, SetTestError> {
    let arcs = oid.arcs();
    if arcs == STATUS_CONTROL {
        let number = integer(value, 1, 7)?;
        // upsStandbyOn(1) … upsOnInverter(7).
        let name = [
            "standby_on",
            "standby_off",
            "eco_on",
            "eco_off",
            "alarm_ack",
            "transfer_to_bypass",
            "transfer_to_inverter",
        ][number as usize - 1];
        return Ok(Plan::Control {
            name,
            params: BTreeMap::new(),
            remember: Remember::StatusControl(number),
        });
    }
    if arcs == SHUTDOWN_DELAY {
        return Ok(Plan::Remember(Remember::ShutdownDelay(integer(value, 0, 32767)?)));
    }
    if arcs == TURN_OFF_AFTER_SHUTDOWN {
        return Ok(Plan::Remember(Remember::TurnOffAfterShutdown(integer(value, 1, 2)? == 1)));
    }
    if arcs == TEST_ID {
        return match value {
            Value::ObjectIdentifier(test)
                if [QUICK_BATTERY_TEST, GENERAL_SYSTEMS_TEST].iter().any(|id| id[..] == *test.arcs()) =>
            {
                Ok(Plan::Control {
                    name: "battery_test",
                    params: BTreeMap::new(),
                    remember: Remember::Nothing,
                })
            }
            Value::ObjectIdentifier(_) => Err(SetTestError::WrongValue),
            _ => Err(SetTestError::WrongType),
        };
    }
    if arcs == TEST_SPIN_LOCK {
        // TestAndIncr: only the value held now is accepted, and it moves on.
        return match integer(value, 0, i32::MAX)? {
            held if held == sets.test_spin_lock => {
                Ok(Plan::Remember(Remember::TestSpinLock(held.checked_add(1).unwrap_or(0))))
            }
            _ => Err(SetTestError::InconsistentValue),
        };
    }
    if arcs == SHUTDOWN_AFTER_DELAY {
        let seconds = integer(value, -1, 65535)?;
        let remember = Remember::ShutdownAfterDelay(seconds);
        if seconds < 0 {
            return Ok(Plan::Control { name: "cancel_shutdown", params: BTreeMap::new(), remember });
        }
        let restart_s = sets.startup_after_delay_s.max(0);
        let params = BTreeMap::from([
            ("delay_s".into(), f64::from(seconds)),
            ("restart_delay_s".into(), f64::from(restart_s)),
        ]);
        return Ok(Plan::Control { name: "shutdown", params, remember });
    }
    if arcs == STARTUP_AFTER_DELAY {
        return Ok(Plan::Remember(Remember::StartupAfterDelay(integer(value, -1, 65535)?)));
    }
    Err(SetTestError::NotWritable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_become_controls_or_are_refused() {
        let sets = Sets::default();
        let control = Oid::from_slice(&STATUS_CONTROL);
        let eco = plan(&control, &Value::Integer(3), &sets).unwrap();
        assert!(matches!(eco, Plan::Control { name: "eco_on", .. }));
        assert_eq!(plan(&control, &Value::Integer(8), &sets), Err(SetTestError::WrongValue));
        assert_eq!(plan(&control, &Value::from("eco"), &sets), Err(SetTestError::WrongType));
        let test = plan(
            &Oid::from_slice(&TEST_ID),
            &Value::ObjectIdentifier(Oid::from_slice(&QUICK_BATTERY_TEST)),
            &sets,
        );
        assert!(matches!(test, Ok(Plan::Control { name: "battery_test", .. })));
        let mut sets = Sets::default();
        sets.remember(Remember::StartupAfterDelay(300));
        let Ok(Plan::Control { name, params, .. }) =
            plan(&Oid::from_slice(&SHUTDOWN_AFTER_DELAY), &Value::Integer(60), &sets)
        else {
            panic!("a shutdown")
        };
        assert_eq!((name, params["delay_s"], params["restart_delay_s"]), ("shutdown", 60.0, 300.0));
        let cancel = plan(&Oid::from_slice(&SHUTDOWN_AFTER_DELAY), &Value::Integer(-1), &sets);
        assert!(matches!(cancel, Ok(Plan::Control { name: "cancel_shutdown", .. })));
        let lock = Oid::from_slice(&TEST_SPIN_LOCK);
        assert_eq!(plan(&lock, &Value::Integer(0), &sets), Ok(Plan::Remember(Remember::TestSpinLock(1))));
        assert_eq!(plan(&lock, &Value::Integer(5), &sets), Err(SetTestError::InconsistentValue));
        let mut undone = sets.clone();
        let before = undone.before(Remember::TestSpinLock(1));
        undone.remember(Remember::TestSpinLock(1));
        undone.remember(before);
        assert_eq!(undone, sets, "an undo puts back what the commit overwrote");
        let ident = Oid::from_slice(&[1, 3, 6, 1, 2, 1, 33, 1, 1, 1, 0]);
        assert_eq!(plan(&ident, &Value::from("x"), &sets), Err(SetTestError::NotWritable));
    }
}
