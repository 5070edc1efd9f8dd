//! Fits the confidence model and the likely-fix threshold on half of the queries of the
//! development sets (even positions; each set weighs the same), reports calibration on the
//! other half, and prints the constants to paste into `src/suggest/explain.rs`:
//! `cargo run --release -p waymark-knowledge --example calibrate [-- DATASET_DIR...]`
//! (default: both vendored sets, `benches/data/stackfaq` and `benches/data/forums_docusign`).

use std::path::PathBuf;

use waymark_knowledge::eval::calibrate::{self, Sample};
use waymark_knowledge::eval::{Calibration, Dataset, Retriever, WaymarkRetriever};
use waymark_knowledge::suggest::RankingConfig;
use waymark_knowledge::suggest::explain::{FEATURES, confidence_with, features};

/// Precision the likely-fix threshold must reach on the fitted half of every set; above the
/// 0.8 promised so that the held-out halves keep 0.8.
const FIT_PRECISION: f64 = 0.85;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut directories: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if directories.is_empty() {
        let data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/benches/data"));
        directories = vec![data.join("stackfaq"), data.join("forums_docusign")];
    }
    let mut sets = Vec::new();
    for directory in &directories {
        let dataset = Dataset::load(directory)?;
        let mut waymark = WaymarkRetriever::build(&dataset, RankingConfig::default())?;
        let mut tops = Vec::with_capacity(dataset.queries.len());
        for query in &dataset.queries {
            let ranked = waymark.search(&query.text, 10)?;
            let signals = waymark.top_signals.last().copied().flatten();
            let right = ranked
                .first()
                .is_some_and(|best| query.relevant.contains(best));
            tops.push((signals, ranked.first().cloned(), right));
        }
        eprintln!("{}: {} queries", dataset.name, tops.len());
        sets.push((dataset, tops));
    }
    let mut samples: Vec<(Sample, f64)> = Vec::new();
    for (_, tops) in &sets {
        let fitted = tops
            .iter()
            .enumerate()
            .filter(|(position, _)| calibrate::is_fit_half(*position))
            .count()
            .max(1);
        for (position, (signals, _, right)) in tops.iter().enumerate() {
            if !calibrate::is_fit_half(position) {
                continue;
            }
            let features = signals.as_ref().map_or([0.0; FEATURES], features);
            samples.push(((features, *right), 1_000.0 / fitted as f64));
        }
    }
    let weights = calibrate::fit_logistic(&samples, 1.0);
    let confidence_of = |signals: &Option<_>| {
        signals
            .as_ref()
            .map_or(0.0, |signals| confidence_with(&weights, signals))
    };
    let fit_groups: Vec<Vec<(f32, bool)>> = sets
        .iter()
        .map(|(_, tops)| {
            tops.iter()
                .enumerate()
                .filter(|(position, _)| calibrate::is_fit_half(*position))
                .map(|(_, (signals, _, right))| (confidence_of(signals), *right))
                .collect()
        })
        .collect();
    let threshold = calibrate::likely_fix_threshold(&fit_groups, FIT_PRECISION).unwrap_or(1.0);
    for (dataset, tops) in &sets {
        let top: Vec<Option<(f32, String)>> = tops
            .iter()
            .map(|(signals, id, _)| id.clone().map(|id| (confidence_of(signals), id)))
            .collect();
        for (label, fit) in [("fitted half", true), ("held-out half", false)] {
            let calibration = Calibration::compute_on(dataset, &top, |position| {
                calibrate::is_fit_half(position) == fit
            });
            let badged: Vec<bool> = tops
                .iter()
                .enumerate()
                .filter(|(position, _)| calibrate::is_fit_half(*position) == fit)
                .filter(|(_, (signals, _, _))| confidence_of(signals) >= threshold)
                .map(|(_, (_, _, right))| *right)
                .collect();
            let right = badged.iter().filter(|right| **right).count();
            println!(
                "{} {label}: ECE {:.3}; likely fix on {} of {} queries ({:.1}%), {} right ({:.3})",
                dataset.name,
                calibration.expected_calibration_error,
                badged.len(),
                calibration.queries,
                100.0 * badged.len() as f64 / calibration.queries.max(1) as f64,
                right,
                right as f64 / badged.len().max(1) as f64
            );
        }
    }
    println!("\npub const CONFIDENCE_WEIGHTS: [f32; FEATURES] = {weights:?};");
    println!("pub const LIKELY_FIX_CONFIDENCE: f32 = {threshold:.3};");
    Ok(())
}
