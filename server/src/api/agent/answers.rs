//! `GET /api/v1/sites/{site_id}/tickets/{ticket_id}/answers`: for an agent on a ticket, the
//! similar resolved tickets and the answers most likely to resolve it, with why each matched.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use waymark_knowledge::Suggestion;
use waymark_knowledge::suggest::MatchedField;

use super::TicketPath;
use super::auth::{Agent, ReadTickets};
use crate::api::AppState;
use crate::api::error::{ApiError, ErrorCode};
use crate::api::json::Json;

/// Most entries per list one request may ask for.
const MAX_LIMIT: usize = 20;
/// Entries per list when the request does not say.
const DEFAULT_LIMIT: usize = 5;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AnswersQuery {
    limit: Option<usize>,
}

/// One document with why it matched.
#[derive(Debug, Serialize)]
pub(super) struct AgentAnswerDto {
    id: String,
    /// `ticket` or `article`.
    kind: String,
    title: String,
    /// An extract, from the answer when it matched.
    snippet: String,
    /// One sentence: what matched where.
    why: String,
    /// Each field that matched and the words that matched it.
    matched: Vec<MatchedField>,
    /// The estimated probability that it resolves the ticket.
    confidence: f32,
    /// The first answer, confident enough to be called a likely fix.
    likely_fix: bool,
}

impl From<Suggestion> for AgentAnswerDto {
    fn from(suggestion: Suggestion) -> Self {
        Self {
            id: suggestion.id,
            kind: suggestion.kind.as_str().to_owned(),
            title: suggestion.title,
            snippet: suggestion.snippet.text,
            why: suggestion.explanation,
            matched: suggestion.matched,
            confidence: suggestion.confidence,
            likely_fix: suggestion.likely_fix,
        }
    }
}

/// The ticket's answers.
#[derive(Debug, Serialize)]
pub(super) struct TicketAnswersDto {
    ticket_id: String,
    similar_tickets: Vec<AgentAnswerDto>,
    answers: Vec<AgentAnswerDto>,
}

pub(super) async fn ticket_answers(
    State(state): State<AppState>,
    agent: Agent<ReadTickets>,
    Path(TicketPath { ticket_id }): Path<TicketPath>,
    query: Result<Query<AnswersQuery>, QueryRejection>,
) -> Result<Json<TicketAnswersDto>, ApiError> {
    let site_id = agent.site_id.as_str();
    let Query(query) = query.map_err(|rejection| {
        ApiError::new(
            ErrorCode::InvalidValue,
            format!("query string: {} (expected limit)", rejection.body_text()),
        )
    })?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::new(
            ErrorCode::InvalidValue,
            format!("limit must be between 1 and {MAX_LIMIT}"),
        ));
    }
    let found = crate::flow::answers::ticket_answers(
        &state.store,
        state.knowledge.as_deref(),
        site_id,
        &ticket_id,
        limit,
    )
    .await?;
    Ok(Json(TicketAnswersDto {
        ticket_id,
        similar_tickets: found.similar_tickets.into_iter().map(Into::into).collect(),
        answers: found.answers.into_iter().map(Into::into).collect(),
    }))
}
