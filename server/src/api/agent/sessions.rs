//! Sessions and their page trails, as the widget recorded them.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};

use super::{authorize, ensure_site};
use crate::api::AppState;
use crate::api::error::ApiError;
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

pub(super) async fn list_sessions(
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
pub(super) struct Limit {
    limit: Option<i64>,
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
