//! Who is calling the API: the role the web gate found for an HTTP request (`web::gate`),
//! or the one an in-process caller was given (`api::in_process`). A request with neither
//! is refused: nothing reaches a handler without a role.

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

    /// Users and their passwords are the administrator's (§18.4); so is whatever holds or
    /// replaces secrets: the settings file whole (backup, restore, factory reset), the HTTPS
    /// key, the passwords, communities and secrets in the settings.
    pub fn may_administer(self) -> Result<(), (StatusCode, String)> {
        match self {
            Role::Admin => Ok(()),
            _ => Err((StatusCode::FORBIDDEN, "only the administrator may do this".into())),
        }
    }

    /// Whether the passwords, communities and secrets of the settings may be shown.
    pub fn sees_secrets(self) -> bool {
        self == Role::Admin
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

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Role>().copied().ok_or((StatusCode::UNAUTHORIZED, "not logged in".into()))
    }
}
