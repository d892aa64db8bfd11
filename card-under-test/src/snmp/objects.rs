//! The objects the SNMP agent serves, as one ordered snapshot of the card's state: GET and
//! GETNEXT answer from it, so one request sees one consistent UPS. Built by `system`,
//! `rfc1628` and `netvision`, each from the same facts.

use crate::database::Database;
use crate::derive::tables;
use async_snmp::{Oid, Value};
use std::collections::BTreeMap;
use std::ops::Bound;

#[derive(Debug, Default, Clone)]
pub struct Objects(BTreeMap<Oid, Value>);

impl Objects {
    pub fn put(&mut self, oid: &[u32], value: impl Into<Value>) {
        self.0.insert(Oid::from_slice(oid), value.into());
    }

    /// `value × scale` rounded, or nothing (RFC1628: an object the UPS does not give is absent).
    pub fn scaled(&mut self, oid: &[u32], value: Option<f64>, scale: f64) {
        if let Some(number) = whole(value, scale) {
            self.put(oid, number);
        }
    }

    /// `value × scale` rounded, or -1: the vendor MIB's "not managed" (§22 general rule).
    pub fn scaled_or_unmanaged(&mut self, oid: &[u32], value: Option<f64>, scale: f64) {
        self.put(oid, whole(value, scale).unwrap_or(-1));
    }

    pub fn get(&self, oid: &Oid) -> Option<&Value> {
        self.0.get(oid)
    }

    /// The first object after `oid`.
    pub fn next_after(&self, oid: &Oid) -> Option<(&Oid, &Value)> {
        self.0.range((Bound::Excluded(oid.clone()), Bound::Unbounded)).next()
    }
}

fn whole(value: Option<f64>, scale: f64) -> Option<i32> {
    value
        .map(|v| (v * scale).round())
        .filter(|v| v.is_finite())
        .map(|v| v.clamp(i32::MIN as f64, i32::MAX as f64) as i32)
}

/// The values carrying `signal`, one per phase.
pub fn phases(database: &Database, signal: &str) -> Vec<Option<f64>> {
    tables::values(database, signal)
}

/// The first value carrying `signal` (a single-phase or total value).
pub fn first(database: &Database, signal: &str) -> Option<f64> {
    tables::values(database, signal).into_iter().flatten().next()
}

/// `base` followed by `arcs`.
pub fn at(base: &[u32], arcs: &[u32]) -> Vec<u32> {
    base.iter().chain(arcs).copied().collect()
}
