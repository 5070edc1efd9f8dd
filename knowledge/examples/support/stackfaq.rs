//! Loading the StackFAQ development set as resolved tickets (each query a customer
//! ticket, the thread's answers the agent replies), shared by the examples.

use std::collections::HashMap;

use waymark_knowledge::ticket::{AuthorKind, Message, ResolvedTicket, TicketId};

/// One thread of `corpus.jsonl`.
#[derive(serde::Deserialize)]
pub struct Thread {
    /// The thread id (`sf-001`).
    pub id: String,
    /// The original question.
    pub title: String,
    /// The top answers.
    pub answers: Vec<String>,
}

/// One line of `queries.jsonl`.
#[derive(serde::Deserialize)]
pub struct Query {
    /// The query id.
    pub id: String,
    /// What the user typed.
    pub text: String,
    /// The thread that answers it.
    pub relevant: Vec<String>,
}

/// The threads and queries of a StackFAQ directory.
pub fn load(dir: &str) -> Result<(Vec<Thread>, Vec<Query>), Box<dyn std::error::Error>> {
    let read = |name: &str| std::fs::read_to_string(format!("{dir}/{name}"));
    let threads = read("corpus.jsonl")?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<Vec<Thread>, _>>()?;
    let queries = read("queries.jsonl")?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<Vec<Query>, _>>()?;
    Ok((threads, queries))
}

/// Tickets from the queries, with the thread id each belongs to.
pub fn tickets(threads: &[Thread], queries: &[Query]) -> (Vec<ResolvedTicket>, Vec<String>) {
    let by_id: HashMap<&str, &Thread> = threads.iter().map(|t| (t.id.as_str(), t)).collect();
    let mut tickets = Vec::new();
    let mut truth = Vec::new();
    for (index, query) in queries.iter().enumerate() {
        let Some(thread) = query.relevant.first().and_then(|id| by_id.get(id.as_str())) else {
            continue;
        };
        let mut messages = vec![Message {
            author: AuthorKind::Customer,
            text: query.text.clone(),
        }];
        messages.extend(thread.answers.iter().map(|a| Message {
            author: AuthorKind::Agent,
            text: a.clone(),
        }));
        tickets.push(ResolvedTicket {
            id: TicketId(query.id.clone()),
            subject: query.text.clone(),
            messages,
            resolved_at_ms: 1_700_000_000_000 + index as i64 * 3_600_000,
            ..ResolvedTicket::default()
        });
        truth.push(thread.id.clone());
    }
    (tickets, truth)
}

/// Share of tickets in clusters of at least `min_tickets` that belong to their
/// cluster's majority problem, and the number of distinct problems that are a
/// majority somewhere (problems that got a draft).
pub fn purity(
    clusters: &[Vec<usize>],
    truth: &[String],
    min_tickets: usize,
) -> (f32, usize, usize) {
    let mut covered = std::collections::HashSet::new();
    let (mut tickets, mut majority_total, mut drafted) = (0, 0, 0);
    for members in clusters.iter().filter(|m| m.len() >= min_tickets) {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for &member in members {
            *counts.entry(truth[member].as_str()).or_insert(0) += 1;
        }
        let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
        ranked.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
        if let Some((problem, majority)) = ranked.first() {
            covered.insert(problem.to_string());
            majority_total += majority;
        }
        tickets += members.len();
        drafted += 1;
    }
    (
        majority_total as f32 / tickets.max(1) as f32,
        covered.len(),
        drafted,
    )
}
