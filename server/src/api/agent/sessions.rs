//! Sessions and their page trails, as the widget recorded them.

use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};

use super::SessionPath;
use super::auth::{Agent, ReadTickets};
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
    agent: Agent<ReadTickets>,
) -> Result<Json<Vec<SessionDto>>, ApiError> {
    let site_id = agent.site_id.as_str();
    let sessions = state.store.recent_sessions(site_id, 100).await?;
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
    agent: Agent<ReadTickets>,
    Path(SessionPath { session_id }): Path<SessionPath>,
    Query(limit): Query<Limit>,
) -> Result<Json<Vec<EventDto>>, ApiError> {
    let site_id = agent.site_id.as_str();
    let limit = limit.limit.unwrap_or(1000).clamp(1, 10_000);
    let events = state
        .store
        .trail(&TrailQuery {
            site_id,
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
