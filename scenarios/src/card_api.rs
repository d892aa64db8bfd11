//! What a scenario asks of the reference card's REST API: requests (`CardAction`) and tests
//! of the JSON it answers (`api:` expectations). Pure: the runner makes the calls.

use crate::format::Api;

/// An HTTP request a card action makes, checked when the scenario is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardRequest {
    pub method: &'static str,
    /// Path with its query, e.g. `/api/logs/history?last=10`.
    pub path: String,
    /// What follows the path, sent as the body (JSON for the controls); empty for none.
    pub body: String,
}

impl CardRequest {
    /// `"POST /api/alarms/ack"`, `"DELETE /api/logs/ups-events"`,
    /// `"POST /api/controls/shutdown {\"delay_s\": 60, \"restart_delay_s\": 120}"`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (method, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        let rest = rest.trim_start();
        let (path, body) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        if path.is_empty() {
            return Err(format!(
                "`{text}` is not a card request: expected METHOD PATH [BODY], e.g. POST /api/alarms/ack"
            ));
        }
        let method = ["GET", "POST", "PUT", "DELETE"]
            .into_iter()
            .find(|m| *m == method)
            .ok_or_else(|| format!("`{method}` is not a method: expected GET, POST, PUT or DELETE"))?;
        check_path(path)?;
        Ok(Self { method, path: path.to_string(), body: body.trim().to_string() })
    }
}

impl std::fmt::Display for CardRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)?;
        if !self.body.is_empty() {
            write!(f, " {}", self.body)?;
        }
        Ok(())
    }
}

fn check_path(path: &str) -> Result<(), String> {
    if path.starts_with("/api/") {
        Ok(())
    } else {
        Err(format!("`{path}` is not a path of the card's API: expected e.g. /api/status"))
    }
}

/// How the value is tested.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    Equals(String),
    Contains(String),
    AtLeast(f64),
    AtMost(f64),
}

/// An `api:` expectation, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiCheck {
    pub path: String,
    pub pointer: String,
    pub test: Test,
    /// `contains` on an array looks only at the items added since the window opened.
    pub since_window: bool,
}

/// What an array held when a window opened: its last item, so the items after it are the
/// new ones (a ring that dropped old items keeps its newest last).
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    last: Option<serde_json::Value>,
}

impl ApiCheck {
    pub fn compile(api: &Api) -> Result<Self, String> {
        check_path(&api.get)?;
        if !(api.pointer.is_empty() || api.pointer.starts_with('/')) {
            return Err(format!("`{}` is not a JSON pointer: expected e.g. /ups_status", api.pointer));
        }
        let tests = [
            api.equals.clone().map(Test::Equals),
            api.contains.clone().map(Test::Contains),
            api.at_least.map(Test::AtLeast),
            api.at_most.map(Test::AtMost),
        ];
        let mut given = tests.into_iter().flatten();
        let (Some(test), None) = (given.next(), given.next()) else {
            return Err(
                "an `api:` test needs exactly one of `equals`, `contains`, `at_least`, `at_most`".into()
            );
        };
        if let Test::AtLeast(n) | Test::AtMost(n) = test
            && !n.is_finite()
        {
            return Err("`at_least`/`at_most` take a finite number".into());
        }
        // A log only grows: what a window is about is what it brought. Other arrays (the
        // controls, the alarm rows) are states, read whole unless asked otherwise.
        let since_window = api.since_window.unwrap_or(api.get.starts_with("/api/logs/"));
        if api.since_window.is_some() && !matches!(test, Test::Contains(_)) {
            return Err("`since_window` applies to `contains` only".into());
        }
        Ok(Self { path: api.get.clone(), pointer: api.pointer.clone(), test, since_window })
    }

    /// Whether the window's opening must be remembered (a `contains` looking at new items).
    pub fn wants_baseline(&self) -> bool {
        self.since_window && matches!(self.test, Test::Contains(_))
    }

    /// What the answer held when the window opened (`None` when it held no array there).
    pub fn baseline(&self, status: u16, body: &str) -> Option<Baseline> {
        if !(200..300).contains(&status) {
            return None;
        }
        let json = serde_json::from_str::<serde_json::Value>(body).ok()?;
        let items = json.pointer(&self.pointer)?.as_array()?;
        Some(Baseline { last: items.last().cloned() })
    }

    /// Judges an answer's body: whether the test holds, and what was seen, in words. With a
    /// baseline, `contains` on an array looks only at the items after it.
    pub fn judge(&self, status: u16, body: &str, baseline: Option<&Baseline>) -> (bool, String) {
        if !(200..300).contains(&status) {
            return (false, format!("GET {} answered {status}: {}", self.path, body.trim()));
        }
        let Ok(json) = serde_json::from_str::<serde_json::Value>(body) else {
            return (false, format!("GET {} did not answer JSON", self.path));
        };
        let Some(value) = json.pointer(&self.pointer) else {
            return (false, format!("GET {} has nothing at {}", self.path, self.pointer));
        };
        let newer;
        let value = match (baseline, value.as_array(), &self.test) {
            (Some(Baseline { last: Some(last) }), Some(items), Test::Contains(_)) => {
                let after = items.iter().rposition(|item| item == last).map_or(0, |at| at + 1);
                newer = serde_json::Value::Array(items[after..].to_vec());
                &newer
            }
            _ => value,
        };
        let text = match value {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        let number = match value {
            serde_json::Value::Array(items) => Some(items.len() as f64),
            serde_json::Value::Number(n) => n.as_f64(),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        let holds = match &self.test {
            Test::Equals(wanted) => text == *wanted,
            Test::Contains(wanted) => text.contains(wanted.as_str()),
            Test::AtLeast(bound) => number.is_some_and(|n| n >= *bound),
            Test::AtMost(bound) => number.is_some_and(|n| n <= *bound),
        };
        let shown: String = text.chars().take(160).collect();
        let seen = match (&self.test, number) {
            (Test::AtLeast(_) | Test::AtMost(_), Some(n)) if value.is_array() => {
                format!("{}{} held {n} items", self.path, self.pointer)
            }
            _ => format!("{}{} was {shown}", self.path, self.pointer),
        };
        (holds, seen)
    }

    /// The test in words, for a default label.
    pub fn describe(&self) -> String {
        let test = match &self.test {
            Test::Equals(text) => format!("== `{text}`"),
            Test::Contains(text) => format!("contains `{text}`"),
            Test::AtLeast(n) => format!(">= {n}"),
            Test::AtMost(n) => format!("<= {n}"),
        };
        format!("card {}{} {test}", self.path, self.pointer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pointer: &str, test: Test) -> ApiCheck {
        ApiCheck { path: "/api/status".into(), pointer: pointer.into(), test, since_window: true }
    }

    #[test]
    fn requests_are_method_and_api_path() {
        let request = CardRequest::parse("POST /api/alarms/ack").unwrap();
        assert_eq!((request.method, request.path.as_str()), ("POST", "/api/alarms/ack"));
        assert!(CardRequest::parse("FETCH /api/x").unwrap_err().contains("not a method"));
        assert!(CardRequest::parse("POST /status").unwrap_err().contains("not a path"));
        assert!(CardRequest::parse("POST").unwrap_err().contains("METHOD PATH"));
        let shutdown = CardRequest::parse(r#"POST /api/controls/shutdown {"delay_s": 60}"#).unwrap();
        assert_eq!(
            (shutdown.path.as_str(), shutdown.body.as_str()),
            ("/api/controls/shutdown", r#"{"delay_s": 60}"#)
        );
    }

    #[test]
    fn values_are_tested_as_text_or_number() {
        let body = r#"{"ups_status":"Operating on Battery","alarm_count":2,"alarms":[{"level":"Warning"}]}"#;
        assert!(check("/ups_status", Test::Equals("Operating on Battery".into())).judge(200, body, None).0);
        assert!(check("/alarm_count", Test::Equals("2".into())).judge(200, body, None).0);
        assert!(check("/alarm_count", Test::AtLeast(2.0)).judge(200, body, None).0);
        assert!(!check("/alarm_count", Test::AtMost(1.0)).judge(200, body, None).0);
        let (holds, seen) = check("/alarms", Test::AtLeast(2.0)).judge(200, body, None);
        assert!(!holds);
        assert_eq!(seen, "/api/status/alarms held 1 items");
        assert!(check("/alarms", Test::Contains(r#""level":"Warning""#.into())).judge(200, body, None).0);
        let (holds, seen) = check("/nothing", Test::AtLeast(0.0)).judge(200, body, None);
        assert!(!holds && seen.contains("nothing at /nothing"));
        assert!(!check("", Test::Contains("x".into())).judge(503, "busy", None).0);
    }

    /// A log's records since the window opened: one written before (an earlier outage's
    /// "Operating on Battery") is not taken for the event under test.
    #[test]
    fn contains_looks_at_the_items_added_since_the_window_opened() {
        let before =
            r#"{"records":[["09:00","Operating on Battery"],["09:05","Load protected by Inverter"]]}"#;
        let after = r#"{"records":[["09:00","Operating on Battery"],["09:05","Load protected by Inverter"],["09:10","General Alarm"]]}"#;
        let on_battery = check("/records", Test::Contains("Operating on Battery".into()));
        let baseline = on_battery.baseline(200, before);
        assert!(baseline.is_some());
        let (holds, seen) = on_battery.judge(200, after, baseline.as_ref());
        assert!(!holds, "the earlier record is not new: {seen}");
        assert_eq!(seen, r#"/api/status/records was [["09:10","General Alarm"]]"#);
        assert!(on_battery.judge(200, after, None).0, "without a baseline every record counts");
        let alarm = check("/records", Test::Contains("General Alarm".into()));
        assert!(alarm.judge(200, after, alarm.baseline(200, before).as_ref()).0);
        // A ring that dropped the baseline's last record: every record is new.
        let rolled = r#"{"records":[["09:20","Operating on Battery"]]}"#;
        assert!(on_battery.judge(200, rolled, baseline.as_ref()).0);
        let whole = ApiCheck { since_window: false, ..on_battery.clone() };
        assert!(!whole.wants_baseline() && on_battery.wants_baseline());
    }

    #[test]
    fn exactly_one_test() {
        let api = |equals: Option<&str>, at_least: Option<f64>| Api {
            get: "/api/status".into(),
            pointer: String::new(),
            equals: equals.map(String::from),
            contains: None,
            since_window: None,
            at_least,
            at_most: None,
        };
        assert!(ApiCheck::compile(&api(Some("x"), None)).is_ok());
        assert!(ApiCheck::compile(&api(Some("x"), Some(1.0))).unwrap_err().contains("exactly one"));
        assert!(ApiCheck::compile(&api(None, None)).unwrap_err().contains("exactly one"));
    }
}
