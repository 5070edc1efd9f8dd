//! Suggest, thin over `knowledge`: answers for the user's words and page, each
//! set recorded as shown, and the user's verdicts recorded (deflection).

use waymark_core::scrub::{ScrubConfig, scrub_text};
use waymark_core::wire::{
    AnswerDetail, AnswerSource, Recommendation, SuggestFeedback, SuggestOutcome, SuggestRequest,
    SuggestResponse, SuggestedAnswer,
};
use waymark_knowledge::{DocKind, KnowledgeIndex};

use super::conversation::validate_key;
use super::{FlowError, new_id};
use crate::storage::Store;
use crate::storage::suggestions::{ShownSuggestions, SuggestionVerdict};

/// Confidence from which the widget leads with the answer instead of a person.
pub const SHOW_ANSWER_CONFIDENCE: f32 = 0.5;
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
    let query = scrub_text(query, &ScrubConfig::default());
    let answers = match index {
        Some(index) => search(index, site_id, &query, request)?,
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
    store
        .record_suggestions(
            site_id,
            &ShownSuggestions {
                query_id: query_id.clone(),
                session_id: request.session_id.clone(),
                query,
                answer_ids: answers.iter().map(|a| a.id.clone()).collect(),
                route: request.page.as_ref().map(|page| page.route.clone()),
                fingerprint: request.error.as_ref().map(|error| {
                    error
                        .fingerprint
                        .clone()
                        .unwrap_or_else(|| error.message.clone())
                }),
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

fn search(
    index: &KnowledgeIndex,
    site_id: &str,
    query: &str,
    request: &SuggestRequest,
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
    let search = waymark_knowledge::SuggestRequest {
        site: site_id.to_owned(),
        text: query.to_owned(),
        context,
        limit: request.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, 10) as usize,
    };
    let started = std::time::Instant::now();
    let found = index
        .suggest(&search)
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
    let new = store
        .record_suggestion_verdict(
            site_id,
            &SuggestionVerdict {
                idempotency_key: request.idempotency_key.clone(),
                session_id: request.session_id.clone(),
                query_id: request.query_id.clone(),
                answer_id: request.answer_id.clone(),
                outcome: outcome.to_owned(),
                at_ms: now_ms,
            },
        )
        .await?;
    tracing::info!(site = site_id, answer = %request.answer_id, outcome, new, "suggestion verdict");
    Ok(new)
}

/// The whole text of answer `id` of `site_id`, as the panel opens it. A resolved
/// ticket shows what fixed it and the agents' answers, never the other customer's
/// own words.
pub fn answer_detail(
    index: Option<&KnowledgeIndex>,
    site_id: &str,
    id: &str,
) -> Result<AnswerDetail, FlowError> {
    let not_found = || FlowError::NotFound(format!("there is no answer `{id}`"));
    let index = index.ok_or_else(not_found)?;
    let doc = index
        .document(site_id, id)
        .map_err(|err| FlowError::Knowledge(err.to_string()))?
        .ok_or_else(not_found)?;
    let (source, body) = match doc.kind {
        DocKind::Article => (AnswerSource::Article, doc.problem),
        DocKind::Ticket => {
            let paragraphs: Vec<&str> = doc
                .resolution
                .fix
                .iter()
                .map(String::as_str)
                .chain(doc.answers.iter().map(String::as_str))
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .collect();
            (AnswerSource::Ticket, paragraphs.join("\n\n"))
        }
    };
    Ok(AnswerDetail {
        id: doc.id,
        source,
        title: doc.title,
        body,
    })
}
