//! Ranking metrics (binary relevance) and latency percentiles.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Mean ranking quality over a set of queries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct RetrievalMetrics {
    /// Mean reciprocal rank of the first relevant document within the top 10.
    pub mrr_at_10: f64,
    /// Share of relevant documents found at rank 1.
    pub recall_at_1: f64,
    /// Share of relevant documents found in the top 5.
    pub recall_at_5: f64,
    /// Share of relevant documents found in the top 10.
    pub recall_at_10: f64,
    /// Normalised discounted cumulative gain of the top 10.
    pub ndcg_at_10: f64,
}

/// The metrics of one ranked list against its relevant ids.
pub fn query_metrics(ranked: &[String], relevant: &[String]) -> RetrievalMetrics {
    if relevant.is_empty() {
        return RetrievalMetrics::default();
    }
    let is_relevant = |id: &String| relevant.contains(id);
    let first_hit = ranked.iter().take(10).position(is_relevant);
    let recall_at = |depth: usize| {
        let found = ranked
            .iter()
            .take(depth)
            .filter(|id| is_relevant(id))
            .count();
        found as f64 / relevant.len() as f64
    };
    let gain = |position: usize| 1.0 / ((position + 2) as f64).log2();
    let dcg: f64 = ranked
        .iter()
        .take(10)
        .enumerate()
        .filter(|(_, id)| is_relevant(id))
        .map(|(position, _)| gain(position))
        .sum();
    let ideal: f64 = (0..relevant.len().min(10)).map(gain).sum();
    RetrievalMetrics {
        mrr_at_10: first_hit.map_or(0.0, |position| 1.0 / (position + 1) as f64),
        recall_at_1: recall_at(1),
        recall_at_5: recall_at(5),
        recall_at_10: recall_at(10),
        ndcg_at_10: if ideal > 0.0 { dcg / ideal } else { 0.0 },
    }
}

/// The mean of per-query metrics.
pub fn mean(per_query: &[RetrievalMetrics]) -> RetrievalMetrics {
    let count = per_query.len().max(1) as f64;
    let sum = |pick: fn(&RetrievalMetrics) -> f64| per_query.iter().map(pick).sum::<f64>() / count;
    RetrievalMetrics {
        mrr_at_10: sum(|metrics| metrics.mrr_at_10),
        recall_at_1: sum(|metrics| metrics.recall_at_1),
        recall_at_5: sum(|metrics| metrics.recall_at_5),
        recall_at_10: sum(|metrics| metrics.recall_at_10),
        ndcg_at_10: sum(|metrics| metrics.ndcg_at_10),
    }
}

/// Latency percentiles, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    /// Median.
    pub p50_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Mean.
    pub mean_ms: f64,
    /// Number of timed calls.
    pub samples: usize,
}

impl LatencySummary {
    /// Summarises a set of durations (nearest-rank percentiles).
    pub fn from_durations(durations: &[Duration]) -> Self {
        if durations.is_empty() {
            return Self::default();
        }
        let mut millis: Vec<f64> = durations
            .iter()
            .map(|duration| duration.as_secs_f64() * 1e3)
            .collect();
        millis.sort_by(f64::total_cmp);
        let percentile = |share: f64| {
            let rank = (share * millis.len() as f64).ceil() as usize;
            millis[rank.clamp(1, millis.len()) - 1]
        };
        Self {
            p50_ms: percentile(0.50),
            p95_ms: percentile(0.95),
            p99_ms: percentile(0.99),
            mean_ms: millis.iter().sum::<f64>() / millis.len() as f64,
            samples: millis.len(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|id| (*id).to_owned()).collect()
    }

    #[test]
    fn a_hit_at_rank_two_scores_half() {
        let metrics = query_metrics(&ids(&["a", "b", "c"]), &ids(&["b"]));
        assert_eq!(metrics.mrr_at_10, 0.5);
        assert_eq!(metrics.recall_at_1, 0.0);
        assert_eq!(metrics.recall_at_5, 1.0);
        assert!((metrics.ndcg_at_10 - 1.0 / 3f64.log2()).abs() < 1e-9);
    }

    #[test]
    fn a_miss_scores_zero() {
        let metrics = query_metrics(&ids(&["a"]), &ids(&["z"]));
        assert_eq!(metrics, RetrievalMetrics::default());
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let durations: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let summary = LatencySummary::from_durations(&durations);
        assert_eq!(summary.p50_ms, 50.0);
        assert_eq!(summary.p99_ms, 99.0);
        assert_eq!(summary.samples, 100);
    }
}
