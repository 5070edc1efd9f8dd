//! What the suggestions did: the sets a session was shown with the user's verdicts
//! (deflection), and the site's knowledge gaps with their volume and escalation share.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use waymark_knowledge::gaps::GapConfig;

use super::SessionPath;
use super::auth::{Agent, ManageKnowledge, ReadTickets};
use crate::api::AppState;
use crate::api::error::{ApiError, ErrorCode};
use crate::api::json::Json;

/// One suggestion set with the verdicts given on it.
#[derive(Debug, Serialize)]
pub(super) struct SuggestionSetDto {
    query_id: String,
    query: String,
    route: Option<String>,
    fingerprint: Option<String>,
    answers: Vec<String>,
    best_confidence: f32,
    at_ms: i64,
    verdicts: Vec<VerdictDto>,
}

/// A user's verdict on one answer: `solved` (a deflection) or `not_helpful`.
#[derive(Debug, Serialize)]
pub(super) struct VerdictDto {
    answer_id: String,
    outcome: String,
    at_ms: i64,
}

pub(super) async fn session_suggestions(
    State(state): State<AppState>,
    agent: Agent<ReadTickets>,
    Path(SessionPath { session_id }): Path<SessionPath>,
) -> Result<Json<Vec<SuggestionSetDto>>, ApiError> {
    let site_id = agent.site_id.as_str();
    let sets = state
        .store
        .session_suggestions(site_id, &session_id)
        .await?;
    let mut verdicts = state.store.session_verdicts(site_id, &session_id).await?;
    Ok(Json(
        sets.into_iter()
            .map(|set| {
                let (own, rest): (Vec<_>, Vec<_>) = verdicts
                    .drain(..)
                    .partition(|verdict| verdict.query_id == set.query_id);
                verdicts = rest;
                SuggestionSetDto {
                    query_id: set.query_id,
                    query: set.query,
                    route: set.route,
                    fingerprint: set.fingerprint,
                    answers: set.answer_ids,
                    best_confidence: set.best_score,
                    at_ms: set.at_ms,
                    verdicts: own
                        .into_iter()
                        .map(|verdict| VerdictDto {
                            answer_id: verdict.answer_id,
                            outcome: verdict.outcome,
                            at_ms: verdict.at_ms,
                        })
                        .collect(),
                }
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GapsQuery {
    days: Option<u32>,
    limit: Option<usize>,
    max_confidence: Option<f32>,
    after: Option<String>,
}

pub(super) async fn gaps(
    State(state): State<AppState>,
    agent: Agent<ManageKnowledge>,
    query: Result<Query<GapsQuery>, QueryRejection>,
) -> Result<(HeaderMap, Json<Vec<crate::flow::knowledge::GapReport>>), ApiError> {
    let site_id = agent.site_id.as_str();
    let Query(query) = query.map_err(|rejection| {
        ApiError::new(
            ErrorCode::InvalidValue,
            format!(
                "query string: {} (expected days, limit, max_confidence, after)",
                rejection.body_text()
            ),
        )
    })?;
    let mut config = GapConfig::default();
    if let Some(max) = query.max_confidence {
        if !(0.0..=1.0).contains(&max) {
            return Err(ApiError::new(
                ErrorCode::InvalidValue,
                "max_confidence must be between 0 and 1",
            ));
        }
        config.max_best_score = max;
    }
    let days = query.days.unwrap_or(90).clamp(1, 3650);
    let now_ms = crate::storage::now_ms();
    let found =
        crate::flow::knowledge::gap_report(&state.store, site_id, days, &config, now_ms).await?;
    // The gaps are ranked; a cursor is how many of them earlier pages held.
    let skip = match query.after.as_deref() {
        None => 0,
        Some(cursor) => cursor.parse::<usize>().map_err(|_| {
            ApiError::new(
                ErrorCode::InvalidValue,
                format!("`after` must be a Next-Cursor from an earlier answer, got `{cursor}`"),
            )
        })?,
    };
    let limit = query.limit.unwrap_or(20).clamp(1, 200);
    let total = found.len();
    let page: Vec<_> = found.into_iter().skip(skip).take(limit).collect();
    let mut next = HeaderMap::new();
    if skip + page.len() < total
        && let Ok(value) = axum::http::HeaderValue::from_str(&(skip + page.len()).to_string())
    {
        next.insert(super::sessions::NEXT_CURSOR, value);
    }
    Ok((next, Json(page)))
}
