//! The ticket state machine: new → acknowledged → in progress ↔ waiting on customer
//! → resolved → closed, and reopen. Transitions are checked.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    /// Created, nobody has confirmed they have it.
    #[default]
    New,
    /// The owning tier confirmed it has the ticket (the acknowledgement SLA stops).
    Acknowledged,
    /// Someone is working on it.
    InProgress,
    /// Waiting for the customer's answer.
    WaitingOnCustomer,
    /// Solved; the customer may still reopen it.
    Resolved,
    /// Final.
    Closed,
}

/// Something that happens to a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketAction {
    /// The receiving tier confirms it has the ticket.
    Acknowledge,
    /// Work starts.
    StartWork,
    /// A question was asked to the customer.
    WaitOnCustomer,
    /// The customer answered.
    CustomerReplied,
    /// The problem is solved.
    Resolve,
    /// The ticket is closed for good.
    Close,
    /// A resolved or closed ticket comes back.
    Reopen,
}

/// An action that is not allowed in the ticket's current state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action:?} a ticket that is {from}")]
pub struct TransitionError {
    /// The state the ticket was in.
    pub from: TicketState,
    /// The refused action.
    pub action: TicketAction,
}

impl TicketState {
    /// The state after `action`, or an error if the action is not allowed now.
    ///
    /// | from | allowed actions |
    /// | --- | --- |
    /// | new | acknowledge |
    /// | acknowledged | start work, resolve |
    /// | in progress | wait on customer, resolve |
    /// | waiting on customer | customer replied, resolve |
    /// | resolved | close, reopen |
    /// | closed | reopen |
    ///
    /// Reopening puts the ticket back in progress with its owner.
    pub fn apply(self, action: TicketAction) -> Result<TicketState, TransitionError> {
        use TicketAction as A;
        use TicketState as S;
        let next = match (self, action) {
            (S::New, A::Acknowledge) => S::Acknowledged,
            (S::Acknowledged, A::StartWork) => S::InProgress,
            (S::InProgress, A::WaitOnCustomer) => S::WaitingOnCustomer,
            (S::WaitingOnCustomer, A::CustomerReplied) => S::InProgress,
            (S::Acknowledged | S::InProgress | S::WaitingOnCustomer, A::Resolve) => S::Resolved,
            (S::Resolved, A::Close) => S::Closed,
            (S::Resolved | S::Closed, A::Reopen) => S::InProgress,
            (from, action) => return Err(TransitionError { from, action }),
        };
        Ok(next)
    }

    /// Whether the ticket still needs work (not resolved, not closed).
    pub fn is_open(self) -> bool {
        !matches!(self, TicketState::Resolved | TicketState::Closed)
    }
}

impl fmt::Display for TicketState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TicketState::New => "new",
            TicketState::Acknowledged => "acknowledged",
            TicketState::InProgress => "in progress",
            TicketState::WaitingOnCustomer => "waiting on customer",
            TicketState::Resolved => "resolved",
            TicketState::Closed => "closed",
        })
    }
}

/// What is captured when a ticket is resolved; this is what feeds knowledge.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Resolution {
    /// Why it happened.
    #[serde(default)]
    pub root_cause: String,
    /// What fixed it.
    #[serde(default)]
    pub fix: String,
    /// Where it happened (browser, OS, deployment).
    #[serde(default)]
    pub environment: String,
    /// The product version concerned.
    #[serde(default)]
    pub version: String,
}

impl Resolution {
    /// The mandatory fields left empty. Every field is mandatory to resolve an
    /// escalated ticket; none is for a ticket resolved at the first tier.
    pub fn missing_fields(&self, escalated: bool) -> Vec<&'static str> {
        if !escalated {
            return Vec::new();
        }
        [
            ("root_cause", &self.root_cause),
            ("fix", &self.fix),
            ("environment", &self.environment),
            ("version", &self.version),
        ]
        .into_iter()
        .filter(|(_, value)| value.trim().is_empty())
        .map(|(name, _)| name)
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketAction as A;
    use TicketState as S;

    #[test]
    fn happy_path_and_reopen() {
        let mut state = S::New;
        for action in [
            A::Acknowledge,
            A::StartWork,
            A::WaitOnCustomer,
            A::CustomerReplied,
            A::Resolve,
            A::Close,
            A::Reopen,
        ] {
            state = match state.apply(action) {
                Ok(next) => next,
                Err(error) => panic!("{error}"),
            };
        }
        assert_eq!(state, S::InProgress);
    }

    #[test]
    fn refused_transitions_name_state_and_action() {
        let refused = [
            (S::New, A::Resolve),
            (S::New, A::StartWork),
            (S::Closed, A::Resolve),
            (S::Resolved, A::WaitOnCustomer),
            (S::InProgress, A::Close),
            (S::InProgress, A::Reopen),
        ];
        for (from, action) in refused {
            assert_eq!(from.apply(action), Err(TransitionError { from, action }));
        }
        let message = S::New.apply(A::Close).map_err(|e| e.to_string());
        assert_eq!(message, Err("cannot Close a ticket that is new".to_owned()));
    }

    #[test]
    fn escalated_resolution_requires_every_field() {
        let partial = Resolution {
            root_cause: "expired card".into(),
            fix: " ".into(),
            ..Resolution::default()
        };
        assert_eq!(
            partial.missing_fields(true),
            ["fix", "environment", "version"]
        );
        assert!(partial.missing_fields(false).is_empty());
    }
}
