//! `upstwin maps`: the bundled register maps, and one map as a Markdown table of every
//! address — name, unit, scale, source, and which bundled models manage it.

use super::{CommandResult, Failure};
use crate::cli::MapsAction;
use ups_models::map::{CommandAction, Register, RegisterMap, Source};
use ups_models::{bundled, load_model, maps};

pub fn run(action: Option<MapsAction>) -> CommandResult {
    match action {
        None => {
            for name in maps::names() {
                let map = maps::bundled(name).expect("bundled");
                println!("{name}\t{}", map.title);
            }
            Ok(())
        }
        Some(MapsAction::Show { name }) => {
            let map = maps::bundled(&name).ok_or_else(|| {
                Failure::bad_input(format!(
                    "unknown map `{name}`; bundled: {}",
                    maps::names().collect::<Vec<_>>().join(", ")
                ))
            })?;
            print!("{}", table(&map));
            Ok(())
        }
    }
}

/// Bundled models speaking `map` and their family.
fn models_of(map: &RegisterMap) -> Vec<(String, Option<String>)> {
    bundled::MODELS
        .iter()
        .filter_map(|(name, _)| load_model(name).ok().map(|m| (name.to_string(), m.model)))
        .filter(|(_, model)| model.register_map == map.name)
        .map(|(name, model)| (name, model.identity.map_family))
        .collect()
}

fn managed_by(register: &Register, models: &[(String, Option<String>)]) -> String {
    let names: Vec<&str> = models
        .iter()
        .filter(|(_, family)| match (&register.managed_by, family) {
            (None, _) => true,
            (Some(families), Some(family)) => families.contains(family),
            (Some(families), None) => !families.is_empty(),
        })
        .map(|(name, _)| name.as_str())
        .collect();
    let note = if register.valid_when.is_some() { " (on battery only)" } else { "" };
    if names.is_empty() { "none (reads 0xFFFF)".into() } else { format!("{}{note}", names.join(", ")) }
}

fn source(source: &Source) -> (String, String) {
    let scale = |s: &ups_models::map::Scale| match s.with_factor {
        Some(with) => format!("×{} (×{} with factor)", s.factor, with),
        None => format!("×{}", s.factor),
    };
    match source {
        Source::Constant(value) => (format!("constant {value}"), String::new()),
        Source::Model(field, s) => (format!("model {field:?}"), scale(s)),
        Source::Text(field, words, order) => (format!("{field:?}, {words} words, {order:?}"), "ASCII".into()),
        Source::Measurement { signal, phase, scale: s, signed } => {
            let phase = phase.map_or(String::new(), |p| format!(" L{p}"));
            (format!("{signal}{phase}{}", if *signed { " (signed)" } else { "" }), scale(s))
        }
        Source::Clock(part) => (format!("clock {part:?}"), String::new()),
        Source::FactorFlag => ("×10 factor flag".into(), String::new()),
    }
}

fn table(map: &RegisterMap) -> String {
    let models = models_of(map);
    let mut out = format!("# {} — `{}`\n\n", map.title, map.name);
    for table in &map.tables {
        out.push_str(&format!(
            "## {} — 0x{:04X}, {} words (reads answered up to {})\n\n",
            table.name, table.start, table.words, table.extent
        ));
        if !table.registers.is_empty() {
            out.push_str("| address | code | name | unit | scale | source | managed by |\n| --- | --- | --- | --- | --- | --- | --- |\n");
            for r in &table.registers {
                let (what, scale) = source(&r.source);
                out.push_str(&format!(
                    "| 0x{:04X} | {} | {} | {} | {} | {} | {} |\n",
                    r.address,
                    r.code,
                    r.name,
                    r.unit,
                    scale,
                    what,
                    managed_by(r, &models)
                ));
            }
        }
        if !table.bits.is_empty() {
            out.push_str("| address | bit | code | level | description | signal |\n| --- | --- | --- | --- | --- | --- |\n");
            for b in &table.bits {
                let level = b.level.map_or(String::new(), |l| l.letter().to_string());
                let signal = b.signal.as_deref().unwrap_or("— (reads 0)");
                out.push_str(&format!(
                    "| 0x{:04X} | b{:02} | {} | {} | {} | {} |\n",
                    b.address, b.bit, b.code, level, b.description, signal
                ));
            }
        }
        out.push('\n');
    }
    let commands = &map.commands;
    out.push_str(&format!(
        "## Commands — 0x{:04X}, {} words (write 06 or 16; other addresses: exception 02; bad value: 03; refused by the firmware: 04)\n\n",
        commands.start, commands.words
    ));
    out.push_str("| address | words | name | what to write |\n| --- | --- | --- | --- |\n");
    for r in &commands.registers {
        let write = match &r.action {
            CommandAction::Trigger(command) => format!("1 → `{command}`"),
            CommandAction::Switch(on, off) => format!("1 → `{on}`, 0 → `{off}`"),
            CommandAction::Params { command, params, fixed } => {
                let fixed: Vec<String> = fixed.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!(
                    "`{command}`: {}{}",
                    params.join(", "),
                    if fixed.is_empty() { String::new() } else { format!(" ({})", fixed.join(", ")) }
                )
            }
            CommandAction::SetClock => "`set_date_time`: 4 words in the clock layout".into(),
        };
        out.push_str(&format!(
            "| 0x{:04X} | {} | {} | {} |\n",
            r.address,
            RegisterMap::command_words(&r.action),
            r.name,
            write
        ));
    }
    out
}
