//! Internal notes, assignment and removing collaborators (the console's actions
//! beside the escalation flow). Bodies are strict.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde::Deserialize;

use super::authorize;
use super::tickets::{TicketDto, TrailDto, actor};
use crate::api::AppState;
use crate::api::error::ApiError;
use crate::api::json::Json;
use crate::flow::workspace as flow;

/// An internal note.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InternalNoteBody {
    /// The acting agent.
    pub agent: String,
    /// The note, for agents only.
    pub text: String,
}

pub(super) async fn internal_note(
    State(state): State<AppState>,
    Path((site_id, ticket_id)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<InternalNoteBody>,
) -> Result<Json<TrailDto>, ApiError> {
    authorize(&state, &headers)?;
    let entry = flow::internal_note(
        &state.store,
        &site_id,
        &ticket_id,
        actor(&body.agent)?,
        &body.text,
    )
    .await?;
    Ok(Json(entry.into()))
}

/// A new owner.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    /// The acting agent.
    pub agent: String,
    /// The agent who will own the ticket.
    pub assignee: String,
}

pub(super) async fn assign(
    State(state): State<AppState>,
    Path((site_id, ticket_id)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<AssignBody>,
) -> Result<Json<TicketDto>, ApiError> {
    authorize(&state, &headers)?;
    let ticket = flow::assign(
        &state.store,
        &site_id,
        &ticket_id,
        actor(&body.agent)?,
        &body.assignee,
    )
    .await?;
    Ok(Json(ticket.into()))
}

/// `?agent=` of a removal (a `DELETE` has no body).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActingAgent {
    /// The acting agent.
    pub agent: String,
}

pub(super) async fn remove_collaborator(
    State(state): State<AppState>,
    Path((site_id, ticket_id, collaborator)): Path<(String, String, String)>,
    axum::extract::Query(acting): axum::extract::Query<ActingAgent>,
    headers: HeaderMap,
) -> Result<Json<TicketDto>, ApiError> {
    authorize(&state, &headers)?;
    let ticket = flow::remove_collaborator(
        &state.store,
        &site_id,
        &ticket_id,
        actor(&acting.agent)?,
        &collaborator,
    )
    .await?;
    Ok(Json(ticket.into()))
}
