//! The twin's truth as NET VISION would draw it: the twin's own register image, read whole
//! (no wire, no wire fault), decoded by the card's map decoder and coloured by the card's
//! rules (§12.1.1). The window and the card's pages thus share one set of colour rules, and
//! what the window shows is what a perfect card would show at this instant.

use card::database::{Database, Words};
use card::derive::View;
use card::rules::Rules;
use sim::image::MAX_WORDS;
use sim::twin::Twin;

/// What the window shows of the twin at one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct Truth {
    pub view: View,
    pub database: Database,
    /// The twin's clock, s.
    pub time_s: f64,
}

/// Every word of every table of the twin's map, as a Modbus read would see it now.
fn words(twin: &Twin) -> Words {
    let image = &twin.service.image;
    let mut words = Words::default();
    for table in &image.map().tables {
        let end = u32::from(table.start) + u32::from(table.words);
        let mut start = u32::from(table.start);
        while start < end {
            let count = (end - start).min(u32::from(MAX_WORDS)) as u16;
            if let Ok(read) = image.read(&twin.ups, start as u16, count) {
                words.store(start as u16, &read);
            }
            start += u32::from(count);
        }
    }
    words
}

/// The rules of the twin's map (every bundled map has them).
pub fn rules(twin: &Twin) -> Option<Rules> {
    card::rules::bundled(twin.service.image.map())
}

/// The truth at this instant.
pub fn of(twin: &Twin, rules: &Rules) -> Truth {
    let database = card::database::decode(twin.service.image.map(), &words(twin));
    let alarm_present = database.flags.iter().any(|f| f.table == "alarms" && f.on);
    Truth {
        view: card::derive::view(&database, rules, true, alarm_present),
        database,
        time_s: twin.ups.time_s(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use card::derive::synoptic::Colour;
    use sim::wire::trace::Trace;
    use sim::{StartOptions, Ups};

    fn twin(model: &str) -> Twin {
        let loaded = ups_models::load_model(model).unwrap();
        let ups = Ups::new(&loaded, 7, &StartOptions::default());
        Twin::new(ups, &loaded, 1, 7, Trace::in_memory())
    }

    fn colour(truth: &Truth, number: u8) -> Colour {
        truth.view.synoptic.iter().find(|e| e.number == number).unwrap().colour
    }

    #[test]
    fn on_mains_the_main_path_is_green_and_in_a_blackout_the_battery_path_yellow() {
        let mut twin = twin("masterys-gp-60");
        let rules = rules(&twin).unwrap();
        twin.ups.step(5.0);
        let normal = of(&twin, &rules);
        assert_eq!([1, 3, 5, 7, 8].map(|n| colour(&normal, n)), [Colour::Green; 5]);
        assert_eq!(normal.view.ups_status, "Load protected by Inverter");
        twin.ups.inject(sim::ups::faults::parse_fault("mains_blackout", &[]).unwrap()).unwrap();
        for _ in 0..60 {
            twin.ups.step(1.0);
        }
        let blackout = of(&twin, &rules);
        assert_eq!([5, 7, 8].map(|n| colour(&blackout, n)), [Colour::Yellow; 3]);
        assert_eq!(colour(&blackout, 1), Colour::Grey);
        assert_eq!(colour(&blackout, 9), Colour::Green, "50 % load");
        assert!(blackout.view.discharging);
        assert!((blackout.time_s - 65.0).abs() < 0.01, "{}", blackout.time_s);
    }

    #[test]
    fn a_modular_ups_shows_its_modules() {
        let twin = twin("modulys-gp2-100");
        let truth = of(&twin, &rules(&twin).unwrap());
        assert_eq!(truth.view.topology.devices.len(), 4);
    }
}
