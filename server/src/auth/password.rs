//! Passwords: argon2id with the crate's default parameters, a salt per hash from
//! the operating system, and the policy (at least [`MIN_LENGTH`] characters).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 10;
/// The longest password accepted (hashing cost stays bounded).
pub const MAX_LENGTH: usize = 1024;

/// Why a password could not be set or hashed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The password breaks the policy; the message names the rule.
    #[error("{field}: {message}")]
    Policy {
        /// The field it came in.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// No randomness for the salt, or the hasher failed.
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// Checks the policy for a new password given in `field`.
pub fn check_policy(field: &'static str, password: &str) -> Result<(), PasswordError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(PasswordError::Policy {
            field,
            message: format!("must be at least {MIN_LENGTH} characters"),
        });
    }
    if password.len() > MAX_LENGTH {
        return Err(PasswordError::Policy {
            field,
            message: format!("must be at most {MAX_LENGTH} bytes"),
        });
    }
    Ok(())
}

/// The argon2id hash of `password` as a PHC string.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|err| PasswordError::Hashing(err.to_string()))?;
    let salt =
        SaltString::encode_b64(&salt).map_err(|err| PasswordError::Hashing(err.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| PasswordError::Hashing(err.to_string()))
}

/// Whether `password` matches the stored `hash` (false for an unreadable hash).
pub fn verify(password: &str, hash: &str) -> bool {
    if password.len() > MAX_LENGTH {
        return false;
    }
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of no one's password, verified against when the email is unknown so that
/// an unknown email and a wrong password take the same time.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("decoy password of no account").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify_only_the_password() {
        let first = hash("correct horse battery").unwrap();
        let second = hash("correct horse battery").unwrap();
        assert!(first.starts_with("$argon2id$"), "{first}");
        assert_ne!(first, second, "each hash has its own salt");
        assert!(verify("correct horse battery", &first));
        assert!(!verify("correct horse batterz", &first));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn policy_names_the_field_and_the_rule() {
        let err = check_policy("new_password", "short")
            .unwrap_err()
            .to_string();
        assert!(err.contains("new_password") && err.contains("10"), "{err}");
        assert!(check_policy("new_password", "long enough!").is_ok());
    }
}
