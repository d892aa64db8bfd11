//! Credentials verified lately, so that a program sending HTTP Basic credentials with every
//! request costs one Argon2 check per few minutes, not one per request. Entries are keyed
//! by an HMAC of name and password under a key made at start (the password itself is not
//! kept), and hold only while the account keeps the password hash and level it had. While
//! a pair is being checked, requests with the same pair wait for that check (`checking`)
//! instead of starting their own: 200 connections opening at once with one password cost
//! one check, and one attempt in the throttle's count.

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
    /// The pairs being checked now; dropping a sender tells its waiters the check is over.
    checking: HashMap<[u8; 32], tokio::sync::watch::Sender<()>>,
}

/// Where a pair of name and password stands.
#[derive(Debug)]
pub enum Lookup<'a> {
    /// Verified lately: this account.
    Known(&'a Account),
    /// Being checked by another request: wait for it (`changed` ends with the check), then
    /// look again.
    Checking(tokio::sync::watch::Receiver<()>),
    /// Not known: this request checks it (`started` first, `finished` after).
    Unknown([u8; 32]),
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
        Self { key, entries: HashMap::new(), checking: HashMap::new() }
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

    /// Where `user` with `password` stands: verified lately (and the account unchanged
    /// since), being checked, or unknown.
    pub fn lookup<'a>(&self, accounts: &'a Store, user: &str, password: &str, now_s: f64) -> Lookup<'a> {
        let digest = self.digest(user, password);
        let known = self.entries.get(&digest).filter(|e| e.until_s > now_s).and_then(|entry| {
            let account = accounts.find(&entry.user)?;
            (account.password_hash == entry.password_hash && account.enabled()).then_some(account)
        });
        match (known, self.checking.get(&digest)) {
            (Some(account), _) => Lookup::Known(account),
            (None, Some(checking)) => Lookup::Checking(checking.subscribe()),
            (None, None) => Lookup::Unknown(digest),
        }
    }

    /// This request checks the pair of `digest`: others with it wait.
    pub fn started(&mut self, digest: [u8; 32]) {
        self.checking.insert(digest, tokio::sync::watch::channel(()).0);
    }

    /// The check of `digest` is over: its waiters look again.
    pub fn finished(&mut self, digest: &[u8; 32]) {
        self.checking.remove(digest);
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
