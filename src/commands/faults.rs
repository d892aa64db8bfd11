//! `upstwin faults` and `upstwin commands`: the catalogues as tab-separated tables, or as
//! the Markdown of `sim/FAULTS.md` (`--markdown`; a test keeps that file in step).

use super::CommandResult;
use sim::ups::commands::COMMANDS;
use sim::ups::faults::{FAULTS, ParamSpec};
use sim::wire::faults::WIRE_FAULTS;

fn params(params: &[ParamSpec]) -> String {
    if params.is_empty() {
        return "-".into();
    }
    params
        .iter()
        .map(|p| {
            let unit = if p.unit.is_empty() { String::new() } else { format!(" {}", p.unit) };
            let default = p.default.map_or(String::new(), |d| format!(" (default {d})"));
            format!("{}={}..{}{unit}{default}", p.name, p.min, p.max)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn table<'a>(heading: &str, rows: impl Iterator<Item = (&'a str, String, &'a str)>, markdown: bool) {
    if markdown {
        println!("| {heading} | parameters | what the UPS does |\n| --- | --- | --- |");
        for (name, params, effect) in rows {
            println!("| `{name}` | {params} | {effect} |");
        }
    } else {
        println!("{heading}\tparameters\twhat the UPS does");
        for (name, params, effect) in rows {
            println!("{name}\t{params}\t{effect}");
        }
    }
}

pub fn faults(markdown: bool, wire: bool) -> CommandResult {
    let catalogue = if wire { WIRE_FAULTS } else { FAULTS };
    let heading = if wire { "wire fault" } else { "fault" };
    table(heading, catalogue.iter().map(|f| (f.name, params(f.params), f.effect)), markdown);
    Ok(())
}

pub fn commands(markdown: bool) -> CommandResult {
    table("command", COMMANDS.iter().map(|c| (c.name, params(c.params), c.effect)), markdown);
    Ok(())
}
