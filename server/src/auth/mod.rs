//! Who may call the agent API: users with a [`Role`] on the sites they are members
//! of, their passwords (argon2id), per-user API tokens and console sessions.
//!
//! - [`password`]: argon2id hashing and verification, the password policy.
//! - [`secret`]: API tokens (`wm_…`), session ids, CSRF tokens; only hashes are stored.
//! - [`accounts`]: the account operations the CLI and the API call (add, login,
//!   authenticate, change and reset passwords, disable, mint tokens).
//!
//! HTTP knows none of this directly: `api::agent::auth` turns a request into an
//! authenticated member of the path's site with one extractor.

pub mod accounts;
pub mod password;
pub mod secret;

use serde::{Deserialize, Serialize};

pub use accounts::{AccountError, AuthState, LoginOutcome, NewUser};

/// A user's id (`u_…`): the actor recorded in the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(String);

impl UserId {
    /// Wraps a stored id.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a user is on their sites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including the escalation matrix and the widget settings.
    Admin,
    /// Reads tickets and sessions, manages knowledge.
    KnowledgeManager,
    /// Reads and acts on tickets.
    Agent,
}

/// What a request needs to be allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read the queue, tickets, sessions and page trails.
    ReadTickets,
    /// Act on tickets: acknowledge, reply, escalate, transfer, resolve, …
    ActOnTickets,
    /// Knowledge: suggestion sets, gaps, articles.
    ManageKnowledge,
    /// Site settings: the escalation matrix, the widget settings.
    AdminSettings,
}

impl Role {
    /// Every role, in the order the CLI lists them.
    pub const ALL: [Role; 3] = [Role::Admin, Role::KnowledgeManager, Role::Agent];

    /// The stored and wire name (`knowledge_manager`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::KnowledgeManager => "knowledge_manager",
            Role::Agent => "agent",
        }
    }

    /// Parses the stored and wire name.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// Whether the role grants `permission`.
    pub fn allows(self, permission: Permission) -> bool {
        match self {
            Role::Admin => true,
            Role::KnowledgeManager => matches!(
                permission,
                Permission::ReadTickets | Permission::ManageKnowledge
            ),
            Role::Agent => matches!(
                permission,
                Permission::ReadTickets | Permission::ActOnTickets
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_grant_what_the_product_promises() {
        use Permission::*;
        let table = [
            (Role::Admin, [true, true, true, true]),
            (Role::KnowledgeManager, [true, false, true, false]),
            (Role::Agent, [true, true, false, false]),
        ];
        for (role, expected) in table {
            let granted =
                [ReadTickets, ActOnTickets, ManageKnowledge, AdminSettings].map(|p| role.allows(p));
            assert_eq!(granted, expected, "{role:?}");
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
