//! Values under sensitive keys: `token=…`, `password: …`, `"secret": "…"`.

use super::{ScrubConfig, placeholder_at, placeholder_len_at, splice};

/// Key fragments that make a key sensitive wherever they appear (`accessToken`,
/// `client_secret`, `x-api-key`…), after removing case and punctuation.
const SENSITIVE_FRAGMENTS: [&str; 12] = [
    "token",
    "passw",
    "secret",
    "apikey",
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

/// How a key is joined to its value; `:` is also how people write prose, so only
/// unmistakable keys count there (`code: 500` survives, `code=abc` does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Separator {
    /// `key=value` (query strings, form bodies).
    Equals,
    /// `key: value` or `"key": "value"`.
    Colon,
}

/// Whether values under `key` are secret (query-string rules, default config).
pub fn is_sensitive_key(key: &str) -> bool {
    is_sensitive_for(key, &ScrubConfig::default(), Separator::Equals)
}

pub(crate) fn is_sensitive_for(key: &str, config: &ScrubConfig, separator: Separator) -> bool {
    let normalized: String = key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if normalized.is_empty() {
        return false;
    }
    if SENSITIVE_FRAGMENTS
        .iter()
        .any(|fragment| crate::text::find_from(&normalized, fragment, 0).is_some())
    {
        return true;
    }
    let extra = config.extra_sensitive_keys.iter().any(|extra| {
        let extra: String = extra
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        !extra.is_empty() && extra == normalized
    });
    if extra {
        return true;
    }
    let parts = key
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(str::to_ascii_lowercase);
    match separator {
        Separator::Equals => parts
            .into_iter()
            .any(|part| SENSITIVE_PARTS.contains(&part.as_str())),
        Separator::Colon => parts
            .into_iter()
            .any(|part| matches!(part.as_str(), "auth" | "pwd" | "pass")),
    }
}

fn is_key_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.' | b'[' | b']')
}

fn ends_value(byte: u8, separator: Separator) -> bool {
    byte.is_ascii_whitespace()
        || matches!(
            byte,
            b'"' | b'\'' | b',' | b';' | b')' | b']' | b'}' | b'<' | b'>'
        )
        || (separator == Separator::Equals && matches!(byte, b'&' | b'#'))
}

/// Replaces the values of sensitive keys with `[redacted]`.
pub(crate) fn redact_sensitive_values(text: &str, config: &ScrubConfig) -> String {
    let bytes = text.as_bytes();
    let mut replacements = Vec::new();
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
        // The key: just before the separator, possibly closed by a quote.
        let mut key_end = separator_at;
        if key_end > 0 && matches!(bytes[key_end - 1], b'"' | b'\'') {
            key_end -= 1;
        }
        let mut key_start = key_end;
        while key_start > 0 && is_key_byte(bytes[key_start - 1]) {
            key_start -= 1;
        }
        if key_start == key_end
            || !is_sensitive_for(
                crate::text::slice(text, key_start, key_end),
                config,
                separator,
            )
        {
            continue;
        }
        // The value: after optional spaces and an optional opening quote.
        let mut start = separator_at + 1;
        while start < bytes.len() && bytes[start] == b' ' {
            start += 1;
        }
        let quote = bytes
            .get(start)
            .copied()
            .filter(|b| matches!(b, b'"' | b'\''));
        if quote.is_some() {
            start += 1;
        }
        if start >= bytes.len() || placeholder_at(text, start) {
            continue;
        }
        let end = match quote {
            Some(quote) => bytes[start..]
                .iter()
                .position(|b| *b == quote)
                .map_or(bytes.len(), |offset| start + offset),
            None => value_end(text, start, separator),
        };
        if end > start {
            replacements.push((start, end, "[redacted]"));
            index = end;
        }
    }
    splice(text, &replacements)
}

fn value_end(text: &str, start: usize, separator: Separator) -> usize {
    let bytes = text.as_bytes();
    let run_end = |from: usize| {
        bytes[from..]
            .iter()
            .position(|b| ends_value(*b, separator))
            .map_or(bytes.len(), |offset| from + offset)
    };
    let end = run_end(start);
    // `Authorization: Bearer abc` — the scheme word and its credential go together.
    let scheme = std::str::from_utf8(&bytes[start..end]).unwrap_or_default();
    let is_scheme = ["bearer", "basic", "token", "digest"]
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s));
    if is_scheme
        && bytes.get(end) == Some(&b' ')
        && bytes.get(end + 1).is_some_and(|b| !b.is_ascii_whitespace())
    {
        return match placeholder_len_at(text, end + 1) {
            Some(length) => end + 1 + length,
            None => run_end(end + 1),
        };
    }
    end
}
