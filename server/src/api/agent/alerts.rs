//! Early-warning alerts: list them, and record an agent's decision (confirm the
//! recommended next step, adjust it, or dismiss the alert) with the agent and a
//! trail entry on the ticket, for the over/under-triggering review.

use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::{ActOnTickets, Agent, ReadTickets};
use crate::api::AppState;
use crate::api::error::{ApiError, ErrorCode};
use crate::api::json::Json;
use crate::storage::escalation::{AlertRecord, AlertState};
use crate::storage::{TicketChange, TrailEntry, now_ms};

/// An alert as agents see it.
#[derive(Debug, Serialize)]
pub struct AlertDto {
    id: String,
    ticket_id: String,
    kind: String,
    reason: String,
    next_step: String,
    state: AlertState,
    decided_by: Option<String>,
    decision_note: Option<String>,
    decided_at_ms: Option<i64>,
    created_at_ms: i64,
}

impl From<AlertRecord> for AlertDto {
    fn from(a: AlertRecord) -> Self {
        Self {
            id: a.id,
            ticket_id: a.ticket_id,
            kind: a.kind,
            reason: a.reason,
            next_step: a.next_step,
            state: a.state,
            decided_by: a.decided_by,
            decision_note: a.decision_note,
            decided_at_ms: a.decided_at_ms,
            created_at_ms: a.created_at_ms,
        }
    }
}

/// `?state=open`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsQuery {
    #[serde(default)]
    state: Option<AlertState>,
}

pub(super) async fn list(
    State(state): State<AppState>,
    agent: Agent<ReadTickets>,
    Query(query): Query<AlertsQuery>,
) -> Result<Json<Vec<AlertDto>>, ApiError> {
    let alerts = state.store.alerts(&agent.site_id, query.state).await?;
    Ok(Json(alerts.into_iter().map(AlertDto::from).collect()))
}

/// What an agent decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Do the recommended next step.
    Confirm,
    /// Something is wrong, but do `next_step` instead.
    Adjust,
    /// A false alarm.
    Dismiss,
}

/// The decision body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// The deciding agent; the authenticated user (a different name is refused).
    #[serde(default)]
    agent: Option<String>,
    /// `confirm`, `adjust` or `dismiss`.
    decision: Decision,
    /// The adjusted next step (`adjust` only, required there).
    #[serde(default)]
    next_step: Option<String>,
    /// Why.
    #[serde(default)]
    note: Option<String>,
}

pub(super) async fn decide(
    State(state): State<AppState>,
    caller: Agent<ActOnTickets>,
    Path((_, alert_id)): Path<(String, String)>,
    Json(body): Json<DecisionBody>,
) -> Result<Json<AlertDto>, ApiError> {
    let site_id = caller.site_id.as_str();
    let agent = caller.actor_id(body.agent.as_deref())?;
    let alert = state
        .store
        .alert(site_id, &alert_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no alert `{alert_id}`")))?;
    let adjusted = body
        .next_step
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let (new_state, next_step) = match (body.decision, adjusted) {
        (Decision::Adjust, Some(step)) => (AlertState::Adjusted, step.to_owned()),
        (Decision::Adjust, None) => {
            return Err(ApiError::new(
                ErrorCode::InvalidValue,
                "next_step is required to adjust an alert",
            ));
        }
        (Decision::Confirm, _) => (AlertState::Confirmed, alert.next_step.clone()),
        (Decision::Dismiss, _) => (AlertState::Dismissed, alert.next_step.clone()),
    };
    let now = now_ms();
    let ticket = state
        .store
        .ticket(site_id, &alert.ticket_id)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::NotFound,
                format!("no ticket `{}`", alert.ticket_id),
            )
        })?;
    let decided = AlertRecord {
        state: new_state,
        next_step: next_step.clone(),
        decided_by: Some(agent.to_owned()),
        decision_note: body.note.clone(),
        decided_at_ms: Some(now),
        ..alert.clone()
    };
    let change = TicketChange {
        trail: vec![TrailEntry {
            at_ms: now,
            actor: format!("agent:{agent}"),
            action: "alert_decided".into(),
            detail: json!({
                "alert": alert.id, "kind": alert.kind, "decision": new_state,
                "next_step": next_step, "note": body.note,
            }),
        }],
        ticket: Some(ticket.clone()),
        ..TicketChange::default()
    };
    if !state
        .store
        .decide_alert(site_id, &ticket.conversation_id, &decided, &change)
        .await?
    {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("alert `{alert_id}` was already decided"),
        ));
    }
    Ok(Json(decided.into()))
}
