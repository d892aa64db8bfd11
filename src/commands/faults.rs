//! `upstwin faults` and `upstwin commands`: the catalogues, as tables.

use super::CommandResult;
use sim::ups::commands::COMMANDS;
use sim::ups::faults::{FAULTS, ParamSpec};

fn params(params: &[ParamSpec]) -> String {
    if params.is_empty() {
        return "-".into();
    }
    params
        .iter()
        .map(|p| {
            let default = p.default.map_or(String::new(), |d| format!(", default {d}"));
            format!(
                "{}={}..{}{}{default}",
                p.name,
                p.min,
                p.max,
                if p.unit.is_empty() { String::new() } else { format!(" {}", p.unit) }
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn faults() -> CommandResult {
    println!("fault\tparameters\twhat the UPS does");
    for fault in FAULTS {
        println!("{}\t{}\t{}", fault.name, params(fault.params), fault.effect);
    }
    Ok(())
}

pub fn commands() -> CommandResult {
    println!("command\tparameters\twhat the UPS does");
    for command in COMMANDS {
        println!("{}\t{}\t{}", command.name, params(command.params), command.effect);
    }
    Ok(())
}
