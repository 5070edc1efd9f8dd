//! Internal notes, assignment and removing collaborators (the console's actions
//! beside the escalation flow). Bodies are strict.

use axum::extract::{Path, Query, State};
use serde::Deserialize;

use super::TicketPath;
use super::auth::{ActOnTickets, Agent};
use super::tickets::{TicketDto, TrailDto, actor};
use crate::api::AppState;
use crate::api::error::ApiError;
use crate::api::json::Json;
use crate::flow::workspace as flow;

/// An internal note.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InternalNoteBody {
    /// Legacy: the acting agent, who must be the authenticated user.
    #[serde(default)]
    pub agent: Option<String>,
    /// The note, for agents only.
    pub text: String,
}

pub(super) async fn internal_note(
    State(state): State<AppState>,
    agent: Agent<ActOnTickets>,
    Path(TicketPath { ticket_id }): Path<TicketPath>,
    Json(body): Json<InternalNoteBody>,
) -> Result<Json<TrailDto>, ApiError> {
    let entry = flow::internal_note(
        &state.store,
        &agent.site_id,
        &ticket_id,
        actor(&agent, body.agent.as_deref())?,
        &body.text,
    )
    .await?;
    Ok(Json(entry.into()))
}

/// A new owner.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    /// Legacy: the acting agent, who must be the authenticated user.
    #[serde(default)]
    pub agent: Option<String>,
    /// The agent who will own the ticket.
    pub assignee: String,
}

pub(super) async fn assign(
    State(state): State<AppState>,
    agent: Agent<ActOnTickets>,
    Path(TicketPath { ticket_id }): Path<TicketPath>,
    Json(body): Json<AssignBody>,
) -> Result<Json<TicketDto>, ApiError> {
    let ticket = flow::assign(
        &state.store,
        &agent.site_id,
        &ticket_id,
        actor(&agent, body.agent.as_deref())?,
        &body.assignee,
    )
    .await?;
    Ok(Json(ticket.into()))
}

/// `?agent=` of a removal (a `DELETE` has no body).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActingAgent {
    /// Legacy: the acting agent, who must be the authenticated user.
    #[serde(default)]
    pub agent: Option<String>,
}

/// The collaborator named in the path.
#[derive(Debug, Deserialize)]
pub(super) struct CollaboratorPath {
    ticket_id: String,
    collaborator: String,
}

pub(super) async fn remove_collaborator(
    State(state): State<AppState>,
    agent: Agent<ActOnTickets>,
    Path(CollaboratorPath {
        ticket_id,
        collaborator,
    }): Path<CollaboratorPath>,
    Query(acting): Query<ActingAgent>,
) -> Result<Json<TicketDto>, ApiError> {
    let ticket = flow::remove_collaborator(
        &state.store,
        &agent.site_id,
        &ticket_id,
        actor(&agent, acting.agent.as_deref())?,
        &collaborator,
    )
    .await?;
    Ok(Json(ticket.into()))
}
