//! The queue's views, filters, counts and cursor pages over the open tickets
//! ordered by SLA risk ([`super::agent::queue`]). Pure functions: no clock, no IO.
//!
//! The cursor is the sort key of the last entry of a page (next due time,
//! priority, creation time, id). Due times do not move as time passes, so a
//! cursor stays valid while the queue ages; a ticket that changed meanwhile shows
//! up where it now belongs.

use std::collections::BTreeMap;

use waymark_core::domain::{Priority, TicketState};

use super::FlowError;
use super::agent::QueueEntry;

/// Largest page.
pub const MAX_LIMIT: usize = 200;
/// Page size when none is asked for.
pub const DEFAULT_LIMIT: usize = 50;

/// Which tickets a queue view shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum QueueView {
    /// Every open ticket.
    #[default]
    All,
    /// Tickets the agent owns or collaborates on.
    Mine(String),
    /// Tickets nobody owns.
    Unassigned,
    /// Tickets whose acknowledgement or resolution SLA has passed.
    Breached,
    /// Tickets waiting for the customer's answer.
    WaitingOnCustomer,
}

/// A page of the queue asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueueQuery {
    /// The view.
    pub view: QueueView,
    /// Only this tier.
    pub tier: Option<String>,
    /// Only this team.
    pub team: Option<String>,
    /// Entries after this cursor.
    pub cursor: Option<String>,
    /// Page size (1 to [`MAX_LIMIT`]).
    pub limit: usize,
}

/// One page of the queue.
#[derive(Debug, Clone)]
pub struct QueuePage {
    /// The entries, most at risk first.
    pub entries: Vec<QueueEntry>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// How many open tickets each view holds, within the tier and team asked for,
/// and how many each tier and team holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueCounts {
    /// Every open ticket.
    pub all: usize,
    /// Owned by or shared with the agent (0 when no agent is named).
    pub mine: usize,
    /// Owned by nobody.
    pub unassigned: usize,
    /// SLA passed.
    pub breached: usize,
    /// Waiting on the customer.
    pub waiting_on_customer: usize,
    /// Open tickets per tier.
    pub tiers: BTreeMap<String, usize>,
    /// Open tickets per team.
    pub teams: BTreeMap<String, usize>,
}

/// The sort key: next due time (none last), higher priority first, older first, id.
type SortKey = (i64, u8, i64, String);

fn sort_key(entry: &QueueEntry) -> SortKey {
    let ticket = &entry.ticket;
    let due = [ticket.ack_due_ms, ticket.resolution_due_ms]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(i64::MAX);
    (
        due,
        priority_rank(ticket.priority),
        ticket.created_at_ms,
        ticket.id.clone(),
    )
}

/// 0 for urgent up to 3 for low, so ascending order puts urgent first.
fn priority_rank(priority: Priority) -> u8 {
    match priority {
        Priority::Urgent => 0,
        Priority::High => 1,
        Priority::Normal => 2,
        Priority::Low => 3,
    }
}

fn encode_cursor(key: &SortKey) -> String {
    format!("{}.{}.{}.{}", key.0, key.1, key.2, key.3)
}

fn decode_cursor(cursor: &str) -> Result<SortKey, FlowError> {
    let invalid = || FlowError::Invalid(format!("cursor `{cursor}` is not a queue cursor"));
    let mut parts = cursor.splitn(4, '.');
    let mut next = || parts.next().ok_or_else(invalid);
    let due = next()?.parse().map_err(|_| invalid())?;
    let rank = next()?.parse().map_err(|_| invalid())?;
    let created = next()?.parse().map_err(|_| invalid())?;
    let id = next()?.to_owned();
    Ok((due, rank, created, id))
}

fn in_view(entry: &QueueEntry, view: &QueueView) -> bool {
    let ticket = &entry.ticket;
    match view {
        QueueView::All => true,
        QueueView::Mine(agent) => {
            ticket.owner.as_deref() == Some(agent.as_str())
                || ticket.collaborators.iter().any(|c| c == agent)
        }
        QueueView::Unassigned => ticket.owner.is_none(),
        QueueView::Breached => entry.sla_risk_ms.is_some_and(|risk| risk < 0),
        QueueView::WaitingOnCustomer => ticket.state == TicketState::WaitingOnCustomer,
    }
}

fn in_scope(entry: &QueueEntry, query: &QueueQuery) -> bool {
    let ticket = &entry.ticket;
    query.tier.as_ref().is_none_or(|tier| &ticket.tier == tier)
        && query
            .team
            .as_ref()
            .is_none_or(|team| ticket.team.as_ref() == Some(team))
}

/// The page `query` asks for out of the whole queue.
pub fn page(entries: Vec<QueueEntry>, query: &QueueQuery) -> Result<QueuePage, FlowError> {
    let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
    let limit = query.limit.clamp(1, MAX_LIMIT);
    let mut keyed: Vec<(SortKey, QueueEntry)> = entries
        .into_iter()
        .filter(|e| in_scope(e, query) && in_view(e, &query.view))
        .map(|e| (sort_key(&e), e))
        .filter(|(key, _)| after.as_ref().is_none_or(|after| key > after))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let more = keyed.len() > limit;
    keyed.truncate(limit);
    let next_cursor = if more {
        keyed.last().map(|(key, _)| encode_cursor(key))
    } else {
        None
    };
    Ok(QueuePage {
        entries: keyed.into_iter().map(|(_, e)| e).collect(),
        next_cursor,
    })
}

/// The counts beside the filters: views within the query's tier and team, tiers
/// and teams over the whole queue.
pub fn counts(entries: &[QueueEntry], query: &QueueQuery, agent: Option<&str>) -> QueueCounts {
    let mut counts = QueueCounts::default();
    for entry in entries {
        *counts.tiers.entry(entry.ticket.tier.clone()).or_default() += 1;
        if let Some(team) = &entry.ticket.team {
            *counts.teams.entry(team.clone()).or_default() += 1;
        }
        if !in_scope(entry, query) {
            continue;
        }
        counts.all += 1;
        let mine = agent.is_some_and(|a| in_view(entry, &QueueView::Mine(a.to_owned())));
        counts.mine += usize::from(mine);
        counts.unassigned += usize::from(in_view(entry, &QueueView::Unassigned));
        counts.breached += usize::from(in_view(entry, &QueueView::Breached));
        counts.waiting_on_customer += usize::from(in_view(entry, &QueueView::WaitingOnCustomer));
    }
    counts
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::storage::TicketRecord;

    fn entry(id: &str, due: Option<i64>, now: i64) -> QueueEntry {
        let ticket = TicketRecord {
            id: id.into(),
            conversation_id: format!("c-{id}"),
            state: TicketState::New,
            tier: "tier1".into(),
            team: None,
            owner: None,
            collaborators: Vec::new(),
            priority: Priority::Normal,
            escalation_type: None,
            stage: Default::default(),
            subject: id.into(),
            escalated: false,
            at_tier_since_ms: 0,
            ack_due_ms: due,
            acknowledged_at_ms: None,
            resolution_due_ms: None,
            resolved_at_ms: None,
            resolution: None,
            fired_rules: Vec::new(),
            created_at_ms: 0,
            updated_at_ms: 0,
            version: 1,
        };
        QueueEntry {
            sla_risk_ms: due.map(|d| d - now),
            ticket,
        }
    }

    fn ids(page: &QueuePage) -> Vec<&str> {
        page.entries.iter().map(|e| e.ticket.id.as_str()).collect()
    }

    fn queue() -> Vec<QueueEntry> {
        let mut entries = vec![
            entry("late", Some(50), 100),
            entry("soon", Some(200), 100),
            entry("later", Some(900), 100),
            entry("none", None, 100),
        ];
        entries[1].ticket.owner = Some("sam".into());
        entries[2].ticket.state = TicketState::WaitingOnCustomer;
        entries[2].ticket.tier = "tier2".into();
        entries[2].ticket.team = Some("billing".into());
        entries
    }

    #[test]
    fn pages_follow_each_other_without_gaps_or_repeats() {
        let mut query = QueueQuery {
            limit: 3,
            ..QueueQuery::default()
        };
        let first = page(queue(), &query).unwrap();
        assert_eq!(ids(&first), ["late", "soon", "later"]);
        query.cursor = first.next_cursor.clone();
        let second = page(queue(), &query).unwrap();
        assert_eq!(ids(&second), ["none"]);
        assert_eq!(second.next_cursor, None, "the last page has no cursor");
    }

    #[test]
    fn views_and_scopes_filter() {
        let view = |view: QueueView| {
            let query = QueueQuery {
                view,
                limit: 10,
                ..QueueQuery::default()
            };
            page(queue(), &query).unwrap()
        };
        assert_eq!(ids(&view(QueueView::Mine("sam".into()))), ["soon"]);
        assert_eq!(ids(&view(QueueView::Breached)), ["late"]);
        assert_eq!(ids(&view(QueueView::WaitingOnCustomer)), ["later"]);
        assert_eq!(ids(&view(QueueView::Unassigned)), ["late", "later", "none"]);
        let billing = QueueQuery {
            team: Some("billing".into()),
            limit: 10,
            ..QueueQuery::default()
        };
        assert_eq!(ids(&page(queue(), &billing).unwrap()), ["later"]);
    }

    #[test]
    fn counts_name_every_view_tier_and_team() {
        let counts = counts(&queue(), &QueueQuery::default(), Some("sam"));
        assert_eq!(
            (
                counts.all,
                counts.mine,
                counts.unassigned,
                counts.breached,
                counts.waiting_on_customer
            ),
            (4, 1, 3, 1, 1)
        );
        assert_eq!(counts.tiers["tier1"], 3);
        assert_eq!(counts.teams["billing"], 1);
    }

    #[test]
    fn a_foreign_cursor_is_refused_with_its_name() {
        let query = QueueQuery {
            cursor: Some("nonsense".into()),
            limit: 5,
            ..QueueQuery::default()
        };
        let err = page(queue(), &query).unwrap_err();
        assert!(err.to_string().contains("cursor"), "{err}");
    }
}
