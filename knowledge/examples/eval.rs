//! In-process retrieval evaluation (Waymark vs. tantivy defaults) on a dataset directory:
//! `cargo run --release -p waymark-knowledge --example eval -- ../shared/data/stackfaq`.
//! `waymark eval` runs the same and adds the PostgreSQL baseline.

use std::path::PathBuf;

use waymark_knowledge::eval::baseline::DefaultTantivy;
use waymark_knowledge::eval::{Calibration, Dataset, EvalReport, WaymarkRetriever, evaluate};
use waymark_knowledge::suggest::RankingConfig;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let directory = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("../shared/data/stackfaq"), PathBuf::from);
    let dataset = Dataset::load(&directory)?;
    let ranking: RankingConfig = match std::env::var("WAYMARK_RANKING") {
        Ok(json) => serde_json::from_str(&json)?,
        Err(_) => RankingConfig::default(),
    };
    let mut waymark = WaymarkRetriever::build(&dataset, ranking)?;
    let waymark_report = evaluate(&mut waymark, &dataset)?;
    let calibration = Calibration::compute(
        &dataset,
        &waymark.top[waymark.top.len() - dataset.queries.len()..],
    );
    if std::env::var_os("WAYMARK_EVAL_MISSES").is_some() {
        let titles: std::collections::HashMap<&str, &str> = dataset
            .docs
            .iter()
            .map(|doc| (doc.id.as_str(), doc.title.as_str()))
            .collect();
        let mut retriever = WaymarkRetriever::build(&dataset, ranking)?;
        for query in &dataset.queries {
            use waymark_knowledge::eval::Retriever;
            let ranked = retriever.search(&query.text, 10)?;
            if ranked.first() != query.relevant.first() {
                let position = ranked
                    .iter()
                    .position(|id| Some(id) == query.relevant.first());
                let top = ranked
                    .first()
                    .map_or("", |id| titles.get(id.as_str()).copied().unwrap_or(""));
                let wanted = query
                    .relevant
                    .first()
                    .map_or("", |id| titles.get(id.as_str()).copied().unwrap_or(""));
                eprintln!(
                    "{:?} | {} | got: {} | want: {}",
                    position.map(|p| p + 1),
                    query.text,
                    top,
                    wanted
                );
            }
        }
    }
    {
        let index = waymark_knowledge::KnowledgeIndex::in_memory(Default::default())?;
        for doc in &dataset.docs {
            index.upsert(doc)?;
        }
        index.commit()?;
        let mut durations = Vec::new();
        for query in &dataset.queries {
            let request = waymark_knowledge::SuggestRequest {
                site: "eval".into(),
                text: query.text.clone(),
                limit: 10,
                ..Default::default()
            };
            let started = std::time::Instant::now();
            index.search_ids(&request, &ranking)?;
            durations.push(started.elapsed());
        }
        let summary = waymark_knowledge::eval::LatencySummary::from_durations(&durations);
        eprintln!(
            "search_ids only: p50 {:.3} ms p99 {:.3} ms",
            summary.p50_ms, summary.p99_ms
        );
    }
    let mut baseline = DefaultTantivy::build(&dataset)?;
    let baseline_report = evaluate(&mut baseline, &dataset)?;
    let report = EvalReport {
        dataset: dataset.name.clone(),
        documents: dataset.docs.len(),
        queries: dataset.queries.len(),
        systems: vec![waymark_report, baseline_report],
        calibration: Some(calibration),
    };
    println!("{}", report.table());
    Ok(())
}
