//! `waymark eval`: retrieval quality and latency of suggest against baselines in the same run
//! (tantivy defaults, PostgreSQL full-text search), and `waymark eval bench`: index build rate
//! and suggest latency at scale next to PostgreSQL. The measuring lives in
//! `waymark_knowledge::eval`; this file runs it and the database side.

#[path = "eval_pg.rs"]
mod pg;

use std::path::{Path, PathBuf};

use anyhow::Context;
use waymark_knowledge::eval::baseline::DefaultTantivy;
use waymark_knowledge::eval::{
    BENCH_INDEX_CONFIG, Calibration, Dataset, EvalReport, QueryOutcome, ScaleFigures,
    WaymarkRetriever, bench_table, bench_waymark, calibrate, evaluate, score, synthetic,
};
use waymark_knowledge::suggest::RankingConfig;

use pg::{PgBaseline, QueryMode};

/// The database used when none is given.
const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Arguments of `waymark eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Dataset directory holding `corpus.jsonl` and `queries.jsonl`.
    #[arg(long)]
    dataset: Option<PathBuf>,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// PostgreSQL server for the full-text search baseline (a scratch database is created on it
    /// and dropped at the end).
    #[arg(long, env = "WAYMARK_EVAL_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    database_url: String,
    /// Run without the PostgreSQL baseline.
    #[arg(long)]
    skip_postgres: bool,
    #[command(subcommand)]
    command: Option<EvalCommand>,
}

/// Subcommands of `waymark eval`.
#[derive(Debug, clap::Subcommand)]
enum EvalCommand {
    /// Index build rate and suggest latency on synthetic corpora, next to PostgreSQL.
    Bench(BenchArgs),
}

/// Arguments of `waymark eval bench`.
#[derive(Debug, clap::Args)]
struct BenchArgs {
    /// Dataset whose vocabulary generates the corpora and whose queries are timed.
    #[arg(long)]
    dataset: PathBuf,
    /// Corpus sizes, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [10_000usize, 100_000])]
    sizes: Vec<usize>,
    /// Seed of the synthetic corpus.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Time only the first N queries of the dataset (all by default).
    #[arg(long)]
    queries: Option<usize>,
    /// Also write the figures as JSON to this file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// PostgreSQL server (a scratch database is created and dropped).
    #[arg(long, env = "WAYMARK_EVAL_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    database_url: String,
    /// Run without PostgreSQL.
    #[arg(long)]
    skip_postgres: bool,
}

/// Runs `waymark eval`.
pub async fn run(args: Args) -> anyhow::Result<()> {
    if let Some(EvalCommand::Bench(bench)) = args.command {
        return run_bench(bench).await;
    }
    let directory = args
        .dataset
        .context("--dataset DIR is required (a directory with corpus.jsonl and queries.jsonl)")?;
    let dataset = Dataset::load(&directory)?;
    eprintln!(
        "evaluating on {}: {} documents, {} queries",
        dataset.name,
        dataset.docs.len(),
        dataset.queries.len()
    );
    let mut waymark = WaymarkRetriever::build(&dataset, RankingConfig::default())?;
    let mut systems = vec![evaluate(&mut waymark, &dataset)?];
    let calibration = Calibration::compute(&dataset, waymark.timed_top(&dataset));
    let replay = waymark.replay_feedback(&dataset)?;
    let held_out = Calibration::compute_on(&dataset, waymark.timed_top(&dataset), |position| {
        !calibrate::is_fit_half(position)
    });
    systems.push(evaluate(&mut DefaultTantivy::build(&dataset)?, &dataset)?);
    if !args.skip_postgres {
        let baseline = PgBaseline::create(&args.database_url).await?;
        let result = postgres_systems(&baseline, &dataset).await;
        baseline.drop_database().await?;
        systems.extend(result?);
    }
    let report = EvalReport {
        dataset: dataset.name.clone(),
        documents: dataset.docs.len(),
        queries: dataset.queries.len(),
        skipped_documents: dataset.skipped_documents,
        systems,
        calibration: Some(calibration),
        held_out_calibration: Some(held_out),
        feedback: Some(replay),
    };
    println!("{}", report.table());
    if let Some(out) = &args.out {
        write_json(out, &report)?;
    }
    Ok(())
}

async fn postgres_systems(
    baseline: &PgBaseline,
    dataset: &Dataset,
) -> anyhow::Result<Vec<waymark_knowledge::eval::SystemReport>> {
    baseline.load("docs", &dataset.docs).await?;
    let texts: Vec<&str> = dataset
        .queries
        .iter()
        .map(|query| query.text.as_str())
        .collect();
    let mut systems = Vec::new();
    for mode in [QueryMode::OrWords, QueryMode::Websearch] {
        // One untimed pass warms the caches, as for the in-process systems.
        baseline
            .run("docs", &texts[..texts.len().min(20)], mode, 10)
            .await?;
        let (outcomes, clipped) = baseline.run("docs", &texts, mode, 10).await?;
        let mut system = score(mode.system_name(), mode.description(), dataset, &outcomes);
        system.notes.extend(pg::clipping_note(clipped, texts.len()));
        systems.push(system);
    }
    Ok(systems)
}

async fn run_bench(args: BenchArgs) -> anyhow::Result<()> {
    let mut dataset = Dataset::load(&args.dataset)?;
    if let Some(count) = args.queries {
        dataset.queries.truncate(count);
    }
    let baseline = if args.skip_postgres {
        None
    } else {
        Some(PgBaseline::create(&args.database_url).await?)
    };
    let result = bench_sizes(&args, &dataset, baseline.as_ref()).await;
    if let Some(baseline) = baseline {
        baseline.drop_database().await?;
    }
    let figures = result?;
    println!("{}", bench_table(&figures));
    if let Some(out) = &args.out {
        write_json(out, &figures)?;
    }
    Ok(())
}

async fn bench_sizes(
    args: &BenchArgs,
    dataset: &Dataset,
    baseline: Option<&PgBaseline>,
) -> anyhow::Result<Vec<ScaleFigures>> {
    // Every Waymark size is timed before PostgreSQL loads anything: its writes, checkpoints and
    // autovacuum would otherwise still be running in the background during the next size's
    // timing, which `cargo run --example bench` (no database) does not see.
    let mut figures = Vec::new();
    for &size in &args.sizes {
        let docs = synthetic::corpus(dataset, size, args.seed);
        eprintln!("{size} documents: building the Waymark index...");
        let directory =
            std::env::temp_dir().join(format!("waymark-bench-{}-{size}", std::process::id()));
        remove_if_present(&directory)?;
        let waymark = bench_waymark(&docs, dataset, &directory, BENCH_INDEX_CONFIG);
        remove_if_present(&directory)?;
        figures.push(waymark?);
    }
    if let Some(baseline) = baseline {
        for &size in &args.sizes {
            let docs = synthetic::corpus(dataset, size, args.seed);
            eprintln!("{size} documents: loading PostgreSQL...");
            let table = format!("docs_{size}");
            let build = baseline.load(&table, &docs).await?;
            let texts: Vec<&str> = dataset
                .queries
                .iter()
                .map(|query| query.text.as_str())
                .collect();
            eprintln!("{size} documents: querying PostgreSQL...");
            baseline
                .run(
                    &table,
                    &texts[..texts.len().min(20)],
                    QueryMode::OrWords,
                    10,
                )
                .await?;
            let (outcomes, clipped) = baseline.run(&table, &texts, QueryMode::OrWords, 10).await?;
            if let Some(note) = pg::clipping_note(clipped, texts.len()) {
                eprintln!("{size} documents, PostgreSQL: {note}");
            }
            figures.push(pg_figures(dataset, size, build, &outcomes));
        }
    }
    // One block per size, Waymark first (a stable sort keeps the order within a size).
    figures.sort_by_key(|row| row.documents);
    Ok(figures)
}

fn pg_figures(
    dataset: &Dataset,
    documents: usize,
    build: std::time::Duration,
    outcomes: &[QueryOutcome],
) -> ScaleFigures {
    let report = score(
        QueryMode::OrWords.system_name(),
        QueryMode::OrWords.description(),
        dataset,
        outcomes,
    );
    ScaleFigures {
        system: report.name,
        documents,
        build_seconds: build.as_secs_f64(),
        docs_per_second: documents as f64 / build.as_secs_f64().max(1e-9),
        latency: report.latency,
        metrics: report.metrics,
    }
}

fn remove_if_present(directory: &Path) -> anyhow::Result<()> {
    match std::fs::remove_dir_all(directory) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error).with_context(|| format!("cannot remove {}", directory.display())),
    }
}

fn write_json(path: &Path, value: &impl serde::Serialize) -> anyhow::Result<()> {
    let json = serde_json::to_string_pretty(value)?;
    std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
