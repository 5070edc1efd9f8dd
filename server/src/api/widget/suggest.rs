//! `GET /config`, `POST /suggest` (thin over `knowledge`) and
//! `POST /suggest/feedback` (what was shown and whether it helped: deflection).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use waymark_core::scrub::{ScrubConfig, scrub_text};
use waymark_core::wire::{
    AnswerSource, Recommendation, SiteConfig, SuggestFeedback, SuggestOutcome, SuggestRequest,
    SuggestResponse, SuggestedAnswer,
};
use waymark_knowledge::DocKind;

use super::{SiteKey, authorize_site};
use crate::api::AppState;
use crate::api::error::{ApiError, ErrorCode};
use crate::api::json::Json;
use crate::flow::{FlowError, conversation::validate_key, new_id, site_matrix};
use crate::storage::now_ms;
use crate::storage::suggestions::{ShownSuggestions, SuggestionVerdict};

/// Confidence from which the widget leads with the answer instead of a person.
pub const SHOW_ANSWER_CONFIDENCE: f32 = 0.5;
const DEFAULT_LIMIT: u32 = 3;
const MAX_QUERY_BYTES: usize = 2 * 1024;

pub(super) async fn site_config(
    State(state): State<AppState>,
    key: SiteKey,
    headers: HeaderMap,
) -> Result<Json<SiteConfig>, ApiError> {
    let site = authorize_site(&state, &key, &headers).await?;
    let matrix = site_matrix(&state.store, &site.id).await?;
    Ok(Json(SiteConfig {
        v: waymark_core::wire::PROTOCOL_VERSION,
        proactive_rules: matrix.proactive_rules(),
        ..SiteConfig::default()
    }))
}

pub(super) async fn suggest(
    State(state): State<AppState>,
    key: SiteKey,
    headers: HeaderMap,
    Json(request): Json<SuggestRequest>,
) -> Result<Json<SuggestResponse>, ApiError> {
    let site = authorize_site(&state, &key, &headers).await?;
    if request.session_id.is_empty() || request.session_id.len() > 128 {
        return Err(ApiError::new(
            ErrorCode::InvalidValue,
            "session_id must be 1 to 128 characters",
        ));
    }
    let query = request.query.as_deref().unwrap_or_default();
    if query.len() > MAX_QUERY_BYTES {
        return Err(ApiError::new(
            ErrorCode::InvalidValue,
            format!("query is longer than {MAX_QUERY_BYTES} bytes"),
        ));
    }
    let query = scrub_text(query, &ScrubConfig::default());
    let answers = match &state.knowledge {
        Some(index) => {
            let mut context = waymark_knowledge::PageContext::default();
            if let Some(page) = &request.page {
                context.route = Some(page.route.clone());
                context.title = Some(page.title.clone()).filter(|t| !t.is_empty());
            }
            if let Some(error) = &request.error {
                context.errors.push(error.message.clone());
                context.errors.extend(error.fingerprint.clone());
            }
            let search = waymark_knowledge::SuggestRequest {
                site: site.id.clone(),
                text: query.clone(),
                context,
                limit: request.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, 10) as usize,
            };
            let started = std::time::Instant::now();
            let found = index
                .suggest(&search)
                .map_err(|err| FlowError::Knowledge(err.to_string()))?;
            tracing::info!(site = %site.id, answers = found.len(), latency_ms = started.elapsed().as_millis() as u64, "suggest");
            found
                .into_iter()
                .map(|s| SuggestedAnswer {
                    id: s.id,
                    source: match s.kind {
                        DocKind::Ticket => AnswerSource::Ticket,
                        DocKind::Article => AnswerSource::Article,
                    },
                    title: s.title,
                    snippet: s.snippet.text,
                    url: None,
                    why: vec![s.explanation],
                    confidence: s.confidence,
                })
                .collect::<Vec<_>>()
        }
        None => Vec::new(),
    };
    let recommendation = if answers
        .first()
        .is_some_and(|a| a.confidence >= SHOW_ANSWER_CONFIDENCE)
    {
        Recommendation::ShowAnswer
    } else {
        Recommendation::OfferHuman
    };
    let query_id = new_id("q")?;
    state
        .store
        .record_suggestions(
            &site.id,
            &ShownSuggestions {
                query_id: query_id.clone(),
                session_id: request.session_id.clone(),
                query,
                answer_ids: answers.iter().map(|a| a.id.clone()).collect(),
                at_ms: now_ms(),
            },
        )
        .await?;
    Ok(Json(SuggestResponse {
        query_id,
        answers,
        recommendation,
    }))
}

pub(super) async fn feedback(
    State(state): State<AppState>,
    key: SiteKey,
    headers: HeaderMap,
    Json(request): Json<SuggestFeedback>,
) -> Result<StatusCode, ApiError> {
    let site = authorize_site(&state, &key, &headers).await?;
    validate_key(&request.idempotency_key)?;
    if request.answer_id.is_empty() || request.session_id.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidValue,
            "answer_id and session_id must not be empty",
        ));
    }
    let outcome = match request.outcome {
        SuggestOutcome::Solved => "solved",
        SuggestOutcome::NotHelpful => "not_helpful",
    };
    let new = state
        .store
        .record_suggestion_verdict(
            &site.id,
            &SuggestionVerdict {
                idempotency_key: request.idempotency_key.clone(),
                session_id: request.session_id.clone(),
                query_id: request.query_id.clone(),
                answer_id: request.answer_id.clone(),
                outcome: outcome.to_owned(),
                at_ms: now_ms(),
            },
        )
        .await?;
    tracing::info!(site = %site.id, answer = %request.answer_id, outcome, new, "suggestion verdict");
    Ok(StatusCode::NO_CONTENT)
}
