//! The card beside the truth: what the card under test reports (its status strings, its
//! alarm table, its remaining time) next to what the twin is, row by row, so a divergence
//! shows at a glance. Pure: built from the card's agent and the truth.

use crate::truth::Truth;
use card::derive::View;
use card::run::Agent;

/// What the card reports at one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct CardReport {
    /// Whether the card talks to the UPS.
    pub online: bool,
    pub ups_status: String,
    pub battery_status: String,
    pub output_status: String,
    /// The remaining time the card shows, min.
    pub remaining_min: Option<f64>,
    /// Its alarm table: code, description, level.
    pub alarms: Vec<(String, String, String)>,
}

/// The value of a row of the view's UPS table (first phase).
pub fn ups_value(view: &View, label: &str) -> Option<f64> {
    let table = view.tables.iter().find(|t| t.name == "ups")?;
    table.rows.iter().find(|r| r.label == label)?.values.first().copied().flatten()
}

pub fn card_report(agent: &Agent) -> CardReport {
    let view = agent.card.view();
    CardReport {
        online: agent.card.online(),
        ups_status: view.ups_status.to_string(),
        battery_status: view.battery_status.to_string(),
        output_status: view.output_status.to_string(),
        remaining_min: ups_value(view, "Remaining backup time"),
        alarms: agent
            .card
            .alarms()
            .active
            .iter()
            .map(|a| (a.code.clone(), a.description.clone(), format!("{:?}", a.level)))
            .collect(),
    }
}

/// One line of the comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub label: &'static str,
    pub card: String,
    pub truth: String,
    pub differs: bool,
}

fn minutes(value: Option<f64>) -> String {
    value.map_or_else(|| "—".into(), |v| format!("{v:.0} min"))
}

/// The rows: each of the card's readings against the truth. `true_runtime_min` is the
/// physics' remaining time, shown beside the UPS's own estimate.
pub fn compare(card: &CardReport, truth: &Truth, true_runtime_min: Option<f64>) -> Vec<Row> {
    let view = &truth.view;
    let row = |label, card: &str, truth: &str| Row {
        label,
        card: card.into(),
        truth: truth.into(),
        differs: card != truth,
    };
    let truth_alarms = truth.database.flags.iter().filter(|f| f.table == "alarms" && f.on).count();
    let card_alarms = card.alarms.iter().filter(|(code, _, _)| code != "COM").count();
    let ups_estimate = ups_value(view, "Remaining backup time");
    vec![
        Row {
            label: "Communication",
            card: if card.online { "UPS answers" } else { "UPS lost" }.into(),
            truth: "UPS answers".into(),
            differs: !card.online,
        },
        row("UPS status", &card.ups_status, view.ups_status),
        row("Battery status", &card.battery_status, view.battery_status),
        row("Output status", &card.output_status, view.output_status),
        row("Active alarms", &card_alarms.to_string(), &truth_alarms.to_string()),
        Row {
            label: "Remaining time",
            card: minutes(card.remaining_min),
            truth: format!("{} (physics {})", minutes(ups_estimate), minutes(true_runtime_min)),
            differs: card.remaining_min.map(f64::round) != ups_estimate.map(f64::round),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::twin::Twin;
    use sim::wire::trace::Trace;
    use sim::{StartOptions, Ups};

    fn truth() -> Truth {
        let loaded = ups_models::load_model("masterys-gp-60").unwrap();
        let mut twin =
            Twin::new(Ups::new(&loaded, 1, &StartOptions::default()), &loaded, 1, 1, Trace::in_memory());
        twin.ups.step(5.0);
        crate::truth::of(&twin, &crate::truth::rules(&twin).unwrap())
    }

    fn agreeing(truth: &Truth) -> CardReport {
        CardReport {
            online: true,
            ups_status: truth.view.ups_status.into(),
            battery_status: truth.view.battery_status.into(),
            output_status: truth.view.output_status.into(),
            remaining_min: ups_value(&truth.view, "Remaining backup time"),
            alarms: Vec::new(),
        }
    }

    #[test]
    fn a_card_that_agrees_shows_no_difference() {
        let truth = truth();
        let rows = compare(&agreeing(&truth), &truth, Some(42.0));
        assert!(rows.iter().all(|r| !r.differs), "{rows:#?}");
        assert!(rows[5].truth.ends_with("(physics 42 min)"), "{}", rows[5].truth);
    }

    #[test]
    fn a_lost_card_a_stale_status_and_a_wrong_runtime_are_marked() {
        let truth = truth();
        let card = CardReport {
            online: false,
            ups_status: "Operating on Battery".into(),
            remaining_min: Some(3.0),
            ..agreeing(&truth)
        };
        let differing: Vec<&str> =
            compare(&card, &truth, None).iter().filter(|r| r.differs).map(|r| r.label).collect();
        assert_eq!(differing, ["Communication", "UPS status", "Remaining time"]);
    }
}
