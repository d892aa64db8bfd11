//! Faults on the wire rather than in the UPS: what a card's "communication lost" logic must
//! survive. Each has a probability, drawn from a seeded RNG so a run can be repeated.

use crate::SimRng;
use crate::ups::catalogue::{self, Action, ParamSpec, ParseError, Spec, param};
use rand::{RngExt, SeedableRng};
use std::time::Duration;
// tokio's clock: virtual on a paused runtime (`--card reference`), the wall clock otherwise.
use tokio::time::Instant;

const PROBABILITY: ParamSpec = param("probability", "0-1", 0.0, 1.0, Some(1.0));

pub const WIRE_FAULTS: &[Spec] = &[
    Spec { name: "no_response", params: &[PROBABILITY], effect: "the UPS stays silent" },
    Spec {
        name: "late_response",
        params: &[param("delay_ms", "ms", 0.0, 60_000.0, None), PROBABILITY],
        effect: "the reply comes this much later",
    },
    Spec { name: "corrupt_crc", params: &[PROBABILITY], effect: "the reply's CRC is wrong (RTU)" },
    Spec {
        name: "wrong_slave_id",
        params: &[PROBABILITY],
        effect: "the reply carries another slave id, with a valid CRC (RTU)",
    },
    Spec {
        name: "forced_exception",
        params: &[param("code", "", 1.0, 255.0, Some(4.0)), PROBABILITY],
        effect: "the reply is this exception code instead",
    },
    Spec {
        name: "truncated_reply",
        params: &[PROBABILITY],
        effect: "only the first half of the reply is sent",
    },
    Spec {
        name: "garbage_burst",
        params: &[param("bytes", "", 1.0, 4096.0, Some(16.0)), PROBABILITY],
        effect: "random bytes go out before the reply",
    },
    Spec {
        name: "line_break",
        params: &[param("seconds", "s", 0.0, 86_400.0, Some(10.0))],
        effect: "the line is dead for this long from injection: nothing is read or answered",
    },
    Spec {
        name: "intermittent_loss",
        params: &[param("probability", "0-1", 0.0, 1.0, Some(0.2))],
        effect: "each request is lost with this probability",
    },
];

pub fn parse(name: &str, params: &[(&str, &str)]) -> Result<Action, ParseError> {
    catalogue::parse("wire fault", WIRE_FAULTS, name, params)
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

#[derive(Debug)]
pub struct WireFaults {
    active: Vec<(Action, Instant)>,
    rng: SimRng,
}

impl WireFaults {
    pub fn new(seed: u64) -> Self {
        Self { active: Vec::new(), rng: SimRng::seed_from_u64(seed) }
    }

    pub fn inject(&mut self, fault: Action) {
        self.active.retain(|(f, _)| f.name != fault.name);
        self.active.push((fault, Instant::now()));
    }

    /// Clears a wire fault by name; returns whether it was in force.
    pub fn clear(&mut self, name: &str) -> bool {
        let before = self.active.len();
        self.active.retain(|(f, _)| f.name != name);
        before != self.active.len()
    }

    pub fn active(&self) -> impl Iterator<Item = &Action> {
        self.active.iter().map(|(f, _)| f)
    }

    /// Whether the line is broken now: nothing is read or answered.
    pub fn line_broken(&self) -> bool {
        self.active
            .iter()
            .any(|(f, since)| f.name == "line_break" && since.elapsed().as_secs_f64() < f.param("seconds"))
    }

    fn fires(&mut self, name: &str) -> Option<Action> {
        let fault = self.active.iter().map(|(f, _)| f).find(|f| f.name == name)?.clone();
        (self.rng.random_range(0.0..1.0) < fault.param("probability")).then_some(fault)
    }

    /// Decides what goes out for a reply PDU to `unit`. `frame` encodes (unit, pdu) for the
    /// transport; `rtu` enables the faults that only make sense with a CRC and slave id.
    pub fn plan(&mut self, unit: u8, pdu: Vec<u8>, rtu: bool, frame: impl Fn(u8, &[u8]) -> Vec<u8>) -> Plan {
        let mut plan = Plan { before: Vec::new(), reply: None, delay: Duration::ZERO };
        if self.line_broken()
            || self.fires("intermittent_loss").is_some()
            || self.fires("no_response").is_some()
        {
            return plan;
        }
        if let Some(fault) = self.fires("late_response") {
            plan.delay = Duration::from_secs_f64(fault.param("delay_ms") / 1000.0);
        }
        let pdu = match self.fires("forced_exception") {
            Some(fault) => vec![pdu.first().copied().unwrap_or(0) | 0x80, fault.param("code") as u8],
            None => pdu,
        };
        let unit =
            if rtu && self.fires("wrong_slave_id").is_some() { unit.wrapping_add(1).max(1) } else { unit };
        let mut reply = frame(unit, &pdu);
        if rtu && self.fires("corrupt_crc").is_some() {
            let last = reply.len() - 1;
            reply[last] ^= 0xA5;
        }
        if self.fires("truncated_reply").is_some() {
            reply.truncate(reply.len() / 2);
        }
        if let Some(fault) = self.fires("garbage_burst") {
            plan.before = (0..fault.param("bytes") as usize).map(|_| self.rng.random()).collect();
        }
        plan.reply = Some(reply);
        plan
    }
}
