//! The agent API: read what the widget recorded. Every call carries
//! `Authorization: Bearer <auth.api_token>`.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::routing::get;
use serde::{Deserialize, Serialize};

use super::AppState;
use super::error::{ApiError, ErrorCode};
use super::json::Json;
use crate::storage::TrailQuery;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/sites/{site_id}/sessions", get(list_sessions))
        .route(
            "/sites/{site_id}/sessions/{session_id}/events",
            get(session_events),
        )
}

fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let expected = state.config.auth.api_token.as_deref().ok_or_else(|| {
        ApiError::new(
            ErrorCode::Unauthorized,
            "the agent API is disabled: set auth.api_token (WAYMARK_API_TOKEN)",
        )
    })?;
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Unauthorized,
                "missing `Authorization: Bearer <token>` header",
            )
        })?;
    if constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::Unauthorized,
            "the bearer token is not valid",
        ))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// One session in a listing.
#[derive(Debug, Serialize)]
struct SessionDto {
    id: String,
    first_seen_ms: i64,
    last_seen_ms: i64,
    events: i64,
}

async fn list_sessions(
    State(state): State<AppState>,
    Path(site_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Vec<SessionDto>>, ApiError> {
    authorize(&state, &headers)?;
    ensure_site(&state, &site_id).await?;
    let sessions = state.store.recent_sessions(&site_id, 100).await?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|s| SessionDto {
                id: s.id,
                first_seen_ms: s.first_seen_ms,
                last_seen_ms: s.last_seen_ms,
                events: s.events,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize)]
struct Limit {
    limit: Option<i64>,
}

/// One event of a session trail.
#[derive(Debug, Serialize)]
struct EventDto {
    seq: i64,
    received_ms: i64,
    #[serde(flatten)]
    event: serde_json::Value,
}

async fn session_events(
    State(state): State<AppState>,
    Path((site_id, session_id)): Path<(String, String)>,
    Query(limit): Query<Limit>,
    headers: HeaderMap,
) -> Result<Json<Vec<EventDto>>, ApiError> {
    authorize(&state, &headers)?;
    ensure_site(&state, &site_id).await?;
    let limit = limit.limit.unwrap_or(1000).clamp(1, 10_000);
    let events = state
        .store
        .trail(&TrailQuery {
            site_id: &site_id,
            session_id: &session_id,
            limit,
        })
        .await?;
    let dtos = events
        .into_iter()
        .map(|e| {
            let event = serde_json::from_str(&e.body).unwrap_or(serde_json::Value::Null);
            EventDto {
                seq: e.seq,
                received_ms: e.received_ms,
                event,
            }
        })
        .collect();
    Ok(Json(dtos))
}

async fn ensure_site(state: &AppState, site_id: &str) -> Result<(), ApiError> {
    match state.store.site(site_id).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::new(
            ErrorCode::NotFound,
            format!("no site `{site_id}`"),
        )),
    }
}
