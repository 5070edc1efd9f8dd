//! The console's login: `POST /auth/login` opens a session (an HttpOnly,
//! `SameSite=Strict` cookie), `GET /auth/me` says who is signed in, `POST
//! /auth/logout` ends the session, `POST /auth/password` changes the password (and
//! ends the user's other sessions); `GET /sites` lists the caller's sites and
//! `GET /sites/{site_id}/members` the people on one. Logins
//! are rate limited per client address and lock an account after five wrong
//! passwords.

use std::net::{IpAddr, SocketAddr};

use axum::extract::connect_info::ConnectInfo;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::auth::{Agent, Caller, ReadTickets, SESSION_COOKIE};
use crate::api::AppState;
use crate::api::error::{ApiError, ErrorCode};
use crate::api::json::Json;
use crate::auth::{accounts, secret};
use crate::storage::{Site, UserRecord, now_ms};

/// The client's address, when the server was started with it (not in-process tests).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip()),
        ))
    }
}

/// `{"email", "password"}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LoginBody {
    email: String,
    password: String,
}

/// A site as the console lists it.
#[derive(Debug, Serialize)]
pub(super) struct SiteDto {
    id: String,
    name: String,
}

impl From<Site> for SiteDto {
    fn from(site: Site) -> Self {
        Self {
            id: site.id,
            name: site.name,
        }
    }
}

/// The signed-in user.
#[derive(Debug, Serialize)]
pub(super) struct UserDto {
    id: String,
    email: String,
    name: String,
    role: &'static str,
    sites: Vec<SiteDto>,
}

/// The answer of login and `/auth/me`.
#[derive(Debug, Serialize)]
pub(super) struct MeDto {
    user: UserDto,
    /// The header value every cookie-authenticated write carries as `X-CSRF-Token`
    /// (`null` for API-token callers, who need none).
    csrf_token: Option<String>,
}

async fn me_body(
    state: &AppState,
    user: UserRecord,
    session_id: Option<&str>,
) -> Result<MeDto, ApiError> {
    let sites = state.store.user_sites(&user.id).await?;
    Ok(MeDto {
        user: UserDto {
            id: user.id.to_string(),
            email: user.email,
            name: user.name,
            role: user.role.as_str(),
            sites: sites.into_iter().map(Into::into).collect(),
        },
        csrf_token: session_id.map(secret::csrf_token),
    })
}

fn is_https(state: &AppState, headers: &HeaderMap) -> bool {
    state.auth.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

fn cookie(state: &AppState, headers: &HeaderMap, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if is_https(state, headers) {
        "; Secure"
    } else {
        ""
    };
    let text = format!(
        "{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age_secs}{secure}"
    );
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub(super) async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Json(body): Json<LoginBody>,
) -> Result<Response, ApiError> {
    state.auth.check_login_rate(address)?;
    let outcome = accounts::login(
        &state.store,
        &state.auth,
        &body.email,
        &body.password,
        now_ms(),
    )
    .await?;
    let max_age = state.auth.session_max_age_ms / 1000;
    let set_cookie = cookie(&state, &headers, &outcome.session_id, max_age);
    let me = me_body(&state, outcome.user, Some(&outcome.session_id)).await?;
    Ok(([(header::SET_COOKIE, set_cookie)], Json(me)).into_response())
}

pub(super) async fn me(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<MeDto>, ApiError> {
    let session = caller.session_id().map(str::to_owned);
    Ok(Json(
        me_body(&state, caller.user, session.as_deref()).await?,
    ))
}

pub(super) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
) -> Result<Response, ApiError> {
    if let Some(session_id) = caller.session_id() {
        accounts::logout(&state.store, session_id).await?;
    }
    let cleared = cookie(&state, &headers, "", 0);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cleared)]).into_response())
}

/// `{"current_password", "new_password"}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PasswordBody {
    current_password: String,
    new_password: String,
}

pub(super) async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<PasswordBody>,
) -> Result<StatusCode, ApiError> {
    if body.current_password.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidValue,
            "current_password: must not be empty",
        ));
    }
    accounts::change_password(
        &state.store,
        &caller.user,
        &body.current_password,
        &body.new_password,
        caller.session_id(),
        now_ms(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A member of a site, as agents see each other (owner, collaborators, transfers).
#[derive(Debug, Serialize)]
pub(super) struct MemberDto {
    id: String,
    name: String,
    email: String,
    role: &'static str,
}

pub(super) async fn members(
    State(state): State<AppState>,
    agent: Agent<ReadTickets>,
) -> Result<Json<Vec<MemberDto>>, ApiError> {
    let members = state.store.site_members(&agent.site_id).await?;
    Ok(Json(
        members
            .into_iter()
            .filter(|user| user.disabled_at_ms.is_none())
            .map(|user| MemberDto {
                id: user.id.to_string(),
                name: user.name,
                email: user.email,
                role: user.role.as_str(),
            })
            .collect(),
    ))
}

pub(super) async fn sites(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<SiteDto>>, ApiError> {
    let sites = state.store.user_sites(&caller.user.id).await?;
    Ok(Json(sites.into_iter().map(Into::into).collect()))
}
