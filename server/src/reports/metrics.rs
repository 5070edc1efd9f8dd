//! The escalation metrics, each computed from [`ReportData`] by one function whose
//! formula `docs/metrics.md` states: per slice of one [`Dimension`], for the whole
//! period, and per time bucket for the charts, plus the funnel from suggestion to
//! deflection to escalation.

use std::collections::BTreeMap;

use serde::Serialize;

use super::load::{ReportAlert, ReportData, ReportSuggestionSet, ReportTicket};
use super::{Dimension, Period, SliceKeys};
use crate::storage::escalation::AlertState;

/// Every metric of one group of tickets and suggestion sets.
///
/// Rates are fractions (0.5 is half); times are milliseconds; `None` where the
/// metric has nothing to count (no ticket, no answer) or does not apply to the
/// slice (suggestion sets have no tier).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metrics {
    /// Tickets created.
    pub tickets: u64,
    /// Of those, escalated above the first tier.
    pub escalated: u64,
    /// `escalated / tickets`.
    pub escalation_rate: Option<f64>,
    /// Median of first escalation − creation, over escalated tickets.
    pub time_to_escalation_ms: Option<i64>,
    /// Tickets whose acknowledgement was decided (acknowledged, or breached).
    pub ack_sla_decided: u64,
    /// Of those without an acknowledgement breach.
    pub ack_sla_met: Option<f64>,
    /// Tickets whose resolution was decided (resolved, or breached).
    pub resolution_sla_decided: u64,
    /// Of those without a resolution breach.
    pub resolution_sla_met: Option<f64>,
    /// Median of resolution − first escalation, over escalated resolved tickets.
    pub post_escalation_resolution_ms: Option<i64>,
    /// Tickets resolved.
    pub resolved: u64,
    /// Resolved tickets never escalated, transferred or reopened, over resolved tickets.
    pub first_contact_resolution: Option<f64>,
    /// Mean number of customer messages per ticket.
    pub multi_turn_depth: Option<f64>,
    /// Suggestion sets shown.
    pub suggestion_sets: Option<u64>,
    /// Of those, a user said an answer solved it.
    pub deflections: Option<u64>,
    /// `deflections / suggestion_sets`.
    pub deflection_rate: Option<f64>,
    /// Sets after which the session opened a ticket.
    pub escalated_after_suggestion: Option<u64>,
    /// `escalated_after_suggestion / suggestion_sets`.
    pub escalated_after_suggestion_rate: Option<f64>,
    /// Mean CSAT (1–5) of escalated tickets.
    pub csat_escalated: Option<f64>,
    /// How many escalated tickets were rated.
    pub csat_escalated_answers: u64,
    /// Mean CSAT of tickets never escalated.
    pub csat_not_escalated: Option<f64>,
    /// How many of those were rated.
    pub csat_not_escalated_answers: u64,
    /// Median of resolution − creation over resolved tickets never escalated (the
    /// period's, for every slice).
    pub median_handle_time_ms: Option<i64>,
    /// `deflections × median_handle_time_ms`.
    pub capacity_reclaimed_ms: Option<i64>,
    /// Early warnings raised on the tickets.
    pub alerts_raised: u64,
    /// Confirmed or adjusted by an agent.
    pub alerts_confirmed: u64,
    /// Dismissed as false alarms.
    pub alerts_dismissed: u64,
    /// Not decided yet.
    pub alerts_open: u64,
    /// `confirmed / (confirmed + dismissed)`.
    pub alerts_confirmed_rate: Option<f64>,
}

/// The metrics of one slice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SliceMetrics {
    /// The slice (`tier2`, `billing`, `14` for 14:00–15:00 UTC, …).
    pub key: String,
    /// Its metrics.
    pub metrics: Metrics,
}

/// One bucket of the time series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesPoint {
    /// Bucket start.
    pub start_ms: i64,
    /// Tickets created in it.
    pub tickets: u64,
    /// Of those, escalated.
    pub escalated: u64,
    /// `escalated / tickets`.
    pub escalation_rate: Option<f64>,
    /// Suggestion sets shown in it.
    pub suggestion_sets: u64,
    /// Of those, deflections.
    pub deflections: u64,
}

/// Suggestion → deflection, and suggestion → a person after all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Funnel {
    /// Suggestion sets shown.
    pub suggestion_sets: u64,
    /// Sets an answer of which solved it.
    pub deflected: u64,
    /// Sets after which the session opened a ticket.
    pub escalated: u64,
    /// Of those tickets, escalated above the first tier (period's tickets).
    pub escalated_above_first_tier: u64,
}

/// The metrics report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricsReport {
    /// The period asked for.
    pub period: Period,
    /// Where the scans stopped when the period held more than a report reads.
    pub covered_until_ms: i64,
    /// Whether the report covers less than the period.
    pub truncated: bool,
    /// How the slices are cut.
    pub slice: Dimension,
    /// The whole period.
    pub totals: Metrics,
    /// One entry per slice, largest first.
    pub slices: Vec<SliceMetrics>,
    /// Width of a series bucket (an hour or a day).
    pub bucket_ms: i64,
    /// The time series.
    pub series: Vec<SeriesPoint>,
    /// The funnel.
    pub funnel: Funnel,
}

/// The metrics of `data` for `period`, sliced by `dimension`.
pub fn metrics_report(
    data: &ReportData,
    period: Period,
    dimension: Dimension,
    keys: &SliceKeys<'_>,
) -> MetricsReport {
    let handle = median_handle_time(&data.tickets);
    let alerts_by_ticket = group_alerts(&data.alerts);
    let totals = compute(
        &data.tickets.iter().collect::<Vec<_>>(),
        &alerts_by_ticket,
        Some(&data.suggestion_sets.iter().collect::<Vec<_>>()),
        handle,
    );
    let mut ticket_groups: BTreeMap<String, Vec<&ReportTicket>> = BTreeMap::new();
    for ticket in &data.tickets {
        ticket_groups
            .entry(keys.ticket_key(dimension, ticket))
            .or_default()
            .push(ticket);
    }
    let mut set_groups: BTreeMap<String, Vec<&ReportSuggestionSet>> = BTreeMap::new();
    let sets_apply = dimension.applies_to_suggestions();
    if sets_apply {
        for set in &data.suggestion_sets {
            if let Some(key) = keys.set_key(dimension, set) {
                set_groups.entry(key).or_default().push(set);
            }
        }
    }
    let mut names: Vec<String> = ticket_groups.keys().cloned().collect();
    names.extend(set_groups.keys().cloned());
    names.sort();
    names.dedup();
    let mut slices: Vec<SliceMetrics> = names
        .into_iter()
        .map(|key| {
            let tickets = ticket_groups.get(&key).cloned().unwrap_or_default();
            let sets = sets_apply.then(|| set_groups.get(&key).cloned().unwrap_or_default());
            SliceMetrics {
                metrics: compute(&tickets, &alerts_by_ticket, sets.as_deref(), handle),
                key,
            }
        })
        .collect();
    if dimension == Dimension::Hour {
        slices.sort_by_key(|slice| slice.key.parse::<u32>().unwrap_or(u32::MAX));
    } else {
        slices.sort_by(|a, b| {
            b.metrics
                .tickets
                .cmp(&a.metrics.tickets)
                .then(b.metrics.suggestion_sets.cmp(&a.metrics.suggestion_sets))
                .then(a.key.cmp(&b.key))
        });
    }
    let bucket_ms = period.bucket_ms();
    MetricsReport {
        covered_until_ms: data.tickets_until_ms.min(data.sets_until_ms),
        truncated: data.truncated(period),
        slice: dimension,
        series: series(data, period, bucket_ms),
        funnel: funnel(data),
        bucket_ms,
        totals,
        slices,
        period,
    }
}

fn group_alerts(alerts: &[ReportAlert]) -> BTreeMap<&str, Vec<&ReportAlert>> {
    let mut by_ticket: BTreeMap<&str, Vec<&ReportAlert>> = BTreeMap::new();
    for alert in alerts {
        by_ticket
            .entry(alert.ticket_id.as_str())
            .or_default()
            .push(alert);
    }
    by_ticket
}

/// The metrics of one group; `sets` is `None` where suggestion sets do not apply.
fn compute(
    tickets: &[&ReportTicket],
    alerts_by_ticket: &BTreeMap<&str, Vec<&ReportAlert>>,
    sets: Option<&[&ReportSuggestionSet]>,
    median_handle_time_ms: Option<i64>,
) -> Metrics {
    let mut metrics = Metrics {
        tickets: count(tickets.len()),
        median_handle_time_ms,
        ..Metrics::default()
    };
    let mut to_escalation = Vec::new();
    let mut after_escalation = Vec::new();
    let (mut ack_met, mut resolution_met, mut first_contact) = (0u64, 0u64, 0u64);
    let mut turns = 0i64;
    let (mut csat_up, mut csat_flat) = (Vec::new(), Vec::new());
    for ticket in tickets {
        let facts = TicketFacts::of(ticket);
        if ticket.escalated {
            metrics.escalated += 1;
            if let Some(at) = facts.first_escalation_ms {
                to_escalation.push(at - ticket.created_at_ms);
                if let Some(resolved) = ticket.resolved_at_ms {
                    after_escalation.push(resolved - at);
                }
            }
        }
        if facts.ack_decided {
            metrics.ack_sla_decided += 1;
            ack_met += u64::from(!facts.ack_breached);
        }
        if facts.resolution_decided {
            metrics.resolution_sla_decided += 1;
            resolution_met += u64::from(!facts.resolution_breached);
        }
        if ticket.resolved_at_ms.is_some() {
            metrics.resolved += 1;
            first_contact += u64::from(!ticket.escalated && !facts.transferred && !facts.reopened);
        }
        turns += ticket.customer_turns;
        if let Some(score) = ticket.csat {
            if ticket.escalated {
                csat_up.push(score);
            } else {
                csat_flat.push(score);
            }
        }
        for alert in alerts_by_ticket
            .get(ticket.id.as_str())
            .into_iter()
            .flatten()
        {
            metrics.alerts_raised += 1;
            match alert.state {
                AlertState::Open => metrics.alerts_open += 1,
                AlertState::Confirmed | AlertState::Adjusted => metrics.alerts_confirmed += 1,
                AlertState::Dismissed => metrics.alerts_dismissed += 1,
            }
        }
    }
    metrics.escalation_rate = ratio(metrics.escalated, metrics.tickets);
    metrics.time_to_escalation_ms = median(&mut to_escalation);
    metrics.ack_sla_met = ratio(ack_met, metrics.ack_sla_decided);
    metrics.resolution_sla_met = ratio(resolution_met, metrics.resolution_sla_decided);
    metrics.post_escalation_resolution_ms = median(&mut after_escalation);
    metrics.first_contact_resolution = ratio(first_contact, metrics.resolved);
    metrics.multi_turn_depth = (!tickets.is_empty()).then(|| turns as f64 / tickets.len() as f64);
    metrics.csat_escalated_answers = count(csat_up.len());
    metrics.csat_escalated = mean(&csat_up);
    metrics.csat_not_escalated_answers = count(csat_flat.len());
    metrics.csat_not_escalated = mean(&csat_flat);
    metrics.alerts_confirmed_rate = ratio(
        metrics.alerts_confirmed,
        metrics.alerts_confirmed + metrics.alerts_dismissed,
    );
    if let Some(sets) = sets {
        let shown = count(sets.len());
        let solved = count(sets.iter().filter(|set| set.solved).count());
        let needed_person = count(sets.iter().filter(|set| set.escalated_after).count());
        metrics.suggestion_sets = Some(shown);
        metrics.deflections = Some(solved);
        metrics.deflection_rate = ratio(solved, shown);
        metrics.escalated_after_suggestion = Some(needed_person);
        metrics.escalated_after_suggestion_rate = ratio(needed_person, shown);
        metrics.capacity_reclaimed_ms = median_handle_time_ms
            .map(|handle| handle.saturating_mul(i64::try_from(solved).unwrap_or(i64::MAX)));
    }
    metrics
}

/// What one ticket's trail says, as the metrics need it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TicketFacts {
    /// When it was first escalated.
    pub first_escalation_ms: Option<i64>,
    /// An acknowledgement SLA breached.
    pub ack_breached: bool,
    /// Acknowledged at some tier, or breached.
    pub ack_decided: bool,
    /// A resolution SLA breached.
    pub resolution_breached: bool,
    /// Resolved at some point, or breached.
    pub resolution_decided: bool,
    /// Moved sideways at some point.
    pub transferred: bool,
    /// Reopened at some point.
    pub reopened: bool,
}

impl TicketFacts {
    /// Reads `ticket`'s trail.
    pub fn of(ticket: &ReportTicket) -> Self {
        let mut facts = TicketFacts::default();
        for entry in &ticket.trail {
            match entry.action.as_str() {
                "escalated" => {
                    facts.first_escalation_ms.get_or_insert(entry.at_ms);
                }
                "transferred" => facts.transferred = true,
                "reopened" => facts.reopened = true,
                "acknowledged" => facts.ack_decided = true,
                "resolved" => facts.resolution_decided = true,
                "sla_breached" => match entry.detail["sla"].as_str() {
                    Some("acknowledgement") => facts.ack_breached = true,
                    Some("resolution") => facts.resolution_breached = true,
                    _ => {}
                },
                _ => {}
            }
        }
        facts.ack_decided |= facts.ack_breached;
        facts.resolution_decided |= facts.resolution_breached || ticket.resolved_at_ms.is_some();
        facts
    }
}

/// Median resolution − creation over the resolved tickets never escalated.
fn median_handle_time(tickets: &[ReportTicket]) -> Option<i64> {
    let mut times: Vec<i64> = tickets
        .iter()
        .filter(|ticket| !ticket.escalated)
        .filter_map(|ticket| Some(ticket.resolved_at_ms? - ticket.created_at_ms))
        .collect();
    median(&mut times)
}

fn series(data: &ReportData, period: Period, bucket_ms: i64) -> Vec<SeriesPoint> {
    let buckets =
        usize::try_from((period.to_ms - period.from_ms + bucket_ms - 1) / bucket_ms).unwrap_or(0);
    let mut points: Vec<SeriesPoint> = (0..buckets)
        .map(|n| SeriesPoint {
            start_ms: period.from_ms + i64::try_from(n).unwrap_or(0) * bucket_ms,
            tickets: 0,
            escalated: 0,
            escalation_rate: None,
            suggestion_sets: 0,
            deflections: 0,
        })
        .collect();
    let slot = |at: i64| usize::try_from((at - period.from_ms) / bucket_ms).ok();
    for ticket in &data.tickets {
        if let Some(point) = slot(ticket.created_at_ms).and_then(|n| points.get_mut(n)) {
            point.tickets += 1;
            point.escalated += u64::from(ticket.escalated);
        }
    }
    for set in &data.suggestion_sets {
        if let Some(point) = slot(set.at_ms).and_then(|n| points.get_mut(n)) {
            point.suggestion_sets += 1;
            point.deflections += u64::from(set.solved);
        }
    }
    for point in &mut points {
        point.escalation_rate = ratio(point.escalated, point.tickets);
    }
    points
}

fn funnel(data: &ReportData) -> Funnel {
    Funnel {
        suggestion_sets: count(data.suggestion_sets.len()),
        deflected: count(data.suggestion_sets.iter().filter(|s| s.solved).count()),
        escalated: count(
            data.suggestion_sets
                .iter()
                .filter(|s| s.escalated_after)
                .count(),
        ),
        escalated_above_first_tier: count(data.tickets.iter().filter(|t| t.escalated).count()),
    }
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// `part / whole`, `None` when `whole` is 0.
pub fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The middle value; with an even count, the mean of the two middle values
/// (rounded down).
pub fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]).div_euclid(2)
    })
}

fn mean(values: &[i64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<i64>() as f64 / values.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_takes_the_middle_or_the_mean_of_the_two_middles() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5]), Some(5));
        assert_eq!(median(&mut [9, 1, 5]), Some(5));
        assert_eq!(median(&mut [4, 1, 2, 3]), Some(2));
        assert_eq!(median(&mut [10, 20]), Some(15));
    }

    #[test]
    fn ratio_of_nothing_is_none() {
        assert_eq!(ratio(1, 0), None);
        assert_eq!(ratio(1, 4), Some(0.25));
    }
}
