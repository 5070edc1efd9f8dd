//! Drafts quality on real ticket history: how many drafts the forum threads
//! (`forums_docusign/tickets.jsonl`) and the StackFAQ tickets give, how many are empty
//! (no steps and no explanation) and how many say nothing but boilerplate, and why the
//! other clusters were refused. With `--write DIR`, every draft is written as Markdown
//! for reading.
//!
//! `cargo run --release -p waymark-knowledge --example drafts_quality -- [--data knowledge/benches/data] [--write target/drafts] [--show-boilerplate]`

#[path = "support/stackfaq.rs"]
#[allow(dead_code)] // shared with the benchmark
mod stackfaq;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use waymark_knowledge::KnowledgeDoc;
use waymark_knowledge::cluster::PreviousAssignments;
use waymark_knowledge::drafts::classify::pieces;
use waymark_knowledge::drafts::{Boilerplate, Draft, DraftConfig, build_drafts};
use waymark_knowledge::ticket::ResolvedTicket;

fn argument(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn docusign(dir: &str) -> Result<Vec<ResolvedTicket>, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(format!("{dir}/forums_docusign/tickets.jsonl"))?;
    let mut tickets = Vec::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let doc: KnowledgeDoc = serde_json::from_str(line)?;
        tickets.push(ResolvedTicket::from(&doc));
    }
    Ok(tickets)
}

/// Whether everything the draft tells the reader to do or know is boilerplate.
fn boilerplate_only(draft: &Draft, boilerplate: &Boilerplate) -> bool {
    let mut texts = draft
        .steps
        .iter()
        .map(|step| step.text.as_str())
        .chain(draft.explanation.iter().map(String::as_str))
        .peekable();
    texts.peek().is_some() && texts.all(|text| boilerplate.is_boilerplate(text))
}

fn report(
    name: &str,
    tickets: &[ResolvedTicket],
    write: Option<&str>,
) -> Result<(), Box<dyn std::error::Error>> {
    let config = DraftConfig::default();
    let started = std::time::Instant::now();
    let run = build_drafts(
        tickets,
        &[],
        &PreviousAssignments::new(),
        &config,
        &mut |_, _, _| {},
    );
    let elapsed = started.elapsed();
    // An independent, stricter check: every distinct answer counts as a source.
    let boilerplate = Boilerplate::learn(tickets, &config.boilerplate);
    let empty = run.drafts.iter().filter(|d| !d.has_resolution()).count();
    let only_boilerplate = run
        .drafts
        .iter()
        .filter(|d| boilerplate_only(d, &boilerplate))
        .count();
    let from_agreement = run
        .drafts
        .iter()
        .filter(|d| d.evidence.count >= config.min_tickets)
        .count();
    let with_steps = run.drafts.iter().filter(|d| !d.steps.is_empty()).count();
    let with_summary = run.drafts.iter().filter(|d| d.summary.is_some()).count();
    let with_symptoms = run.drafts.iter().filter(|d| !d.symptoms.is_empty()).count();
    let with_cause = run.drafts.iter().filter(|d| d.cause.is_some()).count();
    let mut refused: BTreeMap<String, usize> = BTreeMap::new();
    for (_, reason) in &run.refused {
        *refused.entry(reason.to_string()).or_insert(0) += 1;
    }
    println!(
        "{name}: {} tickets, {} clusters → {} drafts ({} from clusters of ≥ {} tickets, {} from smaller ones) in {:.2?}",
        tickets.len(),
        run.clustering.clusters.len(),
        run.drafts.len(),
        from_agreement,
        config.min_tickets,
        run.drafts.len() - from_agreement,
        elapsed
    );
    println!(
        "  empty drafts: {empty}; boilerplate-only drafts: {only_boilerplate}; with steps {with_steps}, summary {with_summary}, symptoms {with_symptoms}, cause {with_cause}"
    );
    for (reason, count) in &refused {
        println!(
            "  refused clusters of ≥ {} tickets: {count} × {reason}",
            config.min_tickets
        );
    }
    if std::env::args().any(|a| a == "--show-boilerplate") {
        let mut flagged: BTreeMap<String, usize> = BTreeMap::new();
        for ticket in tickets {
            for answer in ticket.agent_answers() {
                for piece in pieces(answer) {
                    if boilerplate.is_boilerplate(&piece.text) {
                        *flagged
                            .entry(piece.text.chars().take(90).collect())
                            .or_insert(0) += 1;
                    }
                }
            }
        }
        println!(
            "  boilerplate sentences in answers: {}",
            flagged.values().sum::<usize>()
        );
        for (text, count) in &flagged {
            println!("    {count} × {text}");
        }
    }
    if let Some(dir) = write {
        let path = format!("{dir}/{name}.md");
        std::fs::create_dir_all(dir)?;
        let mut out = String::new();
        for (index, draft) in run.drafts.iter().enumerate() {
            let sources: Vec<&str> = draft
                .evidence
                .tickets
                .iter()
                .take(5)
                .map(|t| t.id.as_str())
                .collect();
            writeln!(
                out,
                "<!-- {index} · {} · {} tickets: {} -->\n# {}\n\n{}\n",
                draft.cluster_id,
                draft.evidence.count,
                sources.join(", "),
                draft.title,
                draft.body_markdown()
            )?;
        }
        std::fs::write(&path, out)?;
        println!("  written to {path}");
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = argument("--data")
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/benches/data").into());
    let write = argument("--write");
    report("forums_docusign", &docusign(&data)?, write.as_deref())?;
    let (threads, queries) = stackfaq::load(&format!("{data}/stackfaq"))?;
    let (tickets, _) = stackfaq::tickets(&threads, &queries);
    report("stackfaq", &tickets, write.as_deref())?;
    Ok(())
}
