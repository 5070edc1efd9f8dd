//! The evaluation report: one row per system, as a text table and as JSON, plus how well the
//! confidence of the top suggestion is calibrated.

use serde::{Deserialize, Serialize};

use super::dataset::Dataset;
use super::metrics::{LatencySummary, RetrievalMetrics};
use crate::suggest::LIKELY_FIX_CONFIDENCE;

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
    /// What the system did to the input to run at all (clipped queries...), for the reader.
    #[serde(default)]
    pub notes: Vec<String>,
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
    /// Share of queries whose top suggestion is shown as a likely fix (the badge).
    #[serde(default)]
    pub badge_coverage: f64,
    /// Share of those whose top suggestion was relevant.
    #[serde(default)]
    pub badge_precision: f64,
    /// Queries measured.
    #[serde(default)]
    pub queries: usize,
}

impl Calibration {
    /// Computes the calibration of top suggestions (`None` when nothing was suggested).
    pub fn compute(dataset: &Dataset, top: &[Option<(f32, String)>]) -> Self {
        Self::compute_on(dataset, top, |_| true)
    }

    /// [`Calibration::compute`] over the queries whose position `keep` accepts.
    pub fn compute_on(
        dataset: &Dataset,
        top: &[Option<(f32, String)>],
        keep: impl Fn(usize) -> bool,
    ) -> Self {
        let samples: Vec<(f32, bool)> = dataset
            .queries
            .iter()
            .zip(top)
            .enumerate()
            .filter(|(position, _)| keep(*position))
            .map(|(_, pair)| pair)
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
        let badged: Vec<&(f32, bool)> = samples
            .iter()
            .filter(|(confidence, _)| *confidence >= LIKELY_FIX_CONFIDENCE)
            .collect();
        Self {
            queries: samples.len(),
            badge_coverage: badged.len() as f64 / total,
            badge_precision: if badged.is_empty() {
                0.0
            } else {
                badged.iter().filter(|(_, right)| *right).count() as f64 / badged.len() as f64
            },
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
    /// Corpus lines left out because they hold no text.
    #[serde(default)]
    pub skipped_documents: usize,
    /// One entry per system, Waymark first.
    pub systems: Vec<SystemReport>,
    /// Calibration of Waymark's confidence, when measured.
    pub calibration: Option<Calibration>,
    /// The same on the held-out half of the queries (odd positions), which the confidence model
    /// was not fitted on.
    #[serde(default)]
    pub held_out_calibration: Option<Calibration>,
    /// Learning from use, when measured.
    #[serde(default)]
    pub feedback: Option<FeedbackReplay>,
}

/// Learning from use, measured offline: the held-out half of the queries (odd positions) is
/// ranked before and after the verdicts a user would have given on the first half.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackReplay {
    /// Verdicts recorded from the first half.
    pub verdicts: usize,
    /// Held-out queries replayed.
    pub queries: usize,
    /// Their ranking without feedback.
    pub before: RetrievalMetrics,
    /// Their ranking with the first half's verdicts applied.
    pub after: RetrievalMetrics,
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
        if self.skipped_documents > 0 {
            out.insert_str(
                out.find('\n').unwrap_or(out.len()),
                &format!(
                    " ({} corpus lines without text skipped)",
                    self.skipped_documents
                ),
            );
        }
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
        for system in &self.systems {
            for note in &system.notes {
                out.push_str(&format!("\n{}: {note}", system.name));
            }
        }
        if self.systems.iter().any(|system| !system.notes.is_empty()) {
            out.push('\n');
        }
        for (label, calibration) in [
            ("all queries", &self.calibration),
            (
                "held-out half (odd positions, not fitted on)",
                &self.held_out_calibration,
            ),
        ] {
            let Some(calibration) = calibration else {
                continue;
            };
            out.push_str(&format!(
                "\nconfidence of the top suggestion, {label} ({}): ECE {:.3}; likely-fix badge \
                 (confidence ≥ {LIKELY_FIX_CONFIDENCE}) on {:.1}% of queries, precision {:.3}; \
                 confidence ≥ 0.5 on {:.1}%, {:.1}% of those right\n",
                calibration.queries,
                calibration.expected_calibration_error,
                calibration.badge_coverage * 100.0,
                calibration.badge_precision,
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
        if let Some(replay) = &self.feedback {
            out.push_str(&format!(
                "\nlearning from use: {} held-out queries replayed after {} verdicts on the other \
                 half: MRR@10 {:.3} → {:.3}, R@1 {:.3} → {:.3}, R@5 {:.3} → {:.3}\n",
                replay.queries,
                replay.verdicts,
                replay.before.mrr_at_10,
                replay.after.mrr_at_10,
                replay.before.recall_at_1,
                replay.after.recall_at_1,
                replay.before.recall_at_5,
                replay.after.recall_at_5
            ));
        }
        out
    }
}
