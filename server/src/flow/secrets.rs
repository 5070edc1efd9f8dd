//! Keyed hashes (HMAC-SHA256) and the installation secret they use.
//!
//! One random secret per installation, kept in the database (so every server of a
//! PostgreSQL deployment shares it), keys three derivations:
//! - the per-conversation token, `HMAC(secret, "token" ‖ site ‖ conversation)`:
//!   a replayed start from the same session gets its token again although only
//!   the token's SHA-256 is stored — no table ever holds a usable token;
//! - the opaque answer ids given to visitors (not walkable, not guessable);
//! - the salted hash of a client address (volume rules, new-session caps): the
//!   address itself is never stored.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{FlowError, hex, random_hex};
use crate::storage::Store;

/// The install secret's row name.
const INSTALL_SECRET: &str = "derivation";

/// HMAC-SHA256 of `parts` (joined by NUL) under `key`, hex.
pub fn hmac_hex(key: &[u8], parts: &[&str]) -> String {
    // HMAC takes keys of any length: `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            mac.update(&[0]);
        }
        mac.update(part.as_bytes());
    }
    hex(&mac.finalize().into_bytes())
}

/// Constant-time equality of two byte strings.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The installation's derivation secret (created on first use; cached).
pub async fn install_secret(store: &Store) -> Result<String, FlowError> {
    if let Some(secret) = store.cached_secret() {
        return Ok(secret);
    }
    let secret = store
        .install_secret(INSTALL_SECRET, &random_hex(32)?)
        .await?;
    store.cache_secret(&secret);
    Ok(secret)
}

/// The per-conversation token of `conversation_id`.
pub fn conversation_token(secret: &str, site_id: &str, conversation_id: &str) -> String {
    hmac_hex(secret.as_bytes(), &["token", site_id, conversation_id])
}

/// The opaque id a visitor sees for document `doc_id` (`a_` and 24 hex digits).
pub fn answer_id(secret: &str, site_id: &str, doc_id: &str) -> String {
    let full = hmac_hex(secret.as_bytes(), &["answer", site_id, doc_id]);
    format!("a_{}", &full[..24.min(full.len())])
}

/// The salted hash of a client address, per site (not linkable across sites).
pub fn client_hash(secret: &str, site_id: &str, address: &str) -> String {
    let full = hmac_hex(secret.as_bytes(), &["client", site_id, address]);
    full[..32.min(full.len())].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivations_are_keyed_and_separated() {
        let token = conversation_token("k", "demo", "c_1");
        assert_eq!(token.len(), 64);
        assert_eq!(token, conversation_token("k", "demo", "c_1"));
        assert_ne!(token, conversation_token("k2", "demo", "c_1"));
        assert_ne!(token, conversation_token("k", "other", "c_1"));
        assert!(answer_id("k", "demo", "T-1").starts_with("a_"));
        assert_ne!(answer_id("k", "demo", "T-1"), answer_id("k", "demo", "T-2"));
        assert_ne!(
            client_hash("k", "a", "10.0.0.1"),
            client_hash("k", "b", "10.0.0.1")
        );
    }

    #[test]
    fn hmac_matches_the_rfc_4231_vector() {
        // RFC 4231, test case 2.
        assert_eq!(
            hmac_hex(b"Jefe", &["what do ya want for nothing?"]),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
