//! The clients behind widget sessions: each session remembers a salted hash of
//! the address it first came from (never the address), so volume rules count one
//! client once however many sessions it opens, and a client opening sessions by
//! the hundred is refused.

use std::net::IpAddr;

use super::FlowError;
use super::secrets::{client_hash, install_secret};
use crate::storage::events::{IngestOutcome, NewEvent};
use crate::storage::{IngestBatch, NewSessionLimit, Store, StoreError};

/// One hour, the window of the new-session cap.
const HOUR_MS: i64 = 3_600_000;

/// Stores a batch of `session_id`'s events with the salted hash of its client's
/// address; refuses (429) a session new to the site when its client already
/// opened `cap` sessions in the last hour. The check runs in the transaction that
/// would create the session, so concurrent batches count each other.
pub async fn ingest_batch(
    store: &Store,
    site_id: &str,
    session_id: &str,
    events: Vec<NewEvent>,
    address: Option<IpAddr>,
    cap: u32,
    now_ms: i64,
) -> Result<IngestOutcome, FlowError> {
    let secret = install_secret(store).await?;
    let address = address.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let batch = IngestBatch {
        site_id: site_id.to_owned(),
        session_id: session_id.to_owned(),
        events,
        client_hash: Some(client_hash(&secret, site_id, &address)),
        received_ms: now_ms,
        new_sessions: Some(NewSessionLimit {
            max: cap,
            since_ms: now_ms - HOUR_MS,
        }),
    };
    match store.ingest(batch).await {
        Err(StoreError::TooManyNewSessions { opened }) => {
            tracing::warn!(
                site = site_id,
                opened,
                "new session refused: too many from one client"
            );
            Err(FlowError::RateLimited(format!(
                "too many new sessions from this address ({cap} an hour): try again later"
            )))
        }
        other => Ok(other?),
    }
}
