//! The matrix types, exactly as they are written in TOML (and sent as JSON).

use super::condition::Condition;
use super::policy::{StageRequirement, TicketType};
use crate::domain::{EscalationType, Priority};
use crate::ids::{RuleId, TeamId, TierId};
use crate::time::DurationMs;
use serde::{Deserialize, Serialize};

/// The matrix format version this build reads and writes.
pub const MATRIX_VERSION: u32 = 1;

/// A site's escalation matrix.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationMatrix {
    /// Format version; must be [`MATRIX_VERSION`].
    pub version: u32,
    /// Support tiers, any order; `level` orders them.
    #[serde(default)]
    pub tiers: Vec<Tier>,
    /// Teams that tickets can be transferred between.
    #[serde(default)]
    pub teams: Vec<Team>,
    /// Rules, evaluated in this order (see [`crate::rules::evaluate`] for tie-breaks).
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Ticket types and the assistant's autonomy with each, tried in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ticket_types: Vec<TicketType>,
    /// Information a ticket needs before it may enter a lifecycle stage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stage_requirements: Vec<StageRequirement>,
}

impl EscalationMatrix {
    /// The tier with this id.
    pub fn tier(&self, id: &TierId) -> Option<&Tier> {
        self.tiers.iter().find(|tier| &tier.id == id)
    }

    /// The team with this id.
    pub fn team(&self, id: &TeamId) -> Option<&Team> {
        self.teams.iter().find(|team| &team.id == id)
    }

    /// The rules the widget evaluates locally: the `offer_help` rules, in order.
    /// This is what the server puts in [`crate::wire::SiteConfig::proactive_rules`].
    pub fn proactive_rules(&self) -> Vec<Rule> {
        self.rules
            .iter()
            .filter(|rule| rule.then.action == ActionKind::OfferHelp)
            .cloned()
            .collect()
    }

    /// The rule with this id.
    pub fn rule(&self, id: &RuleId) -> Option<&Rule> {
        self.rules.iter().find(|rule| &rule.id == id)
    }
}

/// A support tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// Stable id (`tier1`).
    pub id: TierId,
    /// 1 for frontline; higher means more authority or expertise.
    pub level: u8,
    /// Display name (`Tier 2`).
    pub name: String,
    /// Who owns it, in words customers understand (`billing specialists`).
    pub role: String,
    /// What this tier may decide (`refund`, `policy_override`, `timeline_commitment`).
    #[serde(default)]
    pub authority: Vec<String>,
    /// Time for the tier to confirm it has a ticket.
    pub ack_sla: DurationMs,
    /// Time for the tier to resolve a ticket.
    pub resolution_sla: DurationMs,
    /// What "resolved at this tier" means.
    #[serde(default)]
    pub resolved_means: String,
}

/// A team at one tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// Stable id (`billing`).
    pub id: TeamId,
    /// Display name.
    pub name: String,
    /// The tier the team works at.
    pub tier: TierId,
}

/// An observable, binary if-then rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable id, unique in the matrix.
    pub id: RuleId,
    /// What the rule is for, in words.
    #[serde(default)]
    pub description: String,
    /// When it fires.
    pub when: When,
    /// What it does.
    pub then: RuleAction,
}

/// A rule's conditions: every condition of `all` holds, and at least one of `any`
/// holds when `any` is not empty.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// Conditions that must all hold.
    #[serde(default)]
    pub all: Vec<Condition>,
    /// Conditions of which at least one must hold (ignored when empty).
    #[serde(default)]
    pub any: Vec<Condition>,
}

/// What a rule does when it fires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleAction {
    /// The kind of action.
    pub action: ActionKind,
    /// Destination tier (`escalate` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_tier: Option<TierId>,
    /// Destination team (`transfer` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_team: Option<TeamId>,
    /// Priority given to the ticket; also the first tie-break between rules.
    #[serde(default)]
    pub priority: Priority,
    /// Escalation type recorded on the handoff; `automated` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation_type: Option<EscalationType>,
    /// Context that must travel with the handoff.
    #[serde(default)]
    pub context: Vec<ContextField>,
    /// Customer notice template (`{tier_role}`, `{ack_sla}`, … see
    /// [`crate::rules::render_notice`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// Recommended next step (`early_warning`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
    /// Nudge text shown by the widget (`offer_help`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The four actions a rule can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// Move the ticket up to `to_tier`.
    Escalate,
    /// Move the ticket sideways to `to_team`.
    Transfer,
    /// Proactive help: the widget opens a nudge with suggestions for this page.
    OfferHelp,
    /// Alert an agent before escalation, with a recommended next step.
    EarlyWarning,
}

/// Context that must travel with a handoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContextField {
    /// The conversation so far.
    Conversation,
    /// What the customer is trying to do.
    Goal,
    /// What has been tried, including articles shown and rejected.
    Attempts,
    /// Current sentiment.
    Sentiment,
    /// Commitments already made.
    Commitments,
    /// Pages visited, with errors.
    PageTrail,
    /// JS errors and failed requests.
    Errors,
    /// Plan, account tier and attributes.
    Account,
    /// Earlier tickets of the account.
    AccountHistory,
    /// Other customers hit by the same error.
    AffectedCustomers,
}
