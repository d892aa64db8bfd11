//! The bank's bus: strings in parallel share one voltage, and each carries what its own
//! source gives at that voltage. A string's voltage is a line with a kink at zero current
//! (one slope discharging, another charging) and a cap on what it can give before a block
//! runs dry, so the bank's current is a falling, piecewise-linear function of the bus
//! voltage. The solve walks its pieces: exact, and each string is on the branch of its own
//! current, so strings that exchange current at rest (one charging another) are solved with
//! the resistance each one really shows.

use super::thevenin::Thevenin;

/// What the bank is asked for over one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Demand {
    /// Power at the terminals, W (negative charges).
    Power(f64),
    /// Current at the terminals, A (positive = discharge).
    Current(f64),
}

/// One string's part in a step: its source, the most it can give before a block runs dry,
/// and (after the solve) the current it carries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StringSource {
    pub thevenin: Thevenin,
    pub max_discharge_a: f64,
    /// Cut off by an open block or fuse: carries nothing.
    pub open: bool,
    pub current_a: f64,
}

impl StringSource {
    /// Current at bus voltage `voltage_v`: capped on discharge, free on charge.
    fn current_at_a(&self, voltage_v: f64) -> f64 {
        if self.open {
            return 0.0;
        }
        self.thevenin.current_at_voltage_a(voltage_v).min(self.max_discharge_a.max(0.0))
    }

    /// Whether the string gives all it can at `voltage_v`.
    fn capped_at(&self, voltage_v: f64) -> bool {
        self.open || self.thevenin.current_at_voltage_a(voltage_v) >= self.max_discharge_a.max(0.0)
    }
}

/// Most strings a bank solves without allocating (bundled models have at most 4).
const INLINE_STRINGS: usize = 16;

/// Finds the bus voltage and sets each string's current. `None` when the bank cannot meet
/// the demand at all: every string is spent, or the power is beyond what the bank can give
/// at any voltage.
pub fn solve(strings: &mut [StringSource], demand: Demand) -> Option<f64> {
    let mut breakpoints = [0.0; 3 * INLINE_STRINGS];
    let mut spilled = Vec::new();
    let points: &mut [f64] = if strings.len() <= INLINE_STRINGS {
        &mut breakpoints[..3 * strings.len()]
    } else {
        spilled.resize(3 * strings.len(), 0.0);
        &mut spilled
    };
    let mut count = 0;
    for string in strings.iter().filter(|s| !s.open) {
        let t = string.thevenin;
        points[count] = t.charge_emf_v;
        points[count + 1] = t.emf_v;
        points[count + 2] = t.emf_v - t.discharge_ohm * string.max_discharge_a.max(0.0);
        count += 3;
    }
    if count == 0 {
        return None;
    }
    let points = &mut points[..count];
    points.sort_by(|a, b| b.total_cmp(a));
    let total_a = |v: f64| strings.iter().map(|s| s.current_at_a(v)).sum::<f64>();
    let all_capped = |v: f64| strings.iter().all(|s| s.capped_at(v));
    // Pieces from the top: above the highest breakpoint every string charges (the line
    // goes on for ever), then between breakpoints, down to the lowest.
    let top = solve_piece(&total_a, demand, points[0], points[0] + 1.0, true);
    let bus_v = top.or_else(|| {
        points
            .windows(2)
            .filter(|pair| pair[0] > pair[1])
            .find_map(|pair| solve_piece(&total_a, demand, pair[1], pair[0], false))
    });
    let bus_v = bus_v?;
    if all_capped(bus_v) && matches!(demand, Demand::Power(_)) {
        return None; // the voltage is whatever the load makes it: the bank is spent
    }
    for string in strings.iter_mut() {
        string.current_a = string.current_at_a(bus_v);
    }
    Some(bus_v)
}

/// The highest voltage in `[lower_v, upper_v]` (unbounded above for the top piece) where the
/// bank meets the demand, the current being linear in the voltage there.
fn solve_piece(
    total_a: &impl Fn(f64) -> f64,
    demand: Demand,
    lower_v: f64,
    upper_v: f64,
    open_above: bool,
) -> Option<f64> {
    let (upper_a, lower_a) = (total_a(upper_v), total_a(lower_v));
    // I(V) = a − b·V on this piece, b ≥ 0.
    let b = (lower_a - upper_a) / (upper_v - lower_v);
    let a = upper_a + b * upper_v;
    let inside = |v: f64| v >= lower_v - 1e-9 && (open_above || v <= upper_v + 1e-9);
    match demand {
        Demand::Current(wanted_a) => {
            if b <= 0.0 {
                return (wanted_a == upper_a).then_some(upper_v);
            }
            Some((a - wanted_a) / b).filter(|&v| inside(v))
        }
        Demand::Power(power_w) => {
            // a·V − b·V² = P, the root at the higher voltage first.
            if b <= 0.0 {
                return (a > 0.0).then(|| power_w / a).filter(|&v| inside(v));
            }
            let discriminant = a * a - 4.0 * b * power_w;
            if discriminant < 0.0 {
                return None;
            }
            let root = discriminant.sqrt();
            [(a + root) / (2.0 * b), (a - root) / (2.0 * b)].into_iter().find(|&v| inside(v) && v > 0.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(emf_v: f64, max_discharge_a: f64) -> StringSource {
        StringSource {
            thevenin: Thevenin { emf_v, charge_emf_v: emf_v, discharge_ohm: 0.1, charge_ohm: 1.0 },
            max_discharge_a,
            open: false,
            current_a: 0.0,
        }
    }

    #[test]
    fn equal_strings_share_a_current() {
        let mut strings = [string(500.0, 100.0), string(500.0, 100.0)];
        let bus_v = solve(&mut strings, Demand::Current(40.0)).unwrap();
        assert!((strings[0].current_a - 20.0).abs() < 1e-9 && (strings[1].current_a - 20.0).abs() < 1e-9);
        assert!((bus_v - 498.0).abs() < 1e-9);
    }

    #[test]
    fn at_rest_the_higher_string_charges_the_lower_on_each_ones_own_slope() {
        // Discharge 0.1 Ω, charge 1 Ω: the string at 501 V gives what the one at 500 V takes.
        let mut strings = [string(501.0, 100.0), string(500.0, 100.0)];
        let bus_v = solve(&mut strings, Demand::Current(0.0)).unwrap();
        assert!((strings[0].current_a + strings[1].current_a).abs() < 1e-9);
        assert!(strings[0].current_a > 0.0);
        // 501 − 0.1·I = 500 + 1·I → I = 1/1.1.
        assert!((strings[0].current_a - 1.0 / 1.1).abs() < 1e-9, "{strings:?}");
        assert!((bus_v - (501.0 - 0.1 / 1.1)).abs() < 1e-9);
    }

    #[test]
    fn a_spent_string_is_capped_and_the_others_take_the_rest() {
        let mut strings = [string(500.0, 5.0), string(500.0, 100.0)];
        solve(&mut strings, Demand::Current(40.0)).unwrap();
        assert_eq!(strings[0].current_a, 5.0);
        assert!((strings[1].current_a - 35.0).abs() < 1e-9);
        assert!(solve(&mut strings, Demand::Current(200.0)).is_none(), "beyond both caps");
    }

    #[test]
    fn power_is_met_at_the_higher_voltage_and_refused_beyond_the_maximum() {
        let mut strings = [string(500.0, 1e6), string(500.0, 1e6)];
        let bus_v = solve(&mut strings, Demand::Power(20_000.0)).unwrap();
        let current_a: f64 = strings.iter().map(|s| s.current_a).sum();
        assert!((bus_v * current_a - 20_000.0).abs() < 1e-6);
        assert!(bus_v > 250.0, "the stable root: {bus_v}");
        // Maximum power of 500 V behind 0.05 Ω is 1.25 MW.
        assert!(solve(&mut strings, Demand::Power(1.3e6)).is_none());
    }

    #[test]
    fn charging_current_splits_and_open_strings_carry_nothing() {
        let mut strings = [string(500.0, 100.0), string(500.0, 100.0), string(500.0, 100.0)];
        strings[2].open = true;
        solve(&mut strings, Demand::Current(-10.0)).unwrap();
        assert!((strings[0].current_a + 5.0).abs() < 1e-9);
        assert_eq!(strings[2].current_a, 0.0);
    }
}
