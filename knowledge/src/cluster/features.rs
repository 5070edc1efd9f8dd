//! What of a resolved ticket clustering looks at: the problem statement, errors and
//! fingerprints, routes, the resolution fields and human agents' answers, each with
//! its own weight.

use super::text::Analyzer;
use super::vectors::{TermCounts, add_terms};
use crate::ticket::ResolvedTicket;

/// How much each part of a ticket counts in the similarity between tickets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldWeights {
    /// Subject and problem statement.
    pub problem: f32,
    /// Error messages and fingerprints (kept as exact terms).
    pub errors: f32,
    /// Page routes.
    pub routes: f32,
    /// Root cause and fix from the resolution capture.
    pub resolution: f32,
    /// Human agents' answers (bot answers never count).
    pub answers: f32,
}

impl Default for FieldWeights {
    fn default() -> Self {
        FieldWeights {
            problem: 1.0,
            errors: 1.5,
            routes: 0.5,
            resolution: 0.6,
            answers: 0.3,
        }
    }
}

/// The analysed features of one ticket.
#[derive(Debug, Clone, Default)]
pub struct TicketFeatures {
    /// Weighted term counts over every field.
    pub counts: TermCounts,
    /// The problem's terms in order (subject, problem, error messages), for shingles.
    pub problem_terms: Vec<String>,
}

/// Analyses a ticket into weighted terms.
pub fn ticket_features(
    ticket: &ResolvedTicket,
    analyzer: &Analyzer,
    weights: &FieldWeights,
) -> TicketFeatures {
    let mut counts = TermCounts::new();
    let mut problem_terms = analyzer.terms(&ticket.subject);
    problem_terms.extend(analyzer.terms(&ticket.problem));
    if ticket.problem.trim().is_empty()
        && let Some(first) = ticket.customer_messages().next()
    {
        problem_terms.extend(analyzer.terms(first));
    }
    add_terms(&mut counts, problem_terms.iter().cloned(), weights.problem);

    for error in &ticket.error_messages {
        let terms = analyzer.terms(error);
        problem_terms.extend(terms.iter().cloned());
        add_terms(&mut counts, terms, weights.errors);
    }
    let fingerprints = ticket
        .fingerprints
        .iter()
        .map(|fingerprint| format!("fp:{}", fingerprint.to_lowercase()));
    add_terms(&mut counts, fingerprints, weights.errors);
    let routes = ticket
        .routes
        .iter()
        .map(|route| format!("route:{}", route.trim_end_matches('/').to_lowercase()));
    add_terms(&mut counts, routes, weights.routes);

    if let Some(resolution) = &ticket.resolution {
        add_terms(
            &mut counts,
            analyzer.terms(&resolution.root_cause),
            weights.resolution,
        );
        add_terms(
            &mut counts,
            analyzer.terms(&resolution.fix),
            weights.resolution,
        );
    }
    if weights.answers > 0.0 {
        for answer in ticket.agent_answers() {
            add_terms(&mut counts, analyzer.terms(answer), weights.answers);
        }
    }
    TicketFeatures {
        counts,
        problem_terms,
    }
}
