//! `waymark knowledge build-drafts | gaps | sentiment`: article drafts from resolved
//! tickets (JSON lines, or the server's database where they are stored for review), knowledge gaps from the suggestions recorded in the database (or a suggest
//! log file), and a sentiment probe, thin over
//! `waymark_knowledge::{drafts, gaps, sentiment}`. The optional draft rewrite is the
//! only network call, made here (see `knowledge/http.rs`).

mod http;
mod progress;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::de::DeserializeOwned;
use waymark_knowledge::cluster::{PreviousAssignments, Stage};
use waymark_knowledge::drafts::{DraftConfig, PublishedArticle, build_drafts, rewrite_draft};
use waymark_knowledge::gaps::SuggestLogEntry;
use waymark_knowledge::gaps::{GapClosure, GapConfig, closures_for_article, find_gaps};
use waymark_knowledge::sentiment::{ShiftWindow, analyze_conversation, escalation_phrases, score};
use waymark_knowledge::ticket::ResolvedTicket;
use waymark_knowledge::{DocKind, KnowledgeDoc};
use waymark_server::{Config, Store};

/// Arguments of `waymark knowledge`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: KnowledgeCommand,
}

#[derive(Debug, clap::Subcommand)]
enum KnowledgeCommand {
    /// Cluster resolved tickets and draft an article for every cluster with enough
    /// evidence; drafts are written as JSON lines (or Markdown).
    BuildDrafts(BuildDraftsArgs),
    /// List knowledge gaps: suggest queries with a low best score that then escalated,
    /// grouped by page route and error fingerprint.
    Gaps(GapsArgs),
    /// Score customer messages (oldest first): sentiment, shift and escalation language.
    Sentiment {
        /// The messages, oldest first.
        #[arg(required = true)]
        messages: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OutputFormat {
    /// One JSON object per draft per line.
    Json,
    /// Each draft as a Markdown article.
    Markdown,
}

#[derive(Debug, clap::Args)]
struct BuildDraftsArgs {
    /// Resolved tickets, one JSON object per line: the import record
    /// (`{"id","title","problem","answers","resolution","routes","errors",…}`; records of
    /// kind article count as published articles) or `ResolvedTicket`
    /// (`{"id","subject","messages":[{"author":"agent","text"}],"resolved_at_ms",…}`).
    /// Without it, the drafts of `--site` are built from the configured database's
    /// resolved tickets (and the index's imported ones) and stored there, as the job
    /// runner does.
    #[arg(long, conflicts_with = "site")]
    tickets: Option<PathBuf>,
    /// The site whose drafts are built in the database (without `--tickets`).
    #[arg(long)]
    site: Option<String>,
    /// Published articles, one JSON object per line, to flag duplicates and contradictions.
    #[arg(long)]
    articles: Option<PathBuf>,
    /// Cluster assignments of the previous run (read if present, then rewritten), which
    /// keep draft ids stable between runs.
    #[arg(long)]
    assignments: Option<PathBuf>,
    /// Where to write the drafts (default: standard output).
    #[arg(long)]
    out: Option<PathBuf>,
    /// The fewest tickets a cluster needs to get a draft.
    #[arg(long, default_value_t = 3)]
    min_tickets: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Json)]
    format: OutputFormat,
    /// An OpenAI-compatible chat-completions URL (http[s]://…/v1/chat/completions) to
    /// rewrite drafts with; off unless set. The extractive draft is kept beside it.
    #[arg(long, env = "WAYMARK_REWRITE_URL")]
    rewrite_url: Option<String>,
    /// The model name sent to the rewrite endpoint.
    #[arg(long, env = "WAYMARK_REWRITE_MODEL", default_value = "gpt-4o-mini")]
    rewrite_model: String,
    /// A bearer token for the rewrite endpoint.
    #[arg(long, env = "WAYMARK_REWRITE_API_KEY", hide_env_values = true)]
    rewrite_api_key: Option<String>,
}

#[derive(Debug, clap::Args)]
struct GapsArgs {
    /// Read a suggest log, one JSON object per line
    /// (`{"query","route","fingerprint","best_score","escalated","at_ms"}`), instead of
    /// the suggestions recorded in the configured database.
    #[arg(long)]
    log: Option<PathBuf>,
    /// The site whose recorded suggestions are read (without `--log`).
    #[arg(long, default_value = "default")]
    site: String,
    /// How many days of recorded suggestions are read (without `--log`).
    #[arg(long, default_value_t = 90)]
    days: u32,
    /// Published articles (JSON lines); those covering a gap's route and fingerprint close it.
    #[arg(long)]
    articles: Option<PathBuf>,
    /// Explicit closures (JSON lines: `{"key":{"route","fingerprint"},"article_id","at_ms"}`).
    #[arg(long)]
    closures: Option<PathBuf>,
    /// A query is unanswered when its best score is below this.
    #[arg(long, default_value_t = 0.35)]
    max_score: f32,
    /// How many gaps to list.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Print JSON lines instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs `waymark knowledge`.
pub async fn run(
    args: Args,
    config: impl FnOnce() -> anyhow::Result<Config>,
) -> anyhow::Result<()> {
    match args.command {
        KnowledgeCommand::BuildDrafts(args) => match (&args.tickets, &args.site) {
            (Some(tickets), _) => {
                let tickets = tickets.clone();
                build_drafts_command(args, &tickets).await
            }
            (None, Some(site)) => database_drafts_command(&config()?, site, args.min_tickets).await,
            (None, None) => Err(anyhow::anyhow!(
                "name the tickets: --tickets FILE.jsonl, or --site SITE to build from the database"
            )),
        },
        KnowledgeCommand::Gaps(args) => {
            let entries = match &args.log {
                Some(path) => read_jsonl(path, "suggest log entry")?,
                None => recorded_suggestions(&config()?, &args.site, args.days).await?,
            };
            gaps_command(&args, entries)
        }
        KnowledgeCommand::Sentiment { messages } => {
            sentiment_command(&messages);
            Ok(())
        }
    }
}

/// Builds the drafts of `site` from the configured database (and knowledge index)
/// and stores them there; prints what changed and the site's open drafts.
async fn database_drafts_command(
    config: &Config,
    site: &str,
    min_tickets: usize,
) -> anyhow::Result<()> {
    let store = Store::open(
        &config.storage.data_dir,
        config.storage.database_url.as_deref(),
    )
    .await
    .context("cannot open the database (storage.data_dir / DATABASE_URL)")?;
    let result = async {
        if store.site(site).await?.is_none() {
            anyhow::bail!("there is no site `{site}` in the database (pass --site)");
        }
        let index = crate::open_knowledge(config);
        let started = std::time::Instant::now();
        let report = waymark_server::flow::knowledge::build_site_drafts(
            &store,
            index.as_deref(),
            site,
            &DraftConfig {
                min_tickets: min_tickets.max(1),
                ..DraftConfig::default()
            },
            waymark_server::storage::now_ms(),
        )
        .await?;
        eprintln!(
            "{} drafts from {} resolved tickets in {} clusters ({:.1} s): {} new, {} updated, {} unchanged, {} expired",
            report.drafts,
            report.tickets,
            report.clusters,
            started.elapsed().as_secs_f64(),
            report.created,
            report.updated,
            report.unchanged,
            report.expired
        );
        let mut out = std::io::stdout().lock();
        for draft in store.drafts(site).await? {
            writeln!(
                out,
                "{}\t{}\t{} tickets\t{} flags\t{}",
                draft.id,
                draft.state.name(),
                draft.evidence.len(),
                draft.flags.len(),
                draft.title
            )?;
        }
        Ok::<(), anyhow::Error>(())
    }
    .await;
    store.close().await;
    result
}

async fn build_drafts_command(args: BuildDraftsArgs, tickets: &Path) -> anyhow::Result<()> {
    let records: Vec<serde_json::Value> = read_jsonl(tickets, "ticket")?;
    let (tickets, mut articles) = split_records(records);
    if let Some(path) = &args.articles {
        let records: Vec<serde_json::Value> = read_jsonl(path, "article")?;
        articles.extend(
            records
                .into_iter()
                .filter_map(|record| article_from(record).ok()),
        );
    }
    let previous: PreviousAssignments = match &args.assignments {
        Some(path) if path.exists() => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("{} is not an assignments file", path.display()))?
        }
        _ => PreviousAssignments::new(),
    };
    let config = DraftConfig {
        min_tickets: args.min_tickets.max(1),
        ..DraftConfig::default()
    };
    let started = std::time::Instant::now();
    let mut bar = progress::Progress::new();
    let mut run = build_drafts(
        &tickets,
        &articles,
        &previous,
        &config,
        &mut |stage, done, total| bar.update(stage_label(stage), done, total),
    );
    bar.finish();
    eprintln!(
        "{} drafts from {} resolved tickets in {} clusters ({:.1} s)",
        run.drafts.len(),
        tickets.len(),
        run.clustering.clusters.len(),
        started.elapsed().as_secs_f64()
    );

    if let Some(url) = &args.rewrite_url {
        let rewriter = http::ChatEndpoint::new(url, args.rewrite_api_key.clone())?;
        for draft in &mut run.drafts {
            if let Err(error) = rewrite_draft(&rewriter, draft, &args.rewrite_model).await {
                eprintln!(
                    "rewrite of {} failed, keeping the extractive draft: {error}",
                    draft.cluster_id
                );
            }
        }
    }
    if let Some(path) = &args.assignments {
        let json = serde_json::to_string(&run.assignments)?;
        std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))?;
    }

    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    for draft in &run.drafts {
        match args.format {
            OutputFormat::Json => writeln!(out, "{}", serde_json::to_string(draft)?)?,
            OutputFormat::Markdown => {
                writeln!(out, "# {}\n", draft.title)?;
                writeln!(
                    out,
                    "<!-- draft {} · {} tickets · flags: {} -->\n",
                    draft.cluster_id,
                    draft.evidence.count,
                    draft.flags.len()
                )?;
                writeln!(out, "{}", draft.body_markdown())?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// Resolved tickets and published articles from JSON lines in either format: the
/// import and index record (`{"id","title","answers",…,"kind"}`, articles included)
/// or `ResolvedTicket` (`{"id","subject","messages",…}`).
fn split_records(records: Vec<serde_json::Value>) -> (Vec<ResolvedTicket>, Vec<PublishedArticle>) {
    let mut tickets = Vec::new();
    let mut articles = Vec::new();
    for record in records {
        let is_index_record = record.get("subject").is_none()
            && (record.get("title").is_some() || record.get("answers").is_some());
        if !is_index_record {
            match serde_json::from_value::<ResolvedTicket>(record) {
                Ok(ticket) => tickets.push(ticket),
                Err(error) => eprintln!("rejected ticket: {error}"),
            }
            continue;
        }
        match serde_json::from_value::<KnowledgeDoc>(record) {
            Ok(doc) if doc.kind == DocKind::Article => {
                articles.push(PublishedArticle::from_knowledge_doc(&doc))
            }
            Ok(doc) => tickets.push(ResolvedTicket::from(&doc)),
            Err(error) => eprintln!("rejected record: {error}"),
        }
    }
    (tickets, articles)
}

fn article_from(record: serde_json::Value) -> anyhow::Result<PublishedArticle> {
    let is_index_record = record.get("problem").is_some() || record.get("kind").is_some();
    if is_index_record {
        let doc: KnowledgeDoc = serde_json::from_value(record)?;
        return Ok(PublishedArticle::from_knowledge_doc(&doc));
    }
    Ok(serde_json::from_value(record)?)
}

fn stage_label(stage: Stage) -> &'static str {
    match stage {
        Stage::Analyse => "analysing tickets",
        Stage::NearDuplicates => "grouping near-duplicates",
        Stage::Neighbours => "finding similar tickets",
        Stage::Merge => "merging clusters",
        Stage::Draft => "drafting articles",
    }
}

/// The suggestion sets the server recorded for `site` in the last `days` days.
async fn recorded_suggestions(
    config: &Config,
    site: &str,
    days: u32,
) -> anyhow::Result<Vec<SuggestLogEntry>> {
    let store = Store::open(
        &config.storage.data_dir,
        config.storage.database_url.as_deref(),
    )
    .await
    .context("cannot open the database (storage.data_dir / DATABASE_URL)")?;
    let entries = match store.site(site).await {
        Ok(Some(_)) => {
            let now_ms = waymark_server::storage::now_ms();
            waymark_server::flow::gaps::suggest_log(&store, site, days, now_ms)
                .await
                .map_err(anyhow::Error::from)
        }
        Ok(None) => Err(anyhow::anyhow!(
            "there is no site `{site}` in the database (pass --site)"
        )),
        Err(err) => Err(err.into()),
    };
    store.close().await;
    let entries = entries?;
    eprintln!(
        "{} suggestion sets of site `{site}` in the last {days} days",
        entries.len()
    );
    Ok(entries)
}

fn gaps_command(args: &GapsArgs, entries: Vec<SuggestLogEntry>) -> anyhow::Result<()> {
    let mut closures: Vec<GapClosure> = match &args.closures {
        Some(path) => read_jsonl(path, "closure")?,
        None => Vec::new(),
    };
    let config = GapConfig {
        max_best_score: args.max_score,
        ..GapConfig::default()
    };
    let now_ms = entries.iter().map(|e| e.at_ms).max().unwrap_or(0);
    if let Some(path) = &args.articles {
        let records: Vec<serde_json::Value> = read_jsonl(path, "article")?;
        let articles: Vec<PublishedArticle> = records
            .into_iter()
            .filter_map(|record| article_from(record).ok())
            .collect();
        let open = find_gaps(&entries, &closures, &config, now_ms);
        for article in &articles {
            closures.extend(closures_for_article(article, &open));
        }
    }
    let gaps = find_gaps(&entries, &closures, &config, now_ms);
    let mut out = std::io::stdout().lock();
    if args.json {
        for gap in gaps.iter().take(args.limit) {
            writeln!(out, "{}", serde_json::to_string(gap)?)?;
        }
        return Ok(());
    }
    writeln!(
        out,
        "{:>5}  {:>6}  {:<32}  {:<20}  examples",
        "count", "rank", "route", "fingerprint"
    )?;
    for gap in gaps.iter().take(args.limit) {
        let route = if gap.key.route.is_empty() {
            "(no page)"
        } else {
            &gap.key.route
        };
        writeln!(
            out,
            "{:>5}  {:>6.2}  {:<32}  {:<20}  {}",
            gap.count,
            gap.rank,
            route,
            gap.key.fingerprint.as_deref().unwrap_or("-"),
            gap.examples.join(" | ")
        )?;
    }
    writeln!(out, "{} open gaps", gaps.len())?;
    Ok(())
}

fn sentiment_command(messages: &[String]) {
    for message in messages {
        let phrases: Vec<&str> = escalation_phrases(message)
            .iter()
            .map(|m| m.phrase)
            .collect();
        println!("{:+.3}  {message}  {phrases:?}", score(message));
    }
    let analysis = analyze_conversation(messages, ShiftWindow::default());
    println!(
        "current {:+.3}  mean {:+.3}  shift {:+.3}",
        analysis.current, analysis.mean, analysis.shift
    );
}

/// Reads JSON lines, skipping blank lines; a bad line fails with its number.
fn read_jsonl<T: DeserializeOwned>(path: &Path, what: &str) -> anyhow::Result<Vec<T>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut rows = Vec::new();
    let mut rejected = 0usize;
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(row) => rows.push(row),
            Err(error) => {
                rejected += 1;
                if rejected <= 10 {
                    eprintln!(
                        "{}:{}: rejected {what}: {error}",
                        path.display(),
                        number + 1
                    );
                }
            }
        }
    }
    if rejected > 0 {
        eprintln!(
            "{}: {} rows read, {rejected} rejected",
            path.display(),
            rows.len()
        );
    }
    Ok(rows)
}

#[cfg(test)]
mod tests;
