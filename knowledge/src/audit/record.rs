//! The audited ticket: what the audit reads from any export, resolved or not.

/// One historical ticket as the audit sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditTicket {
    /// The ticket's id in its helpdesk.
    pub id: String,
    /// The subject line or title (may be empty).
    pub subject: String,
    /// The customer's description of the problem, as plain text.
    pub problem: String,
    /// The status as exported, lower-case (`solved`, `4`, `closed`, `open`…).
    pub status: String,
    /// Whether the helpdesk considers it resolved (solved or closed).
    pub resolved: bool,
    /// When it was created, in milliseconds since the Unix epoch.
    pub created_at_ms: i64,
    /// When it was resolved, when the export says (and it is resolved).
    pub resolved_at_ms: Option<i64>,
    /// The teams (groups) that held the ticket, in order, consecutive repeats merged.
    pub teams: Vec<String>,
    /// Whether the export carries the ticket's assignment history; without it `teams`
    /// holds at most the last team and `reassignments` is 0.
    pub has_history: bool,
    /// How often the ticket moved from one assignee to another (the first assignment is
    /// not a reassignment).
    pub reassignments: u32,
    /// Whether the ticket was escalated (a tag containing `escalat`, or the helpdesk's own
    /// escalation flag).
    pub escalated: bool,
    /// The ticket's tags.
    pub tags: Vec<String>,
}

impl AuditTicket {
    /// Time from creation to resolution, when both are known (never negative).
    pub fn resolution_ms(&self) -> Option<i64> {
        let resolved = self.resolved_at_ms.filter(|_| self.resolved)?;
        Some((resolved - self.created_at_ms).max(0))
    }

    /// How often the ticket changed team.
    pub fn team_changes(&self) -> usize {
        self.teams.len().saturating_sub(1)
    }

    /// Whether the ticket came back to a team it had left (A → B → A).
    pub fn bounced(&self) -> bool {
        self.teams
            .iter()
            .enumerate()
            .any(|(index, team)| self.teams[..index].contains(team))
    }

    /// Records a team taking the ticket (a repeat of the current team is no change).
    pub fn push_team(&mut self, team: String) {
        if self.teams.last() != Some(&team) {
            self.teams.push(team);
        }
    }

    /// Whether a tag marks an escalation.
    pub fn has_escalation_tag(tags: &[String]) -> bool {
        tags.iter()
            .any(|tag| tag.to_ascii_lowercase().contains("escalat"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_that_returns_to_a_team_bounced() {
        let mut ticket = AuditTicket::default();
        for team in ["billing", "billing", "tech", "billing"] {
            ticket.push_team(team.to_owned());
        }
        assert_eq!(ticket.teams, ["billing", "tech", "billing"]);
        assert_eq!(ticket.team_changes(), 2);
        assert!(ticket.bounced());
        ticket.teams.pop();
        assert!(!ticket.bounced());
    }

    #[test]
    fn resolution_time_needs_a_resolved_ticket() {
        let mut ticket = AuditTicket {
            created_at_ms: 1_000,
            resolved_at_ms: Some(61_000),
            ..AuditTicket::default()
        };
        assert_eq!(ticket.resolution_ms(), None);
        ticket.resolved = true;
        assert_eq!(ticket.resolution_ms(), Some(60_000));
    }
}
