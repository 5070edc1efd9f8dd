//! Drafts on the StackFAQ development set (each query a customer ticket, the
//! thread's answers the agent replies): how many of the 125 problems get a draft, and
//! the purity of the drafted clusters, with and without the agents' answers.
//!
//! `cargo run --release -p waymark-knowledge --example stackfaq_drafts -- knowledge/benches/data/stackfaq`

#[path = "support/stackfaq.rs"]
#[allow(dead_code)] // shared with the benchmark
mod stackfaq;

use std::time::Instant;

use waymark_knowledge::cluster::PreviousAssignments;
use waymark_knowledge::drafts::{DraftConfig, build_drafts};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/benches/data/stackfaq").into());
    let (threads, queries) = stackfaq::load(&dir)?;
    let (tickets, truth) = stackfaq::tickets(&threads, &queries);
    let problems: std::collections::HashSet<&String> = truth.iter().collect();
    println!(
        "{} tickets about {} problems",
        tickets.len(),
        problems.len()
    );
    for (label, answers_weight) in [
        ("customer words + agent answers", None),
        ("customer words only (answers weight 0)", Some(0.0)),
    ] {
        let mut config = DraftConfig::default();
        if let Some(weight) = answers_weight {
            config.cluster.weights.answers = weight;
        }
        let started = Instant::now();
        let run = build_drafts(
            &tickets,
            &[],
            &PreviousAssignments::new(),
            &config,
            &mut |_, _, _| {},
        );
        let elapsed = started.elapsed();
        let clusters: Vec<Vec<usize>> = run
            .clustering
            .clusters
            .iter()
            .map(|c| c.members.clone())
            .collect();
        let (purity, covered, drafted) = stackfaq::purity(&clusters, &truth, config.min_tickets);
        println!(
            "{label}: {} drafts (min {} tickets); problems with a draft {covered}/{}; purity {purity:.3}; {:?}",
            run.drafts.len(),
            config.min_tickets,
            problems.len(),
            elapsed
        );
        let from_agreement = run
            .drafts
            .iter()
            .filter(|draft| draft.evidence.count >= config.min_tickets)
            .count();
        debug_assert!(from_agreement <= drafted);
        println!(
            "  {from_agreement} of the {drafted} clusters of ≥ {} tickets drafted, {} drafts from smaller clusters",
            config.min_tickets,
            run.drafts.len() - from_agreement
        );
        if answers_weight.is_none()
            && let Some(draft) = run.drafts.first()
        {
            println!(
                "  e.g. \"{}\": {} tickets, {} steps",
                draft.title,
                draft.evidence.count,
                draft.steps.len()
            );
            for step in draft.steps.iter().take(3) {
                println!("    - {}", step.text.chars().take(100).collect::<String>());
            }
        }
    }
    Ok(())
}
