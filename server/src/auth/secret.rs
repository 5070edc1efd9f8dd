//! Secrets handed to clients and how they are kept: API tokens (`wm_` + 256 random
//! bits), session cookie values and the session's CSRF token. Only SHA-256 hashes
//! are stored; comparisons run in constant time.

use sha2::{Digest, Sha256};

/// Every API token starts with this; the widget's site keys (`pk_…`) never do.
pub const TOKEN_PREFIX: &str = "wm_";

/// No randomness was available.
#[derive(Debug, thiserror::Error)]
#[error("no randomness available: {0}")]
pub struct RandomnessError(String);

fn random_hex(bytes: usize) -> Result<String, RandomnessError> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).map_err(|err| RandomnessError(err.to_string()))?;
    Ok(hex(&buffer))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A new API token: `wm_` and 64 hex digits.
pub fn new_api_token() -> Result<String, RandomnessError> {
    Ok(format!("{TOKEN_PREFIX}{}", random_hex(32)?))
}

/// A new session cookie value (64 hex digits).
pub fn new_session_id() -> Result<String, RandomnessError> {
    random_hex(32)
}

/// A new user id (`u_` and 24 hex digits).
pub fn new_user_id() -> Result<String, RandomnessError> {
    Ok(format!("u_{}", random_hex(12)?))
}

/// What is stored of a token or session id: its SHA-256, hex.
pub fn hash_secret(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// The CSRF token of a session: derived from the cookie value (which scripts
/// cannot read), so it needs no storage and is the same on every replica.
pub fn csrf_token(session_id: &str) -> String {
    hex(&Sha256::digest(
        format!("waymark-csrf:{session_id}").as_bytes(),
    ))
}

/// Compares two secrets without an early exit on the first differing byte.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_stored_hashed() {
        let (a, b) = (new_api_token().unwrap(), new_api_token().unwrap());
        assert!(a.starts_with("wm_") && a.len() == 67 && a != b);
        assert_eq!(hash_secret(&a), hash_secret(&a));
        assert_ne!(hash_secret(&a), a);
        assert!(constant_time_eq(a.as_bytes(), a.as_bytes()));
        assert!(!constant_time_eq(a.as_bytes(), b.as_bytes()));
        assert!(!constant_time_eq(b"ab", b"abc"));
        let session = new_session_id().unwrap();
        assert_ne!(csrf_token(&session), csrf_token(&new_session_id().unwrap()));
    }
}
