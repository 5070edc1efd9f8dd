//! Pure operations on a ticket record: create at a tier, escalate (up a tier),
//! transfer (sideways), acknowledge, add a collaborator, resolve, reopen, and the
//! SLA risk the queue is ordered by. Each checks the matrix and the state machine
//! from `core` and returns what the audit trail records.

use serde_json::json;
use waymark_core::domain::{
    Assignment, EscalationType, Handoff, LifecycleStage, Priority, Resolution, TicketAction,
};
use waymark_core::ids::{AgentId, TeamId, TierId};
use waymark_core::matrix::{EscalationMatrix, Tier};

use super::FlowError;
use crate::storage::{TicketRecord, TrailEntry};

/// A new ticket at `tier`, with both SLA clocks running from `now_ms`.
pub fn new_ticket(
    id: String,
    conversation_id: String,
    tier: &Tier,
    subject: String,
    now_ms: i64,
) -> TicketRecord {
    TicketRecord {
        id,
        conversation_id,
        state: waymark_core::domain::TicketState::New,
        tier: tier.id.as_str().to_owned(),
        team: None,
        owner: None,
        collaborators: Vec::new(),
        priority: Priority::Normal,
        escalation_type: None,
        stage: LifecycleStage::Intake,
        subject,
        escalated: false,
        at_tier_since_ms: now_ms,
        ack_due_ms: Some(now_ms.saturating_add(tier.ack_sla.0)),
        acknowledged_at_ms: None,
        resolution_due_ms: Some(now_ms.saturating_add(tier.resolution_sla.0)),
        resolved_at_ms: None,
        resolution: None,
        fired_rules: Vec::new(),
        created_at_ms: now_ms,
        updated_at_ms: now_ms,
        version: 1,
    }
}

fn tier<'a>(matrix: &'a EscalationMatrix, id: &str) -> Result<&'a Tier, FlowError> {
    matrix
        .tier(&TierId::new(id))
        .ok_or_else(|| FlowError::Invalid(format!("the matrix has no tier `{id}`")))
}

/// Moves the ticket up to `to_tier`. The receiving tier must acknowledge it again,
/// so the ticket is new there with fresh SLA clocks.
pub fn escalate(
    ticket: &mut TicketRecord,
    matrix: &EscalationMatrix,
    to_tier: &str,
    escalation_type: EscalationType,
    priority: Priority,
    now_ms: i64,
) -> Result<Handoff, FlowError> {
    ensure_open(ticket)?;
    let from = tier(matrix, &ticket.tier)?;
    let to = tier(matrix, to_tier)?;
    let stage = ticket.stage;
    let handoff = Handoff::escalate(from, to, escalation_type, stage)
        .map_err(|err| FlowError::Invalid(err.to_string()))?;
    ticket.tier = to.id.as_str().to_owned();
    ticket.team = None;
    ticket.state = waymark_core::domain::TicketState::New;
    ticket.escalated = true;
    ticket.escalation_type = Some(escalation_type);
    ticket.priority = ticket.priority.max(priority);
    ticket.at_tier_since_ms = now_ms;
    ticket.ack_due_ms = Some(now_ms.saturating_add(to.ack_sla.0));
    ticket.acknowledged_at_ms = None;
    ticket.resolution_due_ms = Some(now_ms.saturating_add(to.resolution_sla.0));
    ticket.stage = stage.max(LifecycleStage::Triage);
    ticket.updated_at_ms = now_ms;
    Ok(handoff)
}

/// Moves the ticket sideways to `to_team` at its own tier.
pub fn transfer(
    ticket: &mut TicketRecord,
    matrix: &EscalationMatrix,
    to_team: &str,
    now_ms: i64,
) -> Result<Handoff, FlowError> {
    ensure_open(ticket)?;
    let team = matrix
        .team(&TeamId::new(to_team))
        .ok_or_else(|| FlowError::Invalid(format!("the matrix has no team `{to_team}`")))?;
    let handoff = Handoff::transfer(
        &TierId::new(ticket.tier.clone()),
        ticket.team.clone().map(TeamId::new),
        team,
        ticket.stage,
    )
    .map_err(|err| FlowError::Invalid(err.to_string()))?;
    ticket.team = Some(to_team.to_owned());
    ticket.updated_at_ms = now_ms;
    Ok(handoff)
}

/// The tier confirms it has the ticket: the acknowledgement SLA stops and the
/// acknowledging agent owns it unless someone does already.
pub fn acknowledge(ticket: &mut TicketRecord, agent: &str, now_ms: i64) -> Result<(), FlowError> {
    ticket.state = ticket
        .state
        .apply(TicketAction::Acknowledge)
        .map_err(|err| FlowError::Conflict(err.to_string()))?;
    if ticket.owner.is_none() {
        ticket.owner = Some(agent.to_owned());
        ticket.collaborators.retain(|c| c != agent);
    }
    ticket.acknowledged_at_ms = Some(now_ms);
    ticket.ack_due_ms = None;
    ticket.stage = ticket.stage.max(LifecycleStage::Investigation);
    ticket.updated_at_ms = now_ms;
    Ok(())
}

/// Adds a specialist without changing the owner.
pub fn add_collaborator(
    ticket: &mut TicketRecord,
    collaborator: &str,
    now_ms: i64,
) -> Result<(), FlowError> {
    ensure_open(ticket)?;
    let owner = ticket.owner.clone().ok_or_else(|| {
        FlowError::Conflict("the ticket has no owner yet: acknowledge it first".into())
    })?;
    let mut assignment = Assignment::new(AgentId::new(owner));
    for existing in &ticket.collaborators {
        let _ = assignment.add_collaborator(AgentId::new(existing.clone()));
    }
    assignment
        .add_collaborator(AgentId::new(collaborator))
        .map_err(|err| FlowError::Conflict(err.to_string()))?;
    ticket.collaborators = assignment
        .collaborators()
        .map(|agent| agent.as_str().to_owned())
        .collect();
    ticket.updated_at_ms = now_ms;
    Ok(())
}

/// Resolves the ticket; an escalated ticket needs every resolution field.
pub fn resolve(
    ticket: &mut TicketRecord,
    resolution: Resolution,
    now_ms: i64,
) -> Result<(), FlowError> {
    let missing = resolution.missing_fields(ticket.escalated);
    if !missing.is_empty() {
        return Err(FlowError::Invalid(format!(
            "an escalated ticket needs {} to be resolved",
            missing.join(", ")
        )));
    }
    ticket.state = ticket
        .state
        .apply(TicketAction::Resolve)
        .map_err(|err| FlowError::Conflict(err.to_string()))?;
    ticket.resolution = Some(resolution);
    ticket.resolved_at_ms = Some(now_ms);
    ticket.ack_due_ms = None;
    ticket.resolution_due_ms = None;
    ticket.stage = LifecycleStage::Documentation;
    ticket.updated_at_ms = now_ms;
    Ok(())
}

/// Brings a resolved or closed ticket back, in progress with its owner.
pub fn reopen(
    ticket: &mut TicketRecord,
    matrix: &EscalationMatrix,
    now_ms: i64,
) -> Result<(), FlowError> {
    ticket.state = ticket
        .state
        .apply(TicketAction::Reopen)
        .map_err(|err| FlowError::Conflict(err.to_string()))?;
    let at = tier(matrix, &ticket.tier)?;
    ticket.resolved_at_ms = None;
    ticket.resolution_due_ms = Some(now_ms.saturating_add(at.resolution_sla.0));
    ticket.stage = LifecycleStage::Investigation;
    ticket.updated_at_ms = now_ms;
    Ok(())
}

fn ensure_open(ticket: &TicketRecord) -> Result<(), FlowError> {
    if ticket.state.is_open() {
        Ok(())
    } else {
        Err(FlowError::Conflict(format!(
            "the ticket is {}: reopen it first",
            ticket.state
        )))
    }
}

/// Milliseconds until the next running SLA is due (negative once breached);
/// `None` when no SLA runs. The queue puts the smallest first.
pub fn sla_risk_ms(ticket: &TicketRecord, now_ms: i64) -> Option<i64> {
    [ticket.ack_due_ms, ticket.resolution_due_ms]
        .into_iter()
        .flatten()
        .min()
        .map(|due| due - now_ms)
}

/// The trail entry of a handoff.
pub fn handoff_entry(actor: &str, handoff: &Handoff, reason: &str, now_ms: i64) -> TrailEntry {
    let action = match handoff {
        Handoff::Escalation { .. } => "escalated",
        Handoff::Transfer { .. } => "transferred",
    };
    TrailEntry {
        at_ms: now_ms,
        actor: actor.to_owned(),
        action: action.to_owned(),
        detail: json!({ "handoff": handoff, "reason": reason }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use waymark_core::domain::TicketState;

    fn setup() -> (EscalationMatrix, TicketRecord) {
        let matrix = waymark_core::matrix::load_toml(crate::flow::DEFAULT_MATRIX).unwrap();
        let tier1 = matrix.tier(&TierId::new("tier1")).unwrap().clone();
        let ticket = new_ticket("t1".into(), "c1".into(), &tier1, "Payment".into(), 0);
        (matrix, ticket)
    }

    #[test]
    fn escalation_goes_up_and_restarts_acknowledgement() {
        let (matrix, mut ticket) = setup();
        acknowledge(&mut ticket, "ann", 10).unwrap();
        escalate(
            &mut ticket,
            &matrix,
            "tier2",
            EscalationType::Priority,
            Priority::High,
            100,
        )
        .unwrap();
        assert_eq!(ticket.tier, "tier2");
        assert_eq!(ticket.state, TicketState::New);
        assert_eq!(ticket.ack_due_ms, Some(100 + 2 * 3_600_000));
        assert_eq!(ticket.priority, Priority::High);
        let err = escalate(
            &mut ticket,
            &matrix,
            "tier1",
            EscalationType::Functional,
            Priority::Normal,
            200,
        )
        .unwrap_err();
        assert!(err.to_string().contains("escalation must go up"));
    }

    #[test]
    fn transfer_stays_at_tier_and_collaborator_keeps_owner() {
        let (matrix, mut ticket) = setup();
        assert!(transfer(&mut ticket, &matrix, "billing", 1).is_err());
        escalate(
            &mut ticket,
            &matrix,
            "tier2",
            EscalationType::Functional,
            Priority::Normal,
            1,
        )
        .unwrap();
        acknowledge(&mut ticket, "sam", 2).unwrap();
        transfer(&mut ticket, &matrix, "billing", 3).unwrap();
        add_collaborator(&mut ticket, "eve", 4).unwrap();
        assert_eq!(ticket.owner.as_deref(), Some("sam"));
        assert_eq!(ticket.collaborators, vec!["eve"]);
        assert!(add_collaborator(&mut ticket, "sam", 5).is_err());
    }

    #[test]
    fn escalated_ticket_needs_full_resolution() {
        let (matrix, mut ticket) = setup();
        escalate(
            &mut ticket,
            &matrix,
            "tier2",
            EscalationType::Functional,
            Priority::Normal,
            1,
        )
        .unwrap();
        acknowledge(&mut ticket, "sam", 2).unwrap();
        let err = resolve(&mut ticket, Resolution::default(), 3).unwrap_err();
        assert!(err.to_string().contains("root_cause"));
        let full = Resolution {
            root_cause: "a".into(),
            fix: "b".into(),
            environment: "c".into(),
            version: "d".into(),
        };
        resolve(&mut ticket, full, 4).unwrap();
        assert_eq!(ticket.state, TicketState::Resolved);
        assert_eq!(sla_risk_ms(&ticket, 4), None);
        reopen(&mut ticket, &matrix, 5).unwrap();
        assert_eq!(ticket.state, TicketState::InProgress);
    }
}
