//! The over-/under-triggering review.
//!
//! Over-triggering: a rule routed a ticket and an agent then moved it elsewhere
//! (a transfer after the rule's escalation or transfer: the routing was
//! reverted), or an early warning was dismissed as a false alarm. Waymark has no
//! downward move, so a de-escalation shows as such a re-route.
//!
//! Under-triggering: an agent escalated a ticket by hand before any rule routed
//! it, or an SLA breached before any rule had fired on the ticket.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Period;
use super::load::{ReportData, ReportTicket};
use super::metrics::ratio;
use crate::storage::escalation::AlertState;

/// At most this many example tickets per trigger and per kind.
pub const EXAMPLES: usize = 10;

/// One ticket shown as an example.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Example {
    /// The ticket.
    pub ticket_id: String,
    /// Its subject.
    pub subject: String,
    /// When the telling action happened.
    pub at_ms: i64,
    /// What happened, in words.
    pub what: String,
}

/// What happened after one trigger fired.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriggerReview {
    /// `rule` (a matrix rule that routes) or `alert` (an early warning kind).
    pub source: &'static str,
    /// The rule id or the alert kind.
    pub trigger: String,
    /// Tickets it fired on.
    pub fired: u64,
    /// Of those, routed elsewhere by an agent afterwards (rules).
    pub rerouted: u64,
    /// Of those, dismissed as false alarms (alerts).
    pub dismissed: u64,
    /// `rerouted + dismissed`.
    pub over: u64,
    /// `over / fired`.
    pub over_rate: Option<f64>,
    /// The newest over-triggered tickets.
    pub examples: Vec<Example>,
}

/// Why a ticket counts as under-triggered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnderKind {
    /// An agent escalated it before any rule routed it.
    EscalatedByHand,
    /// An SLA breached before any rule fired on it.
    BreachedWithoutRule,
}

/// One under-triggered ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnderExample {
    /// Why.
    pub kind: UnderKind,
    /// The tier it is at now.
    pub tier: String,
    /// The ticket and what happened.
    #[serde(flatten)]
    pub example: Example,
}

/// The review of one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewReport {
    /// The period asked for.
    pub period: Period,
    /// Whether the report covers less than the period.
    pub truncated: bool,
    /// Tickets reviewed.
    pub tickets: u64,
    /// Per trigger, most over-triggered first.
    pub triggers: Vec<TriggerReview>,
    /// Tickets an agent escalated by hand before any rule.
    pub escalated_by_hand: u64,
    /// Tickets that breached an SLA before any rule fired.
    pub breached_without_rule: u64,
    /// Tickets with either.
    pub under: u64,
    /// `under / tickets`.
    pub under_rate: Option<f64>,
    /// The newest under-triggered tickets, up to [`EXAMPLES`] per kind.
    pub under_examples: Vec<UnderExample>,
}

/// Reviews `data`.
pub fn review_report(data: &ReportData, period: Period) -> ReviewReport {
    let mut triggers: BTreeMap<(&'static str, String), TriggerReview> = BTreeMap::new();
    let mut under_examples = Vec::new();
    let (mut by_hand, mut breached, mut under) = (0u64, 0u64, 0u64);
    let subjects: BTreeMap<&str, &str> = data
        .tickets
        .iter()
        .map(|t| (t.id.as_str(), t.subject.as_str()))
        .collect();
    for ticket in &data.tickets {
        for (rule, rerouted) in rule_outcomes(ticket) {
            let review = triggers
                .entry(("rule", rule.clone()))
                .or_insert_with(|| empty("rule", rule));
            review.fired += 1;
            if let Some(example) = rerouted {
                review.rerouted += 1;
                review.examples.push(example);
            }
        }
        let found = under_triggered(ticket);
        by_hand += u64::from(found.iter().any(|u| u.kind == UnderKind::EscalatedByHand));
        breached += u64::from(
            found
                .iter()
                .any(|u| u.kind == UnderKind::BreachedWithoutRule),
        );
        under += u64::from(!found.is_empty());
        under_examples.extend(found);
    }
    for alert in &data.alerts {
        let review = triggers
            .entry(("alert", alert.kind.clone()))
            .or_insert_with(|| empty("alert", alert.kind.clone()));
        review.fired += 1;
        if alert.state == AlertState::Dismissed {
            review.dismissed += 1;
            review.examples.push(Example {
                ticket_id: alert.ticket_id.clone(),
                subject: subjects
                    .get(alert.ticket_id.as_str())
                    .map(|s| (*s).to_owned())
                    .unwrap_or_default(),
                at_ms: alert.created_at_ms,
                what: format!("early warning `{}` dismissed", alert.kind),
            });
        }
    }
    let mut triggers: Vec<TriggerReview> = triggers
        .into_values()
        .map(|mut review| {
            review.over = review.rerouted + review.dismissed;
            review.over_rate = ratio(review.over, review.fired);
            newest_first(&mut review.examples, |e| e.at_ms);
            review
        })
        .collect();
    triggers.sort_by(|a, b| {
        b.over_rate
            .unwrap_or(0.0)
            .total_cmp(&a.over_rate.unwrap_or(0.0))
            .then(b.fired.cmp(&a.fired))
            .then(a.trigger.cmp(&b.trigger))
    });
    let mut kept = Vec::new();
    for kind in [UnderKind::EscalatedByHand, UnderKind::BreachedWithoutRule] {
        let mut of_kind: Vec<UnderExample> = under_examples
            .iter()
            .filter(|u| u.kind == kind)
            .cloned()
            .collect();
        newest_first(&mut of_kind, |u| u.example.at_ms);
        kept.extend(of_kind);
    }
    let tickets = u64::try_from(data.tickets.len()).unwrap_or(u64::MAX);
    ReviewReport {
        period,
        truncated: data.tickets_until_ms < period.to_ms,
        tickets,
        triggers,
        escalated_by_hand: by_hand,
        breached_without_rule: breached,
        under,
        under_rate: ratio(under, tickets),
        under_examples: kept,
    }
}

fn empty(source: &'static str, trigger: String) -> TriggerReview {
    TriggerReview {
        source,
        trigger,
        fired: 0,
        rerouted: 0,
        dismissed: 0,
        over: 0,
        over_rate: None,
        examples: Vec::new(),
    }
}

fn newest_first<T>(items: &mut Vec<T>, at: impl Fn(&T) -> i64) {
    items.sort_by_key(|item| std::cmp::Reverse(at(item)));
    items.truncate(EXAMPLES);
}

/// Each rule that routed `ticket` (once per rule), with the agent's re-route
/// after it when there was one.
fn rule_outcomes(ticket: &ReportTicket) -> Vec<(String, Option<Example>)> {
    let mut outcomes: Vec<(String, Option<Example>)> = Vec::new();
    for (at, entry) in ticket.trail.iter().enumerate() {
        let routing = entry.action == "escalated" || entry.action == "transferred";
        let Some(rule) = entry.actor.strip_prefix("rule:").filter(|_| routing) else {
            continue;
        };
        if outcomes.iter().any(|(seen, _)| seen == rule) {
            continue;
        }
        let reverted = ticket.trail[at + 1..]
            .iter()
            .find(|later| later.action == "transferred" && later.actor.starts_with("agent:"));
        let example = reverted.map(|later| Example {
            ticket_id: ticket.id.clone(),
            subject: ticket.subject.clone(),
            at_ms: later.at_ms,
            what: format!(
                "rule `{rule}` {}; {} moved it to team `{}`",
                routing_words(entry),
                later.actor.trim_start_matches("agent:"),
                later.detail["handoff"]["to_team"].as_str().unwrap_or("?"),
            ),
        });
        outcomes.push((rule.to_owned(), example));
    }
    outcomes
}

fn routing_words(entry: &super::load::ReportTrail) -> String {
    let handoff = &entry.detail["handoff"];
    match (handoff["to_tier"].as_str(), handoff["to_team"].as_str()) {
        (Some(tier), _) if entry.action == "escalated" => format!("escalated it to {tier}"),
        (_, Some(team)) => format!("transferred it to team `{team}`"),
        _ => entry.action.clone(),
    }
}

/// Why `ticket` counts as under-triggered, if it does.
fn under_triggered(ticket: &ReportTicket) -> Vec<UnderExample> {
    let mut found = Vec::new();
    let mut rule_routed = false;
    let mut rule_fired = false;
    let mut by_hand = false;
    let mut breached = false;
    for entry in &ticket.trail {
        let by_rule = entry.actor.starts_with("rule:");
        let routing = entry.action == "escalated" || entry.action == "transferred";
        rule_fired |= by_rule;
        rule_routed |= by_rule && routing;
        let example = |what: String| Example {
            ticket_id: ticket.id.clone(),
            subject: ticket.subject.clone(),
            at_ms: entry.at_ms,
            what,
        };
        if !by_hand
            && !rule_routed
            && entry.action == "escalated"
            && entry.actor.starts_with("agent:")
        {
            by_hand = true;
            found.push(UnderExample {
                kind: UnderKind::EscalatedByHand,
                tier: ticket.tier.clone(),
                example: example(format!(
                    "{} escalated it to {} by hand",
                    entry.actor.trim_start_matches("agent:"),
                    entry.detail["handoff"]["to_tier"].as_str().unwrap_or("?"),
                )),
            });
        }
        if !breached && !rule_fired && entry.action == "sla_breached" {
            breached = true;
            found.push(UnderExample {
                kind: UnderKind::BreachedWithoutRule,
                tier: ticket.tier.clone(),
                example: example(format!(
                    "the {} SLA at {} breached with no rule fired",
                    entry.detail["sla"].as_str().unwrap_or("?"),
                    entry.detail["tier"].as_str().unwrap_or("?"),
                )),
            });
        }
    }
    found
}
