//! What a proposed matrix would change: the period's tickets replayed through the
//! site's matrix and the proposed one with `waymark rules test`'s replay (from
//! `core`), on live data.
//!
//! Each ticket is evaluated once, with the facts as they stood while it was still
//! at the first tier, at the moment it left it (its first escalation), else when
//! it was resolved, else at the period's end: the messages and page events up to
//! then, the ticket at the first tier since its creation. What agents finally did
//! (the tier it ended at, or no escalation) is the expected outcome each matrix is
//! compared with.

use std::collections::BTreeMap;

use serde::Serialize;
use waymark_core::ids::{TicketId, TierId};
use waymark_core::matrix::EscalationMatrix;
use waymark_core::rules::{ExpectedOutcome, ReplayReport, ReplayTicket, Verdict, replay};
use waymark_core::time::Timestamp;

use super::Period;
use super::load::ReportData;
use super::metrics::TicketFacts;
use crate::Config;
use crate::flow::FlowError;
use crate::flow::routing::{first_tier_facts, snapshot_at};
use crate::storage::Store;

/// At most this many tickets (the period's newest) are replayed.
pub const MAX_REPLAYED: usize = 500;

/// One matrix's outcome over the replayed tickets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplaySummary {
    /// Tickets it escalates.
    pub escalations: u64,
    /// Escalations per destination tier.
    pub per_tier: BTreeMap<String, u64>,
    /// Decisions per rule.
    pub per_rule: BTreeMap<String, u64>,
    /// Tickets on which nothing fires.
    pub without_decision: u64,
    /// Tickets where it agrees with what agents did.
    pub agrees: u64,
    /// Escalates where agents did not, or higher.
    pub over_triggered: u64,
    /// Does not escalate where agents did, or lower.
    pub under_triggered: u64,
}

/// One ticket the proposed matrix treats differently.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplayChange {
    /// The ticket.
    pub ticket_id: String,
    /// Its subject.
    pub subject: String,
    /// The tier agents ended it at when it was escalated, else `null`.
    pub actual_tier: Option<String>,
    /// The site's matrix: the rule that fires, if any.
    pub current_rule: Option<String>,
    /// … and its action in words (`escalate to tier2`, `none`).
    pub current_action: String,
    /// Compared with what agents did.
    pub current_verdict: Option<Verdict>,
    /// The proposed matrix: the rule that fires, if any.
    pub proposed_rule: Option<String>,
    /// … and its action.
    pub proposed_action: String,
    /// Compared with what agents did.
    pub proposed_verdict: Option<Verdict>,
    /// Why the proposed rule fires (every condition with its value).
    pub proposed_explanation: String,
}

/// The comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplayComparison {
    /// The period asked for.
    pub period: Period,
    /// Tickets replayed.
    pub tickets: u64,
    /// Whether the period held more tickets than were replayed.
    pub truncated: bool,
    /// The site's matrix.
    pub current: ReplaySummary,
    /// The proposed matrix.
    pub proposed: ReplaySummary,
    /// Tickets whose rule or action differ.
    pub changes: Vec<ReplayChange>,
}

/// Where a replay reads.
#[derive(Debug, Clone, Copy)]
pub struct ReplayScope<'a> {
    /// The data layer.
    pub store: &'a Store,
    /// The product areas of the configuration.
    pub config: &'a Config,
    /// The site.
    pub site_id: &'a str,
    /// The period.
    pub period: Period,
}

/// Replays the newest of `data`'s tickets (the period's) through `current` and
/// `proposed`.
pub async fn compare_matrices(
    scope: ReplayScope<'_>,
    data: &ReportData,
    current: &EscalationMatrix,
    proposed: &EscalationMatrix,
) -> Result<ReplayComparison, FlowError> {
    let ReplayScope {
        store,
        config,
        site_id,
        period,
    } = scope;
    let tickets = &data.tickets;
    let truncated = data.tickets_until_ms < period.to_ms;
    let newest = &tickets[tickets.len().saturating_sub(MAX_REPLAYED)..];
    let mut replayed = Vec::with_capacity(newest.len());
    let mut subjects = Vec::with_capacity(newest.len());
    for ticket in newest {
        let Some(conversation) = store.conversation(site_id, &ticket.conversation_id).await? else {
            continue;
        };
        let facts_of = TicketFacts::of(ticket);
        let at_ms = facts_of
            .first_escalation_ms
            .or(ticket.resolved_at_ms)
            .unwrap_or(period.to_ms)
            .max(ticket.created_at_ms);
        let mut snapshot = snapshot_at(store, site_id, &conversation, at_ms).await?;
        snapshot.product_areas = crate::jobs::alerts::product_areas(
            config,
            &crate::jobs::alerts::session_routes(&snapshot.events),
        );
        let Some(facts) = first_tier_facts(current, &snapshot, ticket.created_at_ms, at_ms) else {
            return Err(FlowError::Matrix("the site's matrix has no tiers".into()));
        };
        replayed.push(ReplayTicket {
            id: TicketId::new(ticket.id.clone()),
            now: Timestamp(at_ms),
            facts,
            expected: Some(ExpectedOutcome {
                escalate_to: ticket.escalated.then(|| TierId::new(ticket.tier.clone())),
            }),
        });
        subjects.push((
            ticket.subject.clone(),
            ticket.escalated.then(|| ticket.tier.clone()),
        ));
    }
    let before = replay(current, &replayed);
    let after = replay(proposed, &replayed);
    let changes = before
        .rows
        .iter()
        .zip(&after.rows)
        .zip(&subjects)
        .filter(|((old, new), _)| old.rule != new.rule || old.action != new.action)
        .map(|((old, new), (subject, actual))| ReplayChange {
            ticket_id: old.ticket.as_str().to_owned(),
            subject: subject.clone(),
            actual_tier: actual.clone(),
            current_rule: old.rule.as_ref().map(|r| r.as_str().to_owned()),
            current_action: old.action.clone(),
            current_verdict: old.verdict,
            proposed_rule: new.rule.as_ref().map(|r| r.as_str().to_owned()),
            proposed_action: new.action.clone(),
            proposed_verdict: new.verdict,
            proposed_explanation: new.explanation.clone(),
        })
        .collect();
    Ok(ReplayComparison {
        period,
        tickets: u64::try_from(replayed.len()).unwrap_or(u64::MAX),
        truncated: truncated || tickets.len() > MAX_REPLAYED,
        current: summary(&before),
        proposed: summary(&after),
        changes,
    })
}

fn summary(report: &ReplayReport) -> ReplaySummary {
    let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    ReplaySummary {
        escalations: report.per_tier.values().map(|n| count(*n)).sum(),
        per_tier: report
            .per_tier
            .iter()
            .map(|(tier, n)| (tier.as_str().to_owned(), count(*n)))
            .collect(),
        per_rule: report
            .per_rule
            .iter()
            .map(|(rule, n)| (rule.as_str().to_owned(), count(*n)))
            .collect(),
        without_decision: count(report.without_decision),
        agrees: count(report.with_expectation - report.over_triggered - report.under_triggered),
        over_triggered: count(report.over_triggered),
        under_triggered: count(report.under_triggered),
    }
}
