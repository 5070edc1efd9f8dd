//! Who is calling, said once at the edge. [`Caller`] authenticates a request — an
//! API token (`Authorization: Bearer wm_…`) or a console session cookie, whose
//! writes must carry the session's `X-CSRF-Token` — and [`Agent`] adds the
//! membership of the path's `{site_id}` and the permission the route needs, as a
//! type: a handler that takes `Agent<ActOnTickets>` cannot run for a knowledge
//! manager or for a member of another site.
//!
//! A site the caller is not a member of answers 404 `not_found`, exactly like a
//! site that does not exist. The widget's site keys (`pk_…`) authenticate nothing
//! here.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};

use crate::api::AppState;
use crate::api::error::{ApiError, ErrorCode};
use crate::auth::{Permission, accounts, secret};
use crate::storage::{UserRecord, now_ms};

/// The console's session cookie.
pub const SESSION_COOKIE: &str = "waymark_session";
/// The header a cookie-authenticated write carries.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A bearer API token: no CSRF token needed.
    Token,
    /// A console session; holds the cookie value.
    Session(String),
}

/// An authenticated user, on no particular site.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who.
    pub user: UserRecord,
    /// How.
    pub credential: Credential,
}

impl Caller {
    /// The session cookie value, when the caller came with one.
    pub fn session_id(&self) -> Option<&str> {
        match &self.credential {
            Credential::Session(id) => Some(id),
            Credential::Token => None,
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::Unauthorized,
                        "the Authorization header must be `Bearer wm_…`",
                    )
                })?;
            let user = accounts::authenticate_token(&state.store, &state.auth, token).await?;
            return Ok(Self {
                user,
                credential: Credential::Token,
            });
        }
        let Some(session_id) = session_cookie(&parts.headers) else {
            return Err(ApiError::new(
                ErrorCode::Unauthorized,
                "log in, or send `Authorization: Bearer wm_…`",
            ));
        };
        let user = accounts::authenticate_session(&state.store, &state.auth, &session_id, now_ms())
            .await?;
        if is_write(&parts.method) {
            check_csrf(&parts.headers, &session_id)?;
        }
        Ok(Self {
            user,
            credential: Credential::Session(session_id),
        })
    }
}

/// The value of the session cookie, if the request carries one.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn check_csrf(headers: &HeaderMap, session_id: &str) -> Result<(), ApiError> {
    let expected = secret::csrf_token(session_id);
    let given = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if secret::constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::CsrfFailed,
            "a write with the session cookie needs the header X-CSRF-Token (from login or /auth/me)",
        ))
    }
}

/// What a route needs, as a type (see [`Agent`]).
pub trait Capability {
    /// The permission checked against the caller's role.
    const PERMISSION: Permission;
}

/// Read the queue, tickets, sessions and trails (every role).
#[derive(Debug)]
pub struct ReadTickets;
/// Act on tickets (agents and admins).
#[derive(Debug)]
pub struct ActOnTickets;
/// Manage knowledge (knowledge managers and admins).
#[derive(Debug)]
pub struct ManageKnowledge;
/// Change site settings: matrix, widget settings (admins).
#[derive(Debug)]
pub struct AdminSettings;

impl Capability for ReadTickets {
    const PERMISSION: Permission = Permission::ReadTickets;
}
impl Capability for ActOnTickets {
    const PERMISSION: Permission = Permission::ActOnTickets;
}
impl Capability for ManageKnowledge {
    const PERMISSION: Permission = Permission::ManageKnowledge;
}
impl Capability for AdminSettings {
    const PERMISSION: Permission = Permission::AdminSettings;
}

/// An authenticated member of the `{site_id}` in the path whose role grants `C`.
#[derive(Debug)]
pub struct Agent<C> {
    /// Who.
    pub user: UserRecord,
    /// The site of the path, checked.
    pub site_id: String,
    capability: PhantomData<C>,
}

impl<C: Capability> FromRequestParts<AppState> for Agent<C> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::new(ErrorCode::InvalidValue, rejection.body_text()))?;
        let Some(site_id) = params
            .iter()
            .find(|(name, _)| *name == "site_id")
            .map(|(_, value)| value.to_owned())
        else {
            tracing::error!(path = %parts.uri.path(), "agent route without {{site_id}}");
            return Err(ApiError::new(ErrorCode::Internal, "internal error"));
        };
        if !state
            .store
            .is_site_member(&site_id, &caller.user.id)
            .await?
        {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("no site `{site_id}`"),
            ));
        }
        if !caller.user.role.allows(C::PERMISSION) {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                format!(
                    "the role `{}` may not do this (it needs {:?})",
                    caller.user.role.as_str(),
                    C::PERMISSION
                ),
            ));
        }
        Ok(Self {
            user: caller.user,
            site_id,
            capability: PhantomData,
        })
    }
}

impl<C> Agent<C> {
    /// The acting user as the flow records them, checking a legacy `agent` body
    /// field: accepted when it names the caller (id or email), refused otherwise.
    pub fn actor_id(&self, claimed: Option<&str>) -> Result<&str, ApiError> {
        match claimed {
            Some(claimed)
                if claimed != self.user.id.as_str()
                    && !claimed.eq_ignore_ascii_case(&self.user.email) =>
            {
                Err(ApiError::new(
                    ErrorCode::InvalidValue,
                    format!(
                        "agent: the acting agent is the authenticated user (`{}`); leave the field out",
                        self.user.email
                    ),
                ))
            }
            _ => Ok(self.user.id.as_str()),
        }
    }
}
