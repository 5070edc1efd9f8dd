//! Benchmark: building drafts from a large synthetic corpus of resolved tickets made
//! from the StackFAQ vocabulary (paraphrased queries as problems, thread answers as
//! agent replies and fixes), with the time of each stage and the cluster purity.
//!
//! `cargo run --release -p waymark-knowledge --example drafts_bench -- --tickets 100000 --data knowledge/benches/data/stackfaq [--stability]`
//!
//! With `--stability`, 1 % more tickets are added and the drafts rebuilt twice (with and
//! without the first run's assignments) to report how many assignments were kept.

#[path = "support/stackfaq.rs"]
#[allow(dead_code)] // the bench generates its own tickets
mod stackfaq;

use std::time::Instant;

use waymark_knowledge::cluster::{PreviousAssignments, Stage, kept_assignments};
use waymark_knowledge::drafts::{DraftConfig, build_drafts};
use waymark_knowledge::ticket::{AuthorKind, Message, Resolution, ResolvedTicket, TicketId};

/// SplitMix64, so every run generates the same corpus.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn argument(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn first_sentences(text: &str, count: usize) -> String {
    text.split_inclusive(". ")
        .take(count)
        .collect::<String>()
        .chars()
        .take(400)
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count: usize = argument("--tickets")
        .map(|v| v.parse())
        .transpose()?
        .unwrap_or(100_000);
    let dir = argument("--data")
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/benches/data/stackfaq").into());
    let (threads, queries) = stackfaq::load(&dir)?;
    let vocabulary: Vec<&str> = queries
        .iter()
        .flat_map(|q| q.text.split_whitespace())
        .collect();
    let queries_of = |thread: &str| -> Vec<&str> {
        queries
            .iter()
            .filter(|q| q.relevant.iter().any(|r| r == thread))
            .map(|q| q.text.as_str())
            .collect()
    };
    let paraphrases: Vec<Vec<&str>> = threads.iter().map(|t| queries_of(&t.id)).collect();

    let generation = Instant::now();
    let mut random = Random(42);
    // 1 % more tickets, generated after the others, for the stability check; their ids
    // fall among the existing ones.
    let extra = count / 100;
    let mut tickets = Vec::with_capacity(count + extra);
    let mut truth = Vec::with_capacity(count + extra);
    for index in 0..count + extra {
        let problem = random.below(threads.len());
        let thread = &threads[problem];
        let base = match paraphrases[problem].get(random.below(paraphrases[problem].len())) {
            Some(text) => *text,
            None => thread.title.as_str(),
        };
        // Drop a word or two and add two words from the whole vocabulary.
        let mut words: Vec<&str> = base
            .split_whitespace()
            .filter(|_| random.below(10) > 1)
            .collect();
        for _ in 0..2 {
            let at = random.below(words.len() + 1);
            words.insert(at, vocabulary[random.below(vocabulary.len())]);
        }
        let subject = words.join(" ");
        let answer = &thread.answers[random.below(thread.answers.len())];
        let with_page_context = random.below(10) < 6;
        tickets.push(ResolvedTicket {
            id: TicketId(if index < count {
                format!("bench-{index:07}")
            } else {
                format!("bench-{:07}x", random.below(count))
            }),
            subject: subject.clone(),
            problem: subject,
            messages: vec![
                Message {
                    author: AuthorKind::Customer,
                    text: base.to_string(),
                },
                Message {
                    author: AuthorKind::Agent,
                    text: first_sentences(answer, 4),
                },
            ],
            resolution: (random.below(2) == 0).then(|| Resolution {
                root_cause: first_sentences(&thread.title, 1),
                fix: first_sentences(answer, 2),
                environment: ["Chrome", "Firefox", "Safari"][random.below(3)].to_string(),
                version: format!("2.{}", random.below(4)),
            }),
            routes: if with_page_context {
                vec![format!("/app/{problem}/{}", random.below(500))]
            } else {
                Vec::new()
            },
            fingerprints: if with_page_context {
                vec![format!("fp-{problem:03}")]
            } else {
                Vec::new()
            },
            resolved_at_ms: 1_700_000_000_000 + index as i64 * 60_000,
            ..ResolvedTicket::default()
        });
        truth.push(thread.id.clone());
    }
    println!("generated {count} tickets in {:?}", generation.elapsed());
    let all_tickets = tickets;
    let tickets = &all_tickets[..count];

    let mut config = DraftConfig::default();
    // Tuning knobs, so settings can be compared on the same corpus.
    let knob = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
    };
    if let Some(terms) = knob("WAYMARK_CANDIDATE_TERMS") {
        config.cluster.refine.candidate_terms = terms;
    }
    if let Some(threads) = knob("WAYMARK_THREADS") {
        config.cluster.refine.threads = threads;
    }
    if let Some(kept) = knob("WAYMARK_POSTINGS_PER_TERM") {
        config.cluster.refine.postings_per_term = kept;
    }
    if let Some(postings) = knob("WAYMARK_MAX_POSTINGS") {
        config.cluster.refine.max_postings = postings;
    }
    let started = Instant::now();
    let mut stage_started = Instant::now();
    let mut current: Option<Stage> = None;
    let run = build_drafts(
        tickets,
        &[],
        &PreviousAssignments::new(),
        &config,
        &mut |stage, done, total| {
            if current != Some(stage) {
                if let Some(previous) = current {
                    println!("  {previous:?}: {:?}", stage_started.elapsed());
                }
                current = Some(stage);
                stage_started = Instant::now();
            }
            let _ = (done, total);
        },
    );
    if let Some(previous) = current {
        println!(
            "  {previous:?} (then merging and drafting): {:?}",
            stage_started.elapsed()
        );
    }
    let elapsed = started.elapsed();
    let clusters: Vec<Vec<usize>> = run
        .clustering
        .clusters
        .iter()
        .map(|c| c.members.clone())
        .collect();
    let (purity, covered, _) = stackfaq::purity(&clusters, &truth, config.min_tickets);
    println!(
        "built {} drafts from {count} resolved tickets in {:.2} s ({} clusters; {covered}/{} problems drafted; purity {purity:.3})",
        run.drafts.len(),
        elapsed.as_secs_f64(),
        run.clustering.clusters.len(),
        threads.len()
    );
    if std::env::args().any(|arg| arg == "--stability") {
        let started = Instant::now();
        let quiet = &mut |_: Stage, _: usize, _: usize| {};
        let sticky = build_drafts(&all_tickets, &[], &run.assignments, &config, quiet);
        let fresh = build_drafts(
            &all_tickets,
            &[],
            &PreviousAssignments::new(),
            &config,
            quiet,
        );
        println!(
            "after adding {extra} tickets (1 %): {:.1} % of assignments kept with the previous run's ids, {:.1} % from member ids alone ({:.1} s for both runs)",
            100.0 * kept_assignments(&run.assignments, &sticky.assignments),
            100.0 * kept_assignments(&run.assignments, &fresh.assignments),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
