//! Policy beside the rules: ticket types with how far the assistant may go alone
//! with each, and the information a ticket needs before it may enter a lifecycle
//! stage.
//!
//! ```toml
//! [[ticket_types]]
//! id = "billing_dispute"
//! name = "Billing dispute"
//! autonomy = "human_now"
//! when.any = [{ mentions = { any = ["refund", "charged twice"] } }]
//!
//! [[stage_requirements]]
//! stage = "investigation"
//! requires = ["goal", "account"]
//! ```

use super::model::When;
use crate::domain::LifecycleStage;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A kind of request, recognised by conditions, with the assistant's autonomy.
/// Types are tried in file order; the first whose conditions hold names the
/// conversation. A type with no conditions matches everything (a catch-all last).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketType {
    /// Stable id (`billing_dispute`), unique in the matrix.
    pub id: String,
    /// Display name.
    pub name: String,
    /// How far the assistant may go alone.
    pub autonomy: Autonomy,
    /// When a conversation is of this type (the rules' conditions).
    #[serde(default)]
    pub when: When,
}

/// How far the assistant may go alone with a ticket type.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Autonomy {
    /// The assistant's answers may close the request: "solved it" ends it.
    #[default]
    ResolveAlone,
    /// The assistant answers, and a person reviews every request it answered.
    AnswerThenReview,
    /// No assistant: the first message goes to a person at once.
    HumanNow,
}

impl Autonomy {
    /// The TOML/JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ResolveAlone => "resolve_alone",
            Self::AnswerThenReview => "answer_then_review",
            Self::HumanNow => "human_now",
        }
    }
}

/// The information a ticket needs before it may enter `stage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageRequirement {
    /// The stage guarded.
    pub stage: LifecycleStage,
    /// What must be known first.
    pub requires: Vec<RequiredInfo>,
}

/// A piece of information a lifecycle stage can require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequiredInfo {
    /// What the customer is trying to do (the handoff note's goal).
    Goal,
    /// Who the customer is: an email or an account id.
    Account,
    /// An account confirmed by identity verification.
    VerifiedAccount,
    /// The pages the customer was on.
    PageTrail,
    /// The browser and system the customer used.
    Environment,
    /// The team that works the ticket.
    Team,
    /// The agent who owns the ticket.
    Owner,
    /// The root cause (resolution capture).
    RootCause,
    /// The fix (resolution capture).
    Fix,
    /// The product version (resolution capture).
    Version,
}

impl RequiredInfo {
    /// The TOML/JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Goal => "goal",
            Self::Account => "account",
            Self::VerifiedAccount => "verified_account",
            Self::PageTrail => "page_trail",
            Self::Environment => "environment",
            Self::Team => "team",
            Self::Owner => "owner",
            Self::RootCause => "root_cause",
            Self::Fix => "fix",
            Self::Version => "version",
        }
    }

    /// What an agent does to supply it.
    pub fn how_to_supply(self) -> &'static str {
        match self {
            Self::Goal => "confirm or edit the goal in the handoff note",
            Self::Account => "ask the customer for their email or account",
            Self::VerifiedAccount => "have the customer signed in through the product",
            Self::PageTrail => "ask which page the customer was on",
            Self::Environment => "ask for the browser and system, or edit the note",
            Self::Team => "transfer the ticket to a team",
            Self::Owner => "assign the ticket",
            Self::RootCause => "fill in the root cause",
            Self::Fix => "fill in the fix",
            Self::Version => "fill in the version",
        }
    }
}

impl fmt::Display for RequiredInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
