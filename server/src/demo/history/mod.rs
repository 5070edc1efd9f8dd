//! Past tickets and suggestion sets written as the flow would have stored them
//! (conversation, customer messages, ticket, audit trail with handoffs, alerts
//! with their decisions, CSAT), so reports have a history to show: the demo
//! seeds [`demo_history`] (30 days of a small support team, `generate`), and the
//! report tests build their fixture with the same writer.

mod generate;

pub use generate::{DEMO_HISTORY_DAYS, demo_history, seed_demo_history};

use serde_json::json;
use waymark_core::domain::{
    EscalationType, Handoff, LifecycleStage, Priority, Resolution, TicketState,
};
use waymark_core::ids::{TeamId, TierId};
use waymark_core::wire::{ConversationStatus, MessageAuthor, PageInfo};

use crate::storage::escalation::{AlertRecord, AlertState};
use crate::storage::suggestions::{ShownSuggestions, SuggestionVerdict};
use crate::storage::tickets::CsatRecord;
use crate::storage::{
    ConversationRecord, MessageRecord, Store, StoreError, TicketChange, TicketRecord, TrailEntry,
};

/// Who did something to a past ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PastActor {
    /// A matrix rule.
    Rule(String),
    /// An agent (user id).
    Agent(String),
}

impl PastActor {
    fn trail_name(&self) -> String {
        match self {
            PastActor::Rule(rule) => format!("rule:{rule}"),
            PastActor::Agent(agent) => format!("agent:{agent}"),
        }
    }
}

/// One thing that happened to a past ticket.
#[derive(Debug, Clone, PartialEq)]
pub enum PastStep {
    /// Moved up to `to_tier`.
    Escalate {
        /// When.
        at_ms: i64,
        /// By whom.
        by: PastActor,
        /// The tier above.
        to_tier: String,
    },
    /// Moved sideways to `to_team`.
    Transfer {
        /// When.
        at_ms: i64,
        /// By whom.
        by: PastActor,
        /// The team.
        to_team: String,
    },
    /// The tier acknowledged it; the agent owns it if nobody does.
    Acknowledge {
        /// When.
        at_ms: i64,
        /// The agent.
        agent: String,
    },
    /// An SLA (`acknowledgement` or `resolution`) breached at the current tier.
    Breach {
        /// When.
        at_ms: i64,
        /// Which SLA.
        sla: &'static str,
    },
    /// Resolved.
    Resolve {
        /// When.
        at_ms: i64,
        /// The agent.
        agent: String,
    },
    /// Reopened.
    Reopen {
        /// When.
        at_ms: i64,
        /// The agent.
        agent: String,
    },
    /// An early warning raised, and what an agent decided (`Open`: nothing yet).
    Alert {
        /// When.
        at_ms: i64,
        /// Its kind.
        kind: String,
        /// The decision.
        decision: AlertState,
    },
}

impl PastStep {
    fn at_ms(&self) -> i64 {
        match self {
            PastStep::Escalate { at_ms, .. }
            | PastStep::Transfer { at_ms, .. }
            | PastStep::Acknowledge { at_ms, .. }
            | PastStep::Breach { at_ms, .. }
            | PastStep::Resolve { at_ms, .. }
            | PastStep::Reopen { at_ms, .. }
            | PastStep::Alert { at_ms, .. } => *at_ms,
        }
    }
}

/// A past ticket with its conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct PastTicket {
    /// Ticket id (the conversation is `c-<id>`).
    pub id: String,
    /// The widget session.
    pub session_id: String,
    /// Subject line.
    pub subject: String,
    /// The route of the page it started on.
    pub route: Option<String>,
    /// Created, at the first tier.
    pub created_at_ms: i64,
    /// The customer's messages, one a minute from creation.
    pub customer_messages: Vec<String>,
    /// What happened, in order.
    pub steps: Vec<PastStep>,
    /// The customer's rating.
    pub csat: Option<i64>,
}

/// Writes `past` for `site_id` as the flow would have stored it. `first_tier` is
/// the tier tickets start at.
pub async fn write_past_ticket(
    store: &Store,
    site_id: &str,
    first_tier: &str,
    past: &PastTicket,
) -> Result<(), StoreError> {
    let conversation_id = format!("c-{}", past.id);
    let mut ticket = TicketRecord {
        id: past.id.clone(),
        conversation_id: conversation_id.clone(),
        state: TicketState::New,
        tier: first_tier.to_owned(),
        team: None,
        owner: None,
        collaborators: Vec::new(),
        priority: Priority::Normal,
        escalation_type: None,
        stage: LifecycleStage::Intake,
        subject: past.subject.clone(),
        escalated: false,
        at_tier_since_ms: past.created_at_ms,
        ack_due_ms: None,
        acknowledged_at_ms: None,
        resolution_due_ms: None,
        resolved_at_ms: None,
        resolution: None,
        fired_rules: Vec::new(),
        created_at_ms: past.created_at_ms,
        updated_at_ms: past.created_at_ms,
        version: 1,
    };
    let mut trail = vec![entry(
        past.created_at_ms,
        "system",
        "created",
        json!({ "tier": first_tier }),
    )];
    let mut alerts = Vec::new();
    for step in &past.steps {
        let at_ms = step.at_ms();
        ticket.updated_at_ms = ticket.updated_at_ms.max(at_ms);
        match step {
            PastStep::Escalate { by, to_tier, .. } => {
                let handoff = Handoff::Escalation {
                    from_tier: TierId::new(ticket.tier.clone()),
                    to_tier: TierId::new(to_tier.clone()),
                    escalation_type: match by {
                        PastActor::Rule(_) => EscalationType::Automated,
                        PastActor::Agent(_) => EscalationType::Functional,
                    },
                    stage: ticket.stage,
                };
                ticket.tier = to_tier.clone();
                ticket.team = None;
                ticket.state = TicketState::New;
                ticket.escalated = true;
                ticket.at_tier_since_ms = at_ms;
                ticket.acknowledged_at_ms = None;
                ticket.stage = ticket.stage.max(LifecycleStage::Triage);
                if let PastActor::Rule(rule) = by {
                    ticket.fired_rules.push(rule.clone());
                }
                trail.push(entry(
                    at_ms,
                    &by.trail_name(),
                    "escalated",
                    json!({ "handoff": handoff, "reason": "" }),
                ));
            }
            PastStep::Transfer { by, to_team, .. } => {
                let handoff = Handoff::Transfer {
                    tier: TierId::new(ticket.tier.clone()),
                    from_team: ticket.team.clone().map(TeamId::new),
                    to_team: TeamId::new(to_team.clone()),
                    stage: ticket.stage,
                };
                ticket.team = Some(to_team.clone());
                if let PastActor::Rule(rule) = by {
                    ticket.fired_rules.push(rule.clone());
                }
                trail.push(entry(
                    at_ms,
                    &by.trail_name(),
                    "transferred",
                    json!({ "handoff": handoff, "reason": "" }),
                ));
            }
            PastStep::Acknowledge { agent, .. } => {
                ticket.state = TicketState::Acknowledged;
                ticket.owner.get_or_insert_with(|| agent.clone());
                ticket.acknowledged_at_ms = Some(at_ms);
                ticket.stage = ticket.stage.max(LifecycleStage::Investigation);
                trail.push(entry(
                    at_ms,
                    &format!("agent:{agent}"),
                    "acknowledged",
                    json!({ "owner": ticket.owner }),
                ));
            }
            PastStep::Breach { sla, .. } => trail.push(entry(
                at_ms,
                "system",
                "sla_breached",
                json!({ "sla": sla, "tier": ticket.tier, "at_tier_since_ms": ticket.at_tier_since_ms }),
            )),
            PastStep::Resolve { agent, .. } => {
                let resolution = Resolution {
                    root_cause: "Known issue".into(),
                    fix: "Explained the fix".into(),
                    environment: "web".into(),
                    version: "1.0".into(),
                };
                ticket.state = TicketState::Resolved;
                ticket.resolved_at_ms = Some(at_ms);
                ticket.stage = LifecycleStage::Documentation;
                trail.push(entry(
                    at_ms,
                    &format!("agent:{agent}"),
                    "resolved",
                    json!({ "resolution": resolution }),
                ));
                ticket.resolution = Some(resolution);
            }
            PastStep::Reopen { agent, .. } => {
                ticket.state = TicketState::InProgress;
                ticket.resolved_at_ms = None;
                ticket.stage = LifecycleStage::Investigation;
                trail.push(entry(
                    at_ms,
                    &format!("agent:{agent}"),
                    "reopened",
                    json!({ "reason": "" }),
                ));
            }
            PastStep::Alert { kind, decision, .. } => alerts.push((at_ms, kind, *decision)),
        }
    }
    let status = match ticket.state {
        TicketState::Resolved => ConversationStatus::Resolved,
        _ if ticket.escalated => ConversationStatus::Escalated,
        _ => ConversationStatus::WithAgent,
    };
    let page = past.route.as_ref().map(|route| {
        crate::storage::to_json(&PageInfo {
            url: format!("https://app.example{route}"),
            route: route.clone(),
            title: "Acme Ledger".into(),
            ..PageInfo::default()
        })
    });
    let conversation = ConversationRecord {
        id: conversation_id.clone(),
        session_id: past.session_id.clone(),
        token_hash: format!("past-{}", past.id),
        idempotency_key: format!("past-{}", past.id),
        status,
        customer_id: None,
        customer_name: None,
        customer_email: None,
        page,
        rule: None,
        rejected_answers: Vec::new(),
        notice: None,
        plan: None,
        account_tier: None,
        identity_verified: false,
        created_at_ms: past.created_at_ms,
        updated_at_ms: ticket.updated_at_ms,
    };
    let messages = past
        .customer_messages
        .iter()
        .zip(0i64..)
        .map(|(text, n)| MessageRecord {
            seq: 0,
            id: format!("m-{}-{n}", past.id),
            conversation_id: conversation_id.clone(),
            idempotency_key: None,
            author: MessageAuthor::Customer,
            author_name: None,
            text: text.clone(),
            sentiment: None,
            at_ms: past.created_at_ms + n * 60_000,
        })
        .collect();
    let change = TicketChange {
        new_conversation: Some(conversation),
        ticket: Some(ticket.clone()),
        trail,
        messages,
        ..TicketChange::default()
    };
    store
        .commit_ticket_change(site_id, &conversation_id, &change)
        .await?;
    for (at_ms, kind, decision) in alerts {
        let raised = AlertRecord {
            id: format!("a-{}-{kind}", past.id),
            ticket_id: past.id.clone(),
            kind: kind.clone(),
            reason: past_alert_reason(kind).into(),
            next_step: past_alert_step(kind).into(),
            state: AlertState::Open,
            decided_by: None,
            decision_note: None,
            decided_at_ms: None,
            created_at_ms: at_ms,
        };
        let noted = |action: &str, detail| TicketChange {
            ticket: Some(ticket.clone()),
            trail: vec![entry(at_ms, "system", action, detail)],
            ..TicketChange::default()
        };
        store
            .raise_alert(
                site_id,
                &conversation_id,
                &raised,
                &noted("alert_raised", json!({ "alert": raised.id, "kind": kind })),
            )
            .await?;
        if decision != AlertState::Open {
            let decided = AlertRecord {
                state: decision,
                decided_by: ticket.owner.clone(),
                decided_at_ms: Some(at_ms + 60_000),
                ..raised.clone()
            };
            store
                .decide_alert(
                    site_id,
                    &conversation_id,
                    &decided,
                    &noted(
                        "alert_decided",
                        json!({ "alert": raised.id, "kind": kind, "decision": decision }),
                    ),
                )
                .await?;
        }
    }
    if let Some(score) = past.csat {
        store
            .record_csat(
                site_id,
                &CsatRecord {
                    conversation_id,
                    ticket_id: Some(past.id.clone()),
                    idempotency_key: format!("csat-{}", past.id),
                    score,
                    comment: None,
                    at_ms: ticket.updated_at_ms,
                },
            )
            .await?;
    }
    Ok(())
}

/// A suggestion set shown in the past, and whether its first answer solved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastSuggestionSet {
    /// Set id.
    pub query_id: String,
    /// The widget session.
    pub session_id: String,
    /// The route it was asked from.
    pub route: Option<String>,
    /// Shown.
    pub at_ms: i64,
    /// The first answer's id.
    pub answer_id: String,
    /// The user said it solved it.
    pub solved: bool,
}

/// Writes `past` for `site_id`.
pub async fn write_past_suggestions(
    store: &Store,
    site_id: &str,
    past: &PastSuggestionSet,
) -> Result<(), StoreError> {
    store
        .record_suggestions(
            site_id,
            &ShownSuggestions {
                query_id: past.query_id.clone(),
                session_id: past.session_id.clone(),
                query: String::new(),
                answer_ids: vec![past.answer_id.clone()],
                route: past.route.clone(),
                fingerprint: None,
                best_score: 0.8,
                at_ms: past.at_ms,
            },
        )
        .await?;
    store
        .record_suggestion_verdict(
            site_id,
            &SuggestionVerdict {
                idempotency_key: format!("verdict-{}", past.query_id),
                session_id: past.session_id.clone(),
                query_id: past.query_id.clone(),
                answer_id: past.answer_id.clone(),
                outcome: if past.solved { "solved" } else { "not_helpful" }.into(),
                at_ms: past.at_ms + 30_000,
            },
        )
        .await?;
    Ok(())
}

fn entry(at_ms: i64, actor: &str, action: &str, detail: serde_json::Value) -> TrailEntry {
    TrailEntry {
        at_ms,
        actor: actor.to_owned(),
        action: action.to_owned(),
        detail,
    }
}

/// Why a past alert of `kind` was raised, in the words the job runner uses.
fn past_alert_reason(kind: &str) -> &'static str {
    match kind {
        "sentiment_shift" => {
            "sentiment fell from 0.20 to -0.55 over the last 3 customer messages (threshold 0.50)"
        }
        "multi_turn_depth" => "6 customer messages without resolution (threshold 6)",
        "sla_proximity" => "the next SLA is due in 10m (threshold 15m)",
        _ => "an early warning on the conversation",
    }
}

/// The recommended next step of a past alert of `kind`.
fn past_alert_step(kind: &str) -> &'static str {
    use crate::jobs::alerts::{MULTI_TURN_DEPTH_STEP, SENTIMENT_SHIFT_STEP, SLA_PROXIMITY_STEP};
    match kind {
        "sentiment_shift" => SENTIMENT_SHIFT_STEP,
        "multi_turn_depth" => MULTI_TURN_DEPTH_STEP,
        "sla_proximity" => SLA_PROXIMITY_STEP,
        _ => "Read the conversation and decide whether to step in.",
    }
}
