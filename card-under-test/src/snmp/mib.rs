//! The agent's `MibHandler`: GET and GETNEXT from one snapshot per request (so a walk of
//! one PDU sees one UPS), SETs planned in the test phase and done in the commit phase.

use super::set::{self, Plan, Remember, Sets};
use super::{Objects, snapshot};
use crate::run::Shared;
use async_snmp::handler::{BoxFuture, GetNextResult, GetResult, HandlerResult, MibHandler, RequestContext};
use async_snmp::{
    Oid, PreparedSet, SecurityName, SetCommitError, SetCommitResult, SetTestError, SetTestResult,
    SetUndoError, SetUndoResult, Value, VarBind,
};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::time::Instant;

/// One snapshot per request: (requester, request id).
type CacheKey = (SocketAddr, i32);
/// A snapshot older than this is rebuilt even for the same key (a manager reusing ids).
const SNAPSHOT_KEPT: Duration = Duration::from_millis(500);

#[derive(Debug)]
pub struct Inner {
    shared: Shared,
    sets: Mutex<Sets>,
    cache: Mutex<Option<(CacheKey, Instant, Arc<Objects>)>>,
}

impl Inner {
    pub fn new(shared: Shared) -> Arc<Self> {
        Arc::new(Self { shared, sets: Mutex::new(Sets::default()), cache: Mutex::new(None) })
    }

    fn sets(&self) -> MutexGuard<'_, Sets> {
        self.sets.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn objects(&self, ctx: &RequestContext) -> Arc<Objects> {
        let key = (ctx.source(), ctx.request_id());
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((cached, built, objects)) = cache.as_ref()
            && *cached == key
            && built.elapsed() < SNAPSHOT_KEPT
        {
            return objects.clone();
        }
        let sets = self.sets().clone();
        let objects = Arc::new(snapshot(&self.shared.lock(), &sets));
        *cache = Some((key, Instant::now(), objects.clone()));
        objects
    }
}

/// The handler of one subtree (system, UPS-MIB, vendor MIB): GETNEXT must stay inside it.
#[derive(Debug)]
pub struct Mib {
    pub prefix: Oid,
    pub inner: Arc<Inner>,
}

impl MibHandler for Mib {
    fn get<'a>(&'a self, ctx: &'a RequestContext, oid: &'a Oid) -> BoxFuture<'a, HandlerResult<GetResult>> {
        Box::pin(async move {
            let objects = self.inner.objects(ctx);
            Ok(match objects.get(oid) {
                Some(value) => GetResult::Value(value.clone()),
                // A known object with another instance, or no such object.
                None if objects.next_after(oid).is_some_and(|(next, _)| same_object(next, oid)) => {
                    GetResult::NoSuchInstance
                }
                None => GetResult::NoSuchObject,
            })
        })
    }

    fn get_next<'a>(
        &'a self,
        ctx: &'a RequestContext,
        oid: &'a Oid,
    ) -> BoxFuture<'a, HandlerResult<GetNextResult>> {
        Box::pin(async move {
            let objects = self.inner.objects(ctx);
            // Before the subtree, the walk starts at its first object.
            let from = if oid < &self.prefix { self.prefix.clone() } else { oid.clone() };
            let next = match objects.get(&from).filter(|_| from != *oid) {
                Some(value) => Some((&from, value)),
                None => objects.next_after(&from),
            };
            Ok(match next.filter(|(next, _)| next.starts_with(&self.prefix)) {
                Some((next, value)) => GetNextResult::Value(VarBind::new(next.clone(), value.clone())),
                None => GetNextResult::EndOfMibView,
            })
        })
    }

    fn test_set<'a>(
        &'a self,
        ctx: &'a RequestContext,
        oid: &'a Oid,
        value: &'a Value,
    ) -> BoxFuture<'a, SetTestResult> {
        Box::pin(async move {
            let plan = set::plan(oid, value, &self.inner.sets())?;
            if let Plan::Control { name, params, .. } = &plan {
                // "Control executed only if remote control enabled" (§22): refused now, not
                // after the commit phase began.
                crate::command::prepare(&self.inner.shared.lock(), name, params)
                    .map_err(|_| SetTestError::InconsistentValue)?;
            }
            let by = match ctx.security_name() {
                SecurityName::Usm(user) => format!("SNMPv3 user {}", String::from_utf8_lossy(user)),
                SecurityName::Community(_) => "SNMP write community".to_string(),
            };
            Ok(Box::new(Prepared { inner: self.inner.clone(), plan, by, undo: Remember::Nothing })
                as Box<dyn PreparedSet>)
        })
    }
}

/// Whether `a` and `b` name instances of the same columnar or scalar object: same arcs up to
/// the instance (the last arc of a scalar, the last one of a single-index table row).
fn same_object(a: &Oid, b: &Oid) -> bool {
    let (a, b) = (a.arcs(), b.arcs());
    a.len() == b.len() && a.len() > 1 && a[..a.len() - 1] == b[..b.len() - 1]
}

struct Prepared {
    inner: Arc<Inner>,
    plan: Plan,
    by: String,
    /// What the commit overwrote: put back by an undo.
    undo: Remember,
}

impl PreparedSet for Prepared {
    fn commit<'a>(
        &'a mut self,
        _: &'a RequestContext,
        _: &'a Oid,
        _: &'a Value,
    ) -> BoxFuture<'a, SetCommitResult> {
        Box::pin(async move {
            let remember = match &self.plan {
                Plan::Remember(remember) => *remember,
                Plan::Control { name, params, remember } => {
                    crate::command::send(&self.inner.shared, name, params, "SNMP", &self.by)
                        .await
                        .map_err(|_| SetCommitError::Failed)?;
                    *remember
                }
            };
            let mut sets = self.inner.sets();
            self.undo = sets.before(remember);
            sets.remember(remember);
            Ok(())
        })
    }

    fn undo<'a>(
        &'a mut self,
        _: &'a RequestContext,
        _: &'a Oid,
        _: &'a Value,
    ) -> BoxFuture<'a, SetUndoResult> {
        Box::pin(async move {
            match self.plan {
                // A control the UPS took cannot be taken back.
                Plan::Control { .. } => Err(SetUndoError::Failed),
                Plan::Remember(_) => {
                    self.inner.sets().remember(self.undo);
                    Ok(())
                }
            }
        })
    }
}
