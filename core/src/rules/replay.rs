//! Replay of historical tickets through a matrix (`waymark rules test`): which rule
//! fires on each ticket, totals per tier and rule, and, when tickets carry the
//! expected outcome, over- and under-triggering counts.

use super::evaluate::{DecidedAction, explain};
use super::facts::Facts;
use crate::ids::{RuleId, TicketId, TierId};
use crate::matrix::EscalationMatrix;
use crate::matrix::table;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One historical ticket, one line of the JSONL file.
///
/// `{"id":"T-1","now_ms":1700000000000,"facts":{…},"expected":{"escalate_to":"tier2"}}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayTicket {
    /// The ticket.
    pub id: TicketId,
    /// The moment to evaluate at (ms since the epoch).
    #[serde(rename = "now_ms")]
    pub now: Timestamp,
    /// The facts as they were at that moment.
    #[serde(default)]
    pub facts: Facts,
    /// What should have happened, when known.
    #[serde(default)]
    pub expected: Option<ExpectedOutcome>,
}

/// What should have happened to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedOutcome {
    /// The tier it should have been escalated to; `null` for "should not escalate".
    #[serde(default)]
    pub escalate_to: Option<TierId>,
}

/// How the engine's outcome compares with the expected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Same destination (or both none).
    Agrees,
    /// The engine escalates where it should not, or higher than expected.
    OverTriggered,
    /// The engine does not escalate where it should, or lower than expected.
    UnderTriggered,
}

/// One replayed ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayRow {
    /// The ticket.
    pub ticket: TicketId,
    /// The rule selected for routing or help, if any.
    pub rule: Option<RuleId>,
    /// The selected action in words (`escalate to tier2`), or `none`.
    pub action: String,
    /// The tier the engine escalates to, if it does.
    pub escalated_to: Option<TierId>,
    /// The fired rule's explanation (every condition and its value).
    pub explanation: String,
    /// Comparison with the expected outcome, when the ticket has one.
    pub verdict: Option<Verdict>,
}

/// The result of a replay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayReport {
    /// One row per ticket, in input order.
    pub rows: Vec<ReplayRow>,
    /// Escalations per destination tier.
    pub per_tier: BTreeMap<TierId, usize>,
    /// Decisions per rule (every selected decision counts).
    pub per_rule: BTreeMap<RuleId, usize>,
    /// Tickets on which nothing fired.
    pub without_decision: usize,
    /// Tickets that carried an expected outcome.
    pub with_expectation: usize,
    /// Of those, over-triggered.
    pub over_triggered: usize,
    /// Of those, under-triggered.
    pub under_triggered: usize,
}

/// Replays `tickets` through `matrix`.
pub fn replay(matrix: &EscalationMatrix, tickets: &[ReplayTicket]) -> ReplayReport {
    let mut report = ReplayReport {
        rows: Vec::with_capacity(tickets.len()),
        per_tier: BTreeMap::new(),
        per_rule: BTreeMap::new(),
        without_decision: 0,
        with_expectation: 0,
        over_triggered: 0,
        under_triggered: 0,
    };
    for ticket in tickets {
        let evaluation = explain(matrix, &ticket.facts, ticket.now);
        for decision in &evaluation.decisions {
            *report.per_rule.entry(decision.rule.clone()).or_default() += 1;
        }
        let first = evaluation.decisions.first();
        let escalated_to =
            evaluation
                .decisions
                .iter()
                .find_map(|decision| match &decision.action {
                    DecidedAction::Escalate { to_tier, .. } => Some(to_tier.clone()),
                    _ => None,
                });
        if let Some(tier) = &escalated_to {
            *report.per_tier.entry(tier.clone()).or_default() += 1;
        }
        if first.is_none() {
            report.without_decision += 1;
        }
        let verdict = ticket.expected.as_ref().map(|expected| {
            let verdict = compare(matrix, escalated_to.as_ref(), expected.escalate_to.as_ref());
            report.with_expectation += 1;
            match verdict {
                Verdict::OverTriggered => report.over_triggered += 1,
                Verdict::UnderTriggered => report.under_triggered += 1,
                Verdict::Agrees => {}
            }
            verdict
        });
        let explanation = first
            .and_then(|decision| {
                evaluation
                    .rules
                    .iter()
                    .find(|rule| rule.rule == decision.rule)
            })
            .map(|rule| rule.to_text())
            .unwrap_or_default();
        report.rows.push(ReplayRow {
            ticket: ticket.id.clone(),
            rule: first.map(|decision| decision.rule.clone()),
            action: first.map_or_else(
                || "none".to_owned(),
                |decision| action_words(&decision.action),
            ),
            escalated_to,
            explanation,
            verdict,
        });
    }
    report
}

fn compare(
    matrix: &EscalationMatrix,
    actual: Option<&TierId>,
    expected: Option<&TierId>,
) -> Verdict {
    let level = |tier: Option<&TierId>| tier.map(|id| matrix.tier(id).map_or(u8::MAX, |t| t.level));
    match (level(actual), level(expected)) {
        (None, None) => Verdict::Agrees,
        (Some(_), None) => Verdict::OverTriggered,
        (None, Some(_)) => Verdict::UnderTriggered,
        (Some(a), Some(e)) if a > e => Verdict::OverTriggered,
        (Some(a), Some(e)) if a < e => Verdict::UnderTriggered,
        _ if actual == expected => Verdict::Agrees,
        // Same level but unknown ids on both sides: only equal ids agree.
        _ => Verdict::UnderTriggered,
    }
}

fn action_words(action: &DecidedAction) -> String {
    match action {
        DecidedAction::Escalate { to_tier, .. } => format!("escalate to {to_tier}"),
        DecidedAction::Transfer { to_team } => format!("transfer to {to_team}"),
        DecidedAction::OfferHelp { .. } => "offer help".to_owned(),
        DecidedAction::EarlyWarning { .. } => "early warning".to_owned(),
    }
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "-".to_owned();
    }
    format!("{:.1}%", part as f64 * 100.0 / whole as f64)
}

impl ReplayReport {
    /// The report as text: one block per ticket, then totals per tier and rule, then
    /// over-/under-triggering when expectations were given.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for row in &self.rows {
            let verdict = match row.verdict {
                Some(Verdict::Agrees) => "  [as expected]",
                Some(Verdict::OverTriggered) => "  [OVER-TRIGGERED]",
                Some(Verdict::UnderTriggered) => "  [UNDER-TRIGGERED]",
                None => "",
            };
            out.push_str(&format!("{}: {}{verdict}\n", row.ticket, row.action));
            for line in row.explanation.lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
        let total = self.rows.len();
        out.push_str(&format!(
            "\n{total} tickets, {} with a decision, {} without\n",
            total - self.without_decision,
            self.without_decision
        ));
        let tier_rows: Vec<Vec<String>> = self
            .per_tier
            .iter()
            .map(|(tier, count)| vec![tier.to_string(), count.to_string(), percent(*count, total)])
            .collect();
        out.push_str("\nESCALATIONS PER TIER\n");
        out.push_str(&table::table(&["tier", "tickets", "share"], &tier_rows));
        let rule_rows: Vec<Vec<String>> = self
            .per_rule
            .iter()
            .map(|(rule, count)| vec![rule.to_string(), count.to_string(), percent(*count, total)])
            .collect();
        out.push_str("\nDECISIONS PER RULE\n");
        out.push_str(&table::table(&["rule", "tickets", "share"], &rule_rows));
        if self.with_expectation > 0 {
            out.push_str(&format!(
                "\nagainst expected outcomes ({} tickets): over-triggered {} ({}), under-triggered {} ({})\n",
                self.with_expectation,
                self.over_triggered,
                percent(self.over_triggered, self.with_expectation),
                self.under_triggered,
                percent(self.under_triggered, self.with_expectation),
            ));
        }
        out
    }
}
