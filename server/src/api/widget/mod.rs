//! The widget API under `/api/widget/v1`: what the embedded widget calls,
//! authenticated by the site's public key (`?site=pk_…`) and the page's origin;
//! conversation calls also carry the per-conversation token.
//!
//! - [`events`]: batched page events.
//! - [`suggest`]: site configuration, suggestions and the verdicts on them.
//! - [`conversations`]: conversations, escalation, messages (polling and SSE), CSAT.

pub mod conversations;
pub mod events;
pub mod fields;
pub mod suggest;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use serde::Deserialize;

use super::error::{ApiError, ErrorCode};
pub use super::limits::ClientAddress;
use super::{AppState, RouteTable, Verb};
use crate::storage::Site;

/// The prefix of every widget route.
pub const PREFIX: &str = "/api/widget/v1";

/// The widget routes (full paths) and the router serving them.
pub fn routes() -> (Router<AppState>, Vec<(Verb, &'static str)>) {
    let (router, routes) = RouteTable::default()
        .add(Verb::Get, "/api/widget/v1/config", suggest::site_config)
        .add(Verb::Post, "/api/widget/v1/events", events::ingest_events)
        .add(Verb::Post, "/api/widget/v1/suggest", suggest::suggest)
        .add(Verb::Get, "/api/widget/v1/answers/{id}", suggest::answer)
        .add(
            Verb::Post,
            "/api/widget/v1/suggest/feedback",
            suggest::feedback,
        )
        .add(
            Verb::Post,
            "/api/widget/v1/conversations",
            conversations::start,
        )
        .add(
            Verb::Post,
            "/api/widget/v1/conversations/{id}/escalate",
            conversations::escalate,
        )
        .add(
            Verb::Post,
            "/api/widget/v1/conversations/{id}/messages",
            conversations::send_message,
        )
        .add(
            Verb::Get,
            "/api/widget/v1/conversations/{id}/messages",
            conversations::messages,
        )
        .add(
            Verb::Get,
            "/api/widget/v1/conversations/{id}/events",
            conversations::stream,
        )
        .add(
            Verb::Post,
            "/api/widget/v1/conversations/{id}/identify",
            conversations::identify,
        )
        .add(
            Verb::Post,
            "/api/widget/v1/conversations/{id}/csat",
            conversations::csat,
        )
        .finish();
    let router = router
        .layer(DefaultBodyLimit::max(events::MAX_BATCH_BYTES))
        .layer(tower_http::cors::CorsLayer::permissive());
    (router, routes)
}

/// `?site=pk_…`: the site key from the embed snippet.
#[derive(Debug, Clone)]
pub struct SiteKey {
    /// The public key.
    pub site: String,
}

#[derive(Deserialize)]
struct SiteQuery {
    site: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for SiteKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Query(query) = Query::<SiteQuery>::try_from_uri(&parts.uri)
            .map_err(|err| ApiError::new(ErrorCode::InvalidValue, err.body_text()))?;
        match query.site {
            Some(site) if !site.is_empty() => Ok(Self { site }),
            _ => Err(ApiError::new(
                ErrorCode::UnknownSite,
                "missing widget key: add `?site=pk_…`",
            )),
        }
    }
}

/// The per-conversation token: `Authorization: Bearer <token>`, or `?token=` for
/// the event stream (EventSource cannot set headers).
#[derive(Debug, Clone)]
pub struct ConversationToken(pub Option<String>);

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for ConversationToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let from_header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_owned);
        if from_header.is_some() {
            return Ok(Self(from_header));
        }
        let from_query = Query::<TokenQuery>::try_from_uri(&parts.uri)
            .ok()
            .filter(|_| crate::flow::scrub::token_in_query_allowed(parts.uri.path()))
            .and_then(|Query(q)| q.token);
        Ok(Self(from_query))
    }
}

/// Resolves the site key and checks the page origin against the site's allowlist.
pub(crate) async fn authorize_site(
    state: &AppState,
    key: &SiteKey,
    headers: &HeaderMap,
) -> Result<Site, ApiError> {
    let site = state.store.site_by_key(&key.site).await?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::UnknownSite,
            format!("no site has the widget key `{}`", key.site),
        )
    })?;
    if site.allowed_origins.is_empty() {
        return Ok(site);
    }
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if site.allowed_origins.iter().any(|allowed| allowed == origin) {
        Ok(site)
    } else {
        Err(ApiError::new(
            ErrorCode::UnknownSite,
            format!(
                "origin `{origin}` is not allowed for widget key `{}`",
                key.site
            ),
        ))
    }
}
