//! The twin of each device as its fleet starts it: its model with its own serial, its load,
//! state of health and seed, and its model's factory calibration — made once per model (with
//! the battery of the model's first device in the whole fleet, so a device is the same twin
//! whichever shard serves it) rather than once per device.

use super::plan::{Device, Plan};
use sim::ups::FactoryCalibration;
use sim::{StartOptions, Ups};
use std::collections::HashMap;

/// Each model's calibration, for the models of `devices`.
pub fn calibrations(plan: &Plan, devices: &[Device]) -> HashMap<String, FactoryCalibration> {
    let mut calibrations = HashMap::new();
    for device in devices {
        calibrations.entry(device.model.clone()).or_insert_with(|| {
            let first = plan.devices.iter().find(|d| d.model == device.model).unwrap_or(device);
            Ups::factory_calibration(
                &plan.models[&device.model],
                first.seed,
                StartOptions::default().ambient_c,
            )
        });
    }
    calibrations
}

/// What a device's twin starts with.
pub fn start_options(device: &Device) -> StartOptions {
    StartOptions {
        load_pct: device.load_pct,
        state_of_health: device.soh_pct / 100.0,
        ..StartOptions::default()
    }
}

/// The device's model as it reports itself: its own serial number.
pub fn model_of(plan: &Plan, device: &Device) -> ups_models::LoadedModel {
    let mut loaded = (*plan.models[&device.model]).clone();
    loaded.model.identity.serial_number = device.serial.clone();
    loaded
}

/// The device's UPS at time 0.
pub fn start_ups(
    plan: &Plan,
    device: &Device,
    calibrations: &HashMap<String, FactoryCalibration>,
) -> (ups_models::LoadedModel, Ups) {
    let loaded = model_of(plan, device);
    let ups = Ups::calibrated(&loaded, device.seed, &start_options(device), calibrations[&device.model]);
    (loaded, ups)
}
