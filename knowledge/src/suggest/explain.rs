//! Why a suggestion matched (fields and words), its highlighted snippet, and its confidence.
//!
//! The confidence is a logistic function of signals that mean the same thing on any corpus:
//! the share of the query's information (IDF-weighted terms) that the document covers, how far
//! it stands ahead of the next candidate, and whether the page's error or route matched exactly.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, DocSet, Searcher, Term};

use super::query::QueryPlan;
use super::retrieve::Hit;
use super::{Snippet, Suggestion};
use crate::document::{DocKind, KnowledgeDoc};
use crate::index::Fields;
use crate::index::analysis;

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 220;
/// Longest part of a text searched for the snippet, in bytes.
const SNIPPET_SOURCE_BYTES: usize = 2_000;

/// Where a suggestion matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The title.
    Title,
    /// The customer's problem or the article body.
    Problem,
    /// The agents' answers.
    Answers,
    /// The structured resolution.
    Resolution,
    /// Tags, environment, version.
    Tags,
    /// An error code or message of the page.
    Error,
    /// The page the user is on.
    Route,
    /// The product area.
    ProductArea,
}

/// One field that matched and the words (as the user or page gave them) that matched it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchedField {
    /// Where.
    pub kind: MatchKind,
    /// What.
    pub terms: Vec<String>,
}

/// Signals of one candidate that feed its confidence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ConfidenceSignals {
    /// Share of the query's IDF weight found in the document, in [0, 1].
    pub coverage: f32,
    /// The candidate's score divided by the best score, in [0, 1].
    pub relative_score: f32,
    /// For the best candidate, 1 − second score / best score; 0 for the others.
    pub lead: f32,
    /// An error identifier of the page matched the document exactly.
    pub error_matched: bool,
    /// The page route matched one of the document's routes.
    pub route_matched: bool,
    /// How much the matched words say, from 0 (one common word) towards 1 (several rare
    /// words): 1 − exp(−matched IDF / 3).
    pub evidence: f32,
    /// Distinct words searched for (after long text was reduced).
    pub query_terms: f32,
    /// Error signatures and identifiers searched for.
    pub identifiers: f32,
}

/// The calibrated model: `confidence = σ(w · features(signals))`, a logistic regression of
/// "the top answer is right" on the features, fitted on half of the queries of two kinds of
/// data (short paraphrased questions, StackFAQ; long technical questions, forums_docusign) and
/// checked on the other half. Refit with
/// `cargo run --release -p waymark-knowledge --example calibrate` and paste its output here.
pub const CONFIDENCE_WEIGHTS: [f32; FEATURES] = [
    0.5797685,
    0.7443763,
    5.7610135,
    2.095409,
    0.3667331,
    -1.6699502,
    -0.42268777,
];

/// Confidence from which the top answer is shown as a likely fix (the widget's badge and the
/// answer opened first): the lowest confidence at which at least 85 % of the top answers of
/// the fitted half of every development set were right (0.8 promised, with a margin for the
/// held-out half). Chosen by the same command as the weights.
pub const LIKELY_FIX_CONFIDENCE: f32 = 0.742;

/// How many features the confidence model reads (the first is the constant 1).
pub const FEATURES: usize = 7;

/// Weight of ln(relative score) for the answers below the first: the model is fitted on top
/// answers (relative score 1), so the others are discounted by how far they trail it.
const TRAILING_WEIGHT: f32 = 2.0;
/// Weight of a route match: the development sets have no routes, so it stays a prior.
const ROUTE_WEIGHT: f32 = 0.8;

/// Query length below which a question counts as this long in the confidence model.
const MIN_QUERY_TERMS: f32 = 3.0;

/// The features of the confidence model: 1, coverage, lead, evidence, error matched,
/// ln(1 + max(query terms, 3)), ln(1 + identifiers).
pub fn features(signals: &ConfidenceSignals) -> [f32; FEATURES] {
    [
        1.0,
        signals.coverage,
        signals.lead,
        signals.evidence,
        if signals.error_matched { 1.0 } else { 0.0 },
        // Fewer words than a short question says too little to be surer than one.
        signals.query_terms.max(MIN_QUERY_TERMS).ln_1p(),
        signals.identifiers.max(0.0).ln_1p(),
    ]
}

/// Maps the signals to a probability that the answer is right.
pub fn confidence(signals: &ConfidenceSignals) -> f32 {
    confidence_with(&CONFIDENCE_WEIGHTS, signals)
}

/// [`confidence`] with other weights (calibration).
pub fn confidence_with(weights: &[f32; FEATURES], signals: &ConfidenceSignals) -> f32 {
    let mut logit: f32 = weights
        .iter()
        .zip(features(signals))
        .map(|(weight, feature)| weight * feature)
        .sum();
    logit += TRAILING_WEIGHT * signals.relative_score.max(f32::MIN_POSITIVE).ln();
    if signals.route_matched {
        logit += ROUTE_WEIGHT;
    }
    let probability = 1.0 / (1.0 + (-logit).exp());
    probability.clamp(0.0, 1.0)
}

/// Builds the suggestions of ranked documents (best first, with their scores).
pub(crate) fn explain_all(
    plan: &QueryPlan,
    lookup: &PostingsLookup<'_>,
    ranked: Vec<(Hit, KnowledgeDoc)>,
) -> Vec<Suggestion> {
    let best = ranked
        .first()
        .map_or(0.0, |(hit, _)| hit.score)
        .max(f32::MIN_POSITIVE);
    // Without a second candidate there is no lead to measure (a tiny index, or one match):
    // the first answer gets none rather than all of it.
    let second = ranked.get(1).map_or(best, |(hit, _)| hit.score);
    let clauses: HashSet<&Term> = plan.terms.terms.iter().map(|(term, _)| term).collect();
    let snippet_terms: BTreeMap<String, f32> = plan
        .prose
        .iter()
        .map(|term| (term.term.clone(), term.idf))
        .collect();
    let highlighter =
        analysis::english_highlighter(plan.prose.iter().map(|term| term.term.as_str()));
    let generator = SnippetGenerator::new(
        snippet_terms,
        highlighter,
        Field::from_field_id(0),
        SNIPPET_CHARS,
    );
    ranked
        .into_iter()
        .enumerate()
        .map(|(rank, (hit, doc))| {
            let score = hit.score;
            let terms = DocTerms {
                lookup,
                address: hit.address,
                clauses: &clauses,
                matched: hit.matched.as_ref().map(|matched| {
                    matched
                        .iter()
                        .filter_map(|index| plan.terms.terms.get(*index))
                        .map(|(term, _)| term)
                        .collect()
                }),
            };
            let (matched, coverage, matched_idf) = matched_fields(plan, &terms);
            let signals = ConfidenceSignals {
                coverage,
                relative_score: (score / best).clamp(0.0, 1.0),
                lead: if rank == 0 {
                    (1.0 - second / best).clamp(0.0, 1.0)
                } else {
                    0.0
                },
                error_matched: matched.iter().any(|field| field.kind == MatchKind::Error),
                route_matched: matched.iter().any(|field| field.kind == MatchKind::Route),
                evidence: 1.0 - (-matched_idf / 3.0).exp(),
                query_terms: plan.prose.len() as f32,
                identifiers: plan.identifiers.len() as f32,
            };
            let confidence = confidence(&signals);
            Suggestion {
                snippet: snippet(&generator, &doc),
                explanation: explanation(&matched),
                confidence,
                likely_fix: rank == 0 && confidence >= LIKELY_FIX_CONFIDENCE,
                signals,
                id: doc.id,
                kind: doc.kind,
                title: doc.title,
                guide: doc.guide,
                matched,
                score,
            }
        })
        .collect()
}

/// The fields of a document that the query matched, and the IDF-weighted coverage. Fuzzy
/// terms have been corrected to indexed words before, so every check is an exact term.
fn matched_fields(plan: &QueryPlan, terms: &DocTerms<'_>) -> (Vec<MatchedField>, f32, f32) {
    let fields = terms.lookup.fields;
    let prose_fields = [
        (MatchKind::Title, fields.title),
        (MatchKind::Problem, fields.problem),
        (MatchKind::Answers, fields.answers),
        (MatchKind::Resolution, fields.resolution),
        (MatchKind::Tags, fields.meta),
    ];
    let mut matched = Vec::new();
    let mut covered = vec![false; plan.prose.len()];
    for (kind, field) in prose_fields {
        let mut words = Vec::new();
        for (index, query_term) in plan.prose.iter().enumerate() {
            let hit = terms.contains(field, &query_term.term);
            if hit {
                covered[index] = true;
                words.push(query_term.surface.clone());
            }
        }
        if !words.is_empty() {
            matched.push(MatchedField { kind, terms: words });
        }
    }
    let total_prose: f32 = plan.prose.iter().map(|term| term.idf).sum();

    let mut errors: Vec<String> = plan
        .identifiers
        .iter()
        .filter(|(identifier, _)| {
            terms.contains(fields.errors, identifier)
                || terms.contains(fields.identifiers, identifier)
        })
        .map(|(_, surface)| surface.clone())
        .collect();
    let error_words: Vec<String> = plan
        .prose
        .iter()
        .zip(covered.iter_mut())
        .filter(|(term, _)| terms.contains(fields.errors, &term.surface.to_lowercase()))
        .map(|(term, hit)| {
            *hit = true;
            term.surface.clone()
        })
        .collect();
    // An identifier weighs like a rare word: twice the mean prose IDF, or 3 without prose.
    let identifier_weight = if plan.prose.is_empty() {
        3.0
    } else {
        2.0 * total_prose / plan.prose.len() as f32
    };
    let covered_prose: f32 = plan
        .prose
        .iter()
        .zip(&covered)
        .filter(|(_, hit)| **hit)
        .map(|(term, _)| term.idf)
        .sum();
    let covered_identifiers = errors.len();
    for word in error_words {
        if !errors.contains(&word) {
            errors.push(word);
        }
    }
    let total = total_prose + identifier_weight * plan.identifiers.len() as f32;
    let covered_all = covered_prose + identifier_weight * covered_identifiers as f32;
    if !errors.is_empty() {
        matched.push(MatchedField {
            kind: MatchKind::Error,
            terms: errors,
        });
    }
    let mut context_total = 0.0;
    let mut context_covered = 0.0;
    if let Some(route) = &plan.route {
        context_total += 1.0;
        if terms.contains(fields.route, route) {
            context_covered += 1.0;
            matched.push(MatchedField {
                kind: MatchKind::Route,
                terms: vec![route.clone()],
            });
        }
    }
    if let Some(area) = &plan.area {
        context_total += 0.5;
        if terms.contains(fields.area, area) {
            context_covered += 0.5;
            matched.push(MatchedField {
                kind: MatchKind::ProductArea,
                terms: vec![area.clone()],
            });
        }
    }
    let coverage = if total > 0.0 {
        covered_all / total
    } else if context_total > 0.0 {
        // Context only: the page is all we know, so a page match is worth less than words.
        0.6 * context_covered / context_total
    } else {
        0.0
    };
    let matched_idf = covered_all + 3.0 * context_covered;
    (matched, coverage.clamp(0.0, 1.0), matched_idf)
}

/// Answers "does this document hold this term in this field": from the clauses retrieval saw
/// it hold when known, else from the index's postings.
struct DocTerms<'a> {
    lookup: &'a PostingsLookup<'a>,
    address: DocAddress,
    /// Every term of the query.
    clauses: &'a HashSet<&'a Term>,
    /// The terms of the query that the document holds, when retrieval recorded them.
    matched: Option<HashSet<&'a Term>>,
}

impl DocTerms<'_> {
    fn contains(&self, field: Field, text: &str) -> bool {
        let term = Term::from_field_text(field, text);
        match &self.matched {
            Some(matched) if self.clauses.contains(&term) => matched.contains(&term),
            _ => self.lookup.contains(self.address, field, text),
        }
    }
}

/// Answers "does this document have this term in this field" from the postings.
pub(crate) struct PostingsLookup<'a> {
    /// The searcher of the request.
    pub searcher: &'a Searcher,
    /// The schema's fields.
    pub fields: &'a Fields,
}

impl PostingsLookup<'_> {
    fn contains(&self, address: DocAddress, field: Field, text: &str) -> bool {
        let segment = self.searcher.segment_reader(address.segment_ord);
        let Ok(inverted) = segment.inverted_index(field) else {
            return false;
        };
        let term = Term::from_field_text(field, text);
        match inverted.read_postings(&term, IndexRecordOption::Basic) {
            Ok(Some(mut postings)) => {
                postings.doc() == address.doc_id
                    || (postings.doc() < address.doc_id
                        && postings.seek(address.doc_id) == address.doc_id)
            }
            _ => false,
        }
    }
}

/// The sentence shown under a suggestion.
fn explanation(matched: &[MatchedField]) -> String {
    let find = |kind: MatchKind| matched.iter().find(|field| field.kind == kind);
    let mut sentence = String::from("matched");
    if let Some(error) = find(MatchKind::Error) {
        sentence.push_str(&format!(" your error {}", error.terms.join(", ")));
    }
    let prose: Vec<&MatchedField> = matched
        .iter()
        .filter(|field| {
            matches!(
                field.kind,
                MatchKind::Title
                    | MatchKind::Problem
                    | MatchKind::Answers
                    | MatchKind::Resolution
                    | MatchKind::Tags
            )
        })
        .collect();
    if !prose.is_empty() {
        let mut words: Vec<&str> = Vec::new();
        for field in &prose {
            for term in &field.terms {
                if !words.contains(&term.as_str()) {
                    words.push(term);
                }
            }
        }
        let quoted: Vec<String> = words
            .iter()
            .take(5)
            .map(|word| format!("“{word}”"))
            .collect();
        let places: Vec<&str> = prose.iter().map(|field| place_name(field.kind)).collect();
        if sentence.len() > "matched".len() {
            sentence.push_str(" and");
        }
        sentence.push_str(&format!(
            " {} in the {}",
            quoted.join(", "),
            places.join(" and ")
        ));
    }
    if let Some(route) = find(MatchKind::Route) {
        sentence.push_str(&format!(" on {}", route.terms.join(", ")));
    }
    if let Some(area) = find(MatchKind::ProductArea) {
        sentence.push_str(&format!(" in {}", area.terms.join(", ")));
    }
    if sentence == "matched" {
        return "related to your question".to_owned();
    }
    sentence
}

fn place_name(kind: MatchKind) -> &'static str {
    match kind {
        MatchKind::Title => "title",
        MatchKind::Problem => "problem",
        MatchKind::Answers => "answer",
        MatchKind::Resolution => "resolution",
        MatchKind::Tags => "tags",
        MatchKind::Error => "error",
        MatchKind::Route => "route",
        MatchKind::ProductArea => "product area",
    }
}

/// The snippet: from the answer when it holds query words, else the problem, else the title.
fn snippet(generator: &SnippetGenerator, doc: &KnowledgeDoc) -> Snippet {
    let answers = doc.answers.join("\n\n");
    let fix = doc.resolution.fix.clone().unwrap_or_default();
    let sources: Vec<&str> = match doc.kind {
        DocKind::Article => vec![&doc.problem, &answers, &doc.title],
        DocKind::Ticket => vec![&answers, &fix, &doc.problem, &doc.title],
    };
    let non_empty: Vec<&str> = sources
        .into_iter()
        .filter(|text| !text.trim().is_empty())
        .collect();
    for text in &non_empty {
        // Long texts are cut before highlighting: the best extract is rarely far in.
        let mut found = generator.snippet(super::query::truncate(text, SNIPPET_SOURCE_BYTES));
        if !found.highlighted().is_empty() {
            found.set_snippet_prefix_postfix("<mark>", "</mark>");
            return Snippet {
                text: found.fragment().to_owned(),
                highlights: found.highlighted().to_vec(),
                html: found.to_html(),
            };
        }
    }
    let first = non_empty.first().copied().unwrap_or_default();
    let text: String = first.chars().take(SNIPPET_CHARS).collect();
    Snippet {
        html: escape_html(&text),
        text,
        highlights: Vec::new(),
    }
}

fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn confidence_grows_with_coverage_and_lead() {
        // A long question of which the answer covers little, barely ahead of the next one.
        let weak = ConfidenceSignals {
            coverage: 0.2,
            relative_score: 1.0,
            lead: 0.02,
            evidence: 0.4,
            query_terms: 40.0,
            identifiers: 3.0,
            ..Default::default()
        };
        // A short question the answer covers, far ahead of the next one.
        let strong = ConfidenceSignals {
            coverage: 0.9,
            relative_score: 1.0,
            lead: 0.5,
            evidence: 0.9,
            query_terms: 4.0,
            ..Default::default()
        };
        assert!(confidence(&weak) < 0.3, "{}", confidence(&weak));
        assert!(confidence(&strong) > 0.7, "{}", confidence(&strong));
        assert!(confidence(&strong) >= LIKELY_FIX_CONFIDENCE);
        let trailing = ConfidenceSignals {
            relative_score: 0.5,
            lead: 0.0,
            ..strong
        };
        assert!(confidence(&trailing) < confidence(&strong));
        for signals in [weak, strong] {
            assert!((0.0..=1.0).contains(&confidence(&signals)));
        }
    }
}
