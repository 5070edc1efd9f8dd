//! Tickets, their audit trail, their handoff notes (every version kept) and CSAT.
//!
//! Every change to a ticket is one [`TicketChange`] committed in one transaction:
//! the ticket row, the trail entries that explain it, messages sent into the
//! conversation, a handoff-note version and the idempotency key of the request.

use sqlx::Row;
use sqlx::any::AnyRow;
use waymark_core::domain::{EscalationType, LifecycleStage, Priority, Resolution, TicketState};
use waymark_core::wire::{ConversationStatus, CustomerNotice};

use super::conversations::{
    ConversationRecord, MessageRecord, insert_conversation, insert_message,
    update_conversation_status,
};
use super::jobs::OutboxItem;
use super::users::AgentRequestRecord;
use super::{Store, StoreError, enum_text, parse_enum, parse_json, to_json};
use crate::live::{LiveEvent, LiveKind};

/// A ticket as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketRecord {
    /// Its id.
    pub id: String,
    /// The conversation it belongs to.
    pub conversation_id: String,
    /// State machine position.
    pub state: TicketState,
    /// The tier that has it.
    pub tier: String,
    /// The team that has it, if any.
    pub team: Option<String>,
    /// The one owner (agent id), once someone has it.
    pub owner: Option<String>,
    /// Collaborators (agent ids), sorted.
    pub collaborators: Vec<String>,
    /// Priority.
    pub priority: Priority,
    /// The type of the last escalation.
    pub escalation_type: Option<EscalationType>,
    /// Lifecycle stage.
    pub stage: LifecycleStage,
    /// Subject line.
    pub subject: String,
    /// Whether it was ever escalated above the first tier.
    pub escalated: bool,
    /// Since when it is at its tier.
    pub at_tier_since_ms: i64,
    /// When the acknowledgement SLA is due, while it runs.
    pub ack_due_ms: Option<i64>,
    /// When the tier acknowledged it.
    pub acknowledged_at_ms: Option<i64>,
    /// When the resolution SLA is due.
    pub resolution_due_ms: Option<i64>,
    /// When it was resolved.
    pub resolved_at_ms: Option<i64>,
    /// The captured resolution.
    pub resolution: Option<Resolution>,
    /// Rules that already fired for it.
    pub fired_rules: Vec<String>,
    /// Created.
    pub created_at_ms: i64,
    /// Last change.
    pub updated_at_ms: i64,
    /// 1 when created, one more at every stored change (optimistic concurrency).
    pub version: i64,
}

/// One audited action on a ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailEntry {
    /// When.
    pub at_ms: i64,
    /// Who (`rule:<id>`, `customer`, `agent:<id>`, `system`).
    pub actor: String,
    /// What (`created`, `escalated`, `transferred`, …).
    pub action: String,
    /// Details as JSON.
    pub detail: serde_json::Value,
}

/// One version of a handoff note.
#[derive(Debug, Clone, PartialEq)]
pub struct NoteVersion {
    /// 1 for the generated note, then one per edit.
    pub version: i64,
    /// `generated` or `confirmed`.
    pub source: String,
    /// The note as JSON ([`crate::flow::HandoffNoteView`]).
    pub note: serde_json::Value,
    /// Who wrote this version.
    pub author: String,
    /// When.
    pub at_ms: i64,
}

/// Everything one action changes, committed together.
#[derive(Debug, Clone, Default)]
pub struct TicketChange {
    /// A conversation to create first (at intake).
    pub new_conversation: Option<ConversationRecord>,
    /// The ticket after the action.
    pub ticket: Option<TicketRecord>,
    /// What to add to its trail.
    pub trail: Vec<TrailEntry>,
    /// Messages to add to the conversation (notices, agent replies).
    pub messages: Vec<MessageRecord>,
    /// The conversation's new status and notice.
    pub conversation_status: Option<(ConversationStatus, Option<CustomerNotice>)>,
    /// A new handoff-note version.
    pub note: Option<NoteVersion>,
    /// `(scope, key, response)`: the request's idempotency key and its answer.
    pub idempotency: Option<(String, String, String)>,
    /// Notifications and integration deliveries, written in the same transaction.
    pub outbox: Vec<OutboxItem>,
    /// Store the ticket only if it is still at this version (else
    /// [`StoreError::VersionConflict`] and nothing is written).
    pub expected_version: Option<i64>,
    /// An agent action's `Idempotency-Key`, stored with the change.
    pub agent_request: Option<AgentRequestRecord>,
    /// Writes to the knowledge index, appended to the knowledge log in the same
    /// transaction (a resolved ticket becomes a document).
    pub knowledge: Vec<waymark_knowledge::IndexChange>,
}

impl TicketChange {
    /// Adds `other` to this change; `other`'s ticket, status and note win.
    pub fn merge(&mut self, other: TicketChange) {
        if other.new_conversation.is_some() {
            self.new_conversation = other.new_conversation;
        }
        if other.ticket.is_some() {
            self.ticket = other.ticket;
        }
        self.trail.extend(other.trail);
        self.messages.extend(other.messages);
        if other.conversation_status.is_some() {
            self.conversation_status = other.conversation_status;
        }
        if other.note.is_some() {
            self.note = other.note;
        }
        if other.idempotency.is_some() {
            self.idempotency = other.idempotency;
        }
        self.outbox.extend(other.outbox);
        if other.expected_version.is_some() {
            self.expected_version = other.expected_version;
        }
        if other.agent_request.is_some() {
            self.agent_request = other.agent_request;
        }
        self.knowledge.extend(other.knowledge);
    }
}

/// What a commit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitOutcome {
    /// Everything was written.
    Committed,
    /// The idempotency key was used before; nothing was written. Holds the first answer.
    Replayed(String),
}

impl Store {
    /// Commits `change` for the ticket's conversation in one transaction.
    pub async fn commit_ticket_change(
        &self,
        site_id: &str,
        conversation_id: &str,
        change: &TicketChange,
    ) -> Result<CommitOutcome, StoreError> {
        let now = super::now_ms();
        let mut tx = self.pool().begin().await?;
        if let Some((scope, key, response)) = &change.idempotency {
            let fresh = sqlx::query(
                "INSERT INTO idempotency_keys (site_id, scope, key, response, at_ms)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(site_id)
            .bind(scope)
            .bind(key)
            .bind(response)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if !fresh {
                tx.rollback().await?;
                let first = self
                    .idempotent_response(site_id, scope, key)
                    .await?
                    .unwrap_or_default();
                return Ok(CommitOutcome::Replayed(first));
            }
        }
        if let Some(request) = &change.agent_request {
            let fresh = sqlx::query(
                "INSERT INTO agent_requests (site_id, user_id, idempotency_key, request_hash,
                    ticket_id, result, at_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            )
            .bind(site_id)
            .bind(request.user_id.as_str())
            .bind(&request.key)
            .bind(&request.request_hash)
            .bind(&request.ticket_id)
            .bind(&request.result)
            .bind(request.at_ms)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if !fresh {
                tx.rollback().await?;
                return Err(StoreError::AlreadyApplied(format!(
                    "a request with the Idempotency-Key `{}` was applied meanwhile",
                    request.key
                )));
            }
        }
        write_change(&mut tx, site_id, conversation_id, change, now).await?;
        // Last: it holds the log's append lock until the commit.
        super::knowledge_log::append_in(&mut tx, self.backend(), &change.knowledge, now).await?;
        tx.commit().await?;
        self.publish_change(site_id, conversation_id, change);
        Ok(CommitOutcome::Committed)
    }

    /// Tells live streams what `change` (just committed) touched.
    fn publish_change(&self, site_id: &str, conversation_id: &str, change: &TicketChange) {
        let ticket_id = change.ticket.as_ref().map(|t| t.id.clone());
        if !change.messages.is_empty() || change.conversation_status.is_some() {
            self.live().publish(
                site_id,
                LiveEvent {
                    kind: LiveKind::Message,
                    conversation_id: conversation_id.to_owned(),
                    ticket_id: ticket_id.clone(),
                },
            );
        }
        if ticket_id.is_some() {
            self.live().publish(
                site_id,
                LiveEvent {
                    kind: LiveKind::Ticket,
                    conversation_id: conversation_id.to_owned(),
                    ticket_id,
                },
            );
        }
    }

    /// The ticket `id` of the site.
    pub async fn ticket(
        &self,
        site_id: &str,
        id: &str,
    ) -> Result<Option<TicketRecord>, StoreError> {
        let row = sqlx::query(&format!("{TICKET_COLUMNS} WHERE site_id = $1 AND id = $2"))
            .bind(site_id)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| ticket_from_row(&row)).transpose()
    }

    /// The ticket of a conversation, if it has one.
    pub async fn ticket_of_conversation(
        &self,
        site_id: &str,
        conversation_id: &str,
    ) -> Result<Option<TicketRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "{TICKET_COLUMNS} WHERE site_id = $1 AND conversation_id = $2"
        ))
        .bind(site_id)
        .bind(conversation_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| ticket_from_row(&row)).transpose()
    }

    /// The site's open tickets (not resolved, not closed), any order.
    pub async fn open_tickets(&self, site_id: &str) -> Result<Vec<TicketRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "{TICKET_COLUMNS} WHERE site_id = $1 AND state <> 'resolved' AND state <> 'closed' LIMIT 1000"
        ))
        .bind(site_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(ticket_from_row).collect()
    }

    /// A ticket's audit trail, oldest first.
    pub async fn ticket_trail(
        &self,
        site_id: &str,
        ticket_id: &str,
    ) -> Result<Vec<TrailEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at_ms, actor, action, detail FROM ticket_trail
             WHERE site_id = $1 AND ticket_id = $2 ORDER BY seq",
        )
        .bind(site_id)
        .bind(ticket_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let detail: String = row.try_get("detail")?;
                Ok(TrailEntry {
                    at_ms: row.try_get("at_ms")?,
                    actor: row.try_get("actor")?,
                    action: row.try_get("action")?,
                    detail: parse_json("ticket_trail", "detail", &detail)?,
                })
            })
            .collect()
    }

    /// Every version of a ticket's handoff note, oldest first.
    pub async fn handoff_notes(
        &self,
        site_id: &str,
        ticket_id: &str,
    ) -> Result<Vec<NoteVersion>, StoreError> {
        let rows = sqlx::query(
            "SELECT version, source, note, author, at_ms FROM handoff_notes
             WHERE site_id = $1 AND ticket_id = $2 ORDER BY version",
        )
        .bind(site_id)
        .bind(ticket_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let note: String = row.try_get("note")?;
                Ok(NoteVersion {
                    version: row.try_get("version")?,
                    source: row.try_get("source")?,
                    note: parse_json("handoff_notes", "note", &note)?,
                    author: row.try_get("author")?,
                    at_ms: row.try_get("at_ms")?,
                })
            })
            .collect()
    }

    /// Records a CSAT answer once per conversation; returns whether it was new.
    pub async fn record_csat(
        &self,
        site_id: &str,
        answer: &CsatRecord,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "INSERT INTO csat (site_id, conversation_id, ticket_id, idempotency_key, score, comment, at_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(site_id)
        .bind(&answer.conversation_id)
        .bind(answer.ticket_id.clone())
        .bind(&answer.idempotency_key)
        .bind(answer.score)
        .bind(answer.comment.clone())
        .bind(answer.at_ms)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// The CSAT answer of a conversation.
    pub async fn csat(
        &self,
        site_id: &str,
        conversation_id: &str,
    ) -> Result<Option<CsatRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT conversation_id, ticket_id, idempotency_key, score, comment, at_ms FROM csat
             WHERE site_id = $1 AND conversation_id = $2",
        )
        .bind(site_id)
        .bind(conversation_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(CsatRecord {
                conversation_id: row.try_get("conversation_id")?,
                ticket_id: row.try_get("ticket_id")?,
                idempotency_key: row.try_get("idempotency_key")?,
                score: row.try_get("score")?,
                comment: row.try_get("comment")?,
                at_ms: row.try_get("at_ms")?,
            })
        })
        .transpose()
    }
}

/// A satisfaction rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsatRecord {
    /// The conversation rated.
    pub conversation_id: String,
    /// Its ticket, if it had one.
    pub ticket_id: Option<String>,
    /// The widget's key.
    pub idempotency_key: String,
    /// 1 to 5.
    pub score: i64,
    /// Scrubbed comment.
    pub comment: Option<String>,
    /// When.
    pub at_ms: i64,
}

/// Writes every part of `change` inside `tx` (no idempotency check).
pub(crate) async fn write_change(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    site_id: &str,
    conversation_id: &str,
    change: &TicketChange,
    now: i64,
) -> Result<(), StoreError> {
    if let Some(conversation) = &change.new_conversation {
        insert_conversation(&mut *tx, site_id, conversation).await?;
    }
    if let Some(ticket) = &change.ticket {
        let stored = upsert_ticket(&mut *tx, site_id, ticket, change.expected_version).await?;
        if !stored {
            return Err(StoreError::VersionConflict(format!(
                "ticket `{}` changed since version {}: reload it and try again",
                ticket.id,
                change.expected_version.unwrap_or_default()
            )));
        }
        for entry in &change.trail {
            sqlx::query(
                "INSERT INTO ticket_trail (site_id, ticket_id, at_ms, actor, action, detail)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(site_id)
            .bind(&ticket.id)
            .bind(entry.at_ms)
            .bind(&entry.actor)
            .bind(&entry.action)
            .bind(entry.detail.to_string())
            .execute(&mut **tx)
            .await?;
        }
        if let Some(note) = &change.note {
            sqlx::query(
                "INSERT INTO handoff_notes (site_id, ticket_id, version, source, note, author, at_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(site_id)
            .bind(&ticket.id)
            .bind(note.version)
            .bind(&note.source)
            .bind(note.note.to_string())
            .bind(&note.author)
            .bind(note.at_ms)
            .execute(&mut **tx)
            .await?;
        }
    }
    for message in &change.messages {
        insert_message(&mut *tx, site_id, message).await?;
    }
    if let Some((status, notice)) = &change.conversation_status {
        update_conversation_status(
            &mut *tx,
            site_id,
            conversation_id,
            *status,
            notice.as_ref(),
            now,
        )
        .await?;
    }
    super::jobs::write_outbox(tx, site_id, &change.outbox, now).await?;
    Ok(())
}

pub(super) const TICKET_COLUMNS: &str =
    "SELECT id, conversation_id, state, tier, team, owner, collaborators,
    priority, escalation_type, stage, subject, escalated, at_tier_since_ms, ack_due_ms,
    acknowledged_at_ms, resolution_due_ms, resolved_at_ms, resolution, fired_rules,
    created_at_ms, updated_at_ms, version FROM tickets";

/// Inserts or updates the ticket (one version more); with `expected_version`, only
/// a ticket still at that version is updated. Returns whether a row was written.
async fn upsert_ticket(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    site_id: &str,
    ticket: &TicketRecord,
    expected_version: Option<i64>,
) -> Result<bool, StoreError> {
    let guard = if expected_version.is_some() {
        " WHERE tickets.version = $24"
    } else {
        ""
    };
    let sql = format!(
        "INSERT INTO tickets (site_id, id, conversation_id, state, tier, team, owner, collaborators,
            priority, escalation_type, stage, subject, escalated, at_tier_since_ms, ack_due_ms,
            acknowledged_at_ms, resolution_due_ms, resolved_at_ms, resolution, fired_rules,
            created_at_ms, updated_at_ms, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
            $19, $20, $21, $22, $23)
         ON CONFLICT (site_id, id) DO UPDATE SET state = excluded.state, tier = excluded.tier,
            team = excluded.team, owner = excluded.owner, collaborators = excluded.collaborators,
            priority = excluded.priority, escalation_type = excluded.escalation_type,
            stage = excluded.stage, subject = excluded.subject, escalated = excluded.escalated,
            at_tier_since_ms = excluded.at_tier_since_ms, ack_due_ms = excluded.ack_due_ms,
            acknowledged_at_ms = excluded.acknowledged_at_ms,
            resolution_due_ms = excluded.resolution_due_ms,
            resolved_at_ms = excluded.resolved_at_ms, resolution = excluded.resolution,
            fired_rules = excluded.fired_rules, updated_at_ms = excluded.updated_at_ms,
            version = tickets.version + 1{guard}"
    );
    let mut query = sqlx::query(&sql)
        .bind(site_id)
        .bind(&ticket.id)
        .bind(&ticket.conversation_id)
        .bind(enum_text(&ticket.state))
        .bind(&ticket.tier)
        .bind(ticket.team.clone())
        .bind(ticket.owner.clone())
        .bind(to_json(&ticket.collaborators))
        .bind(enum_text(&ticket.priority))
        .bind(ticket.escalation_type.as_ref().map(enum_text))
        .bind(enum_text(&ticket.stage))
        .bind(&ticket.subject)
        .bind(i64::from(ticket.escalated))
        .bind(ticket.at_tier_since_ms)
        .bind(ticket.ack_due_ms)
        .bind(ticket.acknowledged_at_ms)
        .bind(ticket.resolution_due_ms)
        .bind(ticket.resolved_at_ms)
        .bind(ticket.resolution.as_ref().map(to_json))
        .bind(to_json(&ticket.fired_rules))
        .bind(ticket.created_at_ms)
        .bind(ticket.updated_at_ms)
        .bind(ticket.version.max(1));
    if let Some(expected) = expected_version {
        query = query.bind(expected);
    }
    let written = query.execute(&mut **tx).await?.rows_affected();
    Ok(written == 1)
}

pub(super) fn ticket_from_row(row: &AnyRow) -> Result<TicketRecord, StoreError> {
    const T: &str = "tickets";
    let state: String = row.try_get("state")?;
    let priority: String = row.try_get("priority")?;
    let escalation_type: Option<String> = row.try_get("escalation_type")?;
    let stage: String = row.try_get("stage")?;
    let collaborators: String = row.try_get("collaborators")?;
    let fired: String = row.try_get("fired_rules")?;
    let resolution: Option<String> = row.try_get("resolution")?;
    let escalated: i64 = row.try_get("escalated")?;
    Ok(TicketRecord {
        id: row.try_get("id")?,
        conversation_id: row.try_get("conversation_id")?,
        state: parse_enum(T, "state", &state)?,
        tier: row.try_get("tier")?,
        team: row.try_get("team")?,
        owner: row.try_get("owner")?,
        collaborators: parse_json(T, "collaborators", &collaborators)?,
        priority: parse_enum(T, "priority", &priority)?,
        escalation_type: escalation_type
            .map(|text| parse_enum(T, "escalation_type", &text))
            .transpose()?,
        stage: parse_enum(T, "stage", &stage)?,
        subject: row.try_get("subject")?,
        escalated: escalated != 0,
        at_tier_since_ms: row.try_get("at_tier_since_ms")?,
        ack_due_ms: row.try_get("ack_due_ms")?,
        acknowledged_at_ms: row.try_get("acknowledged_at_ms")?,
        resolution_due_ms: row.try_get("resolution_due_ms")?,
        resolved_at_ms: row.try_get("resolved_at_ms")?,
        resolution: resolution
            .map(|text| parse_json(T, "resolution", &text))
            .transpose()?,
        fired_rules: parse_json(T, "fired_rules", &fired)?,
        created_at_ms: row.try_get("created_at_ms")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
        version: row.try_get("version")?,
    })
}
