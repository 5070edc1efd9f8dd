//! `waymark knowledge build-drafts | gaps | sentiment`: article drafts from resolved
//! tickets, knowledge gaps from the suggest log, and a sentiment probe, thin over
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
    /// Resolved tickets, one JSON object per line (`waymark_knowledge::ticket::ResolvedTicket`).
    #[arg(long)]
    tickets: PathBuf,
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
    /// An OpenAI-compatible chat-completions URL (http://…/v1/chat/completions) to
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
    /// The suggest log, one JSON object per line
    /// (`{"query","route","fingerprint","best_score","escalated","at_ms"}`).
    #[arg(long)]
    log: PathBuf,
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
pub async fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        KnowledgeCommand::BuildDrafts(args) => build_drafts_command(args).await,
        KnowledgeCommand::Gaps(args) => gaps_command(args),
        KnowledgeCommand::Sentiment { messages } => {
            sentiment_command(&messages);
            Ok(())
        }
    }
}

async fn build_drafts_command(args: BuildDraftsArgs) -> anyhow::Result<()> {
    let tickets: Vec<ResolvedTicket> = read_jsonl(&args.tickets, "ticket")?;
    let articles: Vec<PublishedArticle> = match &args.articles {
        Some(path) => read_jsonl(path, "article")?,
        None => Vec::new(),
    };
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

fn stage_label(stage: Stage) -> &'static str {
    match stage {
        Stage::Analyse => "analysing tickets",
        Stage::NearDuplicates => "grouping near-duplicates",
        Stage::Neighbours => "finding similar tickets",
        Stage::Merge => "merging clusters",
        Stage::Draft => "drafting articles",
    }
}

fn gaps_command(args: GapsArgs) -> anyhow::Result<()> {
    let entries: Vec<SuggestLogEntry> = read_jsonl(&args.log, "suggest log entry")?;
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
        let articles: Vec<PublishedArticle> = read_jsonl(path, "article")?;
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
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A stub chat-completions server: answers `expected` requests with a fixed rewrite and
    /// returns the requests it saw.
    async fn stub_server(expected: usize) -> (String, tokio::task::JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let address = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let handle = tokio::spawn(async move {
            let mut requests = Vec::new();
            for _ in 0..expected {
                let accepted =
                    tokio::time::timeout(Duration::from_secs(10), listener.accept()).await;
                let Ok(Ok((mut socket, _))) = accepted else {
                    break;
                };
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                loop {
                    let read = socket.read(&mut buffer).await.unwrap_or(0);
                    request.extend_from_slice(&buffer[..read]);
                    let text = String::from_utf8_lossy(&request).to_string();
                    let complete = text.split_once("\r\n\r\n").is_some_and(|(head, body)| {
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("Content-Length: "))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        body.len() >= length
                    });
                    if read == 0 || complete {
                        break;
                    }
                }
                requests.push(String::from_utf8_lossy(&request).to_string());
                let body = r##"{"model":"stub-model","choices":[{"message":{"role":"assistant","content":"# Rewritten title\n\nRewritten body."}}]}"##;
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            }
            requests
        });
        (format!("http://{address}/v1/chat/completions"), handle)
    }

    use std::time::Duration;

    fn ticket_line(id: usize) -> String {
        serde_json::json!({
            "id": format!("t-{id}"),
            "subject": "Export fails with ERR_EXPORT_TIMEOUT",
            "error_messages": ["Export failed: ERR_EXPORT_TIMEOUT"],
            "routes": ["/reports/1/export"],
            "resolution": {
                "root_cause": "Large reports exceed the export timeout.",
                "fix": "1. Filter the report to a smaller date range.\n2. Export each range separately."
            },
            "messages": [{"author": "agent", "text": "Filter the report to a smaller date range."}],
            "resolved_at_ms": 1_700_000_000_000i64 + id as i64
        })
        .to_string()
    }

    #[tokio::test]
    async fn build_drafts_rewrites_through_the_configured_endpoint_and_keeps_the_extractive_draft()
    {
        let dir = std::env::temp_dir().join(format!("waymark-drafts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let tickets = dir.join("tickets.jsonl");
        let lines: Vec<String> = (0..4).map(ticket_line).collect();
        std::fs::write(&tickets, lines.join("\n") + "\nnot json\n")
            .unwrap_or_else(|e| panic!("{e}"));
        let out = dir.join("drafts.jsonl");
        let assignments = dir.join("assignments.json");
        let (url, server) = stub_server(1).await;

        let args = BuildDraftsArgs {
            tickets,
            articles: None,
            assignments: Some(assignments.clone()),
            out: Some(out.clone()),
            min_tickets: 3,
            format: OutputFormat::Json,
            rewrite_url: Some(url),
            rewrite_model: "local-model".into(),
            rewrite_api_key: Some("secret".into()),
        };
        build_drafts_command(args)
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));

        let written = std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("{e}"));
        let drafts: Vec<serde_json::Value> = written
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        assert_eq!(drafts.len(), 1);
        assert_eq!(drafts[0]["title"], "Export fails with ERR_EXPORT_TIMEOUT");
        assert_eq!(drafts[0]["rewritten"]["title"], "Rewritten title");
        assert_eq!(drafts[0]["rewritten"]["model"], "stub-model");
        assert_eq!(
            drafts[0]["steps"][0]["text"],
            "Filter the report to a smaller date range."
        );
        assert!(assignments.exists());

        let requests = server.await.unwrap_or_default();
        assert_eq!(requests.len(), 1);
        assert!(requests[0].starts_with("POST /v1/chat/completions HTTP/1.1"));
        assert!(requests[0].contains("Authorization: Bearer secret"));
        assert!(requests[0].contains("\"model\":\"local-model\""));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
