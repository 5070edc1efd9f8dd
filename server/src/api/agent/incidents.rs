//! Incidents: list, view with every linked session, conversation and customer,
//! and resolve (which notifies every linked customer and updates their tickets).

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};

use super::auth::{ActOnTickets, Agent, ReadTickets};
use crate::api::AppState;
use crate::api::error::{ApiError, ErrorCode};
use crate::api::json::Json;
use crate::storage::escalation::{IncidentLink, IncidentRecord, IncidentState};
use crate::storage::now_ms;

/// An incident as agents see it.
#[derive(Debug, Serialize)]
pub struct IncidentDto {
    id: String,
    fingerprint: String,
    title: String,
    state: IncidentState,
    opened_at_ms: i64,
    resolved_at_ms: Option<i64>,
    resolved_by: Option<String>,
    resolution_note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    affected: Option<Vec<LinkDto>>,
}

/// One affected session.
#[derive(Debug, Serialize)]
pub struct LinkDto {
    session_id: String,
    conversation_id: Option<String>,
    customer: Option<String>,
    linked_at_ms: i64,
}

impl From<IncidentLink> for LinkDto {
    fn from(l: IncidentLink) -> Self {
        Self {
            session_id: l.session_id,
            conversation_id: l.conversation_id,
            customer: l.customer,
            linked_at_ms: l.linked_at_ms,
        }
    }
}

fn dto(i: IncidentRecord, affected: Option<Vec<IncidentLink>>) -> IncidentDto {
    IncidentDto {
        id: i.id,
        fingerprint: i.fingerprint,
        title: i.title,
        state: i.state,
        opened_at_ms: i.opened_at_ms,
        resolved_at_ms: i.resolved_at_ms,
        resolved_by: i.resolved_by,
        resolution_note: i.resolution_note,
        affected: affected.map(|links| links.into_iter().map(LinkDto::from).collect()),
    }
}

pub(super) async fn list(
    State(state): State<AppState>,
    agent: Agent<ReadTickets>,
) -> Result<Json<Vec<IncidentDto>>, ApiError> {
    let incidents = state.store.incidents(&agent.site_id).await?;
    Ok(Json(incidents.into_iter().map(|i| dto(i, None)).collect()))
}

pub(super) async fn detail(
    State(state): State<AppState>,
    agent: Agent<ReadTickets>,
    Path((_, incident_id)): Path<(String, String)>,
) -> Result<Json<IncidentDto>, ApiError> {
    let site_id = agent.site_id.as_str();
    let incident = state
        .store
        .incident(site_id, &incident_id)
        .await?
        .ok_or_else(|| {
            ApiError::new(ErrorCode::NotFound, format!("no incident `{incident_id}`"))
        })?;
    let links = state.store.incident_links(site_id, &incident_id).await?;
    Ok(Json(dto(incident, Some(links))))
}

/// How an incident was resolved.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    /// The resolving agent; the authenticated user (a different name is refused).
    #[serde(default)]
    agent: Option<String>,
    /// What was fixed, as customers will read it.
    #[serde(default)]
    note: String,
}

pub(super) async fn resolve(
    State(state): State<AppState>,
    caller: Agent<ActOnTickets>,
    Path((_, incident_id)): Path<(String, String)>,
    Json(body): Json<ResolveBody>,
) -> Result<Json<IncidentDto>, ApiError> {
    let site_id = caller.site_id.as_str();
    let agent = caller.actor_id(body.agent.as_deref())?;
    if body.note.len() > 4_000 {
        return Err(ApiError::new(
            ErrorCode::InvalidValue,
            "note must be at most 4000 bytes",
        ));
    }
    let resolved = crate::jobs::incidents::resolve(
        &state.store,
        site_id,
        &incident_id,
        agent,
        &body.note,
        now_ms(),
    )
    .await?
    .ok_or_else(|| {
        ApiError::new(
            ErrorCode::Conflict,
            format!("incident `{incident_id}` is already resolved"),
        )
    })?;
    let links = state.store.incident_links(site_id, &incident_id).await?;
    Ok(Json(dto(resolved, Some(links))))
}
