//! Internal notes, assignment and removing collaborators (the console's actions
//! beside the escalation flow). Bodies are strict.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};

use super::TicketPath;
use super::auth::{ActOnTickets, Agent};
use super::requests::{Terms, actor, earlier, terms};
use super::tickets::TicketDto;
use crate::api::AppState;
use crate::api::error::ApiError;
use crate::api::json::Json;
use crate::flow::workspace as flow;

/// An internal note.
#[derive(Debug, Deserialize, Serialize)]
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
    headers: HeaderMap,
    Json(body): Json<InternalNoteBody>,
) -> Result<Json<TicketDto>, ApiError> {
    let terms = terms(&headers, "internal_note", &ticket_id, &body, None)?;
    if let Some(replayed) = replay(&state, &agent, &terms, &ticket_id).await? {
        return Ok(replayed);
    }
    let ticket = flow::internal_note(
        &state.store,
        &agent.site_id,
        &ticket_id,
        actor(&agent, body.agent.as_deref(), &terms)?,
        &body.text,
    )
    .await?;
    Ok(Json(ticket.into()))
}

/// The ticket as it is now, when the request's key was used before by the same
/// request (it is applied once).
async fn replay(
    state: &AppState,
    agent: &Agent<ActOnTickets>,
    terms: &Terms,
    ticket_id: &str,
) -> Result<Option<Json<TicketDto>>, ApiError> {
    if earlier(state, agent, terms).await?.is_none() {
        return Ok(None);
    }
    let ticket = crate::flow::agent::ticket_record(&state.store, &agent.site_id, ticket_id).await?;
    Ok(Some(Json(ticket.into())))
}

/// A new owner.
#[derive(Debug, Deserialize, Serialize)]
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
    headers: HeaderMap,
    Json(body): Json<AssignBody>,
) -> Result<Json<TicketDto>, ApiError> {
    let terms = terms(&headers, "assign", &ticket_id, &body, None)?;
    if let Some(replayed) = replay(&state, &agent, &terms, &ticket_id).await? {
        return Ok(replayed);
    }
    let ticket = flow::assign(
        &state.store,
        &agent.site_id,
        &ticket_id,
        actor(&agent, body.agent.as_deref(), &terms)?,
        &body.assignee,
    )
    .await?;
    Ok(Json(ticket.into()))
}

/// `?agent=` of a removal (a `DELETE` has no body).
#[derive(Debug, Deserialize, Serialize)]
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
    headers: HeaderMap,
) -> Result<Json<TicketDto>, ApiError> {
    let action = format!("remove_collaborator {collaborator}");
    let terms = terms(&headers, &action, &ticket_id, &acting, None)?;
    if let Some(replayed) = replay(&state, &agent, &terms, &ticket_id).await? {
        return Ok(replayed);
    }
    let ticket = flow::remove_collaborator(
        &state.store,
        &agent.site_id,
        &ticket_id,
        actor(&agent, acting.agent.as_deref(), &terms)?,
        &collaborator,
    )
    .await?;
    Ok(Json(ticket.into()))
}
