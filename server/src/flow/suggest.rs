//! Suggest, thin over `knowledge`: answers for the user's words and page, each
//! set recorded as shown, and the user's verdicts recorded (deflection).

use waymark_core::wire::{
    AnswerSource, ClientEvent, EventKind, Recommendation, SuggestFeedback, SuggestOutcome,
    SuggestRequest, SuggestResponse, SuggestedAnswer,
};
use waymark_knowledge::{DocKind, KnowledgeIndex};

use super::conversation::validate_key;
use super::{FlowError, new_id};
use crate::storage::Store;
use crate::storage::suggestions::{ShownSuggestions, SuggestionVerdict};

/// The most recent verdicts of a site that move answers for similar questions.
const FEEDBACK_VERDICTS: i64 = 300;
const DEFAULT_LIMIT: u32 = 3;
const MAX_QUERY_BYTES: usize = 2 * 1024;

/// Answers for `request`, best first, recorded as shown. Without an index the
/// answer set is empty and the widget offers a person.
pub async fn suggest(
    store: &Store,
    index: Option<&KnowledgeIndex>,
    site_id: &str,
    request: &SuggestRequest,
    now_ms: i64,
) -> Result<SuggestResponse, FlowError> {
    if request.session_id.is_empty() || request.session_id.len() > 128 {
        return Err(FlowError::Invalid(
            "session_id must be 1 to 128 characters".into(),
        ));
    }
    let query = request.query.as_deref().unwrap_or_default();
    if query.len() > MAX_QUERY_BYTES {
        return Err(FlowError::Invalid(format!(
            "query is longer than {MAX_QUERY_BYTES} bytes"
        )));
    }
    let request = &super::scrub::at_edge(store, site_id, request).await?;
    let query = request.query.clone().unwrap_or_default();
    let trail = match request.page.as_ref() {
        Some(page) if index.is_some() => {
            let stored = store
                .page_problems(
                    site_id,
                    &request.session_id,
                    &page.route,
                    now_ms - TRAIL_WINDOW_MS,
                    TRAIL_ROWS,
                )
                .await?;
            let events: Vec<ClientEvent> = stored
                .iter()
                .filter_map(|event| serde_json::from_str(&event.body).ok())
                .collect();
            TrailContext::of(&events, &page.route)
        }
        _ => TrailContext::default(),
    };
    let found = match index {
        Some(index) => {
            let verdicts = store.feedback_verdicts(site_id, FEEDBACK_VERDICTS).await?;
            let feedback = index.feedback(&verdicts);
            search(index, site_id, &query, request, &trail, &feedback)?
        }
        None => Vec::new(),
    };
    let (answers, shown_ids) = match index {
        Some(index) => super::visitors::for_visitors(store, index, site_id, found).await?,
        None => (Vec::new(), Vec::new()),
    };
    let recommendation = if answers.first().is_some_and(|a| a.likely_fix) {
        Recommendation::ShowAnswer
    } else {
        Recommendation::OfferHuman
    };
    let query_id = new_id("q")?;
    store
        .record_suggestions(
            site_id,
            &ShownSuggestions {
                query_id: query_id.clone(),
                session_id: request.session_id.clone(),
                query,
                answer_ids: shown_ids,
                route: request.page.as_ref().map(|page| page.route.clone()),
                fingerprint: request
                    .error
                    .as_ref()
                    .map(|error| {
                        error
                            .fingerprint
                            .clone()
                            .unwrap_or_else(|| error.message.clone())
                    })
                    .or_else(|| trail.fingerprint.clone()),
                best_score: answers.first().map_or(0.0, |a| a.confidence),
                at_ms: now_ms,
            },
        )
        .await?;
    Ok(SuggestResponse {
        query_id,
        answers,
        recommendation,
    })
}

/// How far back the session's trail is read for what went wrong on the page.
const TRAIL_WINDOW_MS: i64 = 10 * 60 * 1000;
/// At most this many errors and failed requests are taken from the trail.
const TRAIL_ITEMS: usize = 3;
/// Rows read for them (repeats of one error or request are counted once).
const TRAIL_ROWS: i64 = 20;

/// What the session's stored trail says went wrong on the page the user asks from:
/// errors and failed requests of the last minutes there, newest first. The widget
/// need not repeat them in the request; the server already has them.
#[derive(Debug, Default, PartialEq)]
struct TrailContext {
    errors: Vec<String>,
    failed_requests: Vec<waymark_knowledge::suggest::FailedRequest>,
    fingerprint: Option<String>,
}

impl TrailContext {
    fn of(events: &[ClientEvent], route: &str) -> Self {
        let mut context = Self::default();
        let Some(latest) = events.iter().map(|event| event.at_ms).max() else {
            return context;
        };
        for event in events.iter().rev() {
            if event.at_ms < latest - TRAIL_WINDOW_MS {
                break;
            }
            match &event.kind {
                EventKind::JsError(error)
                    if error.route == route
                        && context.errors.len() < TRAIL_ITEMS
                        && !context.errors.contains(&error.message) =>
                {
                    context.errors.push(error.message.clone());
                    if context.fingerprint.is_none() {
                        context.fingerprint = error.fingerprint.clone();
                    }
                }
                EventKind::FailedRequest(failed)
                    if failed.route == route
                        && context.failed_requests.len() < TRAIL_ITEMS
                        && !context
                            .failed_requests
                            .iter()
                            .any(|known| known.url == failed.url) =>
                {
                    context
                        .failed_requests
                        .push(waymark_knowledge::suggest::FailedRequest {
                            method: Some(failed.method.clone()),
                            url: failed.url.clone(),
                            status: failed.status,
                        });
                    if context.fingerprint.is_none() {
                        context.fingerprint = Some(format!(
                            "{} {} {}",
                            failed.method,
                            failed.url,
                            failed.status.map_or("failed".to_owned(), |s| s.to_string())
                        ));
                    }
                }
                _ => {}
            }
        }
        context
    }
}

fn search(
    index: &KnowledgeIndex,
    site_id: &str,
    query: &str,
    request: &SuggestRequest,
    trail: &TrailContext,
    feedback: &waymark_knowledge::feedback::Feedback,
) -> Result<Vec<SuggestedAnswer>, FlowError> {
    let mut context = waymark_knowledge::PageContext::default();
    if let Some(page) = &request.page {
        context.route = Some(page.route.clone());
        context.title = Some(page.title.clone()).filter(|t| !t.is_empty());
    }
    if let Some(error) = &request.error {
        context.errors.push(error.message.clone());
        context.errors.extend(error.fingerprint.clone());
    }
    for error in &trail.errors {
        if !context.errors.contains(error) {
            context.errors.push(error.clone());
        }
    }
    context
        .failed_requests
        .extend(trail.failed_requests.iter().cloned());
    let search = waymark_knowledge::SuggestRequest {
        site: site_id.to_owned(),
        text: query.to_owned(),
        context,
        limit: request.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, 10) as usize,
    };
    let started = std::time::Instant::now();
    let found = index
        .suggest_with_feedback(&search, &Default::default(), feedback)
        .map_err(|err| FlowError::Knowledge(err.to_string()))?;
    tracing::info!(
        site = site_id,
        answers = found.len(),
        latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "suggest"
    );
    Ok(found
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
            likely_fix: s.likely_fix,
            guide: s.guide,
        })
        .collect())
}

/// Records the user's verdict once per idempotency key; returns whether it was new.
pub async fn feedback(
    store: &Store,
    site_id: &str,
    request: &SuggestFeedback,
    now_ms: i64,
) -> Result<bool, FlowError> {
    validate_key(&request.idempotency_key)?;
    if request.answer_id.is_empty() || request.session_id.is_empty() {
        return Err(FlowError::Invalid(
            "answer_id and session_id must not be empty".into(),
        ));
    }
    let outcome = match request.outcome {
        SuggestOutcome::Solved => "solved",
        SuggestOutcome::NotHelpful => "not_helpful",
    };
    let answer_id = store
        .visitor_answer(site_id, &request.answer_id)
        .await?
        .unwrap_or_else(|| request.answer_id.clone());
    let new = store
        .record_suggestion_verdict(
            site_id,
            &SuggestionVerdict {
                idempotency_key: request.idempotency_key.clone(),
                session_id: request.session_id.clone(),
                query_id: request.query_id.clone(),
                answer_id: answer_id.clone(),
                outcome: outcome.to_owned(),
                at_ms: now_ms,
            },
        )
        .await?;
    tracing::info!(site = site_id, answer = %answer_id, outcome, new, "suggestion verdict");
    Ok(new)
}

/// The internal ids of answers a visitor names by their opaque ids (ids never
/// given are kept as sent: they match nothing).
pub async fn internal_answer_ids(
    store: &Store,
    site_id: &str,
    given: &[String],
) -> Result<Vec<String>, FlowError> {
    let mut ids = Vec::with_capacity(given.len());
    for id in given {
        ids.push(
            store
                .visitor_answer(site_id, id)
                .await?
                .unwrap_or_else(|| id.clone()),
        );
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn event(value: serde_json::Value) -> ClientEvent {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn the_trail_adds_what_went_wrong_on_this_page_lately() {
        let now = 1_800_000_000_000_i64;
        let failed = |id: &str, at: i64, route: &str| {
            event(
                serde_json::json!({"id": id, "at_ms": at, "type": "failed_request",
                "method": "POST", "url": "https://acme.test/api/payment", "status": 502, "route": route}),
            )
        };
        let error = |id: &str, at: i64, route: &str, message: &str| {
            event(
                serde_json::json!({"id": id, "at_ms": at, "type": "js_error",
                "message": message, "route": route, "fingerprint": format!("fp-{id}")}),
            )
        };
        let events = vec![
            error("old", now - 11 * 60 * 1000, "/billing", "TypeError: stale"),
            failed("f1", now - 3_000, "/billing"),
            error(
                "other-page",
                now - 2_000,
                "/invoices",
                "RangeError: elsewhere",
            ),
            failed("f2", now - 1_000, "/billing"),
            error("e1", now, "/billing", "PaymentError: declined"),
        ];
        let context = TrailContext::of(&events, "/billing");
        assert_eq!(context.errors, ["PaymentError: declined"]);
        assert_eq!(context.failed_requests.len(), 1, "the same URL counts once");
        assert_eq!(context.failed_requests[0].status, Some(502));
        assert_eq!(context.fingerprint.as_deref(), Some("fp-e1"));
        assert_eq!(
            TrailContext::of(&events, "/settings"),
            TrailContext::default()
        );
        assert_eq!(TrailContext::of(&[], "/billing"), TrailContext::default());
    }
}
