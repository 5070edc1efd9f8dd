//! Agent actions the console needs beside the escalation flow: internal notes
//! (agents only, never shown to the customer), assigning an owner, and removing a
//! collaborator. Each is one audited [`crate::storage::TicketChange`].

use serde_json::json;

use super::FlowError;
use super::agent::{Actor, agent_entry, commit, load_for};
use super::conversation::clean_text;
use super::scrub::{Scrub, site_settings};
use super::ticket::ensure_open;
use crate::storage::{Store, TicketChange, TicketRecord};

/// An internal note on the ticket: kept in its audit trail, shown to agents only.
pub async fn internal_note(
    store: &Store,
    site_id: &str,
    ticket_id: &str,
    actor: Actor<'_>,
    text: &str,
) -> Result<TicketRecord, FlowError> {
    let mut text = clean_text("text", text)?;
    text.scrub(&site_settings(store, site_id).await?);
    let (mut ticket, snapshot) = load_for(store, site_id, ticket_id, actor).await?;
    ticket.updated_at_ms = actor.now_ms;
    let change = TicketChange {
        trail: vec![agent_entry(actor, "internal_note", json!({ "text": text }))],
        ticket: Some(ticket.clone()),
        ..TicketChange::default()
    };
    ticket.version = commit(store, site_id, &snapshot, actor, "", change).await?;
    Ok(ticket)
}

/// Makes `assignee` the one owner; the previous owner stays on as a collaborator.
pub async fn assign(
    store: &Store,
    site_id: &str,
    ticket_id: &str,
    actor: Actor<'_>,
    assignee: &str,
) -> Result<TicketRecord, FlowError> {
    let assignee = assignee.trim();
    if assignee.is_empty() || assignee.len() > 128 {
        return Err(FlowError::Invalid(
            "assignee must be 1 to 128 characters".into(),
        ));
    }
    let (mut ticket, snapshot) = load_for(store, site_id, ticket_id, actor).await?;
    ensure_open(&ticket)?;
    let previous = ticket.owner.replace(assignee.to_owned());
    if previous.as_deref() == Some(assignee) {
        return Err(FlowError::Conflict(format!(
            "`{assignee}` already owns the ticket"
        )));
    }
    ticket.collaborators.retain(|c| c != assignee);
    if let Some(previous) = &previous
        && !ticket.collaborators.contains(previous)
    {
        ticket.collaborators.push(previous.clone());
        ticket.collaborators.sort();
    }
    ticket.updated_at_ms = actor.now_ms;
    let change = TicketChange {
        trail: vec![agent_entry(
            actor,
            "assigned",
            json!({ "owner": assignee, "previous_owner": previous }),
        )],
        ticket: Some(ticket.clone()),
        ..TicketChange::default()
    };
    ticket.version = commit(store, site_id, &snapshot, actor, "", change).await?;
    Ok(ticket)
}

/// Takes `collaborator` off the ticket; the owner cannot be removed this way.
pub async fn remove_collaborator(
    store: &Store,
    site_id: &str,
    ticket_id: &str,
    actor: Actor<'_>,
    collaborator: &str,
) -> Result<TicketRecord, FlowError> {
    let (mut ticket, snapshot) = load_for(store, site_id, ticket_id, actor).await?;
    let before = ticket.collaborators.len();
    ticket.collaborators.retain(|c| c != collaborator);
    if ticket.collaborators.len() == before {
        return Err(FlowError::NotFound(format!(
            "`{collaborator}` is not a collaborator on this ticket"
        )));
    }
    ticket.updated_at_ms = actor.now_ms;
    let change = TicketChange {
        trail: vec![agent_entry(
            actor,
            "collaborator_removed",
            json!({ "collaborator": collaborator }),
        )],
        ticket: Some(ticket.clone()),
        ..TicketChange::default()
    };
    ticket.version = commit(store, site_id, &snapshot, actor, "", change).await?;
    Ok(ticket)
}
