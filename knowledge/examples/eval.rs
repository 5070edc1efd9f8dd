//! In-process retrieval evaluation (Waymark vs. tantivy defaults) on a dataset directory:
//! `cargo run --release -p waymark-knowledge --example eval -- knowledge/benches/data/stackfaq`.
//! `waymark eval` runs the same and adds the PostgreSQL baseline. Set `WAYMARK_RANKING` to a
//! JSON object of `RankingConfig` fields to compare other weights.

use std::path::PathBuf;

use waymark_knowledge::eval::baseline::DefaultTantivy;
use waymark_knowledge::eval::{
    Calibration, Dataset, EvalReport, WaymarkRetriever, calibrate, evaluate,
};
use waymark_knowledge::suggest::RankingConfig;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let directory = std::env::args().nth(1).map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/benches/data/stackfaq"
            ))
        },
        PathBuf::from,
    );
    let dataset = Dataset::load(&directory)?;
    let ranking: RankingConfig = match std::env::var("WAYMARK_RANKING") {
        Ok(json) => serde_json::from_str(&json)?,
        Err(_) => RankingConfig::default(),
    };
    let mut waymark = WaymarkRetriever::build(&dataset, ranking)?;
    let waymark_report = evaluate(&mut waymark, &dataset)?;
    let calibration = Calibration::compute(&dataset, waymark.timed_top(&dataset));
    let replay = waymark.replay_feedback(&dataset)?;
    let held_out = Calibration::compute_on(&dataset, waymark.timed_top(&dataset), |position| {
        !calibrate::is_fit_half(position)
    });
    let mut baseline = DefaultTantivy::build(&dataset)?;
    let baseline_report = evaluate(&mut baseline, &dataset)?;
    let report = EvalReport {
        dataset: dataset.name.clone(),
        documents: dataset.docs.len(),
        queries: dataset.queries.len(),
        systems: vec![waymark_report, baseline_report],
        skipped_documents: dataset.skipped_documents,
        calibration: Some(calibration),
        held_out_calibration: Some(held_out),
        feedback: Some(replay),
    };
    println!("{}", report.table());
    Ok(())
}
