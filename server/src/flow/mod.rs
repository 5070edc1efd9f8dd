//! The escalation flow, from the first signal to the resolved ticket, outside
//! HTTP: handlers call these functions and map their results.
//!
//! - [`facts`]: the rules engine's facts from stored records.
//! - [`handoff`]: the structured handoff note and commitment detection.
//! - [`notice`]: the customer notice from the tier's SLA and the rule's template.
//! - [`ticket`]: pure ticket operations (escalate, transfer, acknowledge, …).
//! - [`routing`]: matrix evaluation → ticket created or moved, note, notice.
//! - [`resolution`]: resolution prefill and the resolved ticket as knowledge.
//! - [`knowledge_log`]: every index write goes through the database's log, which
//!   each replica's index follows.
//! - [`suggest`]: suggestions (thin over `knowledge`) and deflection verdicts.
//! - [`conversation`]: the widget side: start, message, escalate, CSAT.
//! - [`agent`]: the agent side: queue, detail and every ticket action.
//! - [`policy`]: the matrix's stage requirements applied to a ticket.
//! - [`queue`]: the queue's views, filters, counts and cursor pages.
//! - [`workspace`]: internal notes, assigning an owner, removing a collaborator.
//! - [`gaps`]: knowledge gaps from the recorded suggestion sets.
//! - [`knowledge`]: drafts from resolved tickets, their review, articles published
//!   to the index, article performance.
//! - [`scrub`]: scrubbing at the edge, once, with the site's settings: every
//!   wire request, agent-written text and imported document.
//! - [`sites`]: creating sites (id and origin checks, a fresh widget key).
//! - [`clients`]: salted client-address hashes of sessions; the new-session cap.
//! - [`identity`]: identity verification (`user_hash`) and the site's modes.
//! - [`visitors`]: what visitors may see of the knowledge; opaque answer ids.
//! - [`replay`]: idempotent replays bound to the session and body; key expiry.
//! - [`secrets`]: keyed hashes: derived conversation tokens, opaque answer ids,
//!   salted client-address hashes.
//!
//! Every change is committed as one [`crate::storage::TicketChange`], so the
//! ticket, its audit trail, the messages the customer sees and the idempotency key
//! of the request are written together or not at all.

pub mod agent;
pub mod answers;
pub mod clients;
pub mod conversation;
pub mod facts;
pub mod gaps;
pub mod handoff;
pub mod identity;
pub mod knowledge;
pub mod knowledge_log;
pub mod notice;
pub mod policy;
pub mod queue;
pub mod replay;
pub mod resolution;
pub mod routing;
pub mod scrub;
pub mod secrets;
pub mod sites;
pub mod suggest;
pub mod ticket;
pub mod visitors;
pub mod workspace;

use sha2::{Digest, Sha256};
use waymark_core::matrix::EscalationMatrix;
use waymark_core::wire::ClientEvent;

use crate::storage::{Store, StoreError, TrailQuery};

pub use handoff::{HandoffNoteView, TrailItem};

/// The escalation matrix of a site that has none stored: the sample matrix of
/// DESIGN.md §1 (tiers 1–3, technical and billing teams).
pub const DEFAULT_MATRIX: &str = include_str!("../../../core/examples/escalation-matrix.toml");

/// Why a flow step was refused.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// The conversation or ticket does not exist (or belongs to another site).
    #[error("{0}")]
    NotFound(String),
    /// The request is well-formed but not acceptable (names what is wrong).
    #[error("{0}")]
    Invalid(String),
    /// The request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// The per-conversation token is missing or wrong.
    #[error("{0}")]
    Unauthorized(String),
    /// The site enforces identity verification and the `user_hash` is missing or wrong.
    #[error("{0}")]
    IdentityUnverified(String),
    /// An idempotency key was replayed with another body.
    #[error("{0}")]
    IdempotencyConflict(String),
    /// Too many new sessions from one client address.
    #[error("{0}")]
    RateLimited(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The site's stored matrix no longer loads.
    #[error("the site's escalation matrix is invalid: {0}")]
    Matrix(String),
    /// An action would move the ticket into a lifecycle stage without what the
    /// site's matrix requires there.
    #[error(
        "the ticket cannot enter {} yet: it needs {}",
        stage.as_str(),
        missing.iter().map(|m| format!("{} ({})", m.info, m.how)).collect::<Vec<_>>().join(", ")
    )]
    MissingInformation {
        /// The stage refused.
        stage: waymark_core::domain::LifecycleStage,
        /// What it lacks.
        missing: Vec<policy::MissingInfo>,
    },
    /// The knowledge index failed.
    #[error("knowledge index: {0}")]
    Knowledge(String),
    /// The operating system gave no randomness for an id or token.
    #[error("no randomness available: {0}")]
    Randomness(String),
}

/// The site's escalation matrix: the newest stored version, else [`DEFAULT_MATRIX`].
pub async fn site_matrix(store: &Store, site_id: &str) -> Result<EscalationMatrix, FlowError> {
    let source = match store.site_matrix(site_id).await? {
        Some(stored) => stored.source,
        None => DEFAULT_MATRIX.to_owned(),
    };
    waymark_core::matrix::load_toml(&source).map_err(|err| FlowError::Matrix(err.to_string()))
}

/// Page events the rules see of a session: the latest ones (field sizes are
/// bounded at the edge, so this bounds the memory of one evaluation).
pub const SESSION_EVENTS: i64 = 300;

/// A session's page events, oldest first (at most the last [`SESSION_EVENTS`]).
pub async fn session_events(
    store: &Store,
    site_id: &str,
    session_id: &str,
) -> Result<Vec<ClientEvent>, FlowError> {
    let stored = store
        .trail(&TrailQuery {
            site_id,
            session_id,
            limit: SESSION_EVENTS,
        })
        .await?;
    Ok(stored
        .iter()
        .filter_map(|event| serde_json::from_str(&event.body).ok())
        .collect())
}

/// A new random id with a readable prefix (`c_…`, `t_…`, `m_…`).
pub fn new_id(prefix: &str) -> Result<String, FlowError> {
    Ok(format!("{prefix}_{}", random_hex(12)?))
}

/// A new per-conversation token (256 random bits, hex).
pub fn new_token() -> Result<String, FlowError> {
    random_hex(32)
}

/// What is stored of a token: its SHA-256, hex.
pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub(crate) fn random_hex(bytes: usize) -> Result<String, FlowError> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).map_err(|err| FlowError::Randomness(err.to_string()))?;
    Ok(hex(&buffer))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn ids_and_tokens_are_random_and_tokens_are_stored_hashed() {
        let (a, b) = (new_id("c").unwrap(), new_id("c").unwrap());
        assert!(a.starts_with("c_") && a.len() == 26 && a != b);
        let token = new_token().unwrap();
        assert_eq!(token.len(), 64);
        assert_eq!(hash_token(&token), hash_token(&token));
        assert_ne!(hash_token(&token), token);
    }

    #[test]
    fn default_matrix_loads() {
        let matrix = waymark_core::matrix::load_toml(DEFAULT_MATRIX).unwrap();
        assert_eq!(matrix.tiers.len(), 3);
    }
}
