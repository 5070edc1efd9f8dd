//! Routing: evaluate the site's matrix for a conversation and, when a rule routes
//! it or the customer asked for a person, build the change that creates or moves
//! the ticket, with the explanation in the audit trail, the handoff note and the
//! customer notice.

use serde_json::json;
use waymark_core::domain::{EscalationType, Priority};
use waymark_core::matrix::Autonomy;
use waymark_core::rules::{AccountFacts, DecidedAction, Decision, Evaluation, explain};
use waymark_core::time::Timestamp;
use waymark_core::wire::{ConversationStatus, CustomerNotice, MessageAuthor};

use super::conversation::HumanRequest;
use super::facts::{FactsInput, build_facts};
use super::handoff::{NoteInput, build_note};
use super::notice::{customer_notice, first_tier};
use super::{FlowError, new_id, session_events, ticket};
use crate::storage::{
    ConversationRecord, MessageRecord, NoteVersion, Store, TicketChange, TicketRecord, TrailEntry,
};

/// Everything routing looks at for one conversation.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub(crate) conversation: ConversationRecord,
    pub(crate) ticket: Option<TicketRecord>,
    pub(crate) messages: Vec<MessageRecord>,
    pub(crate) events: Vec<waymark_core::wire::ClientEvent>,
    pub(crate) notes: i64,
    pub(crate) rejected: Vec<String>,
    pub(crate) error_reports: Vec<waymark_core::rules::ErrorReport>,
    /// Product areas the session's pages belong to (the job runner names them).
    pub(crate) product_areas: Vec<String>,
}

pub(crate) async fn snapshot(
    store: &Store,
    site_id: &str,
    conversation: &ConversationRecord,
) -> Result<Snapshot, FlowError> {
    snapshot_at(store, site_id, conversation, crate::storage::now_ms()).await
}

/// The snapshot as of `now_ms` (the job runner's clock): the volume rules read
/// the other customers' reports of this session's errors up to then.
pub(crate) async fn snapshot_at(
    store: &Store,
    site_id: &str,
    conversation: &ConversationRecord,
    now_ms: i64,
) -> Result<Snapshot, FlowError> {
    let ticket = store
        .ticket_of_conversation(site_id, &conversation.id)
        .await?;
    let notes = match &ticket {
        Some(ticket) => {
            i64::try_from(store.handoff_notes(site_id, &ticket.id).await?.len()).unwrap_or(i64::MAX)
        }
        None => 0,
    };
    let events = session_events(store, site_id, &conversation.session_id).await?;
    let error_reports = error_reports(store, site_id, &events, now_ms).await?;
    Ok(Snapshot {
        conversation: conversation.clone(),
        ticket,
        messages: store.messages_after(site_id, &conversation.id, 0).await?,
        events,
        notes,
        rejected: rejected_suggestions(store, site_id, conversation).await?,
        error_reports,
        product_areas: Vec::new(),
    })
}

/// How far back volume rules look for the same error at other customers.
pub const ERROR_REPORT_WINDOW_MS: i64 = 24 * 3_600_000;
/// At most this many customers are read per fingerprint (the rules count to a
/// handful; more add nothing).
const REPORTERS_PER_FINGERPRINT: i64 = 50;
/// At most this many of the session's fingerprints are looked up.
const FINGERPRINTS_LOOKED_UP: usize = 10;

/// Who else hit the errors this session hit, in the last day: one report per
/// (fingerprint, customer), newest first. Only the session's own fingerprints are
/// read. A customer is a verified user, else a client address (hashed), else a
/// session: one client opening many sessions counts once.
pub(crate) async fn error_reports(
    store: &Store,
    site_id: &str,
    events: &[waymark_core::wire::ClientEvent],
    now_ms: i64,
) -> Result<Vec<waymark_core::rules::ErrorReport>, FlowError> {
    let mut fingerprints: Vec<String> = events
        .iter()
        .rev()
        .filter_map(|event| match event.to_signal()?.kind {
            waymark_core::domain::SignalKind::JsError { fingerprint, .. } => {
                Some(fingerprint.as_str().to_owned())
            }
            _ => None,
        })
        .collect();
    fingerprints.dedup();
    let mut unique = Vec::new();
    for fingerprint in fingerprints {
        if !unique.contains(&fingerprint) && unique.len() < FINGERPRINTS_LOOKED_UP {
            unique.push(fingerprint);
        }
    }
    let rows = store
        .error_reporters(
            site_id,
            &unique,
            now_ms - ERROR_REPORT_WINDOW_MS,
            REPORTERS_PER_FINGERPRINT,
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(fingerprint, customer, at_ms)| waymark_core::rules::ErrorReport {
                fingerprint: waymark_core::ids::Fingerprint::new(fingerprint),
                customer: waymark_core::ids::CustomerId::new(customer),
                // Ingest clamps times to the server's clock ± 5 min; a report
                // from the near future counts as now.
                at: waymark_core::time::Timestamp(at_ms.min(now_ms)),
            },
        )
        .collect())
}

pub(crate) async fn rejected_suggestions(
    store: &Store,
    site_id: &str,
    conversation: &ConversationRecord,
) -> Result<Vec<String>, FlowError> {
    let mut rejected: Vec<String> = store
        .session_verdicts(site_id, &conversation.session_id)
        .await?
        .into_iter()
        .filter(|verdict| verdict.outcome == "not_helpful")
        .map(|verdict| format!("suggested answer `{}` (not helpful)", verdict.answer_id))
        .collect();
    for answer in &conversation.rejected_answers {
        let line = format!("suggested answer `{answer}` (not helpful)");
        if !rejected.contains(&line) {
            rejected.push(line);
        }
    }
    Ok(rejected)
}

/// A routing outcome: the change to commit and what the customer is told.
pub(crate) struct Routed {
    pub(crate) change: TicketChange,
    /// What the customer is told; none when a person only reviews.
    pub(crate) notice: Option<CustomerNotice>,
    pub(crate) status: ConversationStatus,
}

/// Evaluates the matrix for the conversation and, when a rule routes it or the
/// customer asked for a person, builds the change: ticket created or moved, trail
/// with the explanation, handoff note, customer notice.
pub(crate) fn route(
    matrix: &waymark_core::matrix::EscalationMatrix,
    snapshot: &Snapshot,
    human: Option<&HumanRequest>,
    now_ms: i64,
) -> Result<Option<Routed>, FlowError> {
    let first =
        first_tier(matrix).ok_or_else(|| FlowError::Matrix("the matrix has no tiers".into()))?;
    let (subject, facts, evaluation) = evaluate(matrix, snapshot, first.id.as_str(), now_ms);
    let routing = evaluation.decisions.iter().find(|decision| {
        matches!(
            decision.action,
            DecidedAction::Escalate { .. } | DecidedAction::Transfer { .. }
        )
    });
    let ticket_closed = snapshot
        .ticket
        .as_ref()
        .is_some_and(|ticket| !ticket.state.is_open());
    if ticket_closed {
        // Rules route open work only; a person is asked for by reopening.
        return match human {
            Some(_) => Err(FlowError::Conflict(
                "the request is resolved; an agent can reopen it".into(),
            )),
            None => Ok(None),
        };
    }
    let kind = waymark_core::rules::ticket_type(matrix, &facts, Timestamp(now_ms));
    let by_type;
    let mut human = human;
    let mut review = false;
    if routing.is_none() && human.is_none() {
        let customer_wrote = snapshot
            .messages
            .iter()
            .any(|m| m.author == MessageAuthor::Customer);
        match kind {
            Some(kind) if snapshot.ticket.is_none() && customer_wrote => match kind.autonomy {
                Autonomy::HumanNow => {
                    by_type = HumanRequest {
                        goal: None,
                        tried: Vec::new(),
                        reason: Some(format!(
                            "Requests of type \u{201c}{}\u{201d} go to a person at once.",
                            kind.name
                        )),
                    };
                    human = Some(&by_type);
                }
                Autonomy::AnswerThenReview => review = true,
                Autonomy::ResolveAlone => return Ok(None),
            },
            _ => return Ok(None),
        }
    }
    let mut trail = Vec::new();
    let mut ticket = match &snapshot.ticket {
        Some(ticket) => ticket.clone(),
        None => {
            let created = ticket::new_ticket(
                new_id("t")?,
                snapshot.conversation.id.clone(),
                first,
                subject.clone(),
                now_ms,
            );
            let mut detail = json!({ "tier": created.tier });
            if let (Some(kind), serde_json::Value::Object(map)) = (kind, &mut detail) {
                map.insert("ticket_type".into(), json!(kind.id));
                map.insert("autonomy".into(), json!(kind.autonomy));
            }
            trail.push(entry(now_ms, "system", "created", detail));
            created
        }
    };
    for help in evaluation
        .decisions
        .iter()
        .filter(|d| matches!(d.action, DecidedAction::OfferHelp { .. }))
    {
        if !ticket.fired_rules.contains(&help.rule.as_str().to_owned()) {
            ticket.fired_rules.push(help.rule.as_str().to_owned());
            trail.push(entry(
                now_ms,
                &format!("rule:{}", help.rule),
                "proactive_help",
                json!({ "rule": help.rule, "explanation": explanation(&evaluation, help) }),
            ));
        }
    }
    if review {
        return review_change(snapshot, ticket, trail, kind, now_ms).map(Some);
    }
    let mut reason = String::new();
    if let Some(human) = human {
        reason = human
            .reason
            .clone()
            .filter(|r| !r.trim().is_empty())
            .unwrap_or_else(|| "The customer asked for a person.".into());
        let (actor, action) = match kind {
            Some(kind) if kind.autonomy == Autonomy::HumanNow && snapshot.ticket.is_none() => {
                ("system", "routed_by_type")
            }
            _ => ("customer", "human_requested"),
        };
        trail.push(entry(
            now_ms,
            actor,
            action,
            json!({ "reason": reason, "from": "assistant" }),
        ));
    }
    let mut rule_notice = None;
    if let Some(decision) = routing {
        let explained = explanation(&evaluation, decision);
        let handoff = match &decision.action {
            DecidedAction::Escalate { to_tier, .. } => ticket::escalate(
                &mut ticket,
                matrix,
                to_tier.as_str(),
                decision.escalation_type,
                decision.priority,
                now_ms,
            )?,
            DecidedAction::Transfer { to_team } => {
                ticket::transfer(&mut ticket, matrix, to_team.as_str(), now_ms)?
            }
            DecidedAction::OfferHelp { .. } | DecidedAction::EarlyWarning { .. } => {
                return Err(FlowError::Invalid("not a routing decision".into()));
            }
        };
        ticket.fired_rules.push(decision.rule.as_str().to_owned());
        let description = matrix
            .rule(&decision.rule)
            .map(|rule| rule.description.clone())
            .unwrap_or_default();
        reason = format!("Rule {} fired: {description}.", decision.rule);
        let mut handoff_entry = ticket::handoff_entry(
            &format!("rule:{}", decision.rule),
            &handoff,
            &reason,
            now_ms,
        );
        if let serde_json::Value::Object(map) = &mut handoff_entry.detail {
            map.insert("explanation".into(), json!(explained));
            map.insert("priority".into(), json!(decision.priority));
        }
        trail.push(handoff_entry);
        rule_notice = decision.notice.clone();
    } else if ticket.escalation_type.is_none() {
        ticket.escalation_type = Some(EscalationType::Functional);
        ticket.priority = ticket.priority.max(Priority::Normal);
    }
    let tier = matrix
        .tier(&waymark_core::ids::TierId::new(ticket.tier.clone()))
        .ok_or_else(|| FlowError::Matrix(format!("no tier `{}`", ticket.tier)))?;
    let team = ticket
        .team
        .as_ref()
        .and_then(|team| matrix.team(&waymark_core::ids::TeamId::new(team.clone())));
    let notice = customer_notice(tier, team, rule_notice.as_deref(), now_ms);
    let mut tried = snapshot.rejected.clone();
    if let Some(human) = human {
        tried.extend(human.tried.iter().cloned());
    }
    let note = build_note(&NoteInput {
        stated_goal: human.and_then(|h| h.goal.as_deref()),
        messages: &snapshot.messages,
        tried,
        sentiment: facts.ticket.as_ref().and_then(|t| t.current_sentiment()),
        reason: reason.clone(),
        events: &snapshot.events,
        account: account_of(&snapshot.conversation),
    });
    let status = if ticket.escalated {
        ConversationStatus::Escalated
    } else {
        ConversationStatus::WaitingForAgent
    };
    let notice_message = MessageRecord {
        seq: 0,
        id: new_id("m")?,
        conversation_id: snapshot.conversation.id.clone(),
        idempotency_key: None,
        author: MessageAuthor::System,
        author_name: None,
        text: notice.text.clone(),
        sentiment: None,
        at_ms: now_ms,
    };
    trail.push(entry(
        now_ms,
        "system",
        "customer_notified",
        json!({ "notice": notice }),
    ));
    let mut outbox = Vec::new();
    if let Some(DecidedAction::Escalate { .. }) = routing.map(|decision| &decision.action) {
        outbox.push(crate::jobs::notices::event(
            crate::storage::jobs::EventName::TicketEscalated,
            &format!("escalated:{}:{}:{now_ms}", ticket.id, ticket.tier),
            crate::jobs::notices::ticket_data(&ticket, &reason),
        ));
    }
    let change = TicketChange {
        outbox,
        ticket: Some(ticket),
        trail,
        messages: vec![notice_message],
        conversation_status: Some((status, Some(notice.clone()))),
        note: Some(NoteVersion {
            version: snapshot.notes + 1,
            source: "generated".into(),
            note: serde_json::to_value(&note).unwrap_or_default(),
            author: "system".into(),
            at_ms: now_ms,
        }),
        ..TicketChange::default()
    };
    Ok(Some(Routed {
        change,
        notice: Some(notice),
        status,
    }))
}

/// A conversation of a type the assistant answers and a person reviews: the
/// ticket is created for review at low priority, with a note, and the customer
/// keeps talking to the assistant (no notice, no status change).
fn review_change(
    snapshot: &Snapshot,
    mut ticket: TicketRecord,
    mut trail: Vec<TrailEntry>,
    kind: Option<&waymark_core::matrix::TicketType>,
    now_ms: i64,
) -> Result<Routed, FlowError> {
    let name = kind.map(|k| k.name.as_str()).unwrap_or_default();
    let reason = format!(
        "Requests of type \u{201c}{name}\u{201d} are answered by the assistant and reviewed by a person."
    );
    ticket.priority = Priority::Low;
    trail.push(entry(
        now_ms,
        "system",
        "review_requested",
        json!({ "reason": reason, "ticket_type": kind.map(|k| &k.id) }),
    ));
    let note = build_note(&NoteInput {
        stated_goal: None,
        messages: &snapshot.messages,
        tried: snapshot.rejected.clone(),
        sentiment: None,
        reason: reason.clone(),
        events: &snapshot.events,
        account: account_of(&snapshot.conversation),
    });
    let status = snapshot.conversation.status;
    Ok(Routed {
        change: TicketChange {
            ticket: Some(ticket),
            trail,
            note: Some(NoteVersion {
                version: snapshot.notes + 1,
                source: "generated".into(),
                note: serde_json::to_value(&note).unwrap_or_default(),
                author: "system".into(),
                at_ms: now_ms,
            }),
            ..TicketChange::default()
        },
        notice: None,
        status,
    })
}

/// Facts and evaluation of a conversation as of `now_ms`, with its subject line.
fn evaluate(
    matrix: &waymark_core::matrix::EscalationMatrix,
    snapshot: &Snapshot,
    first_tier: &str,
    now_ms: i64,
) -> (String, waymark_core::rules::Facts, Evaluation) {
    let subject = snapshot
        .messages
        .iter()
        .find(|m| m.author == MessageAuthor::Customer)
        .map(|m| waymark_core::wire::subject_line(&m.text))
        .unwrap_or_default();
    let facts = build_facts(&FactsInput {
        ticket: snapshot.ticket.as_ref(),
        first_tier,
        conversation_started_ms: snapshot.conversation.created_at_ms,
        subject: &subject,
        messages: &snapshot.messages,
        events: &snapshot.events,
        account: account_facts(&snapshot.conversation),
        error_reports: snapshot.error_reports.clone(),
        product_areas: snapshot.product_areas.clone(),
    });
    let evaluation = explain(matrix, &facts, Timestamp(now_ms));
    (subject, facts, evaluation)
}

/// The facts of `snapshot`'s conversation as they stood at `at_ms` while its
/// ticket was still at the first tier (created at `ticket_created_ms`): the
/// messages and page events up to then. A replay of the matrix reads these.
pub(crate) fn first_tier_facts(
    matrix: &waymark_core::matrix::EscalationMatrix,
    snapshot: &Snapshot,
    ticket_created_ms: i64,
    at_ms: i64,
) -> Option<waymark_core::rules::Facts> {
    let first = first_tier(matrix)?;
    let ticket = snapshot.ticket.as_ref().map(|ticket| {
        ticket::new_ticket(
            ticket.id.clone(),
            ticket.conversation_id.clone(),
            first,
            ticket.subject.clone(),
            ticket_created_ms,
        )
    });
    let then = Snapshot {
        ticket,
        messages: snapshot
            .messages
            .iter()
            .filter(|m| m.at_ms <= at_ms)
            .cloned()
            .collect(),
        events: snapshot
            .events
            .iter()
            .filter(|e| e.at_ms <= at_ms)
            .cloned()
            .collect(),
        ..snapshot.clone()
    };
    let (_, facts, _) = evaluate(matrix, &then, first.id.as_str(), at_ms);
    Some(facts)
}

/// Early warnings for a ticket that no rule routes: each warning rule that fires
/// for the first time is recorded in the trail with its reason and recommended
/// next step, for the agent to confirm or adjust.
pub(crate) fn early_warnings(
    matrix: &waymark_core::matrix::EscalationMatrix,
    snapshot: &Snapshot,
    now_ms: i64,
) -> Option<TicketChange> {
    let mut ticket = snapshot.ticket.clone()?;
    let first = first_tier(matrix)?;
    let (_, _, evaluation) = evaluate(matrix, snapshot, first.id.as_str(), now_ms);
    let mut trail = Vec::new();
    for warning in &evaluation.decisions {
        let DecidedAction::EarlyWarning { next_step } = &warning.action else {
            continue;
        };
        let rule = warning.rule.as_str().to_owned();
        if ticket.fired_rules.contains(&rule) {
            continue;
        }
        trail.push(entry(
            now_ms,
            &format!("rule:{rule}"),
            "early_warning",
            json!({ "rule": rule, "next_step": next_step, "explanation": explanation(&evaluation, warning) }),
        ));
        ticket.fired_rules.push(rule);
    }
    if trail.is_empty() {
        return None;
    }
    ticket.updated_at_ms = now_ms;
    Some(TicketChange {
        ticket: Some(ticket),
        trail,
        ..TicketChange::default()
    })
}

fn explanation(evaluation: &Evaluation, decision: &Decision) -> String {
    evaluation
        .rules
        .iter()
        .find(|rule| rule.rule == decision.rule)
        .map(|rule| rule.to_text())
        .unwrap_or_default()
}

/// What the rules know of the account: the plan and tier of a verified identity
/// only; unverified claims are kept for agents and ignored by the rules.
fn account_facts(conversation: &ConversationRecord) -> AccountFacts {
    if !conversation.identity_verified {
        return AccountFacts::default();
    }
    AccountFacts {
        plan: conversation.plan.clone(),
        tier: conversation.account_tier.clone(),
        attributes: Default::default(),
    }
}

fn account_of(conversation: &ConversationRecord) -> std::collections::BTreeMap<String, String> {
    let mut account = std::collections::BTreeMap::new();
    if conversation.customer_id.is_some() {
        account.insert(
            "verified".to_owned(),
            conversation.identity_verified.to_string(),
        );
    }
    if let Some(id) = &conversation.customer_id {
        account.insert("user_id".to_owned(), id.clone());
    }
    if let Some(name) = &conversation.customer_name {
        account.insert("name".to_owned(), name.clone());
    }
    if let Some(email) = &conversation.customer_email {
        account.insert("email".to_owned(), email.clone());
    }
    if let Some(plan) = &conversation.plan {
        account.insert("plan".to_owned(), plan.clone());
    }
    if let Some(tier) = &conversation.account_tier {
        account.insert("account_tier".to_owned(), tier.clone());
    }
    account
}

fn entry(at_ms: i64, actor: &str, action: &str, detail: serde_json::Value) -> TrailEntry {
    TrailEntry {
        at_ms,
        actor: actor.to_owned(),
        action: action.to_owned(),
        detail,
    }
}
