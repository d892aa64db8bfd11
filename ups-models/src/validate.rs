//! Semantic checks of model and block files: every number within a range a real product can
//! have, every name resolvable. An error names the field and the allowed range.

use crate::battery::BlockParams;
use crate::maps;
use crate::model::{EndOfDischargePoint, Topology, UpsModel};

/// A value outside what is allowed; `field` is a dotted path into the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

type Check = Result<(), Invalid>;

fn invalid(field: &str, message: String) -> Invalid {
    Invalid { field: field.to_string(), message }
}

fn within(field: &str, value: f64, min: f64, max: f64, unit: &str) -> Check {
    if value.is_finite() && (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(invalid(field, format!("must be within {min}..={max} {unit}, found {value}")))
    }
}

fn within_int(field: &str, value: u64, min: u64, max: u64) -> Check {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(invalid(field, format!("must be within {min}..={max}, found {value}")))
    }
}

fn text(field: &str, value: &str, max_chars: usize) -> Check {
    if value.is_empty() || value.chars().count() > max_chars {
        return Err(invalid(
            field,
            format!("must be 1..={max_chars} characters, found {}", value.chars().count()),
        ));
    }
    Ok(())
}

/// Checks a model (its battery block is checked when it is loaded).
pub fn model(model: &UpsModel) -> Check {
    let map = maps::bundled(&model.register_map).ok_or_else(|| {
        let known: Vec<&str> = maps::names().collect();
        invalid(
            "register_map",
            format!("unknown map `{}`; known maps: {}", model.register_map, known.join(", ")),
        )
    })?;
    if let Some(family) = &model.identity.map_family
        && !map.families.contains(family)
    {
        return Err(invalid(
            "identity.map_family",
            if map.families.is_empty() {
                format!(
                    "map `{}` has no families (it identifies the UPS by other words): remove map_family",
                    map.name
                )
            } else {
                format!(
                    "`{family}` is not a family of map `{}`; expected one of `{}`",
                    map.name,
                    map.families.join("`, `")
                )
            },
        ));
    }
    let id = &model.identity;
    text("identity.manufacturer", &id.manufacturer, 64)?;
    text("identity.range", &id.range, 64)?;
    text("identity.model", &id.model, 64)?;
    text("identity.serial_number", &id.serial_number, maps::serial_chars(&map))?;
    if !id.serial_number.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
        return Err(invalid("identity.serial_number", "must be printable ASCII".into()));
    }
    let r = &model.ratings;
    // kVA × 10 must fit one 16-bit register.
    within("ratings.apparent_power_kva", r.apparent_power_kva, 0.3, 6553.5, "kVA")?;
    within(
        "ratings.active_power_kw",
        r.active_power_kw,
        0.1,
        r.apparent_power_kva,
        "kW (at most the kVA rating)",
    )?;
    for (field, phases) in
        [("ratings.input_phases", r.input_phases), ("ratings.output_phases", r.output_phases)]
    {
        if phases != 1 && phases != 3 {
            return Err(invalid(field, format!("must be 1 or 3, found {phases}")));
        }
    }
    within("ratings.nominal_input_voltage_v", r.nominal_input_voltage_v, 100.0, 300.0, "V phase-to-neutral")?;
    within(
        "ratings.nominal_output_voltage_v",
        r.nominal_output_voltage_v,
        100.0,
        300.0,
        "V phase-to-neutral",
    )?;
    within("ratings.nominal_input_frequency_hz", r.nominal_input_frequency_hz, 45.0, 65.0, "Hz")?;
    within("ratings.nominal_output_frequency_hz", r.nominal_output_frequency_hz, 45.0, 65.0, "Hz")?;
    topology(&model.topology, map.max_parallel_units)?;
    battery(model)?;
    transfer(model)?;
    curve_points(
        "efficiency",
        model.efficiency.iter().map(|p| (p.load_pct, p.efficiency_pct)),
        (0.0, 150.0, "% load"),
        (50.0, 99.9, "%"),
    )?;
    within("eco_efficiency_pct", model.eco_efficiency_pct, 80.0, 99.9, "%")?;
    curve_points(
        "overload",
        model.overload.iter().map(|p| (p.load_pct, p.duration_s)),
        (100.0, 1000.0, "% load"),
        (0.001, 86_400.0, "s"),
    )?;
    let protection = &model.overload_protection;
    within("overload_protection.transfer_at_budget_pct", protection.transfer_at_budget_pct, 1.0, 100.0, "%")?;
    curve_points(
        "overload_protection.bypass",
        protection.bypass.iter().map(|p| (p.load_pct, p.duration_s)),
        (100.0, 2000.0, "% load"),
        (0.001, 86_400.0, "s"),
    )?;
    for (field, curve) in [("overload", &model.overload), ("overload_protection.bypass", &protection.bypass)]
    {
        if curve.windows(2).any(|w| w[1].duration_s > w[0].duration_s) {
            return Err(invalid(field, "durations must not grow with the load".into()));
        }
    }
    let t = &model.thermal;
    within("thermal.heat_capacity_j_per_k", t.heat_capacity_j_per_k, 1.0, 1e9, "J/K")?;
    within("thermal.thermal_resistance_k_per_w", t.thermal_resistance_k_per_w, 1e-6, 10.0, "K/W")?;
    within(
        "thermal.thermal_resistance_fans_failed_k_per_w",
        t.thermal_resistance_fans_failed_k_per_w,
        t.thermal_resistance_k_per_w,
        100.0,
        "K/W (at least the fans-running value)",
    )?;
    within("thermal.over_temperature_alarm_c", t.over_temperature_alarm_c, 30.0, 100.0, "°C")?;
    within(
        "thermal.over_temperature_shutdown_c",
        t.over_temperature_shutdown_c,
        t.over_temperature_alarm_c,
        120.0,
        "°C (at least the alarm threshold)",
    )?;
    within_int("capabilities.power_share_plugs", model.capabilities.power_share_plugs.into(), 0, 8)?;
    const BAUDS: [u32; 8] = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];
    if !BAUDS.contains(&model.serial.baud) {
        return Err(invalid("serial.baud", format!("must be one of {BAUDS:?}, found {}", model.serial.baud)));
    }
    within_int("serial.slave_id", model.serial.slave_id.into(), 1, 247)
}

fn topology(topology: &Topology, max_parallel_units: u8) -> Check {
    match *topology {
        Topology::Single => Ok(()),
        Topology::Modular { modules, max_modules, redundancy } => {
            within_int("topology.modules", modules.into(), 1, 8)?;
            within_int("topology.max_modules", max_modules.into(), modules.into(), 8)?;
            within_int("topology.redundancy", redundancy.into(), 0, u64::from(modules) - 1)
        }
        Topology::Parallel { units, redundancy, .. } => {
            within_int("topology.units", units.into(), 2, max_parallel_units.into())?;
            within_int("topology.redundancy", redundancy.into(), 0, u64::from(units) - 1)
        }
    }
}

fn transfer(model: &UpsModel) -> Check {
    let t = &model.transfer;
    within("transfer.from_eco_ms", t.from_eco_ms, 0.0, 1000.0, "ms")?;
    within("transfer.mains_path_ms", t.mains_path_ms, 0.0, 1000.0, "ms")
}

fn battery(model: &UpsModel) -> Check {
    let b = &model.battery;
    if b.block.trim().is_empty() {
        return Err(invalid("battery.block", "must name a bundled block or a block file".into()));
    }
    within_int("battery.blocks_per_string", b.blocks_per_string.into(), 1, 80)?;
    within_int("battery.strings", b.strings.into(), 1, 16)?;
    match (b.end_of_discharge_v_per_cell, b.end_of_discharge_by_rate.is_empty()) {
        (Some(v), true) => within("battery.end_of_discharge_v_per_cell", v, 1.0, 3.5, "V/cell")?,
        (None, false) => end_of_discharge_by_rate(&b.end_of_discharge_by_rate)?,
        (Some(_), false) => {
            return Err(invalid(
                "battery.end_of_discharge_by_rate",
                "give either end_of_discharge_v_per_cell or end_of_discharge_by_rate, not both".into(),
            ));
        }
        (None, true) => {
            return Err(invalid(
                "battery.end_of_discharge_v_per_cell",
                "missing: give end_of_discharge_v_per_cell or end_of_discharge_by_rate".into(),
            ));
        }
    }
    let c = &b.charger;
    within("battery.charger.float_v_per_cell", c.float_v_per_cell, 2.0, 3.65, "V/cell")?;
    end_of_discharge_below_float(b, c.float_v_per_cell)?;
    within(
        "battery.charger.boost_v_per_cell",
        c.boost_v_per_cell,
        c.float_v_per_cell,
        3.65,
        "V/cell (at least float)",
    )?;
    within("battery.charger.current_limit_a", c.current_limit_a, 0.01, 2000.0, "A")?;
    within(
        "battery.charger.temperature_compensation_mv_per_cell_c",
        c.temperature_compensation_mv_per_cell_c,
        -10.0,
        0.0,
        "mV/cell/°C",
    )?;
    within("battery.charger.boost_end_current_c10", c.boost_end_current_c10, 0.001, 0.2, "× C10")?;
    within("battery.charger.boost_max_h", c.boost_max_h, 0.0, 48.0, "h")
}

/// The most an end-of-discharge voltage may be, as a share of the float voltage: above it a
/// battery under load is at its end of discharge the moment the mains fail (VRLA: 2.04 of
/// 2.27 V/cell; lithium iron phosphate: 3.1 of 3.45).
const MAX_END_OF_DISCHARGE_OF_FLOAT: f64 = 0.9;

fn end_of_discharge_below_float(b: &crate::model::BatterySpec, float_v_per_cell: f64) -> Check {
    let limit = MAX_END_OF_DISCHARGE_OF_FLOAT * float_v_per_cell;
    // A curve never rises with the rate (checked before): its first point is its highest.
    let (field, highest) = match (b.end_of_discharge_v_per_cell, b.end_of_discharge_by_rate.first()) {
        (Some(v), _) => ("battery.end_of_discharge_v_per_cell", v),
        (None, Some(point)) => ("battery.end_of_discharge_by_rate[0]", point.v_per_cell),
        (None, None) => return Ok(()),
    };
    if highest > limit {
        return Err(invalid(
            field,
            format!(
                "{highest} V/cell is above {limit:.3} V/cell, {:.0} % of the float voltage ({float_v_per_cell} \
                 V/cell): the UPS would end its backup the moment the mains fail",
                MAX_END_OF_DISCHARGE_OF_FLOAT * 100.0
            ),
        ));
    }
    Ok(())
}

/// Rates increase and the voltage never rises with the rate (a heavier discharge ends lower).
fn end_of_discharge_by_rate(points: &[EndOfDischargePoint]) -> Check {
    let field = "battery.end_of_discharge_by_rate";
    curve_points(
        field,
        points.iter().map(|p| (p.c_rate, p.v_per_cell)),
        (0.001, 100.0, "C (A per nominal Ah)"),
        (1.0, 3.5, "V/cell"),
    )?;
    for (index, pair) in points.windows(2).enumerate() {
        if pair[1].v_per_cell > pair[0].v_per_cell {
            return Err(invalid(
                &format!("{field}[{}]", index + 1),
                format!(
                    "the end voltage must not rise with the rate, found {} V/cell after {}",
                    pair[1].v_per_cell, pair[0].v_per_cell
                ),
            ));
        }
    }
    Ok(())
}

/// A curve given as points: at least one, x strictly increasing, both within ranges.
fn curve_points(
    field: &str,
    points: impl Iterator<Item = (f64, f64)>,
    x_range: (f64, f64, &str),
    y_range: (f64, f64, &str),
) -> Check {
    let mut previous_x = f64::NEG_INFINITY;
    let mut count = 0;
    for (index, (x, y)) in points.enumerate() {
        let at = format!("{field}[{index}]");
        within(&at, x, x_range.0, x_range.1, x_range.2)?;
        within(&at, y, y_range.0, y_range.1, y_range.2)?;
        if x <= previous_x {
            return Err(invalid(&at, format!("must increase, found {x} after {previous_x}")));
        }
        previous_x = x;
        count += 1;
    }
    if count == 0 {
        return Err(invalid(field, "needs at least one point".into()));
    }
    Ok(())
}

/// Checks a battery block.
pub fn block(block: &BlockParams) -> Check {
    text("name", &block.name, 128)?;
    within_int("cells", block.cells.into(), 1, 24)?;
    within("nominal_capacity_ah", block.nominal_capacity_ah, 0.5, 10_000.0, "Ah")?;
    let c = &block.cell;
    within("cell.e0_v", c.e0_v, 1.0, 4.5, "V")?;
    within("cell.r_ohm", c.r_ohm, 1e-6, 1.0, "Ω")?;
    within("cell.k_ohm", c.k_ohm, 0.0, 1.0, "Ω")?;
    within("cell.kv_v", c.kv_v, 0.0, 1.0, "V")?;
    within("cell.a_v", c.a_v, 0.0, 1.0, "V")?;
    within("cell.b_per_ah", c.b_per_ah, 0.0, 1000.0, "1/Ah")?;
    within(
        "cell.q_ah",
        c.q_ah,
        0.5 * block.nominal_capacity_ah,
        3.0 * block.nominal_capacity_ah,
        "Ah (0.5–3 × nominal capacity)",
    )?;
    within("cell.kibam_c", c.kibam_c, 0.01, 0.99, "")?;
    within("cell.kibam_k_per_h", c.kibam_k_per_h, 1e-4, 100.0, "1/h")?;
    within("cell.polarization_tau_s", c.polarization_tau_s, 0.1, 3600.0, "s")?;
    within("cell.ocv_slope_v", c.ocv_slope_v, 0.0, 1.0, "V")?;
    within("cell.polarization_log_onset_per_h", c.polarization_log_onset_per_h, 0.01, 100.0, "1/h")?;
    let t = &block.temperature;
    within("temperature.capacity_linear_per_c", t.capacity_linear_per_c, -0.05, 0.05, "/°C")?;
    within("temperature.capacity_quadratic_per_c2", t.capacity_quadratic_per_c2, -0.001, 0.001, "/°C²")?;
    within("temperature.resistance_per_c_below_25", t.resistance_per_c_below_25, 0.0, 0.1, "/°C")?;
    let a = &block.ageing;
    within("ageing.self_discharge_pct_per_month", a.self_discharge_pct_per_month, 0.0, 30.0, "%/month")?;
    within("ageing.self_discharge_doubling_c", a.self_discharge_doubling_c, 1.0, 50.0, "°C")?;
    within("ageing.float_life_years_at_20c", a.float_life_years_at_20c, 0.5, 30.0, "years")?;
    within("ageing.life_halving_c", a.life_halving_c, 1.0, 50.0, "°C")?;
    within("ageing.end_of_life_soh", a.end_of_life_soh, 0.1, 0.99, "")?;
    within("ageing.cycle_life_full_equivalent", a.cycle_life_full_equivalent, 10.0, 100_000.0, "cycles")?;
    within("ageing.resistance_growth_at_zero_soh", a.resistance_growth_at_zero_soh, 0.0, 20.0, "")?;
    let o = &block.overcharge;
    within("overcharge.float_current_ma_per_ah", o.float_current_ma_per_ah, 0.01, 50.0, "mA/Ah")?;
    within("overcharge.tafel_v", o.tafel_v, 0.01, 0.3, "V")?;
    within("overcharge.doubling_c", o.doubling_c, 3.0, 30.0, "°C")
}
