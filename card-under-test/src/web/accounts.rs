//! The card's accounts (§11.5, §18.4): the administrator and up to 8 users, each with a
//! level, an Argon2id hash of the password, when it was set, and whether it must be changed
//! before anything else (the first password, one set by the administrator). Kept in the
//! state directory as `accounts.ron`, apart from the settings: a backup of the settings
//! never carries password hashes, and a restore never replaces them.

use super::policy;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

pub const ADMIN: &str = "admin";
pub const MAX_USERS: usize = 8;

/// A user's access (§18.4); the administrator has every right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    Disabled,
    ReadOnly,
    ReadWrite,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub name: String,
    /// Ignored for the administrator.
    pub level: Level,
    /// PHC string (`$argon2id$v=19$…`).
    pub(super) password_hash: String,
    /// When the password was set, Unix s (card calendar).
    pub password_set_unix_s: i64,
    /// Set for a first password: nothing but the password change until it is changed.
    pub must_change: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accounts {
    pub admin: Account,
    pub users: Vec<Account>,
}

/// The accounts and where they are kept (`None`: in memory, co-simulation).
#[derive(Debug, Clone)]
pub struct Store {
    pub accounts: Accounts,
    path: Option<PathBuf>,
}

/// Why a password was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    Policy(&'static str),
    SameAsBefore,
    NoSuchUser,
    Full,
    BadName,
    Unsaved(String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Policy(rule) => f.write_str(rule),
            Refused::SameAsBefore => f.write_str("The new password must differ from the current one"),
            Refused::NoSuchUser => f.write_str("No such user"),
            Refused::Full => write!(f, "At most {MAX_USERS} users"),
            Refused::BadName => {
                f.write_str("A user name is 1 to 32 letters, digits, '.', '-' or '_', and not admin")
            }
            Refused::Unsaved(why) => write!(f, "The accounts could not be saved: {why}"),
        }
    }
}

fn hash(password: &str) -> Result<String, Refused> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| Refused::Unsaved(e.to_string()))
}

fn verifies(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

impl Account {
    /// Whether the password is older than `validity_days` at `now_unix_s` (§18.4).
    /// The administrator always is (§18.4: "this account is always active").
    pub fn enabled(&self) -> bool {
        self.name == ADMIN || self.level != Level::Disabled
    }

    pub fn expired(&self, validity_days: u32, now_unix_s: i64) -> bool {
        now_unix_s - self.password_set_unix_s > i64::from(validity_days) * 86_400
    }
}

impl Store {
    /// The stored accounts, or new ones whose administrator has `first_password` to change
    /// at the first login. A file that cannot be read is an error, never replaced.
    pub fn open(path: Option<PathBuf>, first_password: &str, now_unix_s: i64) -> Result<Store, String> {
        if let Some(file) = path.as_ref().filter(|p| p.exists()) {
            let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
            let accounts: Accounts = ron::from_str(&text).map_err(|e| {
                format!("{}:{}:{}: {}", file.display(), e.span.start.line, e.span.start.col, e.code)
            })?;
            return Ok(Store { accounts, path });
        }
        let admin = Account {
            name: ADMIN.into(),
            level: Level::ReadWrite,
            password_hash: hash(first_password).map_err(|e| e.to_string())?,
            password_set_unix_s: now_unix_s,
            must_change: true,
        };
        let store = Store { accounts: Accounts { admin, users: Vec::new() }, path };
        store.save().map_err(|e| e.to_string())?;
        Ok(store)
    }

    fn save(&self) -> Result<(), Refused> {
        let Some(path) = &self.path else { return Ok(()) };
        let text = ron::ser::to_string_pretty(&self.accounts, ron::ser::PrettyConfig::default())
            .map_err(|e| Refused::Unsaved(e.to_string()))?;
        crate::durable::replace_file(path, text.as_bytes()).map_err(|e| Refused::Unsaved(e.to_string()))
    }

    pub fn find(&self, name: &str) -> Option<&Account> {
        std::iter::once(&self.accounts.admin).chain(&self.accounts.users).find(|a| a.name == name)
    }

    fn find_mut(&mut self, name: &str) -> Option<&mut Account> {
        let Accounts { admin, users } = &mut self.accounts;
        std::iter::once(admin).chain(users.iter_mut()).find(|a| a.name == name)
    }

    /// The account `name` if `password` is its password and it is not disabled. The hash
    /// is computed for an unknown name too, so the time taken does not tell names apart.
    pub fn check(&self, name: &str, password: &str) -> Option<&Account> {
        let account = self.find(name);
        // An unknown name is checked against the administrator's hash: it cannot match
        // (there is no account), and takes as long as a known name.
        let phc = account.unwrap_or(&self.accounts.admin).password_hash.as_str();
        let matches = verifies(password, phc);
        account.filter(|a| matches && a.enabled())
    }

    /// Sets `name`'s password; `by_themselves`: the user chose it (no change asked any more),
    /// else the administrator set it and the user must change it at the next login.
    pub fn set_password(
        &mut self,
        name: &str,
        password: &str,
        by_themselves: bool,
        now_unix_s: i64,
    ) -> Result<(), Refused> {
        policy::check(password).map_err(Refused::Policy)?;
        let account = self.find(name).ok_or(Refused::NoSuchUser)?;
        if verifies(password, &account.password_hash) {
            return Err(Refused::SameAsBefore);
        }
        let password_hash = hash(password)?;
        let before = self.accounts.clone();
        let account = self.find_mut(name).ok_or(Refused::NoSuchUser)?;
        account.password_hash = password_hash;
        account.password_set_unix_s = now_unix_s;
        account.must_change = !by_themselves;
        self.save_or_undo(before)
    }

    /// Adds a user with a first password they must change, or changes an existing user's
    /// level (and password, when one is given).
    /// Adds or changes a user; a password given is a first password to change at the next
    /// login (§18.4) unless `must_change` is false (provisioning a program's account).
    pub fn put_user(
        &mut self,
        name: &str,
        level: Level,
        password: Option<&str>,
        must_change: bool,
        now_unix_s: i64,
    ) -> Result<(), Refused> {
        let valid = (1..=32).contains(&name.len())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c))
            && name != ADMIN;
        if !valid {
            return Err(Refused::BadName);
        }
        if let Some(password) = password {
            policy::check(password).map_err(Refused::Policy)?;
        }
        let before = self.accounts.clone();
        let users = &mut self.accounts.users;
        if let Some(user) = users.iter_mut().find(|a| a.name == name) {
            user.level = level;
            if let Some(password) = password {
                user.password_hash = hash(password)?;
                user.password_set_unix_s = now_unix_s;
                user.must_change = must_change;
            }
        } else if users.len() >= MAX_USERS {
            return Err(Refused::Full);
        } else {
            let Some(password) = password else { return Err(Refused::Policy(policy::RULE)) };
            users.push(Account {
                name: name.into(),
                level,
                password_hash: hash(password)?,
                password_set_unix_s: now_unix_s,
                must_change,
            });
        }
        self.save_or_undo(before)
    }

    pub fn remove_user(&mut self, name: &str) -> Result<(), Refused> {
        let before = self.accounts.clone();
        let count = self.accounts.users.len();
        self.accounts.users.retain(|a| a.name != name);
        if self.accounts.users.len() == count {
            return Err(Refused::NoSuchUser);
        }
        self.save_or_undo(before)
    }

    /// Saves, or puts the accounts back as they were: what is in memory is what is stored.
    fn save_or_undo(&mut self, before: Accounts) -> Result<(), Refused> {
        self.save().inspect_err(|_| self.accounts = before)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_password_must_be_changed_and_a_weak_one_is_refused() {
        let dir = std::env::temp_dir().join(format!("upstwin-accounts-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("accounts.ron");
        let mut store = Store::open(Some(path.clone()), "A1B2C3", 1_000).unwrap();
        assert!(store.check(ADMIN, "A1B2C3").is_some_and(|a| a.must_change));
        assert!(store.check(ADMIN, "wrong").is_none());
        assert_eq!(store.set_password(ADMIN, "short", true, 2_000), Err(Refused::Policy(policy::RULE)));
        store.set_password(ADMIN, "Upstwin#2026", true, 2_000).unwrap();
        let again = Store::open(Some(path), "ignored", 3_000).unwrap();
        let admin = again.check(ADMIN, "Upstwin#2026").expect("the new password, kept");
        assert!(!admin.must_change);
        assert!(!admin.expired(90, 2_000 + 90 * 86_400) && admin.expired(90, 2_001 + 90 * 86_400));
        assert!(again.check(ADMIN, "A1B2C3").is_none());
    }

    #[test]
    fn users_up_to_eight_and_a_disabled_one_cannot_log_in() {
        let mut store = Store::open(None, "A1B2C3", 0).unwrap();
        for i in 0..MAX_USERS {
            store.put_user(&format!("op{i}"), Level::ReadOnly, Some("Operator#2026"), true, 0).unwrap();
        }
        assert_eq!(
            store.put_user("op9", Level::ReadOnly, Some("Operator#2026"), true, 0),
            Err(Refused::Full)
        );
        assert_eq!(
            store.put_user("admin", Level::ReadOnly, Some("Operator#2026"), true, 0),
            Err(Refused::BadName)
        );
        assert!(store.check("op1", "Operator#2026").is_some_and(|u| u.must_change));
        store.put_user("op1", Level::Disabled, None, true, 0).unwrap();
        assert!(store.check("op1", "Operator#2026").is_none());
        assert!(store.check("nobody", "Operator#2026").is_none());
    }
}
