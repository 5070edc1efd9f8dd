//! `waymark audit EXPORT…`: the audit of historical tickets from Zendesk, Freshdesk and
//! Intercom exports, resolved or not — scenarios with their frequency and weekly trend,
//! resolution time, reassignments and bounces between teams, escalations, and the share the
//! knowledge base already answers. Prints a summary and writes a self-contained HTML report
//! (and CSV files with `--csv`). The figures are `waymark_knowledge::audit`'s; this module
//! reads files, shows progress and renders.
//!
//! - `progress`: the progress bar (or plain lines when stderr is not a terminal).
//! - `tables`: every table, for the page and as CSV.
//! - `svg`: the charts; `html`: the page.

mod html;
mod progress;
mod svg;
mod tables;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use waymark_knowledge::audit::time::{date_label, duration_label};
use waymark_knowledge::audit::{
    AuditConfig, AuditFigures, AuditReadReport, AuditTicket, CoverageSettings,
    DEFAULT_MIN_CONFIDENCE, check_coverage, detect_format, read_str,
};
use waymark_knowledge::cluster::Stage;
use waymark_knowledge::import::{ImportFormat, import_file};
use waymark_knowledge::{IndexConfig, KnowledgeIndex};

use progress::ProgressLine;

/// Skipped records listed one by one in the terminal (the report lists them all).
const LISTED_SKIPS: usize = 10;

/// Arguments of `waymark audit`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Export files (Zendesk, Freshdesk or Intercom JSON or JSON lines). The helpdesk is
    /// recognised from the fields; name it to be sure: `zendesk:tickets.json`.
    #[arg(required = true, value_name = "EXPORT")]
    exports: Vec<String>,
    /// Where to write the HTML report.
    #[arg(long, default_value = "audit-report.html")]
    out: PathBuf,
    /// Also write every table as a CSV file into this directory (with `tickets.csv`, one
    /// row per audited ticket).
    #[arg(long, value_name = "DIR")]
    csv: Option<PathBuf>,
    /// A knowledge index (`waymark import`'s) to check which scenarios it already answers.
    #[arg(long, value_name = "DIR", conflicts_with = "articles")]
    index: Option<PathBuf>,
    /// Articles in the Waymark JSONL format to check which scenarios they already answer.
    #[arg(long, value_name = "FILE")]
    articles: Option<PathBuf>,
    /// The lowest suggest confidence (calibrated, 0 to 1) that counts as an answer.
    #[arg(long, default_value_t = DEFAULT_MIN_CONFIDENCE, value_parser = confidence)]
    min_confidence: f32,
    /// The site whose knowledge is searched in `--index` (and given to `--articles`).
    #[arg(long, default_value = "default")]
    site: String,
    /// Scenarios listed in the printed summary.
    #[arg(long, default_value_t = 10)]
    top: usize,
}

/// `--min-confidence`: a number from 0 to 1.
fn confidence(text: &str) -> Result<f32, String> {
    match text.parse::<f32>() {
        Ok(value) if (0.0..=1.0).contains(&value) => Ok(value),
        _ => Err(format!("`{text}` is not a confidence from 0 to 1")),
    }
}

/// One export named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ExportArg {
    path: PathBuf,
    format: Option<ImportFormat>,
}

impl ExportArg {
    /// `zendesk:FILE`, `freshdesk:FILE`, `intercom:FILE` or a plain path.
    fn parse(argument: &str) -> Self {
        if let Some((prefix, path)) = argument.split_once(':')
            && let Ok(format) = prefix.parse::<ImportFormat>()
            && format != ImportFormat::Jsonl
            && !path.is_empty()
        {
            return Self {
                path: PathBuf::from(path),
                format: Some(format),
            };
        }
        Self {
            path: PathBuf::from(argument),
            format: None,
        }
    }
}

/// Runs `waymark audit`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut tickets: Vec<AuditTicket> = Vec::new();
    let mut reports: Vec<AuditReadReport> = Vec::new();
    for argument in &args.exports {
        let export = ExportArg::parse(argument);
        let (read, report) = read_export(&export)?;
        print_read_report(&report);
        tickets.extend(read);
        reports.push(report);
    }
    if tickets.is_empty() {
        bail!("no ticket could be audited: every record was skipped (see the reasons above)");
    }
    let mut grouping = ProgressLine::new("grouping scenarios");
    let mut figures = waymark_knowledge::audit::audit(
        &tickets,
        &AuditConfig::default(),
        &mut |stage, done, total| {
            let weight = match stage {
                Stage::Analyse => 0,
                Stage::NearDuplicates => 1,
                Stage::Neighbours => 2,
                Stage::Merge | Stage::Draft => 3,
            };
            let total = total.max(1);
            grouping.update(weight * total + done.min(total), 4 * total);
        },
    );
    grouping.update(1, 1);
    grouping.finish();
    if let Some(index) = knowledge(&args)? {
        let settings = CoverageSettings {
            min_confidence: args.min_confidence,
            audited_ids: tickets.iter().map(|ticket| ticket.id.clone()).collect(),
        };
        check_coverage(&mut figures, &index, &args.site, &settings)
            .context("cannot search the knowledge base")?;
    }
    let page = html::page(&html::ReportInput {
        figures: &figures,
        tickets: &tickets,
        reports: &reports,
    });
    write_file(&args.out, page.as_bytes())?;
    if let Some(dir) = &args.csv {
        write_csv(dir, &figures, &tickets, &reports)?;
    }
    print!("{}", summary(&figures, &tickets, args.top));
    println!("report: {}", args.out.display());
    if let Some(dir) = &args.csv {
        println!("tables: {}/*.csv", dir.display());
    }
    eprintln!("audit took {:.2} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn read_export(export: &ExportArg) -> anyhow::Result<(Vec<AuditTicket>, AuditReadReport)> {
    let path = &export.path;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the export {}", path.display()))?;
    let format = match export.format.or_else(|| detect_format(&text)) {
        Some(format) => format,
        None => bail!(
            "cannot tell which helpdesk wrote {0}: name it, e.g. zendesk:{0}, freshdesk:{0} \
             or intercom:{0}",
            path.display()
        ),
    };
    let mut progress = ProgressLine::new(format!("reading {} ({})", path.display(), format.name()));
    let read = read_str(&text, format, &mut |step| {
        progress.update(step.done, step.total)
    })
    .map_err(|message| anyhow::anyhow!("{}: {message}", path.display()))?;
    progress.finish();
    let mut report = read.report;
    report.source = path.display().to_string();
    Ok((read.tickets, report))
}

fn print_read_report(report: &AuditReadReport) {
    eprintln!(
        "{}: {} records, {} tickets audited, {} skipped",
        report.source,
        report.records,
        report.read,
        report.skipped.len()
    );
    for (reason, count) in report.skipped_by_reason() {
        eprintln!("  skipped, {reason}: {count}");
    }
    for skipped in report.skipped.iter().take(LISTED_SKIPS) {
        let id = skipped
            .id
            .as_deref()
            .map(|id| format!(" (id {id})"))
            .unwrap_or_default();
        eprintln!("  {}{id}: {}", skipped.position, skipped.reason);
    }
    if report.skipped.len() > LISTED_SKIPS {
        eprintln!(
            "  … {} more in the report's skipped records",
            report.skipped.len() - LISTED_SKIPS
        );
    }
}

/// The knowledge base to check against, when one was given.
fn knowledge(args: &Args) -> anyhow::Result<Option<KnowledgeIndex>> {
    if let Some(dir) = &args.index {
        if !dir.join("meta.json").exists() {
            bail!(
                "--index {}: no knowledge index there (build one with `waymark import`)",
                dir.display()
            );
        }
        let index = KnowledgeIndex::open_or_create(dir, IndexConfig::default())
            .with_context(|| format!("cannot open the index at {}", dir.display()))?;
        return Ok(Some(index));
    }
    let Some(file) = &args.articles else {
        return Ok(None);
    };
    let imported = import_file(file, ImportFormat::Jsonl, &args.site, &mut |_| {})
        .with_context(|| format!("cannot read the articles in {}", file.display()))?;
    if imported.docs.is_empty() {
        bail!(
            "--articles {}: no document could be read\n{}",
            file.display(),
            imported.report
        );
    }
    let index = KnowledgeIndex::in_memory(IndexConfig::default())?;
    for mut doc in imported.docs {
        args.site.clone_into(&mut doc.site);
        index.upsert(&doc)?;
    }
    index.commit()?;
    Ok(Some(index))
}

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

fn write_csv(
    dir: &Path,
    figures: &AuditFigures,
    tickets: &[AuditTicket],
    reports: &[AuditReadReport],
) -> anyhow::Result<()> {
    let all = [
        tables::scenarios(figures, tickets),
        tables::weekly(figures),
        tables::resolution(figures),
        tables::transfers(figures),
        tables::teams(figures),
        tables::skipped(reports),
        tables::tickets(figures, tickets),
    ];
    for table in all {
        write_file(&dir.join(table.file), table.csv().as_bytes())?;
    }
    Ok(())
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "—".to_owned();
    }
    format!("{:.0}%", part as f64 * 100.0 / whole as f64)
}

/// The printed summary.
fn summary(figures: &AuditFigures, tickets: &[AuditTicket], top: usize) -> String {
    let mut out = String::new();
    let period = match (figures.weeks.first(), figures.weeks.last()) {
        (Some(first), Some(last)) => format!(
            " over {} weeks ({} to {})",
            figures.weeks.len(),
            date_label(*first),
            date_label(*last)
        ),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "audited {} tickets ({} resolved, {} open){period}",
        figures.tickets,
        figures.resolved,
        figures.tickets - figures.resolved
    );
    match figures.resolution {
        Some(durations) => {
            let _ = writeln!(
                out,
                "resolution time: median {}, p90 {} ({} tickets)",
                duration_label(durations.median_ms),
                duration_label(durations.p90_ms),
                durations.count
            );
        }
        None => out.push_str("resolution time: no resolved ticket has both times\n"),
    }
    let _ = writeln!(
        out,
        "escalated: {} ({}); reassigned: {} of {} with history ({}); changed team: {}; bounced back to a team: {} ({})",
        figures.escalated,
        percent(figures.escalated, figures.tickets),
        figures.reassigned,
        figures.with_history,
        percent(figures.reassigned, figures.with_history),
        figures.changed_team,
        figures.bounced,
        percent(figures.bounced, figures.tickets)
    );
    match figures.coverage {
        Some(coverage) => {
            let _ = writeln!(
                out,
                "knowledge base: answers {} of tickets ({} of {} scenarios)",
                percent(coverage.tickets_answered, figures.tickets),
                coverage.scenarios_answered,
                coverage.scenarios_checked
            );
        }
        None => out.push_str("knowledge base: not checked (give --index or --articles)\n"),
    }
    let _ = writeln!(out, "{} scenarios; the largest:", figures.scenarios.len());
    for (rank, scenario) in figures.scenarios.iter().take(top).enumerate() {
        let name: String = scenario.name.chars().take(48).collect();
        let median = scenario
            .resolution
            .map(|r| format!("median {}", duration_label(r.median_ms)))
            .unwrap_or_else(|| "unresolved".to_owned());
        let answered = if scenario.answer.is_some() {
            ", answered"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{:>3}. {name:<48} {:>6} {:>4}  {}, {median}, {} escalated{answered}  (e.g. {})",
            rank + 1,
            scenario.members.len(),
            percent(scenario.members.len(), figures.tickets),
            scenario.trend.label(),
            scenario.escalated,
            tickets[scenario.representative].id
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_may_name_their_helpdesk() {
        assert_eq!(
            ExportArg::parse("zendesk:data/t.json"),
            ExportArg {
                path: PathBuf::from("data/t.json"),
                format: Some(ImportFormat::Zendesk)
            }
        );
        assert_eq!(ExportArg::parse("data/t.json").format, None);
        assert_eq!(ExportArg::parse("jsonl:a.jsonl").format, None);
    }
}
