//! Checking a name and password, for the login form and for HTTP Basic alike: failed
//! logins slowed down (`throttle`), the password's age, the caller's role. The Argon2 work
//! runs on tokio's blocking threads, two at most at once, on a copy of the accounts,
//! outside every lock: no poll, SNMP answer or agent waits on it. A password verified lately
//! is taken without Argon2, and one being checked is waited for (`verified`).

use super::verified::Lookup;
use super::{Site, role_of};
use crate::role::Role;
use std::net::IpAddr;
use tokio::sync::Semaphore;

/// Password checks running at once (the machine's two cores): more wait their turn, so a
/// flood of logins holds neither every core nor 19 MiB of Argon2 memory each.
const ARGON2_AT_ONCE: usize = 2;
static ARGON2_SLOTS: Semaphore = Semaphore::const_new(ARGON2_AT_ONCE);

/// Who logged in.
#[derive(Debug, Clone, PartialEq)]
pub struct Authenticated {
    pub user: String,
    pub role: Role,
    /// A first, administrator-set or expired password: only its change until then.
    pub must_change: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Denied {
    /// Too many failed logins from this address: seconds still to wait.
    Wait(f64),
    Wrong,
    NoAccounts,
}

pub async fn authenticate(
    site: &Site,
    from: IpAddr,
    user: &str,
    password: &str,
) -> Result<Authenticated, Denied> {
    let (validity_days, now_s, now_unix_s) = {
        let agent = site.card.lock();
        (agent.config.first_login_reset_days, agent.clock.now_s(), agent.clock.calendar_s() as i64)
    };
    let who = |account: &super::accounts::Account| Authenticated {
        user: account.name.clone(),
        role: role_of(account),
        must_change: account.must_change || account.expired(validity_days, now_unix_s),
    };
    let (accounts, digest) = loop {
        let waiting = {
            let mut web = site.web.lock();
            // The wait comes first: a guess answered from the cache would otherwise tell a
            // right password from a wrong one while the address must wait.
            if let Some(wait_s) = web.throttle.wait_s(from, now_s) {
                return Err(Denied::Wait(wait_s));
            }
            let super::State { accounts, verified, throttle, .. } = &mut *web;
            let accounts = accounts.as_ref().ok_or(Denied::NoAccounts)?;
            match verified.lookup(accounts, user, password, now_s) {
                Lookup::Known(account) => {
                    throttle.succeeded(from);
                    return Ok(who(account));
                }
                Lookup::Checking(waiting) => waiting,
                Lookup::Unknown(digest) => {
                    throttle.attempt(from, now_s).map_err(Denied::Wait)?;
                    verified.started(digest);
                    // Only a check needs its own copy of the accounts (Argon2 runs unlocked).
                    break (accounts.clone(), digest);
                }
            }
        };
        // Another request checks the same pair: its outcome, then look again.
        let mut waiting = waiting;
        let _ = waiting.changed().await;
    };
    // Whatever happens to this request (a timeout drops it), its waiters are let go.
    let _checking = Checking { site, digest };
    let (name, given) = (user.to_owned(), password.to_owned());
    // At most `ARGON2_AT_ONCE` checks at once: each takes 19 MiB and a core.
    let checked = match ARGON2_SLOTS.acquire().await {
        Ok(_slot) => {
            tokio::task::spawn_blocking(move || accounts.check(&name, &given).cloned()).await.ok().flatten()
        }
        Err(_) => None,
    };
    let Some(account) = checked else { return Err(Denied::Wrong) };
    let now_s = site.card.lock().clock.now_s();
    let mut web = site.web.lock();
    web.throttle.succeeded(from);
    web.verified.remember(&account, password, now_s);
    Ok(who(&account))
}

/// A check under way; over when dropped.
struct Checking<'a> {
    site: &'a Site,
    digest: [u8; 32],
}

impl Drop for Checking<'_> {
    fn drop(&mut self) {
        self.site.web.lock().verified.finished(&self.digest);
    }
}
