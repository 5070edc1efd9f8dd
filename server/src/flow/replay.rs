//! Replays of widget requests by idempotency key: the stored row names the session
//! that made the request and the SHA-256 of its body next to the first answer, so
//! a replay answers only the same session with the same body (another body: 422
//! `idempotency_conflict`; another session: 404, as if the key were unknown).
//! Nothing secret is stored in the answer (a start's token is derived again).
//! Keys live [`KEY_LIFETIME_MS`]; [`purge_expired`] deletes older ones.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{FlowError, hex};
use crate::storage::{Store, StoreError};

/// How long an idempotency key answers replays: 24 hours.
pub const KEY_LIFETIME_MS: i64 = 24 * 3_600_000;

/// What an idempotency row of a widget request holds.
#[derive(Serialize, Deserialize)]
struct Stored<T> {
    session_id: String,
    body_hash: String,
    answer: T,
}

/// SHA-256 (hex) of the request as parsed, serialised again (so formatting and
/// key order of the sent JSON do not matter).
pub fn body_hash<T: Serialize>(request: &T) -> String {
    let canonical = serde_json::to_vec(request).unwrap_or_default();
    hex(&Sha256::digest(&canonical))
}

/// The row to store for `answer`.
pub fn stored<T: Serialize>(session_id: &str, body_hash: &str, answer: &T) -> String {
    crate::storage::to_json(&Stored {
        session_id: session_id.to_owned(),
        body_hash: body_hash.to_owned(),
        answer,
    })
}

/// The first answer, if `session_id` sent the same body; else 404 or 422.
pub fn check<T: DeserializeOwned>(
    row: &str,
    session_id: &str,
    body_hash: &str,
) -> Result<T, FlowError> {
    let stored: Stored<T> = serde_json::from_str(row).map_err(|err| {
        FlowError::Store(StoreError::Corrupt {
            table: "idempotency_keys",
            column: "response",
            message: err.to_string(),
        })
    })?;
    if !super::secrets::constant_time_eq(stored.session_id.as_bytes(), session_id.as_bytes()) {
        return Err(FlowError::NotFound(
            "nothing was started with this idempotency key".into(),
        ));
    }
    if stored.body_hash != body_hash {
        return Err(FlowError::IdempotencyConflict(
            "idempotency_key was used with another body: send a new key for a new request".into(),
        ));
    }
    Ok(stored.answer)
}

/// Deletes idempotency keys older than [`KEY_LIFETIME_MS`] at `now_ms`; returns how many.
pub async fn purge_expired(store: &Store, now_ms: i64) -> Result<u64, FlowError> {
    let purged = store
        .purge_idempotency_keys(now_ms - KEY_LIFETIME_MS)
        .await?;
    if purged > 0 {
        tracing::info!(purged, "expired idempotency keys purged");
    }
    Ok(purged)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_the_same_session_with_the_same_body_gets_the_answer() {
        let row = stored("s-1", "h1", &42_u32);
        assert_eq!(check::<u32>(&row, "s-1", "h1").unwrap(), 42);
        assert!(matches!(
            check::<u32>(&row, "s-2", "h1"),
            Err(FlowError::NotFound(_))
        ));
        assert!(matches!(
            check::<u32>(&row, "s-1", "h2"),
            Err(FlowError::IdempotencyConflict(_))
        ));
    }
}
