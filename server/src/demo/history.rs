//! Past tickets and suggestion sets written as the flow would have stored them
//! (conversation, customer messages, ticket, audit trail with handoffs, alerts
//! with their decisions, CSAT), so reports have a history to show: the demo
//! seeds [`demo_history`] (30 days of a small support team), and the report tests
//! build their fixture with the same writer.

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
            reason: format!("{kind} on the thread"),
            next_step: "Look at the thread".into(),
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

/// How many days of history the demo seeds.
pub const DEMO_HISTORY_DAYS: i64 = 30;

/// Seeds the demo site's history once (30 days before `now_ms`, handled by the
/// demo's agents), so the Reports page has something to show; returns the number
/// of tickets written (0 when the history is there already).
pub async fn seed_demo_history(store: &Store, now_ms: i64) -> Result<usize, super::SeedError> {
    let site = super::DEMO_SITE_ID;
    if store.ticket(site, "hist-0000").await?.is_some() {
        return Ok(0);
    }
    let mut agents = Vec::new();
    for &(email, _, role) in super::DEMO_USERS {
        if role == crate::auth::Role::Agent
            && let Some(user) = store.user_by_email(email).await?
        {
            agents.push(user.id.to_string());
        }
    }
    if agents.is_empty() {
        return Err(super::SeedError::Knowledge("the demo has no agents".into()));
    }
    let (tickets, sets) = demo_history(now_ms, &agents);
    for ticket in &tickets {
        write_past_ticket(store, site, "tier1", ticket).await?;
    }
    for set in &sets {
        write_past_suggestions(store, site, set).await?;
    }
    tracing::info!(
        site,
        tickets = tickets.len(),
        suggestion_sets = sets.len(),
        "demo history"
    );
    Ok(tickets.len())
}

/// A small deterministic generator (xorshift64*), so every demo has the same history.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A whole number in `[low, high)`.
    fn between(&mut self, low: i64, high: i64) -> i64 {
        let span = u64::try_from((high - low).max(1)).unwrap_or(1);
        low + i64::try_from(self.next() % span).unwrap_or(0)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let at = usize::try_from(self.next() % items.len().max(1) as u64).unwrap_or(0);
        &items[at]
    }
}

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// What customers wrote about, by page.
const TOPICS: &[(&str, &str, &[&str])] = &[
    (
        "/demo/billing",
        "Payment failed with E502",
        &[
            "My payment failed with error E502",
            "I tried twice, still failing",
        ],
    ),
    (
        "/demo/billing",
        "Charged twice this month",
        &[
            "I was charged twice for March",
            "Please refund the second charge",
        ],
    ),
    (
        "/demo/reports/export",
        "CSV export does not start",
        &[
            "The CSV export button does nothing",
            "ExportError: CSV worker failed to start",
        ],
    ),
    (
        "/demo/invoices",
        "Where is my invoice PDF",
        &[
            "I cannot find the PDF of invoice INV-1002",
            "The download link is gone",
        ],
    ),
    (
        "/demo/broken",
        "Old reports page shows E500",
        &[
            "The old reports page fails with E500",
            "It worked last week",
        ],
    ),
    (
        "/demo/settings",
        "Change the billing email",
        &["How do I change the billing email?"],
    ),
];

/// The demo's history: tickets and suggestion sets over the
/// [`DEMO_HISTORY_DAYS`] days before `now_ms`, handled by `agents`.
pub fn demo_history(now_ms: i64, agents: &[String]) -> (Vec<PastTicket>, Vec<PastSuggestionSet>) {
    let mut dice = Dice(0x5EED_0F_57A7_5u64);
    let today = now_ms - now_ms.rem_euclid(DAY);
    let mut tickets = Vec::new();
    let mut sets = Vec::new();
    // Up to the day before yesterday: every ticket's story has ended by now.
    for day in (2..=DEMO_HISTORY_DAYS + 1).rev() {
        let start = today - day * DAY;
        let weekday = (start / DAY + 4).rem_euclid(7); // 0 = Sunday
        let busy = if weekday == 0 || weekday == 6 { 3 } else { 7 };
        // Deflection improves over the month as the knowledge base grows.
        let solved_share =
            0.25 + 0.3 * (DEMO_HISTORY_DAYS + 1 - day) as f64 / DEMO_HISTORY_DAYS as f64;
        for _ in 0..dice.between(busy, busy + 5) {
            let id = format!("hist-{:04}", tickets.len());
            let created = start + dice.between(7 * HOUR, 19 * HOUR) + dice.between(0, HOUR);
            let (route, subject, lines) = *dice.pick(TOPICS);
            let agent = dice.pick(agents).clone();
            let cancel = dice.unit() < 0.16;
            let mut messages: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
            if cancel {
                messages.push("If this is not fixed I will cancel my subscription".into());
            }
            for _ in 0..dice.between(0, 3) {
                messages.push("Any news on this?".into());
            }
            let mut steps = Vec::new();
            let mut at = created;
            let mut escalated = false;
            if cancel {
                at += dice.between(1, 5) * MINUTE;
                steps.push(PastStep::Escalate {
                    at_ms: at,
                    by: PastActor::Rule("cancel-language".into()),
                    to_tier: "tier2".into(),
                });
                escalated = true;
                if dice.unit() < 0.3 {
                    at += dice.between(5, 30) * MINUTE;
                    steps.push(PastStep::Transfer {
                        at_ms: at,
                        by: PastActor::Agent(agent.clone()),
                        to_team: "billing".into(),
                    });
                }
            }
            let ack_after = dice.between(3, 50) * MINUTE;
            if ack_after > 30 * MINUTE {
                steps.push(PastStep::Breach {
                    at_ms: at + 30 * MINUTE,
                    sla: "acknowledgement",
                });
            }
            at += ack_after;
            steps.push(PastStep::Acknowledge {
                at_ms: at,
                agent: agent.clone(),
            });
            if !escalated {
                let roll = dice.unit();
                if roll < 0.1 {
                    at += dice.between(10, 90) * MINUTE;
                    steps.push(PastStep::Escalate {
                        at_ms: at,
                        by: PastActor::Agent(agent.clone()),
                        to_tier: "tier2".into(),
                    });
                    escalated = true;
                } else if roll < 0.14 {
                    at += 4 * HOUR;
                    steps.push(PastStep::Escalate {
                        at_ms: at,
                        by: PastActor::Rule("tier1-open-4h".into()),
                        to_tier: "tier2".into(),
                    });
                    escalated = true;
                } else if roll < 0.16 {
                    at += dice.between(5, 20) * MINUTE;
                    steps.push(PastStep::Escalate {
                        at_ms: at,
                        by: PastActor::Rule("same-error-incident".into()),
                        to_tier: "tier3".into(),
                    });
                    escalated = true;
                }
            }
            if dice.unit() < 0.12 {
                let decision = *dice.pick(&[
                    AlertState::Confirmed,
                    AlertState::Confirmed,
                    AlertState::Adjusted,
                    AlertState::Dismissed,
                    AlertState::Dismissed,
                    AlertState::Open,
                ]);
                steps.push(PastStep::Alert {
                    at_ms: at + 10 * MINUTE,
                    kind: (*dice.pick(&["sentiment_shift", "multi_turn_depth", "sla_proximity"]))
                        .to_owned(),
                    decision,
                });
            }
            let work = if escalated {
                dice.between(2 * HOUR, 20 * HOUR)
            } else {
                dice.between(15 * MINUTE, 5 * HOUR)
            };
            // Every past ticket is resolved: none of them enters the live queue.
            let resolve_at = (at + work).min(now_ms - 4 * HOUR).max(at + MINUTE);
            let mut csat = None;
            {
                steps.retain(|step| step.at_ms() < resolve_at);
                let resolution_limit = if escalated { 24 * HOUR } else { 8 * HOUR };
                if resolve_at - created > resolution_limit {
                    steps.push(PastStep::Breach {
                        at_ms: created + resolution_limit,
                        sla: "resolution",
                    });
                }
                steps.push(PastStep::Resolve {
                    at_ms: resolve_at,
                    agent: agent.clone(),
                });
                if dice.unit() < 0.05 && resolve_at + 3 * HOUR < now_ms {
                    steps.push(PastStep::Reopen {
                        at_ms: resolve_at + HOUR,
                        agent: agent.clone(),
                    });
                    steps.push(PastStep::Resolve {
                        at_ms: resolve_at + 3 * HOUR,
                        agent: agent.clone(),
                    });
                }
                if dice.unit() < 0.6 {
                    csat = Some(if escalated {
                        dice.between(2, 5)
                    } else {
                        dice.between(3, 6)
                    });
                }
            }
            steps.sort_by_key(PastStep::at_ms);
            let session_id = format!("hist-s-{}", tickets.len());
            if dice.unit() < 0.5 {
                sets.push(PastSuggestionSet {
                    query_id: format!("hist-q-{}", sets.len()),
                    session_id: session_id.clone(),
                    route: Some(route.to_owned()),
                    at_ms: created - dice.between(1, 10) * MINUTE,
                    answer_id: "payment-failed-e502".into(),
                    solved: false,
                });
            }
            tickets.push(PastTicket {
                id,
                session_id,
                subject: subject.to_owned(),
                route: Some(route.to_owned()),
                created_at_ms: created,
                customer_messages: messages,
                steps,
                csat,
            });
        }
        for _ in 0..dice.between(busy * 2, busy * 3) {
            let (route, _, _) = *dice.pick(TOPICS);
            let n = sets.len();
            sets.push(PastSuggestionSet {
                query_id: format!("hist-q-{n}"),
                session_id: format!("hist-v-{n}"),
                route: Some(route.to_owned()),
                at_ms: start + dice.between(7 * HOUR, 21 * HOUR),
                answer_id: "payment-failed-e502".into(),
                solved: dice.unit() < solved_share,
            });
        }
    }
    (tickets, sets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_history_is_the_same_every_time_and_in_the_past() {
        let now = 1_700_000_000_000;
        let agents = vec!["sam".to_owned(), "alex".to_owned()];
        let (tickets, sets) = demo_history(now, &agents);
        assert_eq!(demo_history(now, &agents), (tickets.clone(), sets.clone()));
        assert!(tickets.len() > 100, "{}", tickets.len());
        assert!(sets.len() > tickets.len());
        assert!(tickets.iter().all(
            |t| t.created_at_ms < now && t.created_at_ms >= now - (DEMO_HISTORY_DAYS + 2) * DAY
        ));
        assert!(
            tickets
                .iter()
                .all(|t| t.steps.windows(2).all(|w| w[0].at_ms() <= w[1].at_ms()))
        );
        // Every past ticket ends resolved, so none enters the live queue.
        assert!(
            tickets
                .iter()
                .all(|t| matches!(t.steps.last(), Some(PastStep::Resolve { .. })))
        );
        let escalated = tickets
            .iter()
            .filter(|t| {
                t.steps
                    .iter()
                    .any(|s| matches!(s, PastStep::Escalate { .. }))
            })
            .count();
        assert!(
            escalated * 10 > tickets.len() && escalated * 2 < tickets.len(),
            "{escalated}"
        );
    }
}
