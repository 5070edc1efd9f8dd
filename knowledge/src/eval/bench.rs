//! The scale benchmark: index build rate and suggest latency on synthetic corpora, in process.
//! Figures for other systems (PostgreSQL full-text search) are measured by the caller on the
//! same corpus and printed next to these with [`bench_table`].

use std::path::Path;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::dataset::{Dataset, EVAL_SITE};
use super::metrics::{self, LatencySummary, RetrievalMetrics};
use crate::Result;
use crate::document::KnowledgeDoc;
use crate::index::{IndexConfig, KnowledgeIndex};
use crate::suggest::{RankingConfig, SuggestRequest};

/// Suggestions asked per benchmark query (what the widget shows).
pub const BENCH_LIMIT: usize = 5;

/// How the benchmark writes its index, in every path that runs it (`waymark eval bench`, the
/// `bench` example): 256 MiB over two indexing threads.
pub const BENCH_INDEX_CONFIG: IndexConfig = IndexConfig {
    writer_memory_bytes: 256 * 1024 * 1024,
    writer_threads: 2,
};

/// One system at one corpus size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScaleFigures {
    /// System name.
    pub system: String,
    /// Documents in the corpus.
    pub documents: usize,
    /// Time to index the corpus, commit/index creation included, in seconds.
    pub build_seconds: f64,
    /// Documents indexed per second.
    pub docs_per_second: f64,
    /// Latency of one query.
    pub latency: LatencySummary,
    /// Ranking quality of the dataset's queries within the large corpus.
    pub metrics: RetrievalMetrics,
}

/// Builds an on-disk index of `docs` in `directory` (which must be empty or absent), waits for
/// its background merges to finish (not counted in the build time), then runs every dataset
/// query once untimed and once timed through the full `suggest` call.
pub fn bench_waymark(
    docs: &[KnowledgeDoc],
    dataset: &Dataset,
    directory: &Path,
    config: IndexConfig,
) -> Result<ScaleFigures> {
    let started = Instant::now();
    let index = KnowledgeIndex::open_or_create(directory, config)?;
    for doc in docs {
        index.upsert(doc)?;
    }
    index.commit()?;
    let build = started.elapsed();
    // Merges run in background threads after a commit and swap segments under the reader;
    // timing starts once they are done, on the index as it will stay.
    index.wait_for_merges()?;

    let request = |text: &str, limit: usize| SuggestRequest {
        site: EVAL_SITE.to_owned(),
        text: text.to_owned(),
        limit,
        ..SuggestRequest::default()
    };
    let ranking = RankingConfig::default();
    let mut per_query = Vec::with_capacity(dataset.queries.len());
    for query in &dataset.queries {
        let ranked = index.search_ids(&request(&query.text, 10), &ranking)?;
        per_query.push(metrics::query_metrics(&ranked, &query.relevant));
    }
    let mut durations: Vec<Duration> = Vec::with_capacity(dataset.queries.len());
    for query in &dataset.queries {
        let started = Instant::now();
        index.suggest(&request(&query.text, BENCH_LIMIT))?;
        durations.push(started.elapsed());
    }
    Ok(ScaleFigures {
        system: "waymark".to_owned(),
        documents: docs.len(),
        build_seconds: build.as_secs_f64(),
        docs_per_second: docs.len() as f64 / build.as_secs_f64().max(1e-9),
        latency: LatencySummary::from_durations(&durations),
        metrics: metrics::mean(&per_query),
    })
}

/// The benchmark table, one row per system and size, with the speed-up of the first system
/// over each other one at the same size.
pub fn bench_table(figures: &[ScaleFigures]) -> String {
    let mut out = String::from(
        "| documents | system | build s | build docs/s | p50 ms | p95 ms | p99 ms | MRR@10 | R@5 | p99 vs waymark |\n\
         | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for row in figures {
        let reference = figures
            .iter()
            .find(|other| other.documents == row.documents && other.system == "waymark");
        let ratio = reference
            .filter(|reference| reference.latency.p99_ms > 0.0)
            .map_or_else(String::new, |reference| {
                format!("{:.1}×", row.latency.p99_ms / reference.latency.p99_ms)
            });
        out.push_str(&format!(
            "| {} | {} | {:.1} | {:.0} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {} |\n",
            row.documents,
            row.system,
            row.build_seconds,
            row.docs_per_second,
            row.latency.p50_ms,
            row.latency.p95_ms,
            row.latency.p99_ms,
            row.metrics.mrr_at_10,
            row.metrics.recall_at_5,
            ratio
        ));
    }
    out
}
