//! Turns a suggest request (user words + page context) into one weighted tantivy query and the
//! term lists used afterwards to explain matches.

use std::collections::HashMap;

use tantivy::Searcher;
use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::IndexRecordOption;

use super::retrieve::{Hit, TermUnion};
use super::signature::{self, SignatureKind};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use super::{RankingConfig, SuggestRequest};
use crate::index::Fields;
use crate::index::analysis::{self, looks_like_identifier, normalize_route};

/// Longest user text considered, in bytes; the rest is ignored (a pasted log is not an error).
pub const MAX_TEXT_BYTES: usize = 8_000;
/// Most distinct prose terms of a query still handled as a short question (typo correction,
/// joined word pairs, phrases); longer texts keep their most informative words.
const SHORT_QUERY_TERMS: usize = 12;
/// Most distinct prose terms taken from a context text (page title, error message).
const MAX_PROSE_TERMS: usize = 32;
/// Most error identifiers taken from the context.
const MAX_IDENTIFIERS: usize = 12;
/// Most terms corrected by fuzzy matching in one query.
const MAX_FUZZY_TERMS: usize = 3;

/// One analyzed word of the query.
#[derive(Debug, Clone)]
pub(crate) struct QueryTerm {
    /// The stemmed term as indexed.
    pub term: String,
    /// The word as the user typed it (first occurrence).
    pub surface: String,
    /// Inverse document frequency over the prose fields.
    pub idf: f32,
    /// The word is unknown to the index and is matched approximately.
    pub fuzzy: bool,
}

/// The query and what it looked for.
pub(crate) struct QueryPlan {
    /// The weighted terms to search (with the site filter when the index holds other sites).
    pub terms: TermUnion,
    /// Word pairs scored as phrases, with their weights (only when phrases are weighted).
    pub phrases: Vec<(PhraseQuery, f32)>,
    /// Prose terms from the user's words, the page title and error messages.
    pub prose: Vec<QueryTerm>,
    /// Identifiers (lowercased) with the form the user or page gave.
    pub identifiers: Vec<(String, String)>,
    /// Normalised route of the page, if any.
    pub route: Option<String>,
    /// Lowercased product area, if any.
    pub area: Option<String>,
    /// Number of scoring clauses; zero means there was nothing to search for.
    pub clauses: usize,
}

impl QueryPlan {
    /// Whether the request held nothing to search for.
    pub fn is_empty(&self) -> bool {
        self.clauses == 0
    }

    /// The best `limit` documents, best first, restricted to documents that also hold every
    /// term of `filters`. A union of terms runs through MaxScore pruning ([`TermUnion::top`]);
    /// phrases need tantivy's general query.
    pub fn top(
        &self,
        searcher: &Searcher,
        filters: &[Term],
        limit: usize,
    ) -> tantivy::Result<Vec<Hit>> {
        if self.phrases.is_empty() {
            let mut union = self.terms.clone();
            union.filters.extend_from_slice(filters);
            return union.top(searcher, limit);
        }
        let query = self.query(filters);
        let best = searcher.search(
            &query,
            &tantivy::collector::TopDocs::with_limit(limit).order_by_score(),
        )?;
        Ok(best
            .into_iter()
            .map(|(score, address)| Hit {
                score,
                address,
                matched: None,
            })
            .collect())
    }

    /// The plan as one tantivy query: a union of boosted term and phrase queries, with every
    /// filter as a required clause that does not score.
    pub fn query(&self, filters: &[Term]) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = self
            .terms
            .terms
            .iter()
            .map(|(term, boost)| (Occur::Should, boosted_term(term.clone(), *boost)))
            .collect();
        for (phrase, boost) in &self.phrases {
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(phrase.clone()), *boost)),
            ));
        }
        let mut query: Box<dyn Query> = Box::new(BooleanQuery::new(clauses));
        let required: Vec<&Term> = self.terms.filters.iter().chain(filters).collect();
        if !required.is_empty() {
            let mut all: Vec<(Occur, Box<dyn Query>)> = required
                .into_iter()
                .map(|term| {
                    let filter = TermQuery::new(term.clone(), IndexRecordOption::Basic);
                    let clause: Box<dyn Query> =
                        Box::new(ConstScoreQuery::new(Box::new(filter), 0.0));
                    (Occur::Must, clause)
                })
                .collect();
            all.push((Occur::Must, query));
            query = Box::new(BooleanQuery::new(all));
        }
        query
    }
}

/// Cuts text to at most `max_bytes`, on a character boundary.
pub fn truncate(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Builds the query plan of a request.
pub(crate) fn plan(
    searcher: &Searcher,
    fields: &Fields,
    ranking: &RankingConfig,
    request: &SuggestRequest,
) -> tantivy::Result<QueryPlan> {
    let mut english = registered_analyzer(searcher, analysis::ENGLISH, analysis::english_analyzer);
    let mut trigrams = registered_analyzer(searcher, analysis::TRIGRAM, analysis::plain_analyzer);
    let mut plain = registered_analyzer(searcher, analysis::PLAIN, analysis::plain_analyzer);
    let context = &request.context;
    let statistics = Statistics::new(searcher, fields)?;
    let mut clauses: Vec<(Term, f32)> = Vec::new();
    let mut phrases: Vec<(PhraseQuery, f32)> = Vec::new();

    // The user's own words weigh most; page title and error messages add context. Long text
    // is reduced to what describes the problem, and only its most informative words are kept.
    let reduced = signature::reduce(&request.text, MAX_TEXT_BYTES);
    let text = reduced.as_str();
    let user_words = analyzed_words(&mut english, text);
    // Words that name the problem in a long text: its subject line and its quoted messages.
    let mut subject_terms: Vec<String> = analyzed_words(&mut english, signature::subject(text))
        .into_iter()
        .map(|(term, _)| term)
        .collect();
    for message in signature::quoted_messages(truncate(&request.text, MAX_TEXT_BYTES)) {
        subject_terms.extend(
            analyzed_words(&mut english, message)
                .into_iter()
                .map(|(term, _)| term),
        );
    }
    let distinct: Vec<(String, String)> = dedup(user_words.iter().cloned()).collect();
    let long = distinct.len() > ranking.max_query_terms;
    let mut prose: Vec<QueryTerm> = Vec::new();
    let mut fuzzy_budget = if distinct.len() <= SHORT_QUERY_TERMS {
        MAX_FUZZY_TERMS
    } else {
        0
    };
    let mut selected: Vec<(String, String, f32, bool)> = Vec::with_capacity(distinct.len());
    for (term, surface) in distinct {
        let idf = statistics.prose_idf(&term, &surface)?;
        let (term, idf, fuzzy) = match idf {
            Some(idf) => (term, idf, false),
            None => {
                // An unknown word: most likely a typo. Replace it by the most frequent indexed
                // word one edit away, if any.
                if term.chars().count() < 4 || fuzzy_budget == 0 {
                    continue;
                }
                fuzzy_budget -= 1;
                let Some(corrected) = correct_typo(searcher, fields, &term)? else {
                    continue;
                };
                let Some(idf) = statistics.prose_idf(&corrected, &corrected)? else {
                    continue;
                };
                (corrected, idf * ranking.fuzzy, true)
            }
        };
        selected.push((term, surface, idf, fuzzy));
    }
    if long {
        // The most informative words of a long text: rare words, and the subject's words.
        let rank = |(term, _, idf, _): &(String, String, f32, bool)| {
            let subject = if subject_terms.contains(term) {
                1.0 + ranking.subject
            } else {
                1.0
            };
            idf * subject
        };
        let mut order: Vec<usize> = (0..selected.len()).collect();
        order.sort_by(|left, right| rank(&selected[*right]).total_cmp(&rank(&selected[*left])));
        let keep: std::collections::HashSet<usize> =
            order.into_iter().take(ranking.max_query_terms).collect();
        let mut position = 0;
        selected.retain(|_| {
            position += 1;
            keep.contains(&(position - 1))
        });
    }
    for (term, surface, idf, fuzzy) in selected {
        let mut weight = if fuzzy { ranking.fuzzy } else { 1.0 };
        if long {
            if subject_terms.contains(&term) {
                weight *= 1.0 + ranking.subject;
            }
            // A word the text repeats is what it is about.
            let repeats = user_words.iter().filter(|(word, _)| *word == term).count();
            weight *= 1.0 + ranking.repeats * (repeats.max(1) as f32).ln();
        }
        clauses.extend(prose_clauses(fields, ranking, (&term, &surface), weight));
        prose.push(QueryTerm {
            term,
            surface,
            idf: idf * weight,
            fuzzy,
        });
    }
    // Words written apart that the documents write as one ("back up" → "backup", "e mail" →
    // "email", "log in" → "login"): the joined word is searched too when it is indexed.
    let pair_source = if long { signature::subject(text) } else { text };
    let plain_words = analysis::analyze(&mut plain, pair_source);
    for pair in plain_words.windows(2).take(SHORT_QUERY_TERMS) {
        let joined = format!("{}{}", pair[0], pair[1]);
        let Some((term, _)) = analyzed_words(&mut english, &joined).into_iter().next() else {
            continue;
        };
        if prose.iter().any(|known| known.term == term) {
            continue;
        }
        let Some(idf) = statistics.prose_idf(&term, &joined)? else {
            continue;
        };
        clauses.extend(prose_clauses(fields, ranking, (&term, &joined), 1.0));
        prose.push(QueryTerm {
            term,
            surface: joined,
            idf,
            fuzzy: false,
        });
    }
    // Adjacent word pairs found as a phrase in the title or problem score extra.
    if ranking.phrase_boost > 0.0 {
        let known: Vec<&String> = user_words
            .iter()
            .map(|(term, _)| term)
            .filter(|term| {
                prose
                    .iter()
                    .any(|known| &known.term == *term && !known.fuzzy)
            })
            .collect();
        for pair in known.windows(2).take(SHORT_QUERY_TERMS) {
            if pair[0] == pair[1] {
                continue;
            }
            for (field, weight) in [
                (fields.title, ranking.title),
                (fields.problem, ranking.problem),
            ] {
                let phrase = PhraseQuery::new_with_offset_and_slop(
                    vec![
                        (0, Term::from_field_text(field, pair[0])),
                        (1, Term::from_field_text(field, pair[1])),
                    ],
                    1,
                );
                phrases.push((phrase, ranking.phrase_boost * weight));
            }
        }
    }
    let context_prose = context
        .title
        .iter()
        .map(|title| (title.as_str(), ranking.context_title))
        .chain(
            context
                .errors
                .iter()
                .map(|error| (error.as_str(), ranking.context_error_words)),
        );
    for (context_text, weight) in context_prose {
        let words = analyzed_words(&mut english, truncate(context_text, MAX_TEXT_BYTES));
        for (term, surface) in dedup(words.into_iter()).take(MAX_PROSE_TERMS) {
            if prose.iter().any(|known| known.term == term) {
                continue;
            }
            let Some(idf) = statistics.prose_idf(&term, &surface)? else {
                continue;
            };
            clauses.extend(prose_clauses(fields, ranking, (&term, &surface), weight));
            prose.push(QueryTerm {
                term,
                surface,
                idf: idf * weight,
                fuzzy: false,
            });
        }
    }

    // Identifiers: the error signatures of the user's words (codes, exceptions, statuses, API
    // names), the identifiers of the page's error messages, and failed requests' statuses.
    let mut identifiers: Vec<(String, String)> = Vec::new();
    let mut api_names: Vec<String> = Vec::new();
    for found in signature::signatures(truncate(&request.text, MAX_TEXT_BYTES)) {
        match found.kind {
            SignatureKind::Endpoint => continue,
            SignatureKind::ApiName => api_names.push(found.text.to_lowercase()),
            _ => {}
        }
        push_unique(&mut identifiers, found.text.to_lowercase(), found.text);
    }
    for error_text in &context.errors {
        for found in signature::signatures(truncate(error_text, MAX_TEXT_BYTES)) {
            if found.kind != SignatureKind::Endpoint {
                push_unique(&mut identifiers, found.text.to_lowercase(), found.text);
            }
        }
        for (_, chunk) in analysis::identifier_chunks(truncate(error_text, MAX_TEXT_BYTES)) {
            if looks_like_identifier(chunk) {
                push_unique(&mut identifiers, chunk.to_lowercase(), chunk.to_owned());
            }
        }
    }
    for request in &context.failed_requests {
        if let Some(status) = request.status {
            push_unique(
                &mut identifiers,
                status.to_string(),
                format!("HTTP {status}"),
            );
        }
    }
    identifiers.truncate(MAX_IDENTIFIERS);
    for (identifier, _) in &identifiers {
        // An API name is mentioned by answers; it is not an error of the page.
        let api = api_names.contains(identifier);
        let exact = [
            (fields.errors, ranking.error_exact),
            (
                fields.identifiers,
                ranking.identifier * if api { ranking.api_name } else { 1.0 },
            ),
        ];
        for (field, boost) in exact {
            clauses.push((Term::from_field_text(field, identifier), boost));
        }
        let grams = analysis::analyze(&mut trigrams, identifier);
        if grams.len() > 1 {
            let gram_boost = ranking.error_grams / grams.len() as f32;
            for gram in grams {
                clauses.push((Term::from_field_text(fields.error_grams, &gram), gram_boost));
            }
        }
    }

    // The page: exact route, its words, the routes of failed requests, the product area.
    let route = context
        .route
        .as_deref()
        .map(normalize_route)
        .filter(|route| route != "/");
    if let Some(route) = &route {
        clauses.push((
            Term::from_field_text(fields.route, route),
            ranking.route_exact,
        ));
    }
    let route_texts = route.iter().cloned().chain(
        context
            .failed_requests
            .iter()
            .map(|request| normalize_route(&request.url)),
    );
    for route_text in route_texts {
        for word in analysis::analyze(&mut plain, &route_text.replace(":id", " ")) {
            clauses.push((
                Term::from_field_text(fields.route_words, &word),
                ranking.route_words,
            ));
        }
    }
    let area = context
        .product_area
        .as_deref()
        .map(|area| area.trim().to_lowercase())
        .filter(|area| !area.is_empty());
    if let Some(area) = &area {
        clauses.push((
            Term::from_field_text(fields.area, area),
            ranking.product_area,
        ));
    }

    let clause_count = clauses.len() + phrases.len();
    let mut filters = Vec::new();
    if statistics.needs_site_filter(&request.site)? {
        filters.push(Term::from_field_text(fields.site, &request.site));
    }
    Ok(QueryPlan {
        terms: TermUnion {
            terms: clauses,
            filters,
        },
        phrases,
        prose,
        identifiers,
        route,
        area,
        clauses: clause_count,
    })
}

/// One prose term searched in every prose field with the field weights, as clauses of one flat
/// union (see [`TermUnion`]).
fn prose_clauses(
    fields: &Fields,
    ranking: &RankingConfig,
    (term, surface): (&str, &str),
    weight: f32,
) -> Vec<(Term, f32)> {
    let per_field = [
        (fields.title, ranking.title),
        (fields.problem, ranking.problem),
        (fields.answers, ranking.answers),
        (fields.resolution, ranking.resolution),
        (fields.meta, ranking.meta),
    ];
    let mut clauses: Vec<(Term, f32)> = per_field
        .into_iter()
        .map(|(field, field_weight)| (Term::from_field_text(field, term), field_weight * weight))
        .collect();
    // Error messages are indexed unstemmed: look the word up as written.
    let error_boost = ranking.context_error_words * weight * ranking.problem;
    clauses.push((
        Term::from_field_text(fields.errors, &surface.to_lowercase()),
        error_boost,
    ));
    clauses
}

fn boosted_term(term: Term, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(
        Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
        boost,
    ))
}

/// An analyzer registered on the searcher's index (cheap clone), or the given fallback.
pub(crate) fn registered_analyzer(
    searcher: &Searcher,
    name: &str,
    fallback: fn() -> TextAnalyzer,
) -> TextAnalyzer {
    searcher
        .index()
        .tokenizers()
        .get(name)
        .unwrap_or_else(fallback)
}

/// The analyzed terms of a text with the words they came from.
pub(crate) fn analyzed_words(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, String)> {
    let mut words = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let token = stream.token();
        let surface = text
            .get(token.offset_from..token.offset_to)
            .unwrap_or(&token.text);
        words.push((token.text.clone(), surface.to_owned()));
    }
    words
}

fn dedup(words: impl Iterator<Item = (String, String)>) -> impl Iterator<Item = (String, String)> {
    let mut seen: HashMap<String, ()> = HashMap::new();
    words.filter(move |(term, _)| seen.insert(term.clone(), ()).is_none())
}

fn push_unique(list: &mut Vec<(String, String)>, key: String, surface: String) {
    if !list.iter().any(|(existing, _)| *existing == key) {
        list.push((key, surface));
    }
}

/// Document frequencies used to weigh and correct terms.
struct Statistics<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
    documents: f32,
}

impl<'a> Statistics<'a> {
    fn new(searcher: &'a Searcher, fields: &'a Fields) -> tantivy::Result<Self> {
        let documents = searcher.num_docs().max(1) as f32;
        Ok(Self {
            searcher,
            fields,
            documents,
        })
    }

    /// IDF of a term over the prose fields (the highest document frequency wins), or `None`
    /// when no document has it.
    fn prose_idf(&self, term: &str, surface: &str) -> tantivy::Result<Option<f32>> {
        let mut highest = self.searcher.doc_freq(&Term::from_field_text(
            self.fields.errors,
            &surface.to_lowercase(),
        ))?;
        for field in [
            self.fields.title,
            self.fields.problem,
            self.fields.answers,
            self.fields.resolution,
        ] {
            highest = highest.max(
                self.searcher
                    .doc_freq(&Term::from_field_text(field, term))?,
            );
        }
        Ok((highest > 0).then(|| idf(highest as f32, self.documents)))
    }

    /// Whether other sites share the index, so results must be filtered by site.
    fn needs_site_filter(&self, site: &str) -> tantivy::Result<bool> {
        let in_site = self
            .searcher
            .doc_freq(&Term::from_field_text(self.fields.site, site))?;
        let all: u64 = self
            .searcher
            .segment_readers()
            .iter()
            .map(|segment| u64::from(segment.max_doc()))
            .sum();
        Ok(in_site < all)
    }
}

/// The indexed prose word one edit away from `term` (transpositions count as one) that most
/// documents use, if any.
fn correct_typo(
    searcher: &Searcher,
    fields: &Fields,
    term: &str,
) -> tantivy::Result<Option<String>> {
    let automaton =
        FuzzyTermQuery::new(Term::from_field_text(fields.title, term), 1, true).automaton()?;
    let mut counts: HashMap<Vec<u8>, u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        for field in [fields.title, fields.answers, fields.problem] {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted.terms().search(&automaton).into_stream()?;
            while stream.advance() {
                *counts.entry(stream.key().to_vec()).or_default() +=
                    u64::from(stream.value().doc_freq);
            }
        }
    }
    let best = counts
        .into_iter()
        .filter(|(key, _)| key.as_slice() != term.as_bytes())
        .max_by(|left, right| left.1.cmp(&right.1).then_with(|| right.0.cmp(&left.0)));
    Ok(best.and_then(|(key, _)| String::from_utf8(key).ok()))
}

/// BM25's inverse document frequency.
pub(crate) fn idf(doc_freq: f32, documents: f32) -> f32 {
    (1.0 + (documents - doc_freq + 0.5) / (doc_freq + 0.5)).ln()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::truncate;

    #[test]
    fn truncation_never_splits_a_character() {
        let text = "é".repeat(10);
        assert_eq!(truncate(&text, 5), "éé");
        assert_eq!(truncate("short", 100), "short");
    }
}
