//! Actions held until a wall-clock instant. A fleet-wide event posted to every shard with
//! the same `at` reaches them all at once (their clocks agree through NTP), however long
//! the requests took to fan out.

use super::members::{Members, Scope};
use sim::twin::control::Control;
use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::task::AbortHandle;

/// An action asked for late by at most this much still runs (at once): a request that
/// took a moment to fan out is not refused.
const LATE_AT_MOST: Duration = Duration::from_secs(1);
/// How far ahead an action may be held.
pub const AHEAD_AT_MOST: Duration = Duration::from_secs(366 * 24 * 3600);
/// How many actions that ran are remembered (newest kept).
const RAN_KEPT: usize = 256;

/// What an action is, for the list: `injected mains_blackout`, for `feed A`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Entry {
    pub id: u64,
    /// When it is to run, RFC 3339.
    pub at: String,
    pub action: String,
    pub scope: String,
    /// When it was done on every device (RFC 3339, wall clock), how late, and on how many.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ran_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub late_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub devices: Option<usize>,
}

#[derive(Default)]
pub struct Schedule {
    next_id: AtomicU64,
    pending: Mutex<BTreeMap<u64, (Entry, SystemTime, AbortHandle)>>,
    ran: Mutex<VecDeque<Entry>>,
}

/// `at` as RFC 3339 (`2026-12-06T18:30:00Z`, `…+01:00`, fractions of a second allowed).
pub fn parse_at(text: &str) -> Result<SystemTime, String> {
    let at = OffsetDateTime::parse(text, &Rfc3339).map_err(|e| {
        format!("at `{text}`: expected an RFC 3339 instant such as 2026-12-06T18:30:00Z ({e})")
    })?;
    let now = SystemTime::now();
    let at = SystemTime::from(at);
    if at + LATE_AT_MOST < now {
        return Err(format!("at `{text}` has passed"));
    }
    if at > now + AHEAD_AT_MOST {
        return Err(format!("at `{text}` is more than a year ahead"));
    }
    Ok(at)
}

/// `at` as RFC 3339, in UTC.
pub fn rfc3339(at: SystemTime) -> String {
    OffsetDateTime::from(at).format(&Rfc3339).unwrap_or_default()
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Schedule {
    /// Holds `control` for `scope` until `at`; its id.
    pub fn add(
        &self,
        members: Arc<Members>,
        at: SystemTime,
        scope: Scope,
        control: Control,
        action: String,
    ) -> Entry {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let entry = Entry {
            id,
            at: rfc3339(at),
            action,
            scope: scope.to_string(),
            ran_at: None,
            late_ms: None,
            devices: None,
        };
        // Held before the task starts, so that it finds itself pending however soon it runs.
        let mut pending = lock(&self.pending);
        let task = tokio::spawn(async move {
            // In slices of a second, the wall clock read again each time: a clock stepped
            // (NTP) during a long hold still fires at the instant.
            while let Ok(wait) = at.duration_since(SystemTime::now()) {
                if wait.is_zero() {
                    break;
                }
                tokio::time::sleep(wait.min(Duration::from_secs(1))).await;
            }
            let schedule = &members.schedule;
            // Out of `pending` before it runs: from here on it cannot be cancelled, so a
            // cancel never answers yes for an action that still happens.
            let Some((mut entry, _, _)) = lock(&schedule.pending).remove(&id) else { return };
            let running = members.clone();
            let outcome =
                tokio::task::spawn_blocking(move || (running.apply(&scope, &control), SystemTime::now()))
                    .await;
            if let Ok((outcome, done)) = outcome {
                entry.ran_at = Some(rfc3339(done));
                entry.late_ms = Some(done.duration_since(at).unwrap_or_default().as_secs_f64() * 1000.0);
                entry.devices = Some(outcome.done);
            }
            let mut ran = lock(&schedule.ran);
            if ran.len() == RAN_KEPT {
                ran.pop_front();
            }
            ran.push_back(entry);
        });
        pending.insert(id, (entry.clone(), at, task.abort_handle()));
        entry
    }

    /// Drops a pending action; false if there is none by that id (it may have run).
    pub fn cancel(&self, id: u64) -> bool {
        match lock(&self.pending).remove(&id) {
            Some((_, _, task)) => {
                task.abort();
                true
            }
            None => false,
        }
    }

    /// Pending actions, soonest first, and those that ran, newest last.
    pub fn list(&self) -> (Vec<Entry>, Vec<Entry>) {
        let mut pending: Vec<(SystemTime, Entry)> =
            lock(&self.pending).values().map(|(entry, at, _)| (*at, entry.clone())).collect();
        pending.sort_by_key(|(at, entry)| (*at, entry.id));
        (pending.into_iter().map(|(_, entry)| entry).collect(), lock(&self.ran).iter().cloned().collect())
    }
}
