//! Values under sensitive keys: `token=…`, `password = …`, `password: …`,
//! `"secret": "…"`, `Authorization: Bearer …`.
//!
//! Linear: the key before a separator is read backwards up to the previous
//! separator at most, and after a value is found the scan resumes behind it.

use super::{Found, REDACTED, ScrubConfig, placeholder_at, placeholder_len_at, run_end};

/// Key fragments that make a key sensitive wherever they appear (`accessToken`,
/// `client_secret`, `x-api-key`…), after removing case and punctuation.
const SENSITIVE_FRAGMENTS: [&str; 14] = [
    "token",
    "passw",
    "passphrase",
    "secret",
    "apikey",
    "accesskey",
    "credential",
    "session",
    "signature",
    "privatekey",
    "authorization",
    "cookie",
    "csrf",
    "jwt",
];

/// Short key parts that are sensitive only as a whole part (`code`, `api-key`, `sid`).
const SENSITIVE_PARTS: [&str; 12] = [
    "auth", "key", "code", "sid", "pwd", "pass", "pin", "otp", "sig", "ssn", "cvv", "cvc",
];

/// Keys longer than this are not keys but prose or data.
const MAX_KEY_BYTES: usize = 128;

/// How a key is joined to its value; `:` is also how people write prose, so only
/// unmistakable keys count there (`code: 500` survives, `code=abc` does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Separator {
    /// `key=value` (query strings, form bodies, assignments).
    Equals,
    /// `key: value` or `"key": "value"`.
    Colon,
}

/// Whether values under `key` are secret (query-string rules, default config).
pub fn is_sensitive_key(key: &str) -> bool {
    is_sensitive_for(key, &ScrubConfig::default(), Separator::Equals)
}

fn normalized(key: &str) -> String {
    key.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

pub(crate) fn is_sensitive_for(key: &str, config: &ScrubConfig, separator: Separator) -> bool {
    let normal = normalized(key);
    if normal.is_empty() {
        return false;
    }
    if SENSITIVE_FRAGMENTS
        .iter()
        .any(|fragment| super::find(normal.as_bytes(), fragment.as_bytes(), 0).is_some())
    {
        return true;
    }
    if config
        .extra_sensitive_keys
        .iter()
        .any(|extra| normalized(extra) == normal)
    {
        return true;
    }
    let mut parts = key
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(str::to_ascii_lowercase);
    match separator {
        Separator::Equals => parts.any(|part| SENSITIVE_PARTS.contains(&part.as_str())),
        Separator::Colon => parts.any(|part| matches!(part.as_str(), "auth" | "pwd" | "pass")),
    }
}

fn is_key_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.' | b'[' | b']')
}

fn is_blank(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t')
}

fn ends_value(byte: u8, separator: Separator) -> bool {
    byte.is_ascii_whitespace()
        || matches!(
            byte,
            b'"' | b'\'' | b',' | b';' | b')' | b']' | b'}' | b'<' | b'>'
        )
        || (separator == Separator::Equals && matches!(byte, b'&' | b'#'))
}

/// Reports the values of sensitive keys.
pub(crate) fn scan(bytes: &[u8], config: &ScrubConfig, found: &mut Vec<Found>) {
    let mut index = 0;
    while index < bytes.len() {
        let separator = match bytes[index] {
            b'=' => Separator::Equals,
            b':' => Separator::Colon,
            _ => {
                index += 1;
                continue;
            }
        };
        let separator_at = index;
        index += 1;
        let Some(key) = key_before(bytes, separator_at) else {
            continue;
        };
        if !is_sensitive_for(key, config, separator) {
            continue;
        }
        if let Some((start, end)) = value_after(bytes, separator_at + 1, separator) {
            found.push(Found::new(start, end, REDACTED));
            index = end;
        }
    }
}

/// The key just before a separator: blanks and a closing quote may sit between.
fn key_before(bytes: &[u8], separator_at: usize) -> Option<&str> {
    let mut end = separator_at;
    while end > 0 && is_blank(bytes[end - 1]) {
        end -= 1;
    }
    if end > 0 && matches!(bytes[end - 1], b'"' | b'\'') {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && is_key_byte(bytes[start - 1]) {
        start -= 1;
    }
    if start == end || end - start > MAX_KEY_BYTES {
        return None;
    }
    std::str::from_utf8(&bytes[start..end]).ok()
}

/// The value after a separator: after blanks and an optional opening quote.
fn value_after(bytes: &[u8], from: usize, separator: Separator) -> Option<(usize, usize)> {
    let mut start = run_end(bytes, from, is_blank);
    let quote = bytes
        .get(start)
        .copied()
        .filter(|b| matches!(b, b'"' | b'\''));
    if quote.is_some() {
        start += 1;
    }
    if start >= bytes.len() || placeholder_at(bytes, start) {
        return None;
    }
    let end = match quote {
        Some(quote) => quoted_end(bytes, start, quote),
        None => unquoted_end(bytes, start, separator),
    };
    (end > start).then_some((start, end))
}

/// The closing quote (a backslash escapes the next byte) or the end of the line.
fn quoted_end(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut index = start;
    while index < bytes.len() {
        match bytes[index] {
            b'\\' => index += 2,
            b'\n' => return index,
            byte if byte == quote => return index,
            _ => index += 1,
        }
    }
    bytes.len()
}

fn unquoted_end(bytes: &[u8], start: usize, separator: Separator) -> usize {
    let end = run_end(bytes, start, |b| !ends_value(b, separator));
    // `Authorization: Bearer abc` — the scheme word and its credential go together.
    let is_scheme = [&b"bearer"[..], b"basic", b"token", b"digest"]
        .iter()
        .any(|scheme| bytes[start..end].eq_ignore_ascii_case(scheme));
    if is_scheme
        && bytes.get(end) == Some(&b' ')
        && bytes.get(end + 1).is_some_and(|b| !b.is_ascii_whitespace())
    {
        return match placeholder_len_at(bytes, end + 1) {
            Some(length) => end + 1 + length,
            None => run_end(bytes, end + 1, |b| !ends_value(b, separator)),
        };
    }
    end
}
