//! Identity verification, as Intercom does it: the host's server computes
//! `user_hash = hex(HMAC-SHA256(site identity secret, user_id))` and the page
//! passes it with the identity. A verified identity's plan, tier and email steer
//! routing; unverified claims are stored marked unverified and the rules ignore
//! them. The site's mode decides what a missing or wrong hash costs:
//! - `off`: hashes are not checked; every claim is unverified;
//! - `optional` (default): a right hash verifies; a missing or wrong one leaves
//!   the claims unverified;
//! - `enforced`: an identity without a right hash is refused (401
//!   `identity_unverified`). Anonymous visitors (no identity, or the widget's
//!   `anonymous:<session>` with an email) are still served, unverified.

use waymark_core::wire::Identity;

use super::FlowError;
use super::conversation::ANONYMOUS_PREFIX;
use super::secrets::{constant_time_eq, hmac_hex};
use crate::storage::Store;

/// How a site treats `user_hash`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdentityMode {
    /// Not checked; every claim is unverified.
    Off,
    /// A right hash verifies; otherwise claims are unverified.
    #[default]
    Optional,
    /// A claimed identity must carry a right hash.
    Enforced,
}

impl IdentityMode {
    /// Parses `off | optional | enforced`.
    pub fn parse(text: &str) -> Result<Self, FlowError> {
        match text {
            "off" => Ok(Self::Off),
            "optional" => Ok(Self::Optional),
            "enforced" => Ok(Self::Enforced),
            other => Err(FlowError::Invalid(format!(
                "identity mode `{other}`: use off, optional or enforced"
            ))),
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Optional => "optional",
            Self::Enforced => "enforced",
        }
    }
}

/// The `user_hash` a host sends for `user_id` under `secret`.
pub fn user_hash(secret: &str, user_id: &str) -> String {
    hmac_hex(secret.as_bytes(), &[user_id])
}

/// Makes a new identity secret for the site and returns it (the only time it is
/// shown).
pub async fn rotate_secret(store: &Store, site_id: &str) -> Result<String, FlowError> {
    let secret = super::random_hex(32)?;
    if !store.set_identity_secret(site_id, &secret).await? {
        return Err(FlowError::NotFound(format!("there is no site `{site_id}`")));
    }
    tracing::info!(site = site_id, "identity secret rotated");
    Ok(secret)
}

/// Whether `identity` is verified on site `site_id`; refuses it (401) when the site
/// enforces verification and the hash is missing or wrong.
pub async fn verify(store: &Store, site_id: &str, identity: &Identity) -> Result<bool, FlowError> {
    let (mode, secret) = match store.site_trust(site_id).await? {
        Some(trust) => (
            IdentityMode::parse(&trust.identity_mode).unwrap_or_default(),
            trust.identity_secret,
        ),
        None => (IdentityMode::default(), None),
    };
    decide(mode, secret.as_deref(), identity)
}

/// The decision of [`verify`], without storage.
pub fn decide(
    mode: IdentityMode,
    secret: Option<&str>,
    identity: &Identity,
) -> Result<bool, FlowError> {
    if mode == IdentityMode::Off || identity.user_id.starts_with(ANONYMOUS_PREFIX) {
        return Ok(false);
    }
    let right = match (secret, identity.user_hash.as_deref()) {
        (Some(secret), Some(given)) => constant_time_eq(
            user_hash(secret, &identity.user_id).as_bytes(),
            given.trim().to_ascii_lowercase().as_bytes(),
        ),
        _ => false,
    };
    if !right && mode == IdentityMode::Enforced {
        let why = if identity.user_hash.is_none() {
            "missing"
        } else {
            "not valid for this user_id"
        };
        return Err(FlowError::IdentityUnverified(format!(
            "this site verifies identities: user_hash is {why} (HMAC-SHA256 of user_id with the site's identity secret, hex)"
        )));
    }
    Ok(right)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn claim(hash: Option<&str>) -> Identity {
        Identity {
            user_id: "u-1".into(),
            user_hash: hash.map(str::to_owned),
            plan: Some("enterprise".into()),
            ..Identity::default()
        }
    }

    #[test]
    fn modes_decide_what_a_hash_is_worth() {
        let right = user_hash("s3cret", "u-1");
        assert!(decide(IdentityMode::Optional, Some("s3cret"), &claim(Some(&right))).unwrap());
        assert!(!decide(IdentityMode::Optional, Some("s3cret"), &claim(Some("00"))).unwrap());
        assert!(!decide(IdentityMode::Optional, Some("s3cret"), &claim(None)).unwrap());
        assert!(!decide(IdentityMode::Off, Some("s3cret"), &claim(Some(&right))).unwrap());
        assert!(decide(IdentityMode::Enforced, Some("s3cret"), &claim(Some(&right))).unwrap());
        assert!(matches!(
            decide(IdentityMode::Enforced, Some("s3cret"), &claim(None)),
            Err(FlowError::IdentityUnverified(_))
        ));
        assert!(matches!(
            decide(IdentityMode::Enforced, None, &claim(Some(&right))),
            Err(FlowError::IdentityUnverified(_))
        ));
        let anonymous = Identity {
            user_id: "anonymous:s-1".into(),
            ..Identity::default()
        };
        assert!(!decide(IdentityMode::Enforced, Some("s3cret"), &anonymous).unwrap());
    }
}
