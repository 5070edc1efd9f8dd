//! The clients behind widget sessions: each session remembers a salted hash of
//! the address it first came from (never the address), so volume rules count one
//! client once however many sessions it opens, and a client opening sessions by
//! the hundred is refused.

use std::net::IpAddr;

use super::FlowError;
use super::secrets::{client_hash, install_secret};
use crate::storage::Store;

/// One hour, the window of the new-session cap.
const HOUR_MS: i64 = 3_600_000;

/// The client-address hash for a batch of `session_id`; refuses (429) a session
/// new to the site when its client already opened `cap` sessions in the last hour.
pub async fn admit_session(
    store: &Store,
    site_id: &str,
    session_id: &str,
    address: Option<IpAddr>,
    cap: u32,
    now_ms: i64,
) -> Result<String, FlowError> {
    let secret = install_secret(store).await?;
    let address = address.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let hash = client_hash(&secret, site_id, &address);
    if store.session_known(site_id, session_id).await? {
        return Ok(hash);
    }
    let opened = store
        .new_sessions_of_client(site_id, &hash, now_ms - HOUR_MS)
        .await?;
    if opened >= i64::from(cap) {
        tracing::warn!(
            site = site_id,
            opened,
            "new session refused: too many from one client"
        );
        return Err(FlowError::RateLimited(format!(
            "too many new sessions from this address ({cap} an hour): try again later"
        )));
    }
    Ok(hash)
}
