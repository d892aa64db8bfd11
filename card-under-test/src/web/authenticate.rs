//! Checking a name and password, for the login form and for HTTP Basic alike: failed
//! logins slowed down (`throttle`), the password's age, the caller's role. The Argon2 work
//! runs on a copy of the accounts, outside the card's lock, so that no poll waits on it.

use super::{Site, role_of};
use crate::role::Role;
use std::net::IpAddr;

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

pub fn authenticate(site: &Site, from: IpAddr, user: &str, password: &str) -> Result<Authenticated, Denied> {
    let (validity_days, now_s, now_unix_s) = {
        let agent = site.card.lock();
        (agent.config.first_login_reset_days, agent.clock.now_s(), agent.clock.calendar_s() as i64)
    };
    let accounts = {
        let web = site.web.lock();
        if let Some(wait_s) = web.throttle.wait_s(from, now_s) {
            return Err(Denied::Wait(wait_s));
        }
        web.accounts.clone().ok_or(Denied::NoAccounts)?
    };
    let checked = accounts.check(user, password).map(|account| Authenticated {
        user: account.name.clone(),
        role: role_of(account),
        must_change: account.must_change || account.expired(validity_days, now_unix_s),
    });
    let now_s = site.card.lock().clock.now_s();
    let mut web = site.web.lock();
    match checked {
        Some(authenticated) => {
            web.throttle.succeeded(from);
            Ok(authenticated)
        }
        None => {
            web.throttle.failed(from, now_s);
            Err(Denied::Wrong)
        }
    }
}
