//! Sessions and their page trails, as the widget recorded them. Both are paged by
//! cursor: `?limit=N&before=CURSOR`; a full page carries the next page's cursor in
//! the `Next-Cursor` header.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};

use super::SessionPath;
use super::auth::{Agent, ReadTickets};
use crate::api::AppState;
use crate::api::error::{ApiError, ErrorCode};
use crate::api::json::Json;
use crate::storage::TrailQuery;

/// One session in a listing.
#[derive(Debug, Serialize)]
pub(super) struct SessionDto {
    id: String,
    first_seen_ms: i64,
    last_seen_ms: i64,
    events: i64,
}

/// `?limit=N&before=CURSOR`.
#[derive(Debug, Deserialize)]
pub(super) struct Page {
    limit: Option<i64>,
    before: Option<String>,
}

/// The header that carries the next page's cursor.
pub const NEXT_CURSOR: &str = "next-cursor";

fn bad_cursor(cursor: &str) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidValue,
        format!("`before` must be a Next-Cursor from an earlier answer, got `{cursor}`"),
    )
}

fn next_cursor(full: bool, cursor: Option<String>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if full && let Some(value) = cursor.and_then(|c| HeaderValue::from_str(&c).ok()) {
        headers.insert(NEXT_CURSOR, value);
    }
    headers
}

pub(super) async fn list_sessions(
    State(state): State<AppState>,
    agent: Agent<ReadTickets>,
    Query(page): Query<Page>,
) -> Result<(HeaderMap, Json<Vec<SessionDto>>), ApiError> {
    let site_id = agent.site_id.as_str();
    let limit = page.limit.unwrap_or(100).clamp(1, 500);
    let before = match page.before.as_deref() {
        None => None,
        Some(cursor) => {
            let (at, id) = cursor.split_once('.').ok_or_else(|| bad_cursor(cursor))?;
            Some((at.parse::<i64>().map_err(|_| bad_cursor(cursor))?, id))
        }
    };
    let sessions = state.store.sessions_page(site_id, limit, before).await?;
    let full = i64::try_from(sessions.len()).unwrap_or(i64::MAX) >= limit;
    let cursor = sessions
        .last()
        .map(|s| format!("{}.{}", s.last_seen_ms, s.id));
    Ok((
        next_cursor(full, cursor),
        Json(
            sessions
                .into_iter()
                .map(|s| SessionDto {
                    id: s.id,
                    first_seen_ms: s.first_seen_ms,
                    last_seen_ms: s.last_seen_ms,
                    events: s.events,
                })
                .collect(),
        ),
    ))
}

/// One event of a session trail.
#[derive(Debug, Serialize)]
pub(super) struct EventDto {
    seq: i64,
    received_ms: i64,
    #[serde(flatten)]
    event: serde_json::Value,
}

pub(super) async fn session_events(
    State(state): State<AppState>,
    agent: Agent<ReadTickets>,
    Path(SessionPath { session_id }): Path<SessionPath>,
    Query(page): Query<Page>,
) -> Result<(HeaderMap, Json<Vec<EventDto>>), ApiError> {
    let site_id = agent.site_id.as_str();
    let limit = page.limit.unwrap_or(1000).clamp(1, 10_000);
    let before = match page.before.as_deref() {
        None => None,
        Some(cursor) => {
            let (at, seq) = cursor.split_once('.').ok_or_else(|| bad_cursor(cursor))?;
            let parse = |n: &str| n.parse::<i64>().map_err(|_| bad_cursor(cursor));
            Some((parse(at)?, parse(seq)?))
        }
    };
    let events = state
        .store
        .trail_page(
            &TrailQuery {
                site_id,
                session_id: &session_id,
                limit,
            },
            before,
        )
        .await?;
    let full = i64::try_from(events.len()).unwrap_or(i64::MAX) >= limit;
    let cursor = events.first().map(|e| format!("{}.{}", e.at_ms, e.seq));
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
    Ok((next_cursor(full, cursor), Json(dtos)))
}
