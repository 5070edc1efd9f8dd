//! The agent side of the flow: the queue by SLA risk, the ticket detail, and every
//! audited action (acknowledge, reply, escalate, transfer, add a collaborator,
//! confirm the handoff note, resolve with resolution capture, reopen).

use serde_json::json;
use waymark_core::domain::{EscalationType, LifecycleStage, Priority, Resolution};
use waymark_core::ids::{TeamId, TierId};
use waymark_core::wire::{ConversationStatus, CustomerNotice, MessageAuthor};
use waymark_knowledge::{IndexChange, KnowledgeIndex};

use super::conversation::clean_text;
use super::handoff::{HandoffNoteView, NoteInput, build_note};
use super::notice::customer_notice;
use super::resolution::{knowledge_doc, prefill_resolution};
use super::routing::{Snapshot, snapshot};
use super::scrub::{Scrub, site_settings};
use super::{FlowError, new_id, policy, site_matrix, ticket};
use crate::auth::UserId;
use crate::storage::tickets::CsatRecord;
use crate::storage::{
    AgentRequestRecord, ConversationRecord, MessageRecord, NoteVersion, Store, StoreError,
    TicketChange, TicketRecord, TrailEntry,
};

/// One queue entry.
#[derive(Debug, Clone)]
pub struct QueueEntry {
    /// The ticket.
    pub ticket: TicketRecord,
    /// Milliseconds until its next SLA is due (negative: breached).
    pub sla_risk_ms: Option<i64>,
}

/// Open tickets, most at risk first: breached and nearest SLA first, tickets
/// without a running SLA last; ties by priority, then age.
pub async fn queue(
    store: &Store,
    site_id: &str,
    now_ms: i64,
) -> Result<Vec<QueueEntry>, FlowError> {
    let mut entries: Vec<QueueEntry> = store
        .open_tickets(site_id)
        .await?
        .into_iter()
        .map(|ticket| QueueEntry {
            sla_risk_ms: ticket::sla_risk_ms(&ticket, now_ms),
            ticket,
        })
        .collect();
    entries.sort_by(|a, b| {
        let risk = |e: &QueueEntry| e.sla_risk_ms.unwrap_or(i64::MAX);
        risk(a)
            .cmp(&risk(b))
            .then(b.ticket.priority.cmp(&a.ticket.priority))
            .then(a.ticket.created_at_ms.cmp(&b.ticket.created_at_ms))
    });
    Ok(entries)
}

/// Everything an agent sees on a ticket.
#[derive(Debug, Clone)]
pub struct TicketDetail {
    /// The ticket.
    pub ticket: TicketRecord,
    /// Its conversation.
    pub conversation: ConversationRecord,
    /// The messages, oldest first.
    pub messages: Vec<MessageRecord>,
    /// Every handoff-note version, oldest first.
    pub notes: Vec<NoteVersion>,
    /// The audit trail, oldest first.
    pub trail: Vec<TrailEntry>,
    /// The page trail of the session.
    pub page_trail: Vec<super::TrailItem>,
    /// The customer's rating, if given.
    pub csat: Option<CsatRecord>,
    /// The stages ahead that still lack what the site's matrix requires.
    pub needs: Vec<policy::StageNeeds>,
}

/// The ticket with its conversation, notes, audit trail and page trail.
pub async fn detail(
    store: &Store,
    site_id: &str,
    ticket_id: &str,
) -> Result<TicketDetail, FlowError> {
    let (ticket, snapshot) = load(store, site_id, ticket_id).await?;
    let note = build_note(&NoteInput {
        events: &snapshot.events,
        ..NoteInput::default()
    });
    let notes = store.handoff_notes(site_id, ticket_id).await?;
    let matrix = site_matrix(store, site_id).await?;
    let known = policy::known(&ticket, &snapshot, &notes, None);
    Ok(TicketDetail {
        needs: policy::needs_ahead(&matrix, &ticket, &known),
        notes,
        trail: store.ticket_trail(site_id, ticket_id).await?,
        csat: store.csat(site_id, &ticket.conversation_id).await?,
        page_trail: note.page_trail,
        conversation: snapshot.conversation,
        messages: snapshot.messages,
        ticket,
    })
}

/// Who acts, when, and on which terms.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// The authenticated user's id.
    pub agent: &'a str,
    /// The server's clock.
    pub now_ms: i64,
    /// The ticket version the agent saw (`If-Match`); another one is a conflict.
    pub expected_version: Option<i64>,
    /// The request's `Idempotency-Key`, stored with the change.
    pub request: Option<&'a AgentRequest>,
}

impl<'a> Actor<'a> {
    /// The same actor for a follow-up step of one request (no version, no key).
    fn follow_up(self) -> Actor<'a> {
        Actor {
            expected_version: None,
            request: None,
            ..self
        }
    }
}

/// An agent request's `Idempotency-Key` and the hash of what it asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRequest {
    /// The header's value.
    pub key: String,
    /// SHA-256 of the action, the ticket and the body.
    pub request_hash: String,
}

/// The receiving tier confirms it has the ticket (stops the acknowledgement SLA).
pub async fn acknowledge(
    store: &Store,
    site_id: &str,
    ticket_id: &str,
    actor: Actor<'_>,
) -> Result<TicketRecord, FlowError> {
    let (mut ticket, snapshot) = load_for(store, site_id, ticket_id, actor).await?;
    let matrix = site_matrix(store, site_id).await?;
    policy::check_stage(
        store,
        site_id,
        &matrix,
        &ticket,
        &snapshot,
        LifecycleStage::Investigation,
        None,
    )
    .await?;
    ticket::acknowledge(&mut ticket, actor.agent, actor.now_ms)?;
    let trail = vec![agent_entry(
        actor,
        "acknowledged",
        json!({ "owner": ticket.owner }),
    )];
    let outbox = ticket
        .owner
        .iter()
        .map(|owner| {
            crate::jobs::notices::agent_email_by_id(
                owner,
                &format!("Assigned to you: {}", ticket.subject),
                &format!(
                    "You own ticket {} at {} now.\n\nSubject: {}\n",
                    ticket.id, ticket.tier, ticket.subject
                ),
                &format!("assigned:{}:{}:{}", ticket.id, owner, actor.now_ms),
            )
        })
        .collect();
    let change = TicketChange {
        ticket: Some(ticket.clone()),
        trail,
        conversation_status: Some((status_with_agent(&ticket), None)),
        outbox,
        ..TicketChange::default()
    };
    ticket.version = commit(store, site_id, &snapshot, actor, "", change).await?;
    Ok(ticket)
}

/// Whether the customer's page sent anything within this window (then the
/// widget shows the reply and no email is sent).
pub const ONLINE_WINDOW_MS: i64 = 2 * 60_000;

async fn customer_offline(
    store: &Store,
    site_id: &str,
    conversation: &ConversationRecord,
    now_ms: i64,
) -> Result<bool, FlowError> {
    let seen = store
        .session_last_seen(site_id, &conversation.session_id)
        .await?;
    Ok(seen.is_none_or(|seen| seen < now_ms - ONLINE_WINDOW_MS))
}

/// An agent's reply, shown to the customer.
pub async fn reply(
    store: &Store,
    site_id: &str,
    ticket_id: &str,
    actor: Actor<'_>,
    author_name: Option<String>,
    text: &str,
) -> Result<MessageRecord, FlowError> {
    let config = site_settings(store, site_id).await?;
    let mut text = clean_text("text", text)?;
    text.scrub(&config);
    let author_name = author_name.map(|mut name| {
        name.scrub(&config);
        name
    });
    let (mut ticket, snapshot) = load_for(store, site_id, ticket_id, actor).await?;
    if ticket.state == waymark_core::domain::TicketState::Acknowledged {
        ticket.state = ticket
            .state
            .apply(waymark_core::domain::TicketAction::StartWork)
            .map_err(|err| FlowError::Conflict(err.to_string()))?;
    }
    ticket.updated_at_ms = actor.now_ms;
    let message = MessageRecord {
        seq: 0,
        id: new_id("m")?,
        conversation_id: ticket.conversation_id.clone(),
        idempotency_key: None,
        author: MessageAuthor::Agent,
        author_name,
        text,
        sentiment: None,
        at_ms: actor.now_ms,
    };
    let mut outbox = Vec::new();
    if customer_offline(store, site_id, &snapshot.conversation, actor.now_ms).await? {
        outbox.extend(crate::jobs::notices::customer_email(
            &snapshot.conversation,
            &format!("Re: {}", ticket.subject),
            &format!(
                "{} wrote:\n\n{}\n\nAnswer in the support window of the site.",
                message.author_name.as_deref().unwrap_or("Support"),
                message.text
            ),
            &format!("reply:{}", message.id),
        ));
    }
    let change = TicketChange {
        trail: vec![agent_entry(
            actor,
            "replied",
            json!({ "message": message.id }),
        )],
        ticket: Some(ticket),
        messages: vec![message.clone()],
        outbox,
        ..TicketChange::default()
    };
    commit(store, site_id, &snapshot, actor, &message.id, change).await?;
    Ok(message)
}

/// What an agent's escalation says.
#[derive(Debug, Clone)]
pub struct AgentEscalation {
    /// The tier above.
    pub to_tier: String,
    /// Why, as a type.
    pub escalation_type: EscalationType,
    /// Priority to give it (never lowered).
    pub priority: Priority,
    /// The agent's reason.
    pub reason: String,
    /// The agent's edited note; the generated one is kept as the version before.
    pub note: Option<HandoffNoteView>,
}

/// Moves the ticket up a tier with a generated (and optionally edited) handoff
/// note and a customer notice.
pub async fn escalate(
    store: &Store,
    site_id: &str,
    ticket_id: &str,
    actor: Actor<'_>,
    mut request: AgentEscalation,
) -> Result<TicketRecord, FlowError> {
    let config = site_settings(store, site_id).await?;
    request.reason.scrub(&config);
    if let Some(note) = &mut request.note {
        note.scrub(&config);
    }
    if request.reason.trim().is_empty() {
        return Err(FlowError::Invalid("reason must not be empty".into()));
    }
    let matrix = site_matrix(store, site_id).await?;
    let (mut ticket, snapshot) = load_for(store, site_id, ticket_id, actor).await?;
    policy::check_stage(
        store,
        site_id,
        &matrix,
        &ticket,
        &snapshot,
        LifecycleStage::Triage,
        None,
    )
    .await?;
    let handoff = ticket::escalate(
        &mut ticket,
        &matrix,
        &request.to_tier,
        request.escalation_type,
        request.priority,
        actor.now_ms,
    )?;
    let tier = matrix
        .tier(&TierId::new(ticket.tier.clone()))
        .ok_or_else(|| FlowError::Matrix(format!("no tier `{}`", ticket.tier)))?;
    let notice = customer_notice(tier, None, None, actor.now_ms);
    let generated = build_note(&NoteInput {
        stated_goal: None,
        messages: &snapshot.messages,
        tried: snapshot.rejected.clone(),
        sentiment: last_sentiment(&snapshot.messages),
        reason: request.reason.clone(),
        events: &snapshot.events,
        account: Default::default(),
    });
    let mut change = handoff_change(actor, &ticket, &handoff, &request.reason, &notice)?;
    change.ticket = Some(ticket.clone());
    change.note = Some(note_version(
        snapshot.notes + 1,
        "generated",
        "system",
        &generated,
        actor.now_ms,
    ));
    ticket.version = commit(store, site_id, &snapshot, actor, "", change).await?;
    if let Some(edited) = request.note {
        confirm_note(store, site_id, ticket_id, actor.follow_up(), edited).await?;
        ticket.version += 1;
    }
    Ok(ticket)
}

/// Moves the ticket sideways to another team at its tier.
pub async fn transfer(
    store: &Store,
    site_id: &str,
    ticket_id: &str,
    actor: Actor<'_>,
    to_team: &str,
    reason: &str,
) -> Result<TicketRecord, FlowError> {
    let mut reason = reason.to_owned();
    reason.scrub(&site_settings(store, site_id).await?);
    let reason = reason.as_str();
    let matrix = site_matrix(store, site_id).await?;
    let (mut ticket, snapshot) = load_for(store, site_id, ticket_id, actor).await?;
    let handoff = ticket::transfer(&mut ticket, &matrix, to_team, actor.now_ms)?;
    let tier = matrix
        .tier(&TierId::new(ticket.tier.clone()))
        .ok_or_else(|| FlowError::Matrix(format!("no tier `{}`", ticket.tier)))?;
    let team = matrix.team(&TeamId::new(to_team));
    let notice = customer_notice(tier, team, None, actor.now_ms);
    let mut change = handoff_change(actor, &ticket, &handoff, reason, &notice)?;
    change.ticket = Some(ticket.clone());
    ticket.version = commit(store, site_id, &snapshot, actor, "", change).await?;
    Ok(ticket)
}

/// Adds a specialist as collaborator; the owner stays.
pub async fn add_collaborator(
    store: &Store,
    site_id: &str,
    ticket_id: &str,
    actor: Actor<'_>,
    collaborator: &str,
) -> Result<TicketRecord, FlowError> {
    if collaborator.trim().is_empty() {
        return Err(FlowError::Invalid("collaborator must not be empty".into()));
    }
    let (mut ticket, snapshot) = load_for(store, site_id, ticket_id, actor).await?;
    ticket::add_collaborator(&mut ticket, collaborator, actor.now_ms)?;
    let change = TicketChange {
        trail: vec![agent_entry(
            actor,
            "collaborator_added",
            json!({ "collaborator": collaborator, "owner": ticket.owner }),
        )],
        ticket: Some(ticket.clone()),
        ..TicketChange::default()
    };
    ticket.version = commit(store, site_id, &snapshot, actor, "", change).await?;
    Ok(ticket)
}

/// The escalating agent's edited and confirmed note, kept as a new version.
pub async fn confirm_note(
    store: &Store,
    site_id: &str,
    ticket_id: &str,
    actor: Actor<'_>,
    mut note: HandoffNoteView,
) -> Result<NoteVersion, FlowError> {
    note.scrub(&site_settings(store, site_id).await?);
    let missing = note.core().missing_fields();
    if !missing.is_empty() {
        return Err(FlowError::Invalid(format!(
            "the handoff note needs {}",
            missing.join(", ")
        )));
    }
    let (ticket, snapshot) = load_for(store, site_id, ticket_id, actor).await?;
    let version = note_version(
        i64::try_from(store.handoff_notes(site_id, ticket_id).await?.len()).unwrap_or(0) + 1,
        "confirmed",
        actor.agent,
        &note,
        actor.now_ms,
    );
    let change = TicketChange {
        trail: vec![agent_entry(
            actor,
            "handoff_note_confirmed",
            json!({ "version": version.version }),
        )],
        ticket: Some(ticket),
        note: Some(version.clone()),
        ..TicketChange::default()
    };
    commit(
        store,
        site_id,
        &snapshot,
        actor,
        &version.version.to_string(),
        change,
    )
    .await?;
    Ok(version)
}

/// Resolution fields prefilled from the thread and the page: the agent confirms.
pub async fn suggested_resolution(
    store: &Store,
    site_id: &str,
    ticket_id: &str,
) -> Result<Resolution, FlowError> {
    let (_, snapshot) = load(store, site_id, ticket_id).await?;
    Ok(prefill_resolution(&snapshot))
}

/// The message that asks the customer for a rating once their request is resolved;
/// the widget answers with `POST /conversations/{id}/csat`.
pub const CSAT_REQUEST: &str = "Your request is resolved. How did we do? Rate us from 1 to 5.";

/// Resolves the ticket (an escalated one needs root cause, fix, environment and
/// version) and adds it to the knowledge index.
pub async fn resolve(
    store: &Store,
    site_id: &str,
    index: Option<&KnowledgeIndex>,
    ticket_id: &str,
    actor: Actor<'_>,
    mut resolution: Resolution,
) -> Result<TicketRecord, FlowError> {
    let config = site_settings(store, site_id).await?;
    resolution.scrub(&config);
    let (mut ticket, snapshot) = load_for(store, site_id, ticket_id, actor).await?;
    let matrix = site_matrix(store, site_id).await?;
    policy::check_stage(
        store,
        site_id,
        &matrix,
        &ticket,
        &snapshot,
        LifecycleStage::Documentation,
        Some(&resolution),
    )
    .await?;
    ticket::resolve(&mut ticket, resolution.clone(), actor.now_ms)?;
    let mut doc = knowledge_doc(site_id, &ticket, &snapshot, &resolution);
    doc.scrub(&config);
    // A ticket with nothing searchable is resolved all the same, without a document.
    let knowledge = match doc.validate() {
        Ok(()) => vec![IndexChange::upsert(doc)],
        Err(err) => {
            tracing::warn!(site = site_id, ticket = %ticket.id, error = %err, "resolved ticket not indexed");
            Vec::new()
        }
    };
    let change = TicketChange {
        trail: vec![agent_entry(
            actor,
            "resolved",
            json!({ "resolution": resolution }),
        )],
        ticket: Some(ticket.clone()),
        messages: vec![MessageRecord {
            seq: 0,
            id: new_id("m")?,
            conversation_id: ticket.conversation_id.clone(),
            idempotency_key: None,
            author: MessageAuthor::System,
            author_name: None,
            text: CSAT_REQUEST.to_owned(),
            sentiment: None,
            at_ms: actor.now_ms,
        }],
        conversation_status: Some((ConversationStatus::Resolved, None)),
        outbox: resolved_notices(store, site_id, &snapshot, &ticket, actor.now_ms).await?,
        // The resolved ticket enters the knowledge log with the resolution.
        knowledge,
        ..TicketChange::default()
    };
    ticket.version = commit(store, site_id, &snapshot, actor, "", change).await?;
    if let Some(index) = index {
        super::knowledge_log::catch_up(store, index).await?;
        tracing::info!(site = site_id, ticket = %ticket.id, "resolved ticket indexed");
    }
    Ok(ticket)
}

async fn resolved_notices(
    store: &Store,
    site_id: &str,
    snapshot: &Snapshot,
    ticket: &TicketRecord,
    now_ms: i64,
) -> Result<Vec<crate::storage::jobs::OutboxItem>, FlowError> {
    let key = format!("resolved:{}:{now_ms}", ticket.id);
    let mut outbox = vec![crate::jobs::notices::event(
        crate::storage::jobs::EventName::TicketResolved,
        &key,
        crate::jobs::notices::ticket_data(ticket, &format!("Resolved: {}", ticket.subject)),
    )];
    if customer_offline(store, site_id, &snapshot.conversation, now_ms).await? {
        outbox.extend(crate::jobs::notices::customer_email(
            &snapshot.conversation,
            &format!("Resolved: {}", ticket.subject),
            &format!(
                "Your request \"{}\" is resolved.\n\n{CSAT_REQUEST}",
                ticket.subject
            ),
            &key,
        ));
    }
    Ok(outbox)
}

/// Brings a resolved ticket back.
pub async fn reopen(
    store: &Store,
    site_id: &str,
    ticket_id: &str,
    actor: Actor<'_>,
    reason: &str,
) -> Result<TicketRecord, FlowError> {
    let mut reason = reason.to_owned();
    reason.scrub(&site_settings(store, site_id).await?);
    let matrix = site_matrix(store, site_id).await?;
    let (mut ticket, snapshot) = load_for(store, site_id, ticket_id, actor).await?;
    ticket::reopen(&mut ticket, &matrix, actor.now_ms)?;
    let change = TicketChange {
        trail: vec![agent_entry(actor, "reopened", json!({ "reason": reason }))],
        conversation_status: Some((status_with_agent(&ticket), None)),
        ticket: Some(ticket.clone()),
        ..TicketChange::default()
    };
    ticket.version = commit(store, site_id, &snapshot, actor, "", change).await?;
    Ok(ticket)
}

pub(super) async fn load(
    store: &Store,
    site_id: &str,
    ticket_id: &str,
) -> Result<(TicketRecord, Snapshot), FlowError> {
    let ticket = ticket_record(store, site_id, ticket_id).await?;
    let conversation = store
        .conversation(site_id, &ticket.conversation_id)
        .await?
        .ok_or_else(|| FlowError::NotFound(format!("no conversation for ticket `{ticket_id}`")))?;
    let snapshot = snapshot(store, site_id, &conversation).await?;
    Ok((ticket, snapshot))
}

/// The ticket record alone.
pub async fn ticket_record(
    store: &Store,
    site_id: &str,
    ticket_id: &str,
) -> Result<TicketRecord, FlowError> {
    store
        .ticket(site_id, ticket_id)
        .await?
        .ok_or_else(|| FlowError::NotFound(format!("no ticket `{ticket_id}`")))
}

/// Loads the ticket an action applies to, refusing a stale `If-Match`.
pub(super) async fn load_for(
    store: &Store,
    site_id: &str,
    ticket_id: &str,
    actor: Actor<'_>,
) -> Result<(TicketRecord, Snapshot), FlowError> {
    let (ticket, snapshot) = load(store, site_id, ticket_id).await?;
    if let Some(expected) = actor.expected_version
        && expected != ticket.version
    {
        return Err(FlowError::Store(StoreError::VersionConflict(format!(
            "ticket `{ticket_id}` is at version {}, not {expected}: reload it and try again",
            ticket.version
        ))));
    }
    Ok((ticket, snapshot))
}

/// Commits an agent's change: only over the version that was read, with the
/// request's key. Returns the ticket's new version.
pub(super) async fn commit(
    store: &Store,
    site_id: &str,
    snapshot: &Snapshot,
    actor: Actor<'_>,
    result: &str,
    mut change: TicketChange,
) -> Result<i64, FlowError> {
    let read_version = change.ticket.as_ref().map(|ticket| ticket.version);
    change.expected_version = read_version;
    change.agent_request = actor.request.map(|request| AgentRequestRecord {
        user_id: UserId::new(actor.agent),
        key: request.key.clone(),
        request_hash: request.request_hash.clone(),
        ticket_id: change
            .ticket
            .as_ref()
            .map(|ticket| ticket.id.clone())
            .unwrap_or_default(),
        result: result.to_owned(),
        at_ms: actor.now_ms,
    });
    store
        .commit_ticket_change(site_id, &snapshot.conversation.id, &change)
        .await?;
    Ok(read_version.unwrap_or(0) + 1)
}

fn handoff_change(
    actor: Actor<'_>,
    ticket: &TicketRecord,
    handoff: &waymark_core::domain::Handoff,
    reason: &str,
    notice: &CustomerNotice,
) -> Result<TicketChange, FlowError> {
    let message = MessageRecord {
        seq: 0,
        id: new_id("m")?,
        conversation_id: ticket.conversation_id.clone(),
        idempotency_key: None,
        author: MessageAuthor::System,
        author_name: None,
        text: notice.text.clone(),
        sentiment: None,
        at_ms: actor.now_ms,
    };
    let status = if ticket.escalated {
        ConversationStatus::Escalated
    } else {
        ConversationStatus::WaitingForAgent
    };
    Ok(TicketChange {
        trail: vec![
            ticket::handoff_entry(
                &format!("agent:{}", actor.agent),
                handoff,
                reason,
                actor.now_ms,
            ),
            TrailEntry {
                at_ms: actor.now_ms,
                actor: "system".into(),
                action: "customer_notified".into(),
                detail: json!({ "notice": notice }),
            },
        ],
        messages: vec![message],
        conversation_status: Some((status, Some(notice.clone()))),
        outbox: match handoff {
            waymark_core::domain::Handoff::Escalation { .. } => vec![crate::jobs::notices::event(
                crate::storage::jobs::EventName::TicketEscalated,
                &format!("escalated:{}:{}:{}", ticket.id, ticket.tier, actor.now_ms),
                crate::jobs::notices::ticket_data(ticket, reason),
            )],
            waymark_core::domain::Handoff::Transfer { .. } => Vec::new(),
        },
        ..TicketChange::default()
    })
}

fn status_with_agent(ticket: &TicketRecord) -> ConversationStatus {
    if ticket.escalated {
        ConversationStatus::Escalated
    } else {
        ConversationStatus::WithAgent
    }
}

pub(super) fn agent_entry(actor: Actor<'_>, action: &str, detail: serde_json::Value) -> TrailEntry {
    TrailEntry {
        at_ms: actor.now_ms,
        actor: format!("agent:{}", actor.agent),
        action: action.to_owned(),
        detail,
    }
}

fn note_version(
    version: i64,
    source: &str,
    author: &str,
    note: &HandoffNoteView,
    at_ms: i64,
) -> NoteVersion {
    NoteVersion {
        version,
        source: source.to_owned(),
        note: serde_json::to_value(note).unwrap_or_default(),
        author: author.to_owned(),
        at_ms,
    }
}

fn last_sentiment(messages: &[MessageRecord]) -> Option<f64> {
    messages
        .iter()
        .rev()
        .filter(|m| m.author == MessageAuthor::Customer)
        .find_map(|m| m.sentiment)
}

/// The message a reply created, for a replayed `Idempotency-Key`.
pub async fn reply_of(
    store: &Store,
    site_id: &str,
    ticket_id: &str,
    message_id: &str,
) -> Result<MessageRecord, FlowError> {
    let (_, snapshot) = load(store, site_id, ticket_id).await?;
    snapshot
        .messages
        .into_iter()
        .find(|message| message.id == message_id)
        .ok_or_else(|| FlowError::NotFound(format!("no message `{message_id}`")))
}

/// The note version a confirmation created, for a replayed `Idempotency-Key`.
pub async fn note_of(
    store: &Store,
    site_id: &str,
    ticket_id: &str,
    version: &str,
) -> Result<NoteVersion, FlowError> {
    store
        .handoff_notes(site_id, ticket_id)
        .await?
        .into_iter()
        .find(|note| note.version.to_string() == version)
        .ok_or_else(|| FlowError::NotFound(format!("no note version `{version}`")))
}
