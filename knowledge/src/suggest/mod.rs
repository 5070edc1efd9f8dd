//! Suggest: the user's words plus the page they are on → the best answers, each with a
//! highlighted snippet, why it matched, and a confidence in [0, 1].
//!
//! - [`query`]: builds the weighted query (prose terms in every field, identifiers exact and by
//!   trigrams, route and product area boosts, fuzzy matching of unknown words).
//! - `retrieve`: the top documents of that query, with MaxScore pruning.
//! - [`explain`]: matched fields, snippets and the confidence model.

pub mod explain;
pub mod query;
mod retrieve;
mod signature;

use std::ops::Range;

use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;
use tantivy::schema::Value;

use crate::document::{DocKind, KnowledgeDoc};
use crate::feedback::Feedback;
use crate::index::KnowledgeIndex;
use crate::{KnowledgeError, Result};

pub use explain::{ConfidenceSignals, LIKELY_FIX_CONFIDENCE, MatchKind, MatchedField};
use retrieve::Hit;

/// Most suggestions one request may ask for.
pub const MAX_LIMIT: usize = 50;

/// A request the widget received but could not complete: method, URL and status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FailedRequest {
    /// HTTP method, when known.
    pub method: Option<String>,
    /// The URL (query string is ignored).
    pub url: String,
    /// HTTP status; `None` for a network failure.
    pub status: Option<u16>,
}

/// Where the user is and what went wrong there.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PageContext {
    /// The page's route or URL.
    pub route: Option<String>,
    /// The page's title.
    pub title: Option<String>,
    /// Error messages or fingerprints seen on the page (most recent first).
    pub errors: Vec<String>,
    /// Failed requests seen on the page.
    pub failed_requests: Vec<FailedRequest>,
    /// The product area the page belongs to.
    pub product_area: Option<String>,
}

/// One suggest request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SuggestRequest {
    /// The site (tenant) whose knowledge is searched.
    pub site: String,
    /// What the user typed; may be empty (context-only suggestions). Long text is truncated.
    pub text: String,
    /// The page context.
    pub context: PageContext,
    /// How many suggestions to return (clamped to 1..=[`MAX_LIMIT`]).
    pub limit: usize,
}

/// A highlighted extract of the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    /// The extract as plain text.
    pub text: String,
    /// Byte ranges of `text` to highlight.
    pub highlights: Vec<Range<usize>>,
    /// The extract HTML-escaped with highlights wrapped in `<mark>`.
    pub html: String,
}

/// One suggested answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The document's id within its site.
    pub id: String,
    /// Ticket or article.
    pub kind: DocKind,
    /// The title to show.
    pub title: String,
    /// A highlighted extract, from the answer when it matched.
    pub snippet: Snippet,
    /// What matched where.
    pub matched: Vec<MatchedField>,
    /// One sentence for the user: "matched your error E502 on /billing/invoices".
    pub explanation: String,
    /// Estimated probability that this answer solves the request, in [0, 1] (calibrated: of
    /// the answers given confidence 0.7, about 70 % are right).
    pub confidence: f32,
    /// The first answer, confident enough to be shown as a likely fix (confidence at least
    /// [`explain::LIKELY_FIX_CONFIDENCE`], a threshold whose precision was at least 0.8 on
    /// held-out questions).
    #[serde(default)]
    pub likely_fix: bool,
    /// What the confidence was computed from.
    #[serde(default)]
    pub signals: ConfidenceSignals,
    /// The raw ranking score (only comparable within one request).
    pub score: f32,
    /// The document's steps on the product's pages ("Show me").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guide: Vec<waymark_core::wire::GuideStep>,
}

/// Weights of the ranking. The defaults are the product's; evaluation may compare others.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RankingConfig {
    /// Weight of a prose term found in the title.
    pub title: f32,
    /// Weight of a prose term found in the customer's problem or article body.
    pub problem: f32,
    /// Weight of a prose term found in the agents' answers.
    pub answers: f32,
    /// Weight of a prose term found in the structured resolution.
    pub resolution: f32,
    /// Weight of a prose term found in tags, environment, version or product area.
    pub meta: f32,
    /// Extra weight (times the field weight) of an adjacent word pair found as a phrase.
    pub phrase_boost: f32,
    /// Weight of a typo-corrected word (an unknown word replaced by the indexed word one edit
    /// away) relative to a word found as typed.
    pub fuzzy: f32,
    /// Weight of page-title words relative to the user's words.
    pub context_title: f32,
    /// Weight of error-message words relative to the user's words.
    pub context_error_words: f32,
    /// Weight of an identifier matching a document's error exactly.
    pub error_exact: f32,
    /// Weight of an identifier mentioned in a document's prose.
    pub identifier: f32,
    /// Total weight of the trigrams of one identifier (partial code matches).
    pub error_grams: f32,
    /// Weight of the exact page route.
    pub route_exact: f32,
    /// Weight of each word of the route.
    pub route_words: f32,
    /// Weight of the product area.
    pub product_area: f32,
    /// Multiplier of an article's score, so articles win ties with tickets.
    pub article_factor: f32,
    /// Most distinct words kept from a long text (the most informative ones).
    pub max_query_terms: usize,
    /// Extra weight of the first sentence's words (the subject) in a long text.
    pub subject: f32,
    /// Weight of an API name (camelCase) relative to an error identifier.
    pub api_name: f32,
    /// Extra weight of a word of a long text per natural log of its repetitions.
    pub repeats: f32,
}

impl Default for RankingConfig {
    fn default() -> Self {
        Self {
            title: 2.0,
            problem: 1.5,
            answers: 1.0,
            resolution: 1.2,
            meta: 0.5,
            phrase_boost: 0.0,
            fuzzy: 0.7,
            context_title: 0.3,
            context_error_words: 0.5,
            error_exact: 6.0,
            identifier: 3.0,
            error_grams: 2.0,
            route_exact: 3.0,
            route_words: 0.5,
            product_area: 1.0,
            article_factor: 1.1,
            max_query_terms: 40,
            subject: 0.5,
            api_name: 0.5,
            repeats: 0.0,
        }
    }
}

impl KnowledgeIndex {
    /// Suggests answers for what the user wrote on the page they are on, best first. An empty
    /// request (no words, no usable context) returns no suggestions.
    pub fn suggest(&self, request: &SuggestRequest) -> Result<Vec<Suggestion>> {
        self.suggest_with(request, &RankingConfig::default())
    }

    /// [`KnowledgeIndex::suggest`] with explicit ranking weights.
    pub fn suggest_with(
        &self,
        request: &SuggestRequest,
        ranking: &RankingConfig,
    ) -> Result<Vec<Suggestion>> {
        self.suggest_with_feedback(request, ranking, &Feedback::default())
    }

    /// [`KnowledgeIndex::suggest_with`], with what earlier verdicts on similar questions said
    /// about the candidates (see [`crate::feedback`]).
    pub fn suggest_with_feedback(
        &self,
        request: &SuggestRequest,
        ranking: &RankingConfig,
        feedback: &Feedback,
    ) -> Result<Vec<Suggestion>> {
        let limit = request.limit.clamp(1, MAX_LIMIT);
        let searcher = self.searcher();
        let fields = self.fields();
        let plan = query::plan(&searcher, fields, ranking, request)?;
        if plan.is_empty() {
            return Ok(Vec::new());
        }
        // The confidence compares the first answer with the second: rank at least two.
        let best = rank_candidates(&searcher, fields, ranking, &plan, limit.max(2), feedback)?;
        let mut ranked = Vec::with_capacity(best.len());
        for hit in best {
            let stored: TantivyDocument = searcher.doc(hit.address)?;
            let doc = stored_doc(&stored, fields.source)?;
            ranked.push((hit, doc));
        }
        let lookup = explain::PostingsLookup {
            searcher: &searcher,
            fields,
        };
        let mut suggestions = explain::explain_all(&plan, &lookup, ranked);
        suggestions.truncate(limit);
        Ok(suggestions)
    }

    /// The ranked ids only (evaluation and benchmarks): the same ranking as
    /// [`KnowledgeIndex::suggest`], without snippets or explanations.
    pub fn search_ids(
        &self,
        request: &SuggestRequest,
        ranking: &RankingConfig,
    ) -> Result<Vec<String>> {
        let limit = request.limit.clamp(1, MAX_LIMIT);
        let searcher = self.searcher();
        let fields = self.fields();
        let plan = query::plan(&searcher, fields, ranking, request)?;
        if plan.is_empty() {
            return Ok(Vec::new());
        }
        let best = rank_candidates(
            &searcher,
            fields,
            ranking,
            &plan,
            limit,
            &Feedback::default(),
        )?;
        let mut ids = Vec::with_capacity(best.len());
        for hit in best {
            let stored: TantivyDocument = searcher.doc(hit.address)?;
            ids.push(first_text(&stored, fields.id));
        }
        Ok(ids)
    }
}

/// Candidates beyond twice the limit looked at when verdicts may reorder them.
const FEEDBACK_EXTRA_CANDIDATES: usize = 10;

/// The best `limit` documents: the top candidates by score (over-fetched, so that the article
/// preference read from a fast field can reorder near-ties), without loading stored documents.
fn rank_candidates(
    searcher: &tantivy::Searcher,
    fields: &crate::index::Fields,
    ranking: &RankingConfig,
    plan: &query::QueryPlan,
    limit: usize,
    feedback: &Feedback,
) -> Result<Vec<Hit>> {
    let article_term = tantivy::Term::from_field_text(fields.kind, DocKind::Article.as_str());
    let has_articles = searcher.doc_freq(&article_term)? > 0;
    let multipliers = feedback.multipliers(
        &plan
            .prose
            .iter()
            .map(|term| (term.term.clone(), term.idf))
            .collect::<Vec<_>>(),
    );
    // Over-fetch only when articles or verdicts may move candidates up; a tight limit keeps
    // pruning effective.
    let fetch = if !multipliers.is_empty() {
        limit * 2 + FEEDBACK_EXTRA_CANDIDATES
    } else if has_articles {
        limit * 2 + 5
    } else {
        limit
    };
    let candidates = plan.top(searcher, &[], fetch)?;
    let article_field = searcher.schema().get_field_name(fields.article).to_owned();
    let mut ranked = Vec::with_capacity(candidates.len());
    for mut hit in candidates {
        let address = hit.address;
        let segment = searcher.segment_reader(address.segment_ord);
        let is_article = segment
            .fast_fields()
            .u64(&article_field)
            .ok()
            .and_then(|column| column.first(address.doc_id))
            .is_some_and(|flag| flag == 1);
        let factor = if is_article {
            ranking.article_factor
        } else {
            1.0
        };
        hit.score *= factor;
        if !multipliers.is_empty() {
            let stored: TantivyDocument = searcher.doc(address)?;
            if let Some(multiplier) = multipliers.get(&first_text(&stored, fields.id)) {
                hit.score *= multiplier;
            }
        }
        ranked.push(hit);
    }
    ranked.sort_by(|left, right| right.score.total_cmp(&left.score));
    ranked.truncate(limit);
    Ok(ranked)
}

/// The first text value of a stored field (empty when absent).
pub(crate) fn first_text(document: &TantivyDocument, field: tantivy::schema::Field) -> String {
    document
        .get_first(field)
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The knowledge document kept in the stored `source` field.
pub(crate) fn stored_doc(
    document: &TantivyDocument,
    source: tantivy::schema::Field,
) -> Result<KnowledgeDoc> {
    serde_json::from_str(&first_text(document, source)).map_err(|error| {
        KnowledgeError::Index(tantivy::TantivyError::InternalError(format!(
            "stored document is unreadable: {error}"
        )))
    })
}
