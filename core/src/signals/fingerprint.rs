//! Stable fingerprints of JavaScript errors: equal for every occurrence of the same
//! error, whatever ids, numbers, quoted values or cache-busting hashes it carries.

use crate::ids::Fingerprint;
use crate::text::url_path;

/// The message with variable parts replaced: numbers by `N`, hex runs of 6 or more
/// by `H`, quoted text by `S`, runs of whitespace by one space.
pub fn normalize_error_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let chars: Vec<char> = message.chars().collect();
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        if matches!(c, '"' | '\'' | '`')
            && let Some(close) = chars[index + 1..].iter().position(|&d| d == c)
        {
            out.push('S');
            index += close + 2;
            continue;
        }
        if c.is_ascii_alphanumeric() {
            let start = index;
            while index < chars.len()
                && (chars[index].is_ascii_alphanumeric() || chars[index] == '_')
            {
                index += 1;
            }
            let word: String = chars[start..index].iter().collect();
            out.push_str(&normalize_word(&word));
            continue;
        }
        if c.is_whitespace() {
            while index < chars.len() && chars[index].is_whitespace() {
                index += 1;
            }
            out.push(' ');
            continue;
        }
        out.push(c);
        index += 1;
    }
    out.trim().to_owned()
}

fn normalize_word(word: &str) -> String {
    if word.chars().all(|c| c.is_ascii_digit()) {
        return "N".to_owned();
    }
    let has_digit = word.chars().any(|c| c.is_ascii_digit());
    if word.len() >= 6 && has_digit && word.chars().all(|c| c.is_ascii_hexdigit()) {
        return "H".to_owned();
    }
    word.to_owned()
}

/// The fingerprint of a JS error: FNV-1a (64 bit, hex) of the normalized message and
/// the script path (no host, query or content hash), so it is equal in every browser
/// and on the server.
pub fn fingerprint_js_error(message: &str, source: Option<&str>) -> Fingerprint {
    let script = source
        .map(url_path)
        .map(normalize_error_message)
        .unwrap_or_default();
    let key = format!("{}\n{}", normalize_error_message(message), script);
    Fingerprint(format!("{:016x}", fnv1a(key.as_bytes())))
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_parts_do_not_change_the_fingerprint() {
        let a = fingerprint_js_error(
            "TypeError: Cannot read properties of undefined (reading 'total') at order 1234",
            Some("https://cdn.shop.example/app.3f9a2b7c.js?v=2"),
        );
        let b = fingerprint_js_error(
            "TypeError: Cannot read properties of undefined (reading 'items') at order 98",
            Some("https://cdn-eu.shop.example/app.9c1d2e3f.js"),
        );
        assert_eq!(a, b);
        let other = fingerprint_js_error("ReferenceError: x is not defined", Some("/app.js"));
        assert_ne!(a, other);
        assert_eq!(a.as_str().len(), 16);
    }

    #[test]
    fn normalization() {
        assert_eq!(
            normalize_error_message("id 42  not   found: \"abc\""),
            "id N not found: S"
        );
        assert_eq!(
            normalize_error_message("chunk deadbeef1 failed"),
            "chunk H failed"
        );
        assert_eq!(
            normalize_error_message("Failed to fetch"),
            "Failed to fetch"
        );
    }
}
