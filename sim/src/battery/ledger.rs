//! Charge bookkeeping of one cell, so that tests (and users) can check that no charge appears
//! or vanishes: stored now = stored at start + charged + adjusted − discharged − gassing
//! − self-discharge − capacity lost to ageing.

/// Cumulative charge flows of one cell, Ah.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ledger {
    pub charged_ah: f64,
    pub discharged_ah: f64,
    /// Charge current that did not go into the active material (overcharge, gassing).
    pub gassing_ah: f64,
    pub self_discharge_ah: f64,
    /// Stored charge that went away with the capacity as the block aged.
    pub capacity_lost_ah: f64,
    /// Charge set from outside (an initial state of charge), not by a current.
    pub adjusted_ah: f64,
}

impl Ledger {
    /// Books one step: `terminal_ah` is positive for discharge, negative for charge.
    pub fn book(&mut self, terminal_ah: f64, gassing_ah: f64, self_discharge_ah: f64) {
        if terminal_ah >= 0.0 {
            self.discharged_ah += terminal_ah;
        } else {
            self.charged_ah -= terminal_ah;
        }
        self.gassing_ah += gassing_ah;
        self.self_discharge_ah += self_discharge_ah;
    }

    /// Net charge that should have entered the cell since the ledger started, Ah.
    pub fn net_stored_ah(&self) -> f64 {
        self.charged_ah + self.adjusted_ah
            - self.discharged_ah
            - self.gassing_ah
            - self.self_discharge_ah
            - self.capacity_lost_ah
    }
}

/// Energy books of one block, Wh, so that energy made inside the bank shows: what left at the
/// terminals can only have come from the charge that left the wells (valued at the rest
/// voltage it left at) or from the polarization built up before, and everything else is heat.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnergyLedger {
    /// Energy out at the terminals, net of energy in (negative after a net charge).
    pub terminal_out_wh: f64,
    /// Energy of the charge that left the wells at the rest voltage, net of charge stored.
    pub chemical_released_wh: f64,
    /// Energy the polarization holds now (the filter's capacitor), Wh.
    pub polarization_held_wh: f64,
    /// Terminal energy in and out, added up without sign: the scale errors are judged on.
    pub throughput_wh: f64,
}

impl EnergyLedger {
    /// Heat made since the books started, Wh: `chemical − terminal − polarization held`.
    /// Never negative in a passive battery; a negative value is energy made from nothing.
    pub fn dissipated_wh(&self) -> f64 {
        self.chemical_released_wh - self.terminal_out_wh - self.polarization_held_wh
    }
}
