//! Faults on the wire rather than in the UPS: what a card's "communication lost" logic must
//! survive. Each has a probability, drawn from a seeded RNG so a run can be repeated, and a
//! duration runs on the twin's clock, so a line break lasts as long in twin time whatever
//! speed the twin is played at.

use crate::SimRng;
use crate::ups::catalogue::catalogue;
use rand::{RngExt, SeedableRng};
use std::time::Duration;

catalogue! {
    /// A fault on the line between the UPS and whoever polls it, with its parameters.
    pub enum WireFault, kinds WireFaultKind, called "wire fault" {
        NoResponse { probability: "0-1" in 0.0..=1.0 = 1.0 } = "no_response": "the UPS stays silent",
        LateResponse { delay_ms: "ms" in 0.0..=60_000.0, probability: "0-1" in 0.0..=1.0 = 1.0 }
            = "late_response": "the reply comes this much later",
        CorruptCrc { probability: "0-1" in 0.0..=1.0 = 1.0 }
            = "corrupt_crc": "the reply's CRC is wrong (RTU)",
        WrongSlaveId { probability: "0-1" in 0.0..=1.0 = 1.0 }
            = "wrong_slave_id": "the reply carries another slave id, with a valid CRC (RTU)",
        ForcedException { code: "" in 1.0..=255.0 = 4.0, probability: "0-1" in 0.0..=1.0 = 1.0 }
            = "forced_exception": "the reply is this exception code instead",
        TruncatedReply { probability: "0-1" in 0.0..=1.0 = 1.0 }
            = "truncated_reply": "only the first half of the reply is sent",
        GarbageBurst { bytes: "" in 1.0..=4096.0 = 16.0, probability: "0-1" in 0.0..=1.0 = 1.0 }
            = "garbage_burst": "random bytes go out before the reply",
        LineBreak { seconds: "s" in 0.0..=86_400.0 = 10.0 }
            = "line_break": "the line is dead for this long (twin time) from injection: nothing is read or answered",
        IntermittentLoss { probability: "0-1" in 0.0..=1.0 = 0.2 }
            = "intermittent_loss": "each request is lost with this probability",
    }
}

/// Every wire fault, in the order the documentation lists them.
pub const WIRE_FAULTS: &[crate::ups::catalogue::Spec] = WireFault::SPECS;

impl WireFault {
    /// How likely the fault is to strike one reply (a line break always does while it lasts).
    fn probability(&self) -> f64 {
        match *self {
            WireFault::NoResponse { probability }
            | WireFault::LateResponse { probability, .. }
            | WireFault::CorruptCrc { probability }
            | WireFault::WrongSlaveId { probability }
            | WireFault::ForcedException { probability, .. }
            | WireFault::TruncatedReply { probability }
            | WireFault::GarbageBurst { probability, .. }
            | WireFault::IntermittentLoss { probability } => probability,
            WireFault::LineBreak { .. } => 1.0,
        }
    }
}

/// What to put on the wire for one reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Bytes to send before the reply (garbage).
    pub before: Vec<u8>,
    /// The reply; `None` = silence.
    pub reply: Option<Vec<u8>>,
    /// Extra delay before sending.
    pub delay: Duration,
}

/// The wire faults in force, each with the twin time it was injected at.
#[derive(Debug)]
pub struct WireFaults {
    active: Vec<(WireFault, f64)>,
    rng: SimRng,
}

impl WireFaults {
    pub fn new(seed: u64) -> Self {
        Self { active: Vec::new(), rng: SimRng::seed_from_u64(seed) }
    }

    /// Puts `fault` in force from twin time `now_s`, replacing one of its kind.
    pub fn inject(&mut self, fault: WireFault, now_s: f64) {
        self.active.retain(|(f, _)| f.kind() != fault.kind());
        self.active.push((fault, now_s));
    }

    /// Clears a wire fault of that kind; returns whether it was in force.
    pub fn clear(&mut self, kind: WireFaultKind) -> bool {
        let before = self.active.len();
        self.active.retain(|(f, _)| f.kind() != kind);
        before != self.active.len()
    }

    pub fn active(&self) -> impl Iterator<Item = &WireFault> {
        self.active.iter().map(|(f, _)| f)
    }

    /// Whether the line is broken at twin time `now_s`: nothing is read or answered.
    pub fn line_broken(&self, now_s: f64) -> bool {
        self.active.iter().any(|(f, since_s)| match *f {
            WireFault::LineBreak { seconds } => now_s - since_s < seconds,
            _ => false,
        })
    }

    /// The fault of this kind, when it is in force and strikes this reply.
    fn fires(&mut self, kind: WireFaultKind) -> Option<WireFault> {
        let fault = *self.active.iter().map(|(f, _)| f).find(|f| f.kind() == kind)?;
        (self.rng.random_range(0.0..1.0) < fault.probability()).then_some(fault)
    }

    /// Decides what goes out at twin time `now_s` for a reply PDU to `unit`. `frame`
    /// encodes (unit, pdu) for the transport; `rtu` enables the faults that only make sense
    /// with a CRC and slave id.
    pub fn plan(
        &mut self,
        now_s: f64,
        unit: u8,
        pdu: Vec<u8>,
        rtu: bool,
        frame: impl Fn(u8, &[u8]) -> Vec<u8>,
    ) -> Plan {
        let mut plan = Plan { before: Vec::new(), reply: None, delay: Duration::ZERO };
        if self.line_broken(now_s)
            || self.fires(WireFaultKind::IntermittentLoss).is_some()
            || self.fires(WireFaultKind::NoResponse).is_some()
        {
            return plan;
        }
        if let Some(WireFault::LateResponse { delay_ms, .. }) = self.fires(WireFaultKind::LateResponse) {
            plan.delay = Duration::from_secs_f64(delay_ms / 1000.0);
        }
        let pdu = match self.fires(WireFaultKind::ForcedException) {
            Some(WireFault::ForcedException { code, .. }) => {
                vec![pdu.first().copied().unwrap_or(0) | 0x80, code as u8]
            }
            _ => pdu,
        };
        let unit = if rtu && self.fires(WireFaultKind::WrongSlaveId).is_some() {
            unit.wrapping_add(1).max(1)
        } else {
            unit
        };
        let mut reply = frame(unit, &pdu);
        if rtu && self.fires(WireFaultKind::CorruptCrc).is_some() {
            let last = reply.len() - 1;
            reply[last] ^= 0xA5;
        }
        if self.fires(WireFaultKind::TruncatedReply).is_some() {
            reply.truncate(reply.len() / 2);
        }
        if let Some(WireFault::GarbageBurst { bytes, .. }) = self.fires(WireFaultKind::GarbageBurst) {
            plan.before = (0..bytes as usize).map(|_| self.rng.random()).collect();
        }
        plan.reply = Some(reply);
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_break_lasts_its_seconds_of_twin_time() {
        let mut wire = WireFaults::new(1);
        wire.inject(WireFault::parse("line_break", &[("seconds", "10")]).unwrap(), 100.0);
        assert!(wire.line_broken(100.0));
        assert!(wire.line_broken(109.9));
        assert!(!wire.line_broken(110.0));
        assert!(wire.plan(105.0, 1, vec![3, 2, 0, 0], true, |_, pdu| pdu.to_vec()).reply.is_none());
        assert!(wire.plan(111.0, 1, vec![3, 2, 0, 0], true, |_, pdu| pdu.to_vec()).reply.is_some());
    }
}
