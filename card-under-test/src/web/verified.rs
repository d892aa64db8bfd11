//! Credentials verified lately, so that a program sending HTTP Basic credentials with every
//! request costs one Argon2 check per few minutes, not one per request. Entries are keyed
//! by an HMAC of name and password under a key made at start (the password itself is not
//! kept), and hold only while the account keeps the password hash and level it had.

use super::accounts::{Account, Store};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::collections::HashMap;

/// How long a verified password is taken without checking it again, s.
const KEPT_S: f64 = 300.0;
/// Entries kept at most.
const ENTRIES: usize = 64;

#[derive(Debug)]
pub struct Verified {
    key: [u8; 32],
    entries: HashMap<[u8; 32], Entry>,
}

#[derive(Debug)]
struct Entry {
    user: String,
    password_hash: String,
    until_s: f64,
}

impl Default for Verified {
    fn default() -> Self {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).expect("the operating system's random numbers");
        Self { key, entries: HashMap::new() }
    }
}

impl Verified {
    fn digest(&self, user: &str, password: &str) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(user.as_bytes());
        mac.update(&[0]);
        mac.update(password.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The account `user` logs into with `password`, if that was verified lately and the
    /// account has not changed since.
    pub fn find<'a>(
        &self,
        accounts: &'a Store,
        user: &str,
        password: &str,
        now_s: f64,
    ) -> Option<&'a Account> {
        let entry = self.entries.get(&self.digest(user, password)).filter(|e| e.until_s > now_s)?;
        let account = accounts.find(&entry.user)?;
        (account.password_hash == entry.password_hash && account.enabled()).then_some(account)
    }

    /// `password` was just verified for `account`.
    pub fn remember(&mut self, account: &Account, password: &str, now_s: f64) {
        if self.entries.len() >= ENTRIES {
            self.entries.retain(|_, e| e.until_s > now_s);
            if self.entries.len() >= ENTRIES {
                self.entries.clear();
            }
        }
        let entry = Entry {
            user: account.name.clone(),
            password_hash: account.password_hash.clone(),
            until_s: now_s + KEPT_S,
        };
        self.entries.insert(self.digest(&account.name, password), entry);
    }
}
