//! The terms an agent action comes with: an optional `Idempotency-Key` (a retried
//! request is applied once; the same key with another request is refused with 422)
//! and an optional ticket version (`If-Match` or the body's `expected_version`; a
//! stale one is refused with 409 `version_conflict`). Keys are remembered for 24 hours.

use axum::http::{HeaderMap, header};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::auth::Agent;
use crate::api::AppState;
use crate::api::error::{ApiError, ErrorCode};
use crate::flow::agent::{Actor, AgentRequest};
use crate::storage::{AgentRequestRecord, now_ms};

/// The header that makes an agent action idempotent.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// How long an agent action's key is remembered.
pub const KEY_LIFETIME_MS: i64 = 24 * 3600 * 1000;

/// An action's key and expected version.
#[derive(Debug, Clone, Default)]
pub struct Terms {
    /// The ticket version the agent saw.
    pub expected_version: Option<i64>,
    /// The key and the hash of the request.
    pub request: Option<AgentRequest>,
}

/// Reads the terms of `action` on `ticket_id` with `body`.
pub fn terms(
    headers: &HeaderMap,
    action: &str,
    ticket_id: &str,
    body: &impl Serialize,
    body_version: Option<i64>,
) -> Result<Terms, ApiError> {
    let header_version = match headers.get(header::IF_MATCH) {
        None => None,
        Some(value) => Some(parse_if_match(value.to_str().unwrap_or_default())?),
    };
    let expected_version = match (header_version, body_version) {
        (Some(a), Some(b)) if a != b => {
            return Err(ApiError::new(
                ErrorCode::InvalidValue,
                "expected_version: differs from the If-Match header",
            ));
        }
        (a, b) => a.or(b),
    };
    let request = match headers.get(IDEMPOTENCY_HEADER) {
        None => None,
        Some(value) => {
            let key = value.to_str().unwrap_or_default().trim();
            if key.is_empty() || key.len() > 128 {
                return Err(ApiError::new(
                    ErrorCode::InvalidValue,
                    "Idempotency-Key: must be 1 to 128 visible ASCII characters",
                ));
            }
            let body = serde_json::to_string(body)
                .map_err(|err| ApiError::new(ErrorCode::Internal, err.to_string()))?;
            let digest = Sha256::digest(format!("{action}\n{ticket_id}\n{body}").as_bytes());
            Some(AgentRequest {
                key: key.to_owned(),
                request_hash: digest.iter().map(|b| format!("{b:02x}")).collect(),
            })
        }
    };
    Ok(Terms {
        expected_version,
        request,
    })
}

/// `If-Match: "3"`, `W/"3"` or `3`.
fn parse_if_match(value: &str) -> Result<i64, ApiError> {
    let trimmed = value.trim();
    let unquoted = trimmed
        .strip_prefix("W/")
        .unwrap_or(trimmed)
        .trim_matches('"');
    unquoted.parse().map_err(|_| {
        ApiError::new(
            ErrorCode::InvalidValue,
            format!("If-Match: `{value}` is not a ticket version such as \"3\""),
        )
    })
}

/// The earlier request with the same key, if there was one; the same key with
/// another request is refused.
pub async fn earlier<C>(
    state: &AppState,
    agent: &Agent<C>,
    terms: &Terms,
) -> Result<Option<AgentRequestRecord>, ApiError> {
    let Some(request) = &terms.request else {
        return Ok(None);
    };
    state
        .store
        .purge_agent_requests(&agent.site_id, &agent.user.id, now_ms() - KEY_LIFETIME_MS)
        .await?;
    let found = state
        .store
        .agent_request(&agent.site_id, &agent.user.id, &request.key)
        .await?;
    match found {
        Some(stored) if stored.request_hash != request.request_hash => Err(ApiError::new(
            ErrorCode::IdempotencyConflict,
            format!(
                "Idempotency-Key `{}` was used for another request; use a new key",
                request.key
            ),
        )),
        other => Ok(other),
    }
}

/// The flow's actor: the authenticated user, checked against a legacy `agent` field.
pub fn actor<'a, C>(
    agent: &'a Agent<C>,
    claimed: Option<&str>,
    terms: &'a Terms,
) -> Result<Actor<'a>, ApiError> {
    Ok(Actor {
        agent: agent.actor_id(claimed)?,
        now_ms: now_ms(),
        expected_version: terms.expected_version,
        request: terms.request.as_ref(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn if_match_reads_quoted_weak_and_bare_versions() {
        assert_eq!(parse_if_match("\"3\"").unwrap(), 3);
        assert_eq!(parse_if_match("W/\"12\"").unwrap(), 12);
        assert_eq!(parse_if_match(" 4 ").unwrap(), 4);
        assert!(parse_if_match("abc").is_err());
    }
}
