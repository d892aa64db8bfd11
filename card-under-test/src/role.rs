//! Who is calling the API. Authentication arrives with the web pages; until then every
//! caller is the administrator, and every handler already takes the caller's role so that
//! read-only users will be refused changes without touching the handlers.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::Serialize;

/// NET VISION's user levels (§11.5, §18.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Role {
    ReadOnly,
    ReadWrite,
    Admin,
}

impl Role {
    /// How the events log names the caller.
    pub fn name(self) -> &'static str {
        match self {
            Role::ReadOnly => "read-only user",
            Role::ReadWrite => "read/write user",
            Role::Admin => "admin",
        }
    }

    /// Changes (controls, configuration, clearing logs) need read/write rights (§11.5).
    pub fn may_change(self) -> Result<(), (StatusCode, String)> {
        match self {
            Role::ReadWrite | Role::Admin => Ok(()),
            Role::ReadOnly => Err((StatusCode::FORBIDDEN, "read-only users cannot change anything".into())),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Role {
    type Rejection = (StatusCode, String);

    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Role::Admin)
    }
}
