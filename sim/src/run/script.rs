//! The small timeline language of `upstwin simulate --at`: `TIME:ACTION`, e.g.
//! `60s:mains_blackout`, `30m:clear:mains_blackout`, `10m:overload:load_pct=130`,
//! `5m:cmd:shutdown:delay_s=60,restart_delay_s=30`, `20m:load:pct=80`.

use crate::ups::commands::{Command, parse_command};
use crate::ups::faults::{Fault, FaultKind, ParseError, parse_fault};

/// Something that happens to the UPS at a time.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Inject(Fault),
    Clear(FaultKind),
    Command(Command),
    /// Load as a share of the rating, %.
    LoadPct(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TimedAction {
    pub at_s: f64,
    pub action: Action,
    /// As the user wrote it, for reports.
    pub text: String,
}

/// `90s`, `30m`, `2h`, `1h30m`, `500ms`, `1.5h`, or a plain number of seconds.
pub fn parse_duration_s(text: &str) -> Result<f64, ParseError> {
    let bad = || ParseError(format!("bad time `{text}`: expected e.g. 90s, 30m, 2h, 1h30m, 500ms"));
    let text_trimmed = text.trim();
    if let Ok(seconds) = text_trimmed.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then_some(seconds).ok_or_else(bad);
    }
    let mut total_s = 0.0;
    let mut rest = text_trimmed;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(bad)?;
        let number: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" | "min" => 60.0,
            "h" => 3600.0,
            "d" => 86_400.0,
            _ => return Err(bad()),
        };
        total_s += number * scale;
        rest = &rest[unit_len..];
    }
    if total_s.is_finite() { Ok(total_s) } else { Err(bad()) }
}

/// `key=value,key=value`.
fn parse_pairs(text: &str) -> Result<Vec<(&str, &str)>, ParseError> {
    text.split(',')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            pair.split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .ok_or_else(|| ParseError(format!("bad parameter `{pair}`: expected key=value")))
        })
        .collect()
}

/// Parses one `TIME:ACTION` item.
pub fn parse_at(text: &str) -> Result<TimedAction, ParseError> {
    let (time, action) = text
        .split_once(':')
        .ok_or_else(|| ParseError(format!("`{text}`: expected TIME:ACTION, e.g. 60s:mains_blackout")))?;
    let at_s = parse_duration_s(time)?;
    let mut parts = action.splitn(3, ':');
    let head = parts.next().unwrap_or("");
    let action = match head {
        "clear" => {
            let name = parts.next().ok_or_else(|| ParseError(format!("`{text}`: expected clear:FAULT")))?;
            Action::Clear(FaultKind::parse(name)?)
        }
        "cmd" => {
            let name = parts.next().ok_or_else(|| ParseError(format!("`{text}`: expected cmd:COMMAND")))?;
            let params = parse_pairs(parts.next().unwrap_or(""))?;
            Action::Command(parse_command(name, &params)?)
        }
        "load" => {
            let params = parse_pairs(parts.next().unwrap_or(""))?;
            match params.as_slice() {
                [("pct", value)] => {
                    let pct: f64 =
                        value.parse().ok().filter(|v: &f64| (0.0..=1000.0).contains(v)).ok_or_else(|| {
                            ParseError(format!("load: pct must be within 0..=1000 %, found `{value}`"))
                        })?;
                    Action::LoadPct(pct)
                }
                _ => return Err(ParseError(format!("`{text}`: expected load:pct=P"))),
            }
        }
        name => {
            let rest = parts.collect::<Vec<&str>>().join(":");
            let params = parse_pairs(&rest)?;
            Action::Inject(parse_fault(name, &params)?)
        }
    };
    Ok(TimedAction { at_s, action, text: text.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration_s("90s").unwrap(), 90.0);
        assert_eq!(parse_duration_s("1h30m").unwrap(), 5400.0);
        assert_eq!(parse_duration_s("500ms").unwrap(), 0.5);
        assert_eq!(parse_duration_s("12").unwrap(), 12.0);
        assert!(parse_duration_s("1x").is_err());
        assert!(parse_duration_s("").is_err());
        assert!(parse_duration_s("-5").is_err());
    }

    #[test]
    fn actions() {
        assert!(matches!(parse_at("60s:mains_blackout").unwrap().action, Action::Inject(_)));
        assert_eq!(
            parse_at("30m:clear:mains_blackout").unwrap().action,
            Action::Clear(FaultKind::MainsBlackout)
        );
        let shutdown = parse_at("5m:cmd:shutdown:delay_s=60,restart_delay_s=30").unwrap();
        assert!(
            matches!(shutdown.action, Action::Command(Command::Shutdown { delay_s, .. }) if delay_s == 60.0)
        );
        assert_eq!(parse_at("1m:load:pct=80").unwrap().action, Action::LoadPct(80.0));
        assert!(parse_at("1m:overload:load_pct=130").is_ok());
        assert!(parse_at("1m:mains_blakout").unwrap_err().0.contains("did you mean"));
        assert!(parse_at("1m:clear:nope").is_err());
        assert!(parse_at("mains_blackout").is_err());
    }
}
