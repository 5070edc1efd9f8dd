//! The queue's state: which filter is on, the rows in SLA-risk order, which row
//! is selected (`j`/`k`), and the query the filter asks the server for.

use crate::model::{QueueEntry, Ticket};

/// The view half of the filter (one at a time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// Every open ticket.
    #[default]
    All,
    /// The signed-in user's (owner or collaborator).
    Mine,
    /// Nobody's yet.
    Unassigned,
    /// SLA passed.
    Breached,
    /// Waiting on the customer.
    WaitingOnCustomer,
}

impl View {
    /// Every view, in the order the filter bar shows them.
    pub const ALL: [View; 5] = [
        View::All,
        View::Mine,
        View::Unassigned,
        View::Breached,
        View::WaitingOnCustomer,
    ];

    /// The `view` query value.
    pub fn param(self) -> &'static str {
        match self {
            View::All => "all",
            View::Mine => "mine",
            View::Unassigned => "unassigned",
            View::Breached => "breached",
            View::WaitingOnCustomer => "waiting_on_customer",
        }
    }

    /// The label in the filter bar.
    pub fn label(self) -> &'static str {
        match self {
            View::All => "All open",
            View::Mine => "Mine",
            View::Unassigned => "Unassigned",
            View::Breached => "Breached",
            View::WaitingOnCustomer => "Waiting on customer",
        }
    }

    /// This view's count.
    pub fn count(self, counts: &crate::model::QueueCounts) -> usize {
        match self {
            View::All => counts.all,
            View::Mine => counts.mine,
            View::Unassigned => counts.unassigned,
            View::Breached => counts.breached,
            View::WaitingOnCustomer => counts.waiting_on_customer,
        }
    }
}

/// The whole filter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueueFilter {
    /// The view.
    pub view: View,
    /// Only this tier.
    pub tier: Option<String>,
    /// Only this team.
    pub team: Option<String>,
}

/// Page size the console asks for.
pub const PAGE_SIZE: usize = 50;

impl QueueFilter {
    /// The query string (without `?`) for the queue or its counts, after `cursor`.
    pub fn query(&self, cursor: Option<&str>) -> String {
        let mut parts = vec![format!("view={}", self.view.param())];
        if let Some(tier) = &self.tier {
            parts.push(format!("tier={}", encode(tier)));
        }
        if let Some(team) = &self.team {
            parts.push(format!("team={}", encode(team)));
        }
        if let Some(cursor) = cursor {
            parts.push(format!("cursor={}", encode(cursor)));
            parts.push(format!("limit={PAGE_SIZE}"));
        } else {
            parts.push(format!("limit={PAGE_SIZE}"));
        }
        parts.join("&")
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Which way `j`/`k` moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Down (`j`).
    Next,
    /// Up (`k`).
    Previous,
}

/// The rows shown and the selection.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueState {
    /// The rows, most at risk first.
    pub entries: Vec<QueueEntry>,
    /// The cursor of the next page, if there is one.
    pub next_cursor: Option<String>,
    /// The selected ticket.
    pub selected: Option<String>,
}

/// The order of the queue: next due time first (none last), higher priority,
/// older, then id. The same order the server pages in.
fn risk_key(
    ticket: &Ticket,
) -> (
    i64,
    std::cmp::Reverse<waymark_core::domain::Priority>,
    i64,
    String,
) {
    (
        ticket.next_due_ms().unwrap_or(i64::MAX),
        std::cmp::Reverse(ticket.priority),
        ticket.created_at_ms,
        ticket.id.clone(),
    )
}

impl QueueState {
    /// Replaces the rows with a first page.
    pub fn replace(&mut self, entries: Vec<QueueEntry>, next_cursor: Option<String>) {
        self.entries = entries;
        self.next_cursor = next_cursor;
        self.sort();
        self.keep_selection();
    }

    /// Adds the next page (rows already shown are replaced, not repeated).
    pub fn append(&mut self, entries: Vec<QueueEntry>, next_cursor: Option<String>) {
        for entry in entries {
            self.entries.retain(|e| e.ticket.id != entry.ticket.id);
            self.entries.push(entry);
        }
        self.next_cursor = next_cursor;
        self.sort();
    }

    fn sort(&mut self) {
        self.entries
            .sort_by_cached_key(|entry| risk_key(&entry.ticket));
    }

    fn keep_selection(&mut self) {
        let still_there = self
            .selected
            .as_ref()
            .is_some_and(|id| self.entries.iter().any(|e| &e.ticket.id == id));
        if !still_there {
            self.selected = self.entries.first().map(|e| e.ticket.id.clone());
        }
    }

    /// Moves the selection one row; stays at the ends.
    pub fn step(&mut self, step: Step) {
        if self.entries.is_empty() {
            self.selected = None;
            return;
        }
        let position = self
            .selected
            .as_ref()
            .and_then(|id| self.entries.iter().position(|e| &e.ticket.id == id));
        let last = self.entries.len() - 1;
        let next = match (position, step) {
            (None, _) => 0,
            (Some(p), Step::Next) => (p + 1).min(last),
            (Some(p), Step::Previous) => p.saturating_sub(1),
        };
        self.selected = Some(self.entries[next].ticket.id.clone());
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn entry(id: &str, due: Option<i64>, priority: &str) -> QueueEntry {
        let json = serde_json::json!({"sla_risk_ms": null, "ticket": {
            "id": id, "conversation_id": "c", "state": "new", "tier": "tier1",
            "priority": priority, "ack_due_ms": due, "created_at_ms": 0, "updated_at_ms": 0}});
        serde_json::from_value(json).unwrap()
    }

    fn ids(state: &QueueState) -> Vec<&str> {
        state.entries.iter().map(|e| e.ticket.id.as_str()).collect()
    }

    #[test]
    fn rows_are_ordered_by_risk_then_priority() {
        let mut state = QueueState::default();
        state.replace(
            vec![
                entry("none", None, "urgent"),
                entry("later", Some(500), "normal"),
                entry("soon-normal", Some(100), "normal"),
                entry("soon-urgent", Some(100), "urgent"),
            ],
            None,
        );
        assert_eq!(ids(&state), ["soon-urgent", "soon-normal", "later", "none"]);
        assert_eq!(state.selected.as_deref(), Some("soon-urgent"));
    }

    #[test]
    fn j_and_k_move_and_stop_at_the_ends() {
        let mut state = QueueState::default();
        state.replace(
            vec![entry("a", Some(1), "normal"), entry("b", Some(2), "normal")],
            None,
        );
        state.step(Step::Previous);
        assert_eq!(state.selected.as_deref(), Some("a"));
        state.step(Step::Next);
        state.step(Step::Next);
        assert_eq!(state.selected.as_deref(), Some("b"));
    }

    #[test]
    fn a_next_page_does_not_repeat_rows() {
        let mut state = QueueState::default();
        state.replace(vec![entry("a", Some(1), "normal")], Some("cur".into()));
        state.append(
            vec![entry("a", Some(1), "normal"), entry("b", Some(2), "normal")],
            None,
        );
        assert_eq!(ids(&state), ["a", "b"]);
        assert_eq!(state.next_cursor, None);
    }

    #[test]
    fn the_filter_becomes_an_encoded_query() {
        let filter = QueueFilter {
            view: View::Breached,
            tier: Some("tier 2".into()),
            team: None,
        };
        assert_eq!(filter.query(None), "view=breached&tier=tier%202&limit=50");
        assert_eq!(
            filter.query(Some("9.2.1.t_1")),
            "view=breached&tier=tier%202&cursor=9.2.1.t_1&limit=50"
        );
    }
}
