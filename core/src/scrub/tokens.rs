//! Credentials that look like credentials: URL userinfo, JWTs, bearer tokens and
//! well-known API key prefixes.

use super::{is_word_byte, splice};
use crate::text::{find_from, slice};

/// `scheme://user:pass@host` → `scheme://[redacted]@host`.
pub(crate) fn redact_userinfo(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut replacements = Vec::new();
    let mut search_from = 0;
    while let Some(found) = find_from(text, "://", search_from) {
        let start = found + 3;
        let end = bytes[start..]
            .iter()
            .position(|b| {
                b.is_ascii_whitespace()
                    || matches!(b, b'/' | b'?' | b'#' | b'"' | b'\'' | b'<' | b'>')
            })
            .map_or(bytes.len(), |o| start + o);
        if let Some(at) = slice(text, start, end).rfind('@') {
            let userinfo = slice(text, start, start + at);
            if !userinfo.is_empty() && userinfo != "[redacted]" {
                replacements.push((start, start + at, "[redacted]"));
            }
        }
        search_from = end.max(start);
    }
    splice(text, &replacements)
}

fn is_base64url(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_')
}

/// `eyJ….eyJ….sig` (three base64url segments, header starting `eyJ`) → `[jwt]`.
pub(crate) fn redact_jwts(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut replacements = Vec::new();
    let mut search_from = 0;
    while let Some(start) = find_from(text, "eyJ", search_from) {
        search_from = start + 3;
        if start > 0 && is_base64url(bytes[start - 1]) {
            continue;
        }
        let mut end = start;
        let mut segment_lengths = Vec::new();
        loop {
            let segment_start = end;
            while end < bytes.len() && is_base64url(bytes[end]) {
                end += 1;
            }
            segment_lengths.push(end - segment_start);
            if segment_lengths.len() == 3 || bytes.get(end) != Some(&b'.') {
                break;
            }
            end += 1;
        }
        let looks_like_jwt =
            segment_lengths.len() == 3 && segment_lengths[0] >= 10 && segment_lengths[1] >= 10;
        if looks_like_jwt {
            replacements.push((start, end, "[jwt]"));
            search_from = end;
        }
    }
    splice(text, &replacements)
}

/// Prefixes of secret API keys that are unmistakable on their own.
const SECRET_PREFIXES: [&str; 9] = [
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "ghp_",
    "gho_",
    "ghs_",
    "github_pat_",
    "xoxb-",
    "xoxp-",
];

fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'+' | b'/' | b'=')
}

/// Secret API keys with a well-known prefix (`sk_live_…`, `ghp_…`, `xoxb-…`, AWS
/// `AKIA…`) of 16 characters or more → `[token]`.
pub(crate) fn redact_known_prefixes(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut replacements = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        let at_boundary = index == 0 || !is_token_byte(bytes[index - 1]);
        if !at_boundary || !bytes[index].is_ascii_alphanumeric() {
            index += 1;
            continue;
        }
        let end = bytes[index..]
            .iter()
            .position(|b| !is_token_byte(*b))
            .map_or(bytes.len(), |o| index + o);
        let word = slice(text, index, end);
        let known = SECRET_PREFIXES
            .iter()
            .any(|prefix| word.starts_with(prefix))
            || (word.starts_with("AKIA")
                && word.len() == 20
                && word
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
        if known && word.len() >= 16 {
            replacements.push((index, end, "[token]"));
        }
        index = end.max(index + 1);
    }
    splice(text, &replacements)
}

/// `Bearer <token of 8+ chars>` → `Bearer [token]` (any case).
pub(crate) fn redact_bearer(text: &str) -> String {
    let bytes = text.as_bytes();
    let lower = text.to_ascii_lowercase();
    let mut replacements = Vec::new();
    let mut search_from = 0;
    while let Some(word_start) = find_from(&lower, "bearer", search_from) {
        let mut start = word_start + "bearer".len();
        search_from = start;
        if word_start > 0 && is_word_byte(bytes[word_start - 1]) {
            continue;
        }
        let spaces_start = start;
        while start < bytes.len() && bytes[start] == b' ' {
            start += 1;
        }
        if start == spaces_start {
            continue;
        }
        let end = bytes[start..]
            .iter()
            .position(|b| !is_token_byte(*b))
            .map_or(bytes.len(), |o| start + o);
        if end - start >= 8 {
            replacements.push((start, end, "[token]"));
            search_from = end;
        }
    }
    splice(text, &replacements)
}
