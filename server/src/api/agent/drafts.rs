//! The knowledge managers' drafts: list and filter, read (with the body rendered
//! safely and the history), the evidence with the customers' words, build now, a
//! draft from one ticket or from a gap, edit, start review, publish, reject. Reads
//! need `ReadTickets`; every write needs `ManageKnowledge` (agents get 403).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use waymark_core::markdown;
use waymark_knowledge::drafts::DraftConfig;

use super::articles::ArticleDto;
use super::auth::{Agent, ManageKnowledge, ReadTickets};
use crate::api::AppState;
use crate::api::error::{ApiError, ErrorCode};
use crate::api::json::Json;
use crate::flow::knowledge::{self as flow, KnowledgeActor, build, review};
use crate::storage::knowledge::{DraftRecord, DraftState, HistoryEntry, Subject};

/// The draft named in a path.
#[derive(Debug, Deserialize)]
pub(super) struct DraftPath {
    draft_id: String,
}

/// A draft in the list.
#[derive(Debug, Serialize)]
pub(super) struct DraftSummaryDto {
    id: String,
    origin: crate::storage::knowledge::DraftOrigin,
    title: String,
    state: &'static str,
    product_area: Option<String>,
    routes: Vec<String>,
    errors: Vec<String>,
    evidence_count: usize,
    flags: Vec<serde_json::Value>,
    reason: Option<String>,
    article_id: Option<String>,
    edited: bool,
    version: i64,
    created_at_ms: i64,
    updated_at_ms: i64,
    built_at_ms: i64,
}

impl From<&DraftRecord> for DraftSummaryDto {
    fn from(draft: &DraftRecord) -> Self {
        Self {
            id: draft.id.clone(),
            origin: draft.origin,
            title: draft.title.clone(),
            state: draft.state.name(),
            product_area: draft.product_area.clone(),
            routes: draft.routes.clone(),
            errors: draft.errors.clone(),
            evidence_count: draft.evidence.len(),
            flags: draft.flags.clone(),
            reason: draft.reason.clone(),
            article_id: draft.article_id.clone(),
            edited: draft.edited,
            version: draft.version,
            created_at_ms: draft.created_at_ms,
            updated_at_ms: draft.updated_at_ms,
            built_at_ms: draft.built_at_ms,
        }
    }
}

/// One draft whole.
#[derive(Debug, Serialize)]
pub(super) struct DraftDto {
    #[serde(flatten)]
    summary: DraftSummaryDto,
    body_markdown: String,
    body_html: String,
    evidence: Vec<crate::storage::knowledge::EvidenceTicket>,
    generated: serde_json::Value,
    history: Vec<HistoryEntry>,
}

async fn draft_dto(
    state: &AppState,
    site_id: &str,
    draft: &DraftRecord,
) -> Result<DraftDto, ApiError> {
    let history = state
        .store
        .knowledge_history(site_id, Subject::Draft, &draft.id)
        .await?;
    Ok(DraftDto {
        summary: draft.into(),
        body_markdown: draft.body_markdown.clone(),
        body_html: markdown::render_html(&draft.body_markdown),
        evidence: draft.evidence.clone(),
        generated: draft.generated.clone(),
        history,
    })
}

fn query_error(rejection: &QueryRejection, expected: &str) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidValue,
        format!(
            "query string: {} (expected {expected})",
            rejection.body_text()
        ),
    )
}

/// Filters of the list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DraftsQuery {
    state: Option<String>,
    origin: Option<String>,
    flagged: Option<bool>,
    q: Option<String>,
}

pub(super) async fn list(
    State(state): State<AppState>,
    agent: Agent<ReadTickets>,
    query: Result<Query<DraftsQuery>, QueryRejection>,
) -> Result<Json<Vec<DraftSummaryDto>>, ApiError> {
    let Query(query) = query.map_err(|r| query_error(&r, "state, origin, flagged, q"))?;
    let wanted_state = match query.state.as_deref() {
        None => None,
        Some("open") => Some(None),
        Some(name) => Some(Some(
            serde_json::from_value::<DraftState>(serde_json::Value::String(name.to_owned()))
                .map_err(|_| {
                    ApiError::new(
                        ErrorCode::InvalidValue,
                        format!(
                            "state must be open, new, in_review, published, rejected or expired, got `{name}`"
                        ),
                    )
                })?,
        )),
    };
    let wanted_origin = match query.origin.as_deref() {
        None => None,
        Some(name) => Some(
            serde_json::from_value::<crate::storage::knowledge::DraftOrigin>(
                serde_json::Value::String(name.to_owned()),
            )
            .map_err(|_| {
                ApiError::new(
                    ErrorCode::InvalidValue,
                    format!("origin must be cluster, ticket or gap, got `{name}`"),
                )
            })?,
        ),
    };
    let needle = query.q.as_deref().map(str::to_lowercase);
    let drafts = state.store.drafts(&agent.site_id).await?;
    Ok(Json(
        drafts
            .iter()
            .filter(|d| match wanted_state {
                None => true,
                Some(None) => d.state.is_open(),
                Some(Some(wanted)) => d.state == wanted,
            })
            .filter(|d| wanted_origin.is_none_or(|o| d.origin == o))
            .filter(|d| {
                query
                    .flagged
                    .is_none_or(|flagged| flagged != d.flags.is_empty())
            })
            .filter(|d| {
                needle
                    .as_deref()
                    .is_none_or(|n| d.title.to_lowercase().contains(n))
            })
            .map(DraftSummaryDto::from)
            .collect(),
    ))
}

pub(super) async fn get(
    State(state): State<AppState>,
    agent: Agent<ReadTickets>,
    Path(DraftPath { draft_id }): Path<DraftPath>,
) -> Result<Json<DraftDto>, ApiError> {
    let draft = state
        .store
        .draft(&agent.site_id, &draft_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no draft `{draft_id}`")))?;
    Ok(Json(draft_dto(&state, &agent.site_id, &draft).await?))
}

/// One ticket behind a draft, with what the customer wrote.
#[derive(Debug, Serialize)]
pub(super) struct EvidenceDto {
    id: String,
    subject: Option<String>,
    resolved_at_ms: i64,
    customer_words: Vec<String>,
}

pub(super) async fn evidence(
    State(state): State<AppState>,
    agent: Agent<ReadTickets>,
    Path(DraftPath { draft_id }): Path<DraftPath>,
) -> Result<Json<Vec<EvidenceDto>>, ApiError> {
    let draft = state
        .store
        .draft(&agent.site_id, &draft_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no draft `{draft_id}`")))?;
    let mut out = Vec::with_capacity(draft.evidence.len());
    for ticket in &draft.evidence {
        let words = build::customer_words(
            &state.store,
            state.knowledge.as_deref(),
            &agent.site_id,
            &ticket.id,
        )
        .await?;
        let (subject, customer_words) = match words {
            Some((subject, words)) => (Some(subject), words),
            None => (None, Vec::new()),
        };
        out.push(EvidenceDto {
            id: ticket.id.clone(),
            subject,
            resolved_at_ms: ticket.resolved_at_ms,
            customer_words,
        });
    }
    Ok(Json(out))
}

pub(super) async fn build_now(
    State(state): State<AppState>,
    agent: Agent<ManageKnowledge>,
) -> Result<Json<flow::BuildReport>, ApiError> {
    let report = flow::build_site_drafts(
        &state.store,
        state.knowledge.as_deref(),
        &agent.site_id,
        &DraftConfig::default(),
        crate::storage::now_ms(),
    )
    .await?;
    Ok(Json(report))
}

/// "Turn this ticket into an article".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FromTicketBody {
    ticket_id: String,
}

pub(super) async fn from_ticket(
    State(state): State<AppState>,
    agent: Agent<ManageKnowledge>,
    Json(body): Json<FromTicketBody>,
) -> Result<(StatusCode, Json<DraftDto>), ApiError> {
    let draft = flow::draft_from_ticket(
        &state.store,
        state.knowledge.as_deref(),
        &agent.site_id,
        body.ticket_id.trim(),
        actor(&agent),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(draft_dto(&state, &agent.site_id, &draft).await?),
    ))
}

/// "Draft an article from this gap".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FromGapBody {
    gap_id: String,
    days: Option<u32>,
}

pub(super) async fn from_gap(
    State(state): State<AppState>,
    agent: Agent<ManageKnowledge>,
    Json(body): Json<FromGapBody>,
) -> Result<(StatusCode, Json<DraftDto>), ApiError> {
    let days = body.days.unwrap_or(90).clamp(1, 3650);
    let draft = flow::draft_from_gap(
        &state.store,
        &agent.site_id,
        body.gap_id.trim(),
        days,
        actor(&agent),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(draft_dto(&state, &agent.site_id, &draft).await?),
    ))
}

/// An edit.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EditBody {
    expected_version: i64,
    title: Option<String>,
    body_markdown: Option<String>,
    routes: Option<Vec<String>>,
    errors: Option<Vec<String>>,
    product_area: Option<String>,
}

pub(super) async fn edit(
    State(state): State<AppState>,
    agent: Agent<ManageKnowledge>,
    Path(DraftPath { draft_id }): Path<DraftPath>,
    Json(body): Json<EditBody>,
) -> Result<Json<DraftDto>, ApiError> {
    let draft = review::edit(
        &state.store,
        &agent.site_id,
        &draft_id,
        body.expected_version,
        review::DraftChange {
            title: body.title,
            body_markdown: body.body_markdown,
            routes: body.routes,
            errors: body.errors,
            product_area: body.product_area,
        },
        actor(&agent),
    )
    .await?;
    Ok(Json(draft_dto(&state, &agent.site_id, &draft).await?))
}

/// The version the reviewer read.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct VersionBody {
    expected_version: i64,
}

pub(super) async fn start_review(
    State(state): State<AppState>,
    agent: Agent<ManageKnowledge>,
    Path(DraftPath { draft_id }): Path<DraftPath>,
    Json(body): Json<VersionBody>,
) -> Result<Json<DraftDto>, ApiError> {
    let draft = review::start_review(
        &state.store,
        &agent.site_id,
        &draft_id,
        body.expected_version,
        actor(&agent),
    )
    .await?;
    Ok(Json(draft_dto(&state, &agent.site_id, &draft).await?))
}

/// Publish, optionally replacing an article.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PublishBody {
    expected_version: i64,
    supersedes: Option<String>,
}

/// What publishing made.
#[derive(Debug, Serialize)]
pub(super) struct PublishedDto {
    draft: DraftDto,
    article: ArticleDto,
}

pub(super) async fn publish(
    State(state): State<AppState>,
    agent: Agent<ManageKnowledge>,
    Path(DraftPath { draft_id }): Path<DraftPath>,
    Json(body): Json<PublishBody>,
) -> Result<Json<PublishedDto>, ApiError> {
    let (draft, article) = review::publish(
        &state.store,
        state.knowledge.as_deref(),
        &agent.site_id,
        &draft_id,
        review::Publish {
            expected_version: body.expected_version,
            supersedes: body.supersedes.filter(|s| !s.trim().is_empty()),
        },
        actor(&agent),
    )
    .await?;
    Ok(Json(PublishedDto {
        draft: draft_dto(&state, &agent.site_id, &draft).await?,
        article: super::articles::article_dto(&state, &agent.site_id, &article).await?,
    }))
}

/// A rejection.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RejectBody {
    expected_version: i64,
    reason: String,
}

pub(super) async fn reject(
    State(state): State<AppState>,
    agent: Agent<ManageKnowledge>,
    Path(DraftPath { draft_id }): Path<DraftPath>,
    Json(body): Json<RejectBody>,
) -> Result<Json<DraftDto>, ApiError> {
    let draft = review::reject(
        &state.store,
        &agent.site_id,
        &draft_id,
        body.expected_version,
        &body.reason,
        actor(&agent),
    )
    .await?;
    Ok(Json(draft_dto(&state, &agent.site_id, &draft).await?))
}

/// Markdown to preview.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PreviewBody {
    markdown: String,
}

/// The Markdown rendered as the article will show.
#[derive(Debug, Serialize)]
pub(super) struct PreviewDto {
    html: String,
    text: String,
}

pub(super) async fn preview(
    _agent: Agent<ReadTickets>,
    Json(body): Json<PreviewBody>,
) -> Result<Json<PreviewDto>, ApiError> {
    if body.markdown.len() > review::MAX_BODY_BYTES {
        return Err(ApiError::new(
            ErrorCode::InvalidValue,
            format!("markdown is longer than {} bytes", review::MAX_BODY_BYTES),
        ));
    }
    let nodes = markdown::parse(&body.markdown);
    Ok(Json(PreviewDto {
        html: markdown::to_html(&nodes),
        text: markdown::to_plain_text(&nodes),
    }))
}

pub(super) fn actor<C>(agent: &Agent<C>) -> KnowledgeActor<'_> {
    KnowledgeActor {
        user_id: agent.user.id.as_str(),
        now_ms: crate::storage::now_ms(),
    }
}
