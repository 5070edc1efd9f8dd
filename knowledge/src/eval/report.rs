//! The evaluation report: one row per system, as a text table and as JSON, plus how well the
//! confidence of the top suggestion is calibrated.

use serde::{Deserialize, Serialize};

use super::dataset::Dataset;
use super::metrics::{LatencySummary, RetrievalMetrics};

/// One system's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemReport {
    /// Short name.
    pub name: String,
    /// What it is.
    pub description: String,
    /// Ranking quality.
    pub metrics: RetrievalMetrics,
    /// Query latency.
    pub latency: LatencySummary,
}

/// One confidence bucket.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBucket {
    /// Lower bound of the bucket's confidence.
    pub from: f32,
    /// Upper bound (exclusive, except for the last bucket).
    pub to: f32,
    /// Queries whose top suggestion fell in the bucket.
    pub count: usize,
    /// Their mean confidence.
    pub mean_confidence: f64,
    /// The share of them whose top suggestion was relevant.
    pub accuracy: f64,
}

/// How well the top suggestion's confidence predicts that it is right.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Buckets of width 0.2.
    pub buckets: Vec<CalibrationBucket>,
    /// Expected calibration error (0 is perfect).
    pub expected_calibration_error: f64,
    /// Share of queries with top confidence ≥ 0.5 (the widget shows "here is the answer").
    pub answered_share: f64,
    /// Share of those whose top suggestion was relevant.
    pub answered_precision: f64,
}

impl Calibration {
    /// Computes the calibration of top suggestions (`None` when nothing was suggested).
    pub fn compute(dataset: &Dataset, top: &[Option<(f32, String)>]) -> Self {
        let samples: Vec<(f32, bool)> = dataset
            .queries
            .iter()
            .zip(top)
            .map(|(query, best)| match best {
                Some((confidence, id)) => (*confidence, query.relevant.contains(id)),
                None => (0.0, false),
            })
            .collect();
        let total = samples.len().max(1) as f64;
        let mut buckets = Vec::new();
        let mut error = 0.0;
        for bucket in 0..5 {
            let from = bucket as f32 * 0.2;
            let to = from + 0.2;
            let inside: Vec<&(f32, bool)> = samples
                .iter()
                .filter(|(confidence, _)| *confidence >= from && (*confidence < to || bucket == 4))
                .collect();
            if inside.is_empty() {
                continue;
            }
            let count = inside.len();
            let mean_confidence = inside
                .iter()
                .map(|(confidence, _)| f64::from(*confidence))
                .sum::<f64>()
                / count as f64;
            let accuracy = inside.iter().filter(|(_, right)| *right).count() as f64 / count as f64;
            error += count as f64 / total * (accuracy - mean_confidence).abs();
            buckets.push(CalibrationBucket {
                from,
                to,
                count,
                mean_confidence,
                accuracy,
            });
        }
        let answered: Vec<&(f32, bool)> = samples
            .iter()
            .filter(|(confidence, _)| *confidence >= 0.5)
            .collect();
        Self {
            buckets,
            expected_calibration_error: error,
            answered_share: answered.len() as f64 / total,
            answered_precision: if answered.is_empty() {
                0.0
            } else {
                answered.iter().filter(|(_, right)| *right).count() as f64 / answered.len() as f64
            },
        }
    }
}

/// The whole evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// Dataset name.
    pub dataset: String,
    /// Documents indexed.
    pub documents: usize,
    /// Queries run.
    pub queries: usize,
    /// One entry per system, Waymark first.
    pub systems: Vec<SystemReport>,
    /// Calibration of Waymark's confidence, when measured.
    pub calibration: Option<Calibration>,
}

impl EvalReport {
    /// The report as a Markdown table (plus the calibration lines).
    pub fn table(&self) -> String {
        let mut out = format!(
            "dataset {}: {} documents, {} queries\n\n\
             | system | MRR@10 | R@1 | R@5 | R@10 | nDCG@10 | p50 ms | p95 ms | p99 ms |\n\
             | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
            self.dataset, self.documents, self.queries
        );
        for system in &self.systems {
            let (metrics, latency) = (&system.metrics, &system.latency);
            out.push_str(&format!(
                "| {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
                system.name,
                metrics.mrr_at_10,
                metrics.recall_at_1,
                metrics.recall_at_5,
                metrics.recall_at_10,
                metrics.ndcg_at_10,
                latency.p50_ms,
                latency.p95_ms,
                latency.p99_ms
            ));
        }
        if let Some(calibration) = &self.calibration {
            out.push_str(&format!(
                "\nconfidence of the top suggestion: ECE {:.3}; confidence ≥ 0.5 on {:.1}% of queries, \
                 {:.1}% of those right\n",
                calibration.expected_calibration_error,
                calibration.answered_share * 100.0,
                calibration.answered_precision * 100.0
            ));
            for bucket in &calibration.buckets {
                out.push_str(&format!(
                    "  confidence {:.1}–{:.1}: {:>4} queries, mean confidence {:.2}, right {:.2}\n",
                    bucket.from, bucket.to, bucket.count, bucket.mean_confidence, bucket.accuracy
                ));
            }
        }
        out
    }
}
