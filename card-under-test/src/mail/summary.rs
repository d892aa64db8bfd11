//! What a mail says of the UPS: the card's status strings, measurements and alarms.

use crate::derive::tables::values;
use crate::run::Agent;

/// The UPS as a mail shows it, taken under the lock and written out after.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub system_name: String,
    pub system_location: String,
    pub system_contact: String,
    /// The UPS reference, or its serial number.
    pub ups: String,
    pub ups_status: &'static str,
    pub battery_status: &'static str,
    pub output_status: &'static str,
    pub battery_charge_pct: Option<f64>,
    pub remaining_min: Option<f64>,
    /// (level, description) of the active alarms.
    pub alarms: Vec<(String, String)>,
}

impl Summary {
    pub fn of(agent: &Agent) -> Self {
        let (card, config) = (&agent.card, &agent.config);
        let database = card.database();
        let first = |name: &str| values(database, name).into_iter().flatten().next();
        let ups = database.ups_name();
        Self {
            system_name: config.system_name.clone(),
            system_location: config.system_location.clone(),
            system_contact: config.system_contact.clone(),
            ups,
            ups_status: card.view().ups_status,
            battery_status: card.view().battery_status,
            output_status: card.view().output_status,
            battery_charge_pct: first("battery_charge_pct"),
            remaining_min: first("remaining_runtime_min"),
            alarms: (card.alarms().active.iter())
                .map(|alarm| (format!("{:?}", alarm.level), alarm.description.clone()))
                .collect(),
        }
    }

    /// The lines every mail ends with.
    pub fn text(&self) -> String {
        let number = |value: Option<f64>, unit: &str| value.map_or("-".into(), |v| format!("{v:.0} {unit}"));
        let mut text = format!(
            "System: {}\nLocation: {}\nContact: {}\nUPS: {}\n\nUPS status: {}\nBattery status: {}\nOutput status: {}\nBattery charge: {}\nRemaining time: {}\n",
            self.system_name,
            self.system_location,
            self.system_contact,
            self.ups,
            self.ups_status,
            self.battery_status,
            self.output_status,
            number(self.battery_charge_pct, "%"),
            number(self.remaining_min, "min"),
        );
        text.push_str(&format!("\nActive alarms: {}\n", self.alarms.len()));
        for (level, description) in &self.alarms {
            text.push_str(&format!("  {level}: {description}\n"));
        }
        text
    }
}
