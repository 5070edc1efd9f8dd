//! Creating sites: the checks on a site id and its allowed origins, and a fresh
//! public widget key.

use super::{FlowError, random_hex};
use crate::storage::{Site, Store};

/// Checks a site id: 1 to 64 characters of `a-z`, `0-9`, `-` and `_`.
pub fn validate_site_id(id: &str) -> Result<(), FlowError> {
    let ok = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(FlowError::Invalid(format!(
            "site id `{id}`: use 1 to 64 characters of a-z, 0-9, - and _"
        )))
    }
}

/// Normalises an allowed origin (`https://app.example.com`, with an optional port):
/// a scheme and a host, no path, query or credentials; as browsers send it in `Origin`.
pub fn normalize_origin(origin: &str) -> Result<String, FlowError> {
    let refuse = |why: &str| {
        FlowError::Invalid(format!(
            "origin `{origin}`: {why} (expected e.g. https://app.example.com)"
        ))
    };
    let trimmed = origin.trim().trim_end_matches('/');
    let (scheme, rest) = trimmed
        .split_once("://")
        .ok_or_else(|| refuse("no scheme"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(refuse("the scheme must be http or https"));
    }
    if rest.is_empty() {
        return Err(refuse("no host"));
    }
    if rest.contains(['/', '?', '#', '@', ' ']) {
        return Err(refuse(
            "an origin has no path, query, fragment or credentials",
        ));
    }
    // `[::1]` is an IPv6 host without a port; `[::1]:8080` and `host:8080` have one.
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) if !rest.ends_with(']') => (host, Some(port)),
        _ => (rest, None),
    };
    if let Some(port) = port
        && port.parse::<u16>().is_err()
    {
        return Err(refuse("the port is not a number"));
    }
    if host.is_empty() {
        return Err(refuse("no host"));
    }
    Ok(format!("{scheme}://{}", rest.to_ascii_lowercase()))
}

/// Creates site `id` with a fresh public key; refuses an id that exists.
pub async fn create_site(
    store: &Store,
    id: &str,
    name: &str,
    origins: &[String],
) -> Result<Site, FlowError> {
    validate_site_id(id)?;
    if name.trim().is_empty() {
        return Err(FlowError::Invalid("the site name is empty".into()));
    }
    let allowed_origins = origins
        .iter()
        .map(|origin| normalize_origin(origin))
        .collect::<Result<Vec<_>, _>>()?;
    let site = Site {
        id: id.to_owned(),
        public_key: format!("pk_{}", random_hex(12)?),
        name: name.trim().to_owned(),
        allowed_origins,
    };
    if !store.ensure_site(&site).await? {
        return Err(FlowError::Conflict(format!("site `{id}` exists already")));
    }
    Ok(site)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn site_ids_are_simple_slugs() {
        for good in ["acme", "acme-eu", "a_1"] {
            assert!(validate_site_id(good).is_ok(), "{good}");
        }
        for bad in ["", "Acme", "acme eu", "acme/eu", &"a".repeat(65)] {
            assert!(validate_site_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn origins_are_scheme_and_host_as_browsers_send_them() {
        assert_eq!(
            normalize_origin("https://App.Example.com/").unwrap(),
            "https://app.example.com"
        );
        assert_eq!(
            normalize_origin("http://localhost:3000").unwrap(),
            "http://localhost:3000"
        );
        assert_eq!(
            normalize_origin("http://[::1]:8080").unwrap(),
            "http://[::1]:8080"
        );
        for bad in [
            "app.example.com",
            "ftp://example.com",
            "https://example.com/app",
            "https://user@example.com",
            "https://example.com:port",
            "https://",
        ] {
            let err = normalize_origin(bad).unwrap_err().to_string();
            assert!(err.contains(bad), "{bad}: {err}");
        }
    }
}
