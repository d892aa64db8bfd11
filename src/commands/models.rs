//! `upstwin models`: list bundled models, validate and show model files.

use super::{CommandResult, Failure};
use crate::cli::ModelsAction;
use ups_models::model::Topology;
use ups_models::{LoadedModel, bundled, load_model};

pub fn run(action: Option<ModelsAction>) -> CommandResult {
    match action {
        None => {
            for (name, _) in bundled::MODELS {
                let loaded = load_model(name).map_err(Failure::failed)?;
                println!("{name}\t{}", summary(&loaded));
            }
            Ok(())
        }
        Some(ModelsAction::Validate { model }) => {
            let loaded = load_model(&model).map_err(Failure::bad_input)?;
            println!("ok: {model}: {}", summary(&loaded));
            Ok(())
        }
        Some(ModelsAction::Show { name }) => {
            let text = bundled::model(&name).ok_or_else(|| {
                let known: Vec<&str> = bundled::MODELS.iter().map(|(n, _)| *n).collect();
                Failure::bad_input(format!("unknown model `{name}`; bundled: {}", known.join(", ")))
            })?;
            print!("{text}");
            Ok(())
        }
    }
}

/// One line a person can tell models apart by.
fn summary(loaded: &LoadedModel) -> String {
    let m = &loaded.model;
    let topology = match m.topology {
        Topology::Single => "single".to_string(),
        Topology::Modular { modules, max_modules, redundancy } => {
            format!("modular {modules}/{max_modules} modules N+{redundancy}")
        }
        Topology::Parallel { units, redundancy, .. } => format!("parallel {units} units N+{redundancy}"),
    };
    format!(
        "{} {}, {} kVA/{} kW, {}/{}, {topology}, battery {} × {} blocks of {} Ah ({}), {} {} baud",
        m.identity.manufacturer,
        m.identity.model,
        m.ratings.apparent_power_kva,
        m.ratings.active_power_kw,
        m.ratings.input_phases,
        m.ratings.output_phases,
        m.battery.strings,
        m.battery.blocks_per_string,
        // A fitted block's capacity is an estimate: a tenth of an Ah is what it tells.
        (loaded.block.nominal_capacity_ah * 10.0).round() / 10.0,
        m.battery.block,
        m.register_map,
        m.serial.baud,
    )
}
