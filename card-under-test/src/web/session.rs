//! The one web session the card keeps (§11.5: a new login ends the one before), its CSRF
//! token, and its end after the login timeout without a request from the person (the
//! pages' own refreshes do not count). Times are card time, s.

use crate::role::Role;
use std::collections::VecDeque;

/// 32 random bytes, hex: session cookies and CSRF tokens.
pub fn token() -> String {
    let mut bytes = [0u8; 32];
    // Without the operating system's randomness no session can be safe: refuse to run.
    getrandom::fill(&mut bytes).expect("the operating system's random numbers");
    hex::encode(bytes)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub token: String,
    pub user: String,
    pub role: Role,
    pub csrf: String,
    pub last_active_s: f64,
    /// Only the password change until it is done.
    pub must_change: bool,
}

/// Why a session the browser still holds is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    ByNewLogin,
    TimedOut,
    LoggedOut,
    PasswordChanged,
}

impl Ended {
    pub fn message(self) -> &'static str {
        match self {
            Ended::ByNewLogin => "Your session was ended by a new login.",
            Ended::TimedOut => "Your session timed out.",
            Ended::LoggedOut => "You are logged out.",
            Ended::PasswordChanged => "Your password was changed: log in with the new one.",
        }
    }
}

/// Whether two tokens are the same, in a time that does not depend on where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    bool::from(subtle::ConstantTimeEq::ct_eq(a.as_bytes(), b.as_bytes()))
}

/// Sessions ended, remembered so the login page can say why (a few only).
const ENDED_KEPT: usize = 8;

#[derive(Debug, Default)]
pub struct Sessions {
    current: Option<Session>,
    ended: VecDeque<(String, Ended)>,
}

impl Sessions {
    /// Opens a session for `user`, ending the current one.
    pub fn open(&mut self, user: &str, role: Role, must_change: bool, now_s: f64) -> &Session {
        self.end(Ended::ByNewLogin);
        let session = Session {
            token: token(),
            user: user.into(),
            role,
            csrf: token(),
            last_active_s: now_s,
            must_change,
        };
        self.current.insert(session)
    }

    /// The session of `token`, if it is the current one and has not timed out; a request
    /// by the person (`active`) keeps it alive.
    pub fn find(
        &mut self,
        token: &str,
        timeout_s: f64,
        active: bool,
        now_s: f64,
    ) -> Result<&Session, Option<Ended>> {
        let timed_out = self
            .current
            .as_ref()
            .is_some_and(|s| same_token(&s.token, token) && now_s - s.last_active_s > timeout_s);
        if timed_out {
            self.end(Ended::TimedOut);
        }
        match &mut self.current {
            Some(session) if same_token(&session.token, token) => {
                if active {
                    session.last_active_s = now_s;
                }
                Ok(session)
            }
            _ => Err(self.ended.iter().find(|(t, _)| same_token(t, token)).map(|(_, why)| *why)),
        }
    }

    pub fn end(&mut self, why: Ended) {
        if let Some(session) = self.current.take() {
            if self.ended.len() == ENDED_KEPT {
                self.ended.pop_front();
            }
            self.ended.push_back((session.token, why));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_login_ends_the_first_and_idleness_ends_a_session() {
        let mut sessions = Sessions::default();
        let first = sessions.open("admin", Role::Admin, false, 0.0).token.clone();
        assert!(sessions.find(&first, 300.0, true, 100.0).is_ok());
        assert!(sessions.find(&first, 300.0, false, 399.0).is_ok(), "a refresh does not keep it alive…");
        let second = sessions.open("op", Role::ReadOnly, false, 399.0).token.clone();
        assert_eq!(sessions.find(&first, 300.0, true, 400.0), Err(Some(Ended::ByNewLogin)));
        assert!(sessions.find(&second, 300.0, true, 600.0).is_ok());
        assert_eq!(sessions.find(&second, 300.0, true, 901.0), Err(Some(Ended::TimedOut)));
        assert_eq!(sessions.find("forged", 300.0, true, 901.0), Err(None));
    }
}
