//! The audit's figures: volume and weekly trend, resolution time, reassignments, bounces
//! between teams and escalations, overall and for every scenario (a cluster of tickets about
//! the same problem, named after its most representative ticket).

use std::collections::HashMap;

use super::record::AuditTicket;
use super::time::{WEEK_MS, week_start};
use crate::cluster::{Analyzer, ClusterConfig, PreviousAssignments, Progress, cluster_tickets};
use crate::drafts::build::title_source;
use crate::drafts::extract::clean_title;
use crate::ticket::{ResolvedTicket, TicketId};

/// How the audit groups tickets.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AuditConfig {
    /// Clustering settings (the same as article drafts use).
    pub cluster: ClusterConfig,
}

/// A distribution of durations: how many, the median and the 90th percentile, both by the
/// nearest-rank method (the smallest value that at least half, or 90 %, of the values do not
/// exceed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Durations {
    /// Values measured.
    pub count: usize,
    /// Median, in milliseconds.
    pub median_ms: i64,
    /// 90th percentile, in milliseconds.
    pub p90_ms: i64,
}

impl Durations {
    /// The distribution of `values` (reordered), `None` when empty.
    pub fn of(values: &mut [i64]) -> Option<Self> {
        if values.is_empty() {
            return None;
        }
        values.sort_unstable();
        Some(Self {
            count: values.len(),
            median_ms: nearest_rank(values, 50),
            p90_ms: nearest_rank(values, 90),
        })
    }
}

/// The nearest-rank percentile of sorted, non-empty `values`.
fn nearest_rank(values: &[i64], percent: usize) -> i64 {
    let rank = (percent * values.len()).div_ceil(100).max(1);
    values[rank - 1]
}

/// How a count moved: the first half of the weeks against the second (the middle week of an
/// odd number left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trend {
    /// Tickets in the first half.
    pub first_half: usize,
    /// Tickets in the second half.
    pub second_half: usize,
}

impl Trend {
    /// The trend of weekly counts.
    pub fn of(weekly: &[usize]) -> Self {
        let half = weekly.len() / 2;
        Self {
            first_half: weekly[..half].iter().sum(),
            second_half: weekly[weekly.len() - half..].iter().sum(),
        }
    }

    /// `rising +40%`, `falling −50%`, `steady +10%`, `new`, `gone`, or `—` without data.
    pub fn label(&self) -> String {
        match (self.first_half, self.second_half) {
            (0, 0) => "—".to_owned(),
            (0, _) => "new".to_owned(),
            (_, 0) => "gone".to_owned(),
            (first, second) => {
                let change = (second as f64 - first as f64) / first as f64 * 100.0;
                let word = if change > 25.0 {
                    "rising"
                } else if change < -25.0 {
                    "falling"
                } else {
                    "steady"
                };
                format!("{word} {change:+.0}%")
            }
        }
    }
}

/// An answer the knowledge base already has for a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownAnswer {
    /// The document's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Suggest's confidence that it answers the scenario's representative ticket.
    pub confidence: f32,
}

/// One scenario: tickets about the same problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// A readable name: the most representative ticket's subject or first sentence.
    pub name: String,
    /// Index (in the audited tickets) of the ticket the name comes from.
    pub representative: usize,
    /// Indices of the member tickets, most representative first.
    pub members: Vec<usize>,
    /// Tickets created in every week of the audit.
    pub weekly: Vec<usize>,
    /// How the weekly count moved.
    pub trend: Trend,
    /// Resolved members.
    pub resolved: usize,
    /// Resolution time of the resolved members with both times.
    pub resolution: Option<Durations>,
    /// Escalated members.
    pub escalated: usize,
    /// Members reassigned at least once.
    pub reassigned: usize,
    /// Members that came back to a team they had left.
    pub bounced: usize,
    /// The knowledge base's answer, when it has a confident one (set by coverage).
    pub answer: Option<KnownAnswer>,
}

/// Tickets handed from one team to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The team that handed it on.
    pub from: String,
    /// The team that took it.
    pub to: String,
    /// How many times.
    pub count: usize,
}

/// One team: tickets it held, and how many came back to it after leaving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRow {
    /// The team's name.
    pub team: String,
    /// Tickets it held at some point.
    pub tickets: usize,
    /// Tickets it handed to another team.
    pub handed_on: usize,
    /// Tickets that came back to it after it had handed them on.
    pub returned: usize,
}

/// How much of the audit the knowledge base already answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coverage {
    /// Scenarios checked against the knowledge base.
    pub scenarios_checked: usize,
    /// Scenarios with a confident answer.
    pub scenarios_answered: usize,
    /// Tickets in those scenarios.
    pub tickets_answered: usize,
}

/// Every figure of the audit.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditFigures {
    /// Tickets audited.
    pub tickets: usize,
    /// Of which resolved.
    pub resolved: usize,
    /// Monday 00:00 UTC of every week from the first ticket's to the last's.
    pub weeks: Vec<i64>,
    /// Tickets created each week.
    pub weekly_created: Vec<usize>,
    /// Tickets resolved each week (by resolution time, within the audit's weeks).
    pub weekly_resolved: Vec<usize>,
    /// Resolution time of resolved tickets with both times.
    pub resolution: Option<Durations>,
    /// Resolved tickets by resolution time: `(label, upper bound in ms, tickets)`.
    pub resolution_buckets: Vec<(&'static str, i64, usize)>,
    /// Escalated tickets.
    pub escalated: usize,
    /// Tickets whose export carries their assignment history.
    pub with_history: usize,
    /// Of those, tickets reassigned at least once.
    pub reassigned: usize,
    /// Reassignments in all.
    pub reassignments: usize,
    /// Tickets that changed team at least once.
    pub changed_team: usize,
    /// Tickets that came back to a team they had left.
    pub bounced: usize,
    /// Hand-overs between teams, most frequent first.
    pub transfers: Vec<Transfer>,
    /// Teams, most tickets first.
    pub teams: Vec<TeamRow>,
    /// Scenarios, largest first.
    pub scenarios: Vec<Scenario>,
    /// The knowledge base's coverage, when it was checked.
    pub coverage: Option<Coverage>,
}

/// Upper bounds of the resolution-time buckets.
const BUCKETS: [(&str, i64); 6] = [
    ("< 1 h", 3_600_000),
    ("1–4 h", 4 * 3_600_000),
    ("4–24 h", 24 * 3_600_000),
    ("1–3 d", 3 * 24 * 3_600_000),
    ("3–7 d", 7 * 24 * 3_600_000),
    ("≥ 7 d", i64::MAX),
];

/// Computes the audit of `tickets`.
pub fn audit(
    tickets: &[AuditTicket],
    config: &AuditConfig,
    progress: Progress<'_>,
) -> AuditFigures {
    let weeks = weeks_of(tickets);
    let week_index = |ms: i64| -> Option<usize> {
        let first = *weeks.first()?;
        let index = usize::try_from((week_start(ms) - first) / WEEK_MS).ok()?;
        (index < weeks.len()).then_some(index)
    };
    let mut weekly_created = vec![0; weeks.len()];
    let mut weekly_resolved = vec![0; weeks.len()];
    let mut resolution_times = Vec::new();
    let mut resolution_buckets: Vec<(&'static str, i64, usize)> = BUCKETS
        .iter()
        .map(|&(label, bound)| (label, bound, 0))
        .collect();
    let mut transfers: HashMap<(&str, &str), usize> = HashMap::new();
    let mut teams: HashMap<&str, TeamRow> = HashMap::new();
    for ticket in tickets {
        if let Some(week) = week_index(ticket.created_at_ms) {
            weekly_created[week] += 1;
        }
        if let Some(week) = ticket
            .resolved_at_ms
            .filter(|_| ticket.resolved)
            .and_then(week_index)
        {
            weekly_resolved[week] += 1;
        }
        if let Some(time) = ticket.resolution_ms() {
            resolution_times.push(time);
            if let Some(bucket) = resolution_buckets.iter_mut().find(|bucket| time < bucket.1) {
                bucket.2 += 1;
            }
        }
        for pair in ticket.teams.windows(2) {
            *transfers
                .entry((pair[0].as_str(), pair[1].as_str()))
                .or_insert(0) += 1;
        }
        for (index, team) in ticket.teams.iter().enumerate() {
            let row = teams.entry(team.as_str()).or_insert_with(|| TeamRow {
                team: team.clone(),
                tickets: 0,
                handed_on: 0,
                returned: 0,
            });
            let earlier = &ticket.teams[..index];
            let later = &ticket.teams[index + 1..];
            if !earlier.contains(team) {
                row.tickets += 1;
                if !later.is_empty() {
                    row.handed_on += 1;
                }
                if later.contains(team) {
                    row.returned += 1;
                }
            }
        }
    }
    let mut transfers: Vec<Transfer> = transfers
        .into_iter()
        .map(|((from, to), count)| Transfer {
            from: from.to_owned(),
            to: to.to_owned(),
            count,
        })
        .collect();
    transfers.sort_by(|x, y| {
        y.count
            .cmp(&x.count)
            .then_with(|| x.from.cmp(&y.from))
            .then_with(|| x.to.cmp(&y.to))
    });
    let mut teams: Vec<TeamRow> = teams.into_values().collect();
    teams.sort_by(|x, y| y.tickets.cmp(&x.tickets).then_with(|| x.team.cmp(&y.team)));
    let with_history: Vec<&AuditTicket> = tickets.iter().filter(|t| t.has_history).collect();
    let scenarios = scenarios(tickets, config, &weeks, &week_index, progress);
    AuditFigures {
        tickets: tickets.len(),
        resolved: tickets.iter().filter(|ticket| ticket.resolved).count(),
        weekly_created,
        weekly_resolved,
        resolution: Durations::of(&mut resolution_times),
        resolution_buckets,
        escalated: tickets.iter().filter(|ticket| ticket.escalated).count(),
        with_history: with_history.len(),
        reassigned: with_history.iter().filter(|t| t.reassignments > 0).count(),
        reassignments: with_history.iter().map(|t| t.reassignments as usize).sum(),
        changed_team: tickets.iter().filter(|t| t.team_changes() > 0).count(),
        bounced: tickets.iter().filter(|ticket| ticket.bounced()).count(),
        transfers,
        teams,
        scenarios,
        coverage: None,
        weeks,
    }
}

fn weeks_of(tickets: &[AuditTicket]) -> Vec<i64> {
    let first = tickets.iter().map(|ticket| ticket.created_at_ms).min();
    let last = tickets.iter().map(|ticket| ticket.created_at_ms).max();
    let (Some(first), Some(last)) = (first, last) else {
        return Vec::new();
    };
    let (first, last) = (week_start(first), week_start(last));
    (0..=(last - first) / WEEK_MS)
        .map(|week| first + week * WEEK_MS)
        .collect()
}

fn scenarios(
    tickets: &[AuditTicket],
    config: &AuditConfig,
    weeks: &[i64],
    week_index: &dyn Fn(i64) -> Option<usize>,
    progress: Progress<'_>,
) -> Vec<Scenario> {
    let as_resolved: Vec<ResolvedTicket> = tickets
        .iter()
        .map(|ticket| ResolvedTicket {
            id: TicketId(ticket.id.clone()),
            subject: ticket.subject.clone(),
            problem: ticket.problem.clone(),
            ..ResolvedTicket::default()
        })
        .collect();
    let clustering = cluster_tickets(
        &as_resolved,
        &config.cluster,
        &PreviousAssignments::default(),
        progress,
    );
    let analyzer = Analyzer::default();
    let mut scenarios: Vec<Scenario> = clustering
        .clusters
        .iter()
        .map(|cluster| {
            let source = title_source(&as_resolved, cluster, &analyzer);
            let name = clean_title(&source);
            let representative = cluster
                .representatives
                .iter()
                .copied()
                .find(|&index| {
                    let ticket = &as_resolved[index];
                    ticket.subject == source || ticket.problem.starts_with(source.as_str())
                })
                .unwrap_or(cluster.medoid);
            let members: Vec<&AuditTicket> = cluster
                .representatives
                .iter()
                .map(|&index| &tickets[index])
                .collect();
            let mut weekly = vec![0; weeks.len()];
            for ticket in &members {
                if let Some(week) = week_index(ticket.created_at_ms) {
                    weekly[week] += 1;
                }
            }
            let mut times: Vec<i64> = members.iter().filter_map(|t| t.resolution_ms()).collect();
            Scenario {
                name: if name.is_empty() {
                    "(no subject or description)".to_owned()
                } else {
                    name
                },
                representative,
                members: cluster.representatives.clone(),
                trend: Trend::of(&weekly),
                weekly,
                resolved: members.iter().filter(|ticket| ticket.resolved).count(),
                resolution: Durations::of(&mut times),
                escalated: members.iter().filter(|ticket| ticket.escalated).count(),
                reassigned: members.iter().filter(|t| t.reassignments > 0).count(),
                bounced: members.iter().filter(|ticket| ticket.bounced()).count(),
                answer: None,
            }
        })
        .collect();
    scenarios.sort_by(|x, y| {
        y.members
            .len()
            .cmp(&x.members.len())
            .then_with(|| x.name.cmp(&y.name))
    });
    scenarios
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut values = vec![50, 10, 40, 30, 20];
        let durations = Durations::of(&mut values);
        assert_eq!(
            durations,
            Some(Durations {
                count: 5,
                median_ms: 30,
                p90_ms: 50
            })
        );
        let mut ten: Vec<i64> = (1..=10).collect();
        let durations = Durations::of(&mut ten).map(|d| (d.median_ms, d.p90_ms));
        assert_eq!(durations, Some((5, 9)));
        assert_eq!(Durations::of(&mut []), None);
    }

    #[test]
    fn trends_compare_halves() {
        assert_eq!(Trend::of(&[1, 1, 9, 3, 3]).label(), "rising +200%");
        assert_eq!(Trend::of(&[4, 0, 1]).label(), "falling -75%");
        assert_eq!(Trend::of(&[2, 2]).label(), "steady +0%");
        assert_eq!(Trend::of(&[0, 2]).label(), "new");
        assert_eq!(Trend::of(&[5]).label(), "—");
    }
}
