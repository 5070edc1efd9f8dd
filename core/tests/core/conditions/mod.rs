//! Every condition kind, data-driven, with its boundaries: exactly N, exactly the
//! window edge, one past it. Each case states the actual value the explanation shows.

mod page;
mod ticket;

use crate::support::*;
use waymark_core::rules::{Facts, explain};

/// Evaluates the one-condition probe matrix and checks satisfied + actual value.
pub fn check(condition: &str, facts: Facts, satisfied: bool, actual: &str) {
    let matrix = probe_matrix(condition);
    let evaluation = explain(&matrix, &facts, NOW);
    let found = &evaluation.rules[0].checks[0];
    assert_eq!(
        (found.satisfied, found.actual.as_str()),
        (satisfied, actual),
        "condition `{condition}`"
    );
    assert_eq!(
        evaluation.decisions.len(),
        usize::from(satisfied),
        "{condition}"
    );
}

pub fn with_ticket(edit: impl FnOnce(&mut waymark_core::rules::TicketFacts)) -> Facts {
    let mut facts = ticket_facts();
    if let Some(ticket) = facts.ticket.as_mut() {
        edit(ticket);
    }
    facts
}

pub fn with_trail(trail: Vec<waymark_core::domain::PageSignal>) -> Facts {
    Facts {
        trail,
        ..Facts::default()
    }
}
