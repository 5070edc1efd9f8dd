//! Runs a retriever over a dataset's queries, timing each, and scores the rankings.

use std::time::{Duration, Instant};

use super::dataset::{Dataset, EVAL_SITE};
use super::metrics::{self, LatencySummary};
use super::report::SystemReport;
use crate::Result;
use crate::index::{IndexConfig, KnowledgeIndex};
use crate::suggest::{ConfidenceSignals, RankingConfig, SuggestRequest};

/// How many ranked ids a run asks each retriever for.
pub const RANK_DEPTH: usize = 10;

/// Anything that ranks documents for a query.
pub trait Retriever {
    /// Short name for the report table.
    fn name(&self) -> String;
    /// One line saying what it is.
    fn description(&self) -> String;
    /// The ids of the best `limit` documents for `query`, best first.
    fn search(&mut self, query: &str, limit: usize) -> Result<Vec<String>>;
}

/// One query's ranked ids and how long the retriever took.
#[derive(Debug, Clone)]
pub struct QueryOutcome {
    /// The ranked ids, best first.
    pub ranked: Vec<String>,
    /// Wall-clock time of the call.
    pub elapsed: Duration,
}

/// Runs every query of the dataset once through the retriever (after one untimed warm-up pass
/// over the first queries) and scores the result.
pub fn evaluate(retriever: &mut dyn Retriever, dataset: &Dataset) -> Result<SystemReport> {
    for query in dataset.queries.iter().take(20) {
        retriever.search(&query.text, RANK_DEPTH)?;
    }
    let mut outcomes = Vec::with_capacity(dataset.queries.len());
    for query in &dataset.queries {
        let started = Instant::now();
        let ranked = retriever.search(&query.text, RANK_DEPTH)?;
        outcomes.push(QueryOutcome {
            ranked,
            elapsed: started.elapsed(),
        });
    }
    Ok(score(
        &retriever.name(),
        &retriever.description(),
        dataset,
        &outcomes,
    ))
}

/// Scores precomputed outcomes (one per dataset query, in order) — for retrievers that run
/// elsewhere, such as a database.
pub fn score(
    name: &str,
    description: &str,
    dataset: &Dataset,
    outcomes: &[QueryOutcome],
) -> SystemReport {
    let per_query: Vec<_> = dataset
        .queries
        .iter()
        .zip(outcomes)
        .map(|(query, outcome)| metrics::query_metrics(&outcome.ranked, &query.relevant))
        .collect();
    let durations: Vec<Duration> = outcomes.iter().map(|outcome| outcome.elapsed).collect();
    SystemReport {
        name: name.to_owned(),
        description: description.to_owned(),
        metrics: metrics::mean(&per_query),
        latency: LatencySummary::from_durations(&durations),
        notes: Vec::new(),
    }
}

/// Waymark's own retrieval: the full `suggest` call (snippets, explanations and confidence
/// included in the timing).
pub struct WaymarkRetriever {
    pub(crate) index: KnowledgeIndex,
    pub(crate) ranking: RankingConfig,
    site: String,
    /// Confidence and id of the top suggestion of each call, in call order.
    pub top: Vec<Option<(f32, String)>>,
    /// What the confidence of the top suggestion of each call was computed from.
    pub top_signals: Vec<Option<ConfidenceSignals>>,
}

impl WaymarkRetriever {
    /// Indexes the dataset's documents in memory.
    pub fn build(dataset: &Dataset, ranking: RankingConfig) -> Result<Self> {
        let index = KnowledgeIndex::in_memory(IndexConfig::default())?;
        for doc in &dataset.docs {
            index.upsert(doc)?;
        }
        index.commit()?;
        Ok(Self::from_index(index, ranking))
    }

    /// Wraps an existing index; queries search site [`EVAL_SITE`].
    pub fn from_index(index: KnowledgeIndex, ranking: RankingConfig) -> Self {
        Self {
            index,
            ranking,
            site: EVAL_SITE.to_owned(),
            top: Vec::new(),
            top_signals: Vec::new(),
        }
    }
}

impl WaymarkRetriever {
    /// The top suggestions of the timed pass of [`evaluate`] (the last call per query).
    pub fn timed_top(&self, dataset: &Dataset) -> &[Option<(f32, String)>] {
        let start = self.top.len().saturating_sub(dataset.queries.len());
        &self.top[start..]
    }

    /// The signals of the top suggestions of the timed pass, as [`WaymarkRetriever::timed_top`].
    pub fn timed_signals(&self, dataset: &Dataset) -> &[Option<ConfidenceSignals>] {
        let start = self.top_signals.len().saturating_sub(dataset.queries.len());
        &self.top_signals[start..]
    }
}

impl Retriever for WaymarkRetriever {
    fn name(&self) -> String {
        "waymark".to_owned()
    }

    fn description(&self) -> String {
        "Waymark suggest: per-field BM25 (title, problem, answers, resolution), English stemming, \
         phrase pairs, fuzzy unknown words, identifier and route fields"
            .to_owned()
    }

    fn search(&mut self, query: &str, limit: usize) -> Result<Vec<String>> {
        let request = SuggestRequest {
            site: self.site.clone(),
            text: query.to_owned(),
            limit,
            ..SuggestRequest::default()
        };
        let suggestions = self.index.suggest_with(&request, &self.ranking)?;
        self.top.push(
            suggestions
                .first()
                .map(|best| (best.confidence, best.id.clone())),
        );
        self.top_signals
            .push(suggestions.first().map(|best| best.signals));
        Ok(suggestions
            .into_iter()
            .map(|suggestion| suggestion.id)
            .collect())
    }
}
