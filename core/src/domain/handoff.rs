//! Escalation vs transfer (never conflated), escalation types, lifecycle stages,
//! priority, one owner plus collaborators, and the handoff note.

use crate::ids::{AgentId, TeamId, TierId};
use crate::matrix::{Team, Tier};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// Why a ticket moved, stored as a field so rates can be reported per type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationType {
    /// More expertise is needed (a specialist).
    Functional,
    /// More authority is needed (a manager, a policy override).
    Hierarchical,
    /// A rule moved it without a human deciding.
    Automated,
    /// Urgency or customer importance moved it.
    Priority,
    /// It leaves the support organisation (a vendor, a partner).
    External,
}

/// The stage of the support lifecycle at which something happened.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleStage {
    /// The request arrives.
    #[default]
    Intake,
    /// It is classified and routed.
    Triage,
    /// The cause is being found.
    Investigation,
    /// The fix is applied and confirmed.
    Resolution,
    /// What was learned is written down.
    Documentation,
    /// The customer rates the outcome.
    Feedback,
}

impl LifecycleStage {
    /// The TOML/JSON spelling (`investigation`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Intake => "intake",
            Self::Triage => "triage",
            Self::Investigation => "investigation",
            Self::Resolution => "resolution",
            Self::Documentation => "documentation",
            Self::Feedback => "feedback",
        }
    }
}

/// How urgent a ticket or a rule's action is. Ordered: `Low < Normal < High < Urgent`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Can wait.
    Low,
    /// The default.
    #[default]
    Normal,
    /// Ahead of normal work.
    High,
    /// Drop everything.
    Urgent,
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        })
    }
}

impl fmt::Display for EscalationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EscalationType::Functional => "functional",
            EscalationType::Hierarchical => "hierarchical",
            EscalationType::Automated => "automated",
            EscalationType::Priority => "priority",
            EscalationType::External => "external",
        })
    }
}

/// A recorded move of a ticket: up a tier (escalation) or sideways to another team at
/// the same tier (transfer). The two are distinct on purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Handoff {
    /// Up a tier: more authority or expertise.
    Escalation {
        /// The tier the ticket leaves.
        from_tier: TierId,
        /// The tier that receives it.
        to_tier: TierId,
        /// Why, as a type.
        escalation_type: EscalationType,
        /// When in the lifecycle it happened.
        stage: LifecycleStage,
    },
    /// Sideways: another team at the same tier.
    Transfer {
        /// The tier both teams belong to.
        tier: TierId,
        /// The team the ticket leaves, if it had one.
        from_team: Option<TeamId>,
        /// The team that receives it.
        to_team: TeamId,
        /// When in the lifecycle it happened.
        stage: LifecycleStage,
    },
}

/// A handoff that contradicts the matrix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandoffError {
    /// Escalation must go to a higher tier; use a transfer to move sideways.
    #[error(
        "escalation must go up: {to} (level {to_level}) is not above {from} (level {from_level})"
    )]
    NotUpward {
        /// The current tier.
        from: TierId,
        /// Its level.
        from_level: u8,
        /// The requested tier.
        to: TierId,
        /// Its level.
        to_level: u8,
    },
    /// Transfer stays at the same tier; use an escalation to go up.
    #[error("transfer stays at the same tier: team {team} is at {team_tier}, the ticket at {tier}")]
    OtherTier {
        /// The requested team.
        team: TeamId,
        /// The team's tier.
        team_tier: TierId,
        /// The ticket's tier.
        tier: TierId,
    },
}

impl Handoff {
    /// An escalation from `from` to `to`, refused unless `to` is a higher tier.
    pub fn escalate(
        from: &Tier,
        to: &Tier,
        escalation_type: EscalationType,
        stage: LifecycleStage,
    ) -> Result<Handoff, HandoffError> {
        if to.level <= from.level {
            return Err(HandoffError::NotUpward {
                from: from.id.clone(),
                from_level: from.level,
                to: to.id.clone(),
                to_level: to.level,
            });
        }
        Ok(Handoff::Escalation {
            from_tier: from.id.clone(),
            to_tier: to.id.clone(),
            escalation_type,
            stage,
        })
    }

    /// A transfer to `to` of a ticket at `tier`, refused unless the team is at that tier.
    pub fn transfer(
        tier: &TierId,
        from_team: Option<TeamId>,
        to: &Team,
        stage: LifecycleStage,
    ) -> Result<Handoff, HandoffError> {
        if &to.tier != tier {
            return Err(HandoffError::OtherTier {
                team: to.id.clone(),
                team_tier: to.tier.clone(),
                tier: tier.clone(),
            });
        }
        Ok(Handoff::Transfer {
            tier: tier.clone(),
            from_team,
            to_team: to.id.clone(),
            stage,
        })
    }
}

/// Who has a ticket: always exactly one owner, plus any number of collaborators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    owner: AgentId,
    #[serde(default)]
    collaborators: BTreeSet<AgentId>,
}

/// A change of assignment that would break "exactly one owner".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssignmentError {
    /// The owner cannot also be a collaborator.
    #[error("{0} already owns the ticket")]
    AlreadyOwner(AgentId),
}

impl Assignment {
    /// A ticket owned by `owner`, without collaborators.
    pub fn new(owner: AgentId) -> Self {
        Self {
            owner,
            collaborators: BTreeSet::new(),
        }
    }

    /// The one owner.
    pub fn owner(&self) -> &AgentId {
        &self.owner
    }

    /// The collaborators, sorted.
    pub fn collaborators(&self) -> impl Iterator<Item = &AgentId> {
        self.collaborators.iter()
    }

    /// Adds a specialist as collaborator (instead of another handoff).
    pub fn add_collaborator(&mut self, agent: AgentId) -> Result<(), AssignmentError> {
        if agent == self.owner {
            return Err(AssignmentError::AlreadyOwner(agent));
        }
        self.collaborators.insert(agent);
        Ok(())
    }

    /// Removes a collaborator; returns whether they were one.
    pub fn remove_collaborator(&mut self, agent: &AgentId) -> bool {
        self.collaborators.remove(agent)
    }

    /// Gives the ticket to `new_owner`. A collaborator who becomes owner stops being a
    /// collaborator; the previous owner keeps no role unless `keep_previous` says so.
    pub fn hand_over(&mut self, new_owner: AgentId, keep_previous: PreviousOwner) {
        self.collaborators.remove(&new_owner);
        let previous = std::mem::replace(&mut self.owner, new_owner);
        if keep_previous == PreviousOwner::StaysAsCollaborator && previous != self.owner {
            self.collaborators.insert(previous);
        }
    }
}

/// What happens to the previous owner on [`Assignment::hand_over`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreviousOwner {
    /// They leave the ticket.
    Leaves,
    /// They stay on as a collaborator.
    StaysAsCollaborator,
}

/// The mandatory, structured note that travels with every escalation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HandoffNote {
    /// What the customer is trying to accomplish.
    #[serde(default)]
    pub goal: String,
    /// What has been tried, including articles shown and rejected.
    #[serde(default)]
    pub tried: Vec<String>,
    /// The customer's current sentiment, in words.
    #[serde(default)]
    pub sentiment: String,
    /// Commitments already made ("an answer by end of day").
    #[serde(default)]
    pub commitments: Vec<String>,
    /// The specific reason for escalating.
    #[serde(default)]
    pub reason: String,
}

impl HandoffNote {
    /// The mandatory fields still empty (`goal`, `sentiment`, `reason`). Lists may be
    /// empty: "nothing tried yet" and "no commitment" are valid answers.
    pub fn missing_fields(&self) -> Vec<&'static str> {
        [
            ("goal", &self.goal),
            ("sentiment", &self.sentiment),
            ("reason", &self.reason),
        ]
        .into_iter()
        .filter(|(_, value)| value.trim().is_empty())
        .map(|(name, _)| name)
        .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::time::DurationMs;

    fn tier(id: &str, level: u8) -> Tier {
        Tier {
            id: TierId::new(id),
            level,
            name: id.to_owned(),
            role: "role".into(),
            authority: Vec::new(),
            ack_sla: DurationMs::minutes(15),
            resolution_sla: DurationMs::hours(8),
            resolved_means: String::new(),
        }
    }

    #[test]
    fn escalation_goes_up_and_transfer_stays_level() {
        let (one, two) = (tier("tier1", 1), tier("tier2", 2));
        let up = Handoff::escalate(
            &one,
            &two,
            EscalationType::Functional,
            LifecycleStage::Triage,
        );
        assert!(matches!(up, Ok(Handoff::Escalation { .. })));
        let down = Handoff::escalate(
            &two,
            &one,
            EscalationType::Functional,
            LifecycleStage::Triage,
        );
        assert!(matches!(down, Err(HandoffError::NotUpward { .. })));
        let sideways = Handoff::escalate(
            &two,
            &two,
            EscalationType::Functional,
            LifecycleStage::Triage,
        );
        assert!(sideways.is_err());

        let billing = Team {
            id: TeamId::new("billing"),
            name: "Billing".into(),
            tier: TierId::new("tier2"),
        };
        let moved = Handoff::transfer(&two.id, None, &billing, LifecycleStage::Investigation);
        assert!(matches!(moved, Ok(Handoff::Transfer { .. })));
        let wrong = Handoff::transfer(&one.id, None, &billing, LifecycleStage::Investigation);
        assert!(matches!(wrong, Err(HandoffError::OtherTier { .. })));
    }

    #[test]
    fn exactly_one_owner_with_collaborators() {
        let mut assignment = Assignment::new(AgentId::new("ana"));
        assert!(assignment.add_collaborator(AgentId::new("ana")).is_err());
        assignment.add_collaborator(AgentId::new("bo")).unwrap();
        assignment.hand_over(AgentId::new("bo"), PreviousOwner::StaysAsCollaborator);
        assert_eq!(assignment.owner().as_str(), "bo");
        let collaborators: Vec<_> = assignment.collaborators().map(AgentId::as_str).collect();
        assert_eq!(collaborators, ["ana"]);
    }

    #[test]
    fn handoff_note_requires_goal_sentiment_and_reason() {
        let note = HandoffNote {
            goal: "export invoices".into(),
            ..HandoffNote::default()
        };
        assert_eq!(note.missing_fields(), ["sentiment", "reason"]);
    }
}
