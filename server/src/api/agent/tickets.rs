//! The queue (ordered by SLA risk), ticket detail, and ticket actions. Bodies
//! are strict: an unknown field is refused with `invalid_body`.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use serde::{Deserialize, Serialize};
use waymark_core::domain::{EscalationType, LifecycleStage, Priority, Resolution, TicketState};
use waymark_core::wire::WireMessage;

use super::TicketPath;
use super::auth::{ActOnTickets, Agent, ReadTickets};
use super::requests::{actor, earlier, terms};
use crate::api::AppState;
use crate::api::error::{ApiError, ErrorCode};
use crate::api::json::Json;
use crate::flow::agent::{self as flow, AgentEscalation};
use crate::flow::conversation::wire_message;
use crate::flow::queue::{
    DEFAULT_LIMIT, MAX_LIMIT, QueueQuery, QueueView, counts as queue_counts_of, page as queue_page,
};
use crate::flow::{HandoffNoteView, TrailItem};
use crate::storage::{NoteVersion, TicketRecord, TrailEntry, now_ms};

/// A ticket as agents see it.
#[derive(Debug, Serialize)]
pub struct TicketDto {
    id: String,
    conversation_id: String,
    state: TicketState,
    tier: String,
    team: Option<String>,
    owner: Option<String>,
    collaborators: Vec<String>,
    priority: Priority,
    escalation_type: Option<EscalationType>,
    stage: LifecycleStage,
    subject: String,
    escalated: bool,
    ack_due_ms: Option<i64>,
    acknowledged_at_ms: Option<i64>,
    resolution_due_ms: Option<i64>,
    resolved_at_ms: Option<i64>,
    resolution: Option<Resolution>,
    fired_rules: Vec<String>,
    created_at_ms: i64,
    updated_at_ms: i64,
    /// Goes up by one at every change; send it back as `If-Match`.
    version: i64,
}

impl From<TicketRecord> for TicketDto {
    fn from(t: TicketRecord) -> Self {
        Self {
            id: t.id,
            conversation_id: t.conversation_id,
            state: t.state,
            tier: t.tier,
            team: t.team,
            owner: t.owner,
            collaborators: t.collaborators,
            priority: t.priority,
            escalation_type: t.escalation_type,
            stage: t.stage,
            subject: t.subject,
            escalated: t.escalated,
            ack_due_ms: t.ack_due_ms,
            acknowledged_at_ms: t.acknowledged_at_ms,
            resolution_due_ms: t.resolution_due_ms,
            resolved_at_ms: t.resolved_at_ms,
            resolution: t.resolution,
            fired_rules: t.fired_rules,
            created_at_ms: t.created_at_ms,
            updated_at_ms: t.updated_at_ms,
            version: t.version,
        }
    }
}

/// One queue entry.
#[derive(Debug, Serialize)]
pub struct QueueEntryDto {
    /// Milliseconds until the next SLA is due; negative once breached.
    sla_risk_ms: Option<i64>,
    ticket: TicketDto,
}

/// `?view=&agent=&tier=&team=&cursor=&limit=` of the queue.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueParams {
    /// `all` (default), `mine`, `unassigned`, `breached` or `waiting_on_customer`.
    #[serde(default)]
    view: Option<String>,
    /// The agent whose tickets `mine` shows (and `counts.mine` counts); the
    /// caller by default.
    #[serde(default)]
    agent: Option<String>,
    /// Only this tier.
    #[serde(default)]
    tier: Option<String>,
    /// Only this team.
    #[serde(default)]
    team: Option<String>,
    /// The `X-Next-Cursor` of the previous page.
    #[serde(default)]
    cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[serde(default)]
    limit: Option<usize>,
}

impl QueueParams {
    /// The query, with `mine` meaning `caller` unless another agent is named.
    fn query(self, caller: &str) -> Result<QueueQuery, ApiError> {
        let invalid = |message: String| ApiError::new(ErrorCode::InvalidValue, message);
        let agent = self
            .agent
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| caller.to_owned());
        let view = match self.view.as_deref().unwrap_or("all") {
            "all" => QueueView::All,
            "mine" => QueueView::Mine(agent),
            "unassigned" => QueueView::Unassigned,
            "breached" => QueueView::Breached,
            "waiting_on_customer" => QueueView::WaitingOnCustomer,
            other => {
                return Err(invalid(format!(
                    "view `{other}` is not one of all, mine, unassigned, breached, waiting_on_customer"
                )));
            }
        };
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(invalid(format!("limit must be 1 to {MAX_LIMIT}")));
        }
        Ok(QueueQuery {
            view,
            tier: self.tier.filter(|t| !t.is_empty()),
            team: self.team.filter(|t| !t.is_empty()),
            cursor: self.cursor.filter(|c| !c.is_empty()),
            limit,
        })
    }
}

/// The queue page; the next page's cursor, if any, in `X-Next-Cursor`.
pub(super) async fn queue(
    State(state): State<AppState>,
    agent: Agent<ReadTickets>,
    Query(params): Query<QueueParams>,
) -> Result<(HeaderMap, Json<Vec<QueueEntryDto>>), ApiError> {
    let query = params.query(agent.user.id.as_str())?;
    let entries = flow::queue(&state.store, &agent.site_id, now_ms()).await?;
    let page = queue_page(entries, &query)?;
    let mut headers = HeaderMap::new();
    if let Some(cursor) = page.next_cursor.as_deref().and_then(|c| c.parse().ok()) {
        headers.insert(NEXT_CURSOR, cursor);
    }
    let body = page
        .entries
        .into_iter()
        .map(|e| QueueEntryDto {
            sla_risk_ms: e.sla_risk_ms,
            ticket: e.ticket.into(),
        })
        .collect();
    Ok((headers, Json(body)))
}

/// The header naming the next page's cursor.
pub const NEXT_CURSOR: &str = "x-next-cursor";

/// How many open tickets each filter of the queue holds.
#[derive(Debug, Serialize)]
pub struct QueueCountsDto {
    all: usize,
    mine: usize,
    unassigned: usize,
    breached: usize,
    waiting_on_customer: usize,
    tiers: std::collections::BTreeMap<String, usize>,
    teams: std::collections::BTreeMap<String, usize>,
}

pub(super) async fn queue_counts(
    State(state): State<AppState>,
    agent: Agent<ReadTickets>,
    Query(params): Query<QueueParams>,
) -> Result<Json<QueueCountsDto>, ApiError> {
    let mine = params
        .agent
        .clone()
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| agent.user.id.as_str().to_owned());
    let query = params.query(agent.user.id.as_str())?;
    let entries = flow::queue(&state.store, &agent.site_id, now_ms()).await?;
    let counts = queue_counts_of(&entries, &query, Some(&mine));
    Ok(Json(QueueCountsDto {
        all: counts.all,
        mine: counts.mine,
        unassigned: counts.unassigned,
        breached: counts.breached,
        waiting_on_customer: counts.waiting_on_customer,
        tiers: counts.tiers,
        teams: counts.teams,
    }))
}

/// A handoff-note version.
#[derive(Debug, Serialize)]
pub struct NoteDto {
    version: i64,
    source: String,
    author: String,
    at_ms: i64,
    note: serde_json::Value,
}

impl From<NoteVersion> for NoteDto {
    fn from(n: NoteVersion) -> Self {
        Self {
            version: n.version,
            source: n.source,
            author: n.author,
            at_ms: n.at_ms,
            note: n.note,
        }
    }
}

/// An audit-trail entry.
#[derive(Debug, Serialize)]
pub struct TrailDto {
    at_ms: i64,
    actor: String,
    action: String,
    detail: serde_json::Value,
}

impl From<TrailEntry> for TrailDto {
    fn from(e: TrailEntry) -> Self {
        Self {
            at_ms: e.at_ms,
            actor: e.actor,
            action: e.action,
            detail: e.detail,
        }
    }
}

/// The customer's rating.
#[derive(Debug, Serialize)]
pub struct CsatDto {
    score: i64,
    comment: Option<String>,
    at_ms: i64,
}

/// Everything on one ticket.
#[derive(Debug, Serialize)]
pub struct TicketDetailDto {
    ticket: TicketDto,
    customer: serde_json::Value,
    messages: Vec<WireMessage>,
    handoff_notes: Vec<NoteDto>,
    trail: Vec<TrailDto>,
    page_trail: Vec<TrailItem>,
    csat: Option<CsatDto>,
    /// The stages ahead that still lack what the site's matrix requires.
    needs: Vec<crate::flow::policy::StageNeeds>,
}

pub(super) async fn detail(
    State(state): State<AppState>,
    agent: Agent<ReadTickets>,
    Path(TicketPath { ticket_id }): Path<TicketPath>,
) -> Result<(HeaderMap, Json<TicketDetailDto>), ApiError> {
    let site_id = agent.site_id.as_str();
    let d = flow::detail(&state.store, site_id, &ticket_id).await?;
    let mut headers = HeaderMap::new();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", d.ticket.version)) {
        headers.insert(header::ETAG, etag);
    }
    let dto = TicketDetailDto {
        ticket: d.ticket.into(),
        customer: serde_json::json!({
            "user_id": d.conversation.customer_id,
            "name": d.conversation.customer_name,
            "email": d.conversation.customer_email,
            "plan": d.conversation.plan,
            "account_tier": d.conversation.account_tier,
            "verified": d.conversation.identity_verified,
            "session_id": d.conversation.session_id,
        }),
        messages: d.messages.into_iter().map(wire_message).collect(),
        handoff_notes: d.notes.into_iter().map(Into::into).collect(),
        trail: d.trail.into_iter().map(Into::into).collect(),
        page_trail: d.page_trail,
        needs: d.needs,
        csat: d.csat.map(|c| CsatDto {
            score: c.score,
            comment: c.comment,
            at_ms: c.at_ms,
        }),
    };
    Ok((headers, Json(dto)))
}

/// An action without parameters (`{}`).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentBody {
    /// Legacy: the acting agent. The actor is the authenticated user; a value
    /// naming anyone else is refused.
    #[serde(default)]
    pub agent: Option<String>,
    /// The ticket version the agent saw (as `If-Match`); another one is refused.
    #[serde(default)]
    pub expected_version: Option<i64>,
}

async fn current(
    state: &AppState,
    site_id: &str,
    ticket_id: &str,
) -> Result<Json<TicketDto>, ApiError> {
    Ok(Json(
        flow::ticket_record(&state.store, site_id, ticket_id)
            .await?
            .into(),
    ))
}

pub(super) async fn acknowledge(
    State(state): State<AppState>,
    agent: Agent<ActOnTickets>,
    Path(TicketPath { ticket_id }): Path<TicketPath>,
    headers: HeaderMap,
    Json(body): Json<AgentBody>,
) -> Result<Json<TicketDto>, ApiError> {
    let site_id = agent.site_id.as_str();
    let terms = terms(
        &headers,
        "acknowledge",
        &ticket_id,
        &body,
        body.expected_version,
    )?;
    if earlier(&state, &agent, &terms).await?.is_some() {
        return current(&state, site_id, &ticket_id).await;
    }
    let ticket = flow::acknowledge(
        &state.store,
        site_id,
        &ticket_id,
        actor(&agent, body.agent.as_deref(), &terms)?,
    )
    .await?;
    Ok(Json(ticket.into()))
}

/// A reply to the customer.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyBody {
    /// Legacy: the acting agent. The actor is the authenticated user; a value
    /// naming anyone else is refused.
    #[serde(default)]
    pub agent: Option<String>,
    /// The ticket version the agent saw (as `If-Match`); another one is refused.
    #[serde(default)]
    pub expected_version: Option<i64>,
    /// Name shown to the customer (`Sam from Billing`).
    #[serde(default)]
    pub author_name: Option<String>,
    /// The text.
    pub text: String,
}

pub(super) async fn reply(
    State(state): State<AppState>,
    agent: Agent<ActOnTickets>,
    Path(TicketPath { ticket_id }): Path<TicketPath>,
    headers: HeaderMap,
    Json(body): Json<ReplyBody>,
) -> Result<Json<WireMessage>, ApiError> {
    let site_id = agent.site_id.as_str();
    let terms = terms(&headers, "reply", &ticket_id, &body, body.expected_version)?;
    if let Some(done) = earlier(&state, &agent, &terms).await? {
        let message = flow::reply_of(&state.store, site_id, &ticket_id, &done.result).await?;
        return Ok(Json(wire_message(message)));
    }
    let message = flow::reply(
        &state.store,
        site_id,
        &ticket_id,
        actor(&agent, body.agent.as_deref(), &terms)?,
        body.author_name.clone(),
        &body.text,
    )
    .await?;
    Ok(Json(wire_message(message)))
}

/// An escalation up a tier.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalateBody {
    /// Legacy: the acting agent. The actor is the authenticated user; a value
    /// naming anyone else is refused.
    #[serde(default)]
    pub agent: Option<String>,
    /// The ticket version the agent saw (as `If-Match`); another one is refused.
    #[serde(default)]
    pub expected_version: Option<i64>,
    /// The tier above.
    pub to_tier: String,
    /// Why, as a type.
    pub escalation_type: EscalationType,
    /// Priority (never lowered).
    #[serde(default)]
    pub priority: Priority,
    /// The agent's reason.
    pub reason: String,
    /// The agent's edited note, kept beside the generated one.
    #[serde(default)]
    pub note: Option<HandoffNoteView>,
}

pub(super) async fn escalate(
    State(state): State<AppState>,
    agent: Agent<ActOnTickets>,
    Path(TicketPath { ticket_id }): Path<TicketPath>,
    headers: HeaderMap,
    Json(body): Json<EscalateBody>,
) -> Result<Json<TicketDto>, ApiError> {
    let site_id = agent.site_id.as_str();
    let terms = terms(
        &headers,
        "escalate",
        &ticket_id,
        &body,
        body.expected_version,
    )?;
    if earlier(&state, &agent, &terms).await?.is_some() {
        return current(&state, site_id, &ticket_id).await;
    }
    let request = AgentEscalation {
        to_tier: body.to_tier,
        escalation_type: body.escalation_type,
        priority: body.priority,
        reason: body.reason,
        note: body.note,
    };
    let ticket = flow::escalate(
        &state.store,
        site_id,
        &ticket_id,
        actor(&agent, body.agent.as_deref(), &terms)?,
        request,
    )
    .await?;
    Ok(Json(ticket.into()))
}

/// A transfer to another team at the same tier.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    /// Legacy: the acting agent. The actor is the authenticated user; a value
    /// naming anyone else is refused.
    #[serde(default)]
    pub agent: Option<String>,
    /// The ticket version the agent saw (as `If-Match`); another one is refused.
    #[serde(default)]
    pub expected_version: Option<i64>,
    /// The receiving team.
    pub to_team: String,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

pub(super) async fn transfer(
    State(state): State<AppState>,
    agent: Agent<ActOnTickets>,
    Path(TicketPath { ticket_id }): Path<TicketPath>,
    headers: HeaderMap,
    Json(body): Json<TransferBody>,
) -> Result<Json<TicketDto>, ApiError> {
    let site_id = agent.site_id.as_str();
    let terms = terms(
        &headers,
        "transfer",
        &ticket_id,
        &body,
        body.expected_version,
    )?;
    if earlier(&state, &agent, &terms).await?.is_some() {
        return current(&state, site_id, &ticket_id).await;
    }
    let ticket = flow::transfer(
        &state.store,
        site_id,
        &ticket_id,
        actor(&agent, body.agent.as_deref(), &terms)?,
        &body.to_team,
        &body.reason,
    )
    .await?;
    Ok(Json(ticket.into()))
}

/// A collaborator to add.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollaboratorBody {
    /// Legacy: the acting agent. The actor is the authenticated user; a value
    /// naming anyone else is refused.
    #[serde(default)]
    pub agent: Option<String>,
    /// The ticket version the agent saw (as `If-Match`); another one is refused.
    #[serde(default)]
    pub expected_version: Option<i64>,
    /// The specialist to add.
    pub collaborator: String,
}

pub(super) async fn add_collaborator(
    State(state): State<AppState>,
    agent: Agent<ActOnTickets>,
    Path(TicketPath { ticket_id }): Path<TicketPath>,
    headers: HeaderMap,
    Json(body): Json<CollaboratorBody>,
) -> Result<Json<TicketDto>, ApiError> {
    let site_id = agent.site_id.as_str();
    let terms = terms(
        &headers,
        "add_collaborator",
        &ticket_id,
        &body,
        body.expected_version,
    )?;
    if earlier(&state, &agent, &terms).await?.is_some() {
        return current(&state, site_id, &ticket_id).await;
    }
    let ticket = flow::add_collaborator(
        &state.store,
        site_id,
        &ticket_id,
        actor(&agent, body.agent.as_deref(), &terms)?,
        &body.collaborator,
    )
    .await?;
    Ok(Json(ticket.into()))
}

/// The escalating agent's confirmed note.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    /// Legacy: the acting agent. The actor is the authenticated user; a value
    /// naming anyone else is refused.
    #[serde(default)]
    pub agent: Option<String>,
    /// The ticket version the agent saw (as `If-Match`); another one is refused.
    #[serde(default)]
    pub expected_version: Option<i64>,
    /// The note as confirmed.
    pub note: HandoffNoteView,
}

pub(super) async fn confirm_note(
    State(state): State<AppState>,
    agent: Agent<ActOnTickets>,
    Path(TicketPath { ticket_id }): Path<TicketPath>,
    headers: HeaderMap,
    Json(body): Json<NoteBody>,
) -> Result<Json<NoteDto>, ApiError> {
    let site_id = agent.site_id.as_str();
    let terms = terms(
        &headers,
        "confirm_note",
        &ticket_id,
        &body,
        body.expected_version,
    )?;
    if let Some(done) = earlier(&state, &agent, &terms).await? {
        let note = flow::note_of(&state.store, site_id, &ticket_id, &done.result).await?;
        return Ok(Json(note.into()));
    }
    let version = flow::confirm_note(
        &state.store,
        site_id,
        &ticket_id,
        actor(&agent, body.agent.as_deref(), &terms)?,
        body.note,
    )
    .await?;
    Ok(Json(version.into()))
}

pub(super) async fn suggested_resolution(
    State(state): State<AppState>,
    agent: Agent<ReadTickets>,
    Path(TicketPath { ticket_id }): Path<TicketPath>,
) -> Result<Json<Resolution>, ApiError> {
    let site_id = agent.site_id.as_str();
    let resolution = flow::suggested_resolution(&state.store, site_id, &ticket_id).await?;
    Ok(Json(resolution))
}

/// The resolution as the agent confirms it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    /// Legacy: the acting agent. The actor is the authenticated user; a value
    /// naming anyone else is refused.
    #[serde(default)]
    pub agent: Option<String>,
    /// The ticket version the agent saw (as `If-Match`); another one is refused.
    #[serde(default)]
    pub expected_version: Option<i64>,
    /// Root cause, fix, environment, version (all required once escalated).
    pub resolution: Resolution,
}

pub(super) async fn resolve(
    State(state): State<AppState>,
    agent: Agent<ActOnTickets>,
    Path(TicketPath { ticket_id }): Path<TicketPath>,
    headers: HeaderMap,
    Json(body): Json<ResolveBody>,
) -> Result<Json<TicketDto>, ApiError> {
    let site_id = agent.site_id.as_str();
    let terms = terms(
        &headers,
        "resolve",
        &ticket_id,
        &body,
        body.expected_version,
    )?;
    if earlier(&state, &agent, &terms).await?.is_some() {
        return current(&state, site_id, &ticket_id).await;
    }
    let ticket = flow::resolve(
        &state.store,
        site_id,
        state.knowledge.as_deref(),
        &ticket_id,
        actor(&agent, body.agent.as_deref(), &terms)?,
        body.resolution,
    )
    .await?;
    Ok(Json(ticket.into()))
}

/// Why a ticket comes back.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReopenBody {
    /// Legacy: the acting agent. The actor is the authenticated user; a value
    /// naming anyone else is refused.
    #[serde(default)]
    pub agent: Option<String>,
    /// The ticket version the agent saw (as `If-Match`); another one is refused.
    #[serde(default)]
    pub expected_version: Option<i64>,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

pub(super) async fn reopen(
    State(state): State<AppState>,
    agent: Agent<ActOnTickets>,
    Path(TicketPath { ticket_id }): Path<TicketPath>,
    headers: HeaderMap,
    Json(body): Json<ReopenBody>,
) -> Result<Json<TicketDto>, ApiError> {
    let site_id = agent.site_id.as_str();
    let terms = terms(&headers, "reopen", &ticket_id, &body, body.expected_version)?;
    if earlier(&state, &agent, &terms).await?.is_some() {
        return current(&state, site_id, &ticket_id).await;
    }
    let ticket = flow::reopen(
        &state.store,
        site_id,
        &ticket_id,
        actor(&agent, body.agent.as_deref(), &terms)?,
        &body.reason,
    )
    .await?;
    Ok(Json(ticket.into()))
}
