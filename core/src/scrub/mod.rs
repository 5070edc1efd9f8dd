//! Scrubbing: removes secrets and personal data from URLs, messages and attribute
//! values before anything leaves the browser or is stored. Hand-written scanners,
//! no regex engine, each linear in its input whatever the input is.
//!
//! What is replaced, and by what:
//! | found | becomes |
//! | --- | --- |
//! | `user:pass@` in a URL | `[redacted]@` |
//! | value of a sensitive key (`token=`, `password = …`, `"api_key": "…"`) | `[redacted]` |
//! | PEM private key blocks (`-----BEGIN … PRIVATE KEY-----` … `-----END …`) | `[private key]` |
//! | JWT-looking strings (`eyJ….eyJ….…`) | `[jwt]` |
//! | `Bearer <token>` and well-known API keys (`sk-`, `sk_live_`, `AKIA`, `AIza`, `ghp_`, `xoxb-` …) | `[token]` |
//! | emails (setting `redact_emails`, on by default) | `[email]` |
//! | IBANs (mod-97 checked) | `[iban]` |
//! | card numbers (13–19 digits, Luhn checked) | `[card]` |
//! | US SSNs (`123-45-6789`, valid ranges) | `[ssn]` |
//! | IPv4 and IPv6 addresses (setting `redact_ip_addresses`, off by default) | `[ip]` |
//! | the user name in `/home/<name>/`, `/Users/<name>/`, `C:\Users\<name>\` (setting `redact_home_directories`, on) | `[user]` |
//! | UUIDs (setting `redact_uuids`, off by default: they are usually record ids) | `[uuid]` |
//!
//! Private keys, IBANs, SSNs and the three optional families are scanned only with
//! the `scrub-extended` feature (the server, which scrubs every field again before
//! anything is stored); the widget builds without it.
//!
//! Percent-encoded text is read decoded (`password%3Dhunter2`, `%2540` nested
//! once or many times) and the whole encoded span is replaced.
//! Benign values survive: `q=ok`, order numbers, ISO dates, versions, invoice ids.
//! Scrubbing is idempotent: scrubbing scrubbed text changes nothing.
//!
//! How it runs: [`view`] decodes the text once; every scanner reports what it
//! found in the decoded text; the findings are merged in order (the first of
//! overlapping ones wins) and spliced into the original text in one pass.
//!
//! - [`keys`]: values under sensitive keys.
//! - [`tokens`]: URL userinfo, JWTs, bearer tokens, known API keys, PEM blocks.
//! - [`email`]: email addresses.
//! - [`numbers`]: card numbers, IBANs, SSNs.
//! - [`addresses`]: IP addresses, home directories, UUIDs (optional).

#[cfg(feature = "scrub-extended")]
mod addresses;
mod email;
mod keys;
mod numbers;
mod tokens;
mod view;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use keys::is_sensitive_key;
pub use numbers::{iban_is_valid, luhn_is_valid};

/// What the placeholders look like; scanners never match them.
pub const PLACEHOLDERS: [&str; 11] = [
    "[redacted]",
    "[private key]",
    "[jwt]",
    "[token]",
    "[email]",
    "[iban]",
    "[card]",
    "[ssn]",
    "[ip]",
    "[user]",
    "[uuid]",
];

/// Scrubbing options (part of a site's privacy settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScrubConfig {
    /// Replace email addresses (default: yes).
    pub redact_emails: bool,
    /// Replace IPv4 and IPv6 addresses (default: no; versions like `1.2.3.4` look
    /// like addresses too).
    pub redact_ip_addresses: bool,
    /// Replace the user name in home-directory paths (default: yes).
    pub redact_home_directories: bool,
    /// Replace UUIDs (default: no, they are usually record ids).
    pub redact_uuids: bool,
    /// More key names whose values are secret (compared ignoring case and punctuation).
    pub extra_sensitive_keys: Vec<String>,
}

impl Default for ScrubConfig {
    fn default() -> Self {
        Self {
            redact_emails: true,
            redact_ip_addresses: false,
            redact_home_directories: true,
            redact_uuids: false,
            extra_sensitive_keys: Vec::new(),
        }
    }
}

/// Scrubs free text: messages, titles, error messages, URLs inside text.
pub fn scrub_text(text: &str, config: &ScrubConfig) -> String {
    let Some(mut current) = scrub_once(text, config) else {
        return text.to_owned();
    };
    // A replacement can make new neighbours meet; one more round settles it.
    for _ in 0..2 {
        match scrub_once(&current, config) {
            Some(next) if next != current => current = next,
            _ => break,
        }
    }
    current
}

/// Scrubs a URL (same scanners as [`scrub_text`]).
pub fn scrub_url(url: &str, config: &ScrubConfig) -> String {
    scrub_text(url, config)
}

/// Scrubs an attribute value: all of it when the key itself is sensitive.
pub fn scrub_attribute(key: &str, value: &str, config: &ScrubConfig) -> String {
    if keys::is_sensitive_for(key, config, keys::Separator::Equals) {
        return REDACTED.to_owned();
    }
    scrub_text(value, config)
}

pub(crate) const REDACTED: &str = "[redacted]";

/// One finding: bytes `start..end` of the decoded text become `with`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    pub start: usize,
    pub end: usize,
    pub with: &'static str,
}

impl Found {
    pub(crate) fn new(start: usize, end: usize, with: &'static str) -> Self {
        debug_assert!(start < end);
        Self { start, end, with }
    }
}

/// One round: the scrubbed text, or `None` when nothing was found.
fn scrub_once(text: &str, config: &ScrubConfig) -> Option<String> {
    if text.is_empty() {
        return None;
    }
    let view = view::View::new(text);
    let bytes = view.bytes();
    // Each scanner reports in order of `start`; the lists are merged below.
    let mut lists: Vec<Vec<Found>> = Vec::with_capacity(12);
    let mut run = |scan: &dyn Fn(&[u8], &mut Vec<Found>)| {
        let mut found = Vec::new();
        scan(bytes, &mut found);
        debug_assert!(found.windows(2).all(|w| w[0].start <= w[1].start));
        lists.push(found);
    };
    #[cfg(feature = "scrub-extended")]
    run(&tokens::scan_private_keys);
    run(&tokens::scan_userinfo);
    run(&tokens::scan_jwts);
    run(&tokens::scan_known_keys);
    run(&tokens::scan_bearer);
    run(&|bytes, found| keys::scan(bytes, config, found));
    if config.redact_emails {
        run(&email::scan);
    }
    run(&numbers::scan_cards);
    #[cfg(feature = "scrub-extended")]
    {
        run(&numbers::scan_ibans);
        run(&numbers::scan_ssns);
    }
    // The optional families, like IBANs, SSNs and private keys above, run where the
    // `scrub-extended` feature is on (the server, which scrubs everything again
    // before anything is stored); the widget leaves them to the server to stay
    // within its size budget.
    #[cfg(feature = "scrub-extended")]
    {
        if config.redact_ip_addresses {
            run(&addresses::scan_ipv4);
            run(&addresses::scan_ipv6);
        }
        if config.redact_home_directories {
            run(&addresses::scan_home_directories);
        }
        if config.redact_uuids {
            run(&addresses::scan_uuids);
        }
    }
    let merged = merge(lists);
    (!merged.is_empty()).then(|| splice(text, &view, &merged))
}

/// Merges sorted lists into one sorted list without overlaps: of overlapping
/// findings the one that starts first (then the longest) wins; what it leaves of
/// the others is looked at again in the next round.
/// Linear in the number of findings times the number of lists.
fn merge(lists: Vec<Vec<Found>>) -> Vec<Found> {
    let mut heads = vec![0usize; lists.len()];
    let mut merged: Vec<Found> = Vec::new();
    loop {
        let mut best: Option<(usize, Found)> = None;
        for (list, found) in lists.iter().enumerate() {
            let Some(candidate) = found.get(heads[list]) else {
                continue;
            };
            let better = best.is_none_or(|(_, current)| {
                (candidate.start, std::cmp::Reverse(candidate.end))
                    < (current.start, std::cmp::Reverse(current.end))
            });
            if better {
                best = Some((list, *candidate));
            }
        }
        let Some((list, next)) = best else {
            return merged;
        };
        heads[list] += 1;
        if merged
            .last()
            .is_none_or(|previous| previous.end <= next.start)
        {
            merged.push(next);
        }
    }
}

/// Writes `text` with the findings (decoded positions) replaced.
fn splice(text: &str, view: &view::View, found: &[Found]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for finding in found {
        let (mut start, mut end) = view.original(finding.start, finding.end);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        while !text.is_char_boundary(end) {
            end += 1;
        }
        if start < cursor {
            continue;
        }
        // Never panics (a panic would pull its formatting code into the widget).
        out.push_str(crate::text::slice(text, cursor, start));
        out.push_str(finding.with);
        cursor = end;
    }
    out.push_str(text.get(cursor..).unwrap_or_default());
    out
}

/// The length of the placeholder starting at byte `at` of `bytes`, if one does.
pub(crate) fn placeholder_len_at(bytes: &[u8], at: usize) -> Option<usize> {
    let rest = bytes.get(at..)?;
    if rest.first() != Some(&b'[') {
        return None;
    }
    PLACEHOLDERS
        .iter()
        .find(|p| rest.starts_with(p.as_bytes()))
        .map(|p| p.len())
}

/// Whether a placeholder starts at byte `at` of `bytes`.
pub(crate) fn placeholder_at(bytes: &[u8], at: usize) -> bool {
    placeholder_len_at(bytes, at).is_some()
}

/// Whether `bytes[at..]` starts with `word`, ignoring ASCII case.
pub(crate) fn starts_with_ignore_case(bytes: &[u8], at: usize, word: &[u8]) -> bool {
    bytes
        .get(at..at + word.len())
        .is_some_and(|part| part.eq_ignore_ascii_case(word))
}

/// Where `needle` first occurs in `bytes` from `from`.
pub(crate) fn find(bytes: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|offset| from + offset)
}

/// The end of the run of bytes matching `keep`, from `from`.
pub(crate) fn run_end(bytes: &[u8], from: usize, keep: impl Fn(u8) -> bool) -> usize {
    bytes[from.min(bytes.len())..]
        .iter()
        .position(|b| !keep(*b))
        .map_or(bytes.len(), |offset| from + offset)
}
