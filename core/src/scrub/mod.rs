//! Scrubbing: removes secrets and personal data from URLs, messages and attribute
//! values before anything leaves the browser or is stored. Hand-written scanners,
//! no regex engine.
//!
//! What is replaced, and by what:
//! | found | becomes |
//! | --- | --- |
//! | `user:pass@` in a URL | `[redacted]@` |
//! | value of a sensitive key (`token=`, `password:` …) | `[redacted]` |
//! | JWT-looking strings (`eyJ….eyJ….…`) | `[jwt]` |
//! | `Bearer <token>` and well-known API key prefixes | `[token]` |
//! | emails (configurable) | `[email]` |
//! | IBANs (mod-97 checked) | `[iban]` |
//! | card numbers (13–19 digits, Luhn checked) | `[card]` |
//! | US SSNs (`123-45-6789`, valid ranges) | `[ssn]` |
//!
//! Benign values survive: `q=ok`, order numbers, timestamps, error codes.
//! Scrubbing is idempotent: scrubbing scrubbed text changes nothing.

mod email;
mod keys;
mod numbers;
mod tokens;

use serde::{Deserialize, Serialize};

pub use keys::is_sensitive_key;
pub use numbers::{iban_is_valid, luhn_is_valid};

/// What the placeholders look like; scanners never match them.
pub const PLACEHOLDERS: [&str; 7] = [
    "[redacted]",
    "[jwt]",
    "[token]",
    "[email]",
    "[iban]",
    "[card]",
    "[ssn]",
];

/// Scrubbing options (part of a site's privacy settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScrubConfig {
    /// Replace email addresses (default: yes).
    pub redact_emails: bool,
    /// More key names whose values are secret (compared ignoring case and punctuation).
    pub extra_sensitive_keys: Vec<String>,
}

impl Default for ScrubConfig {
    fn default() -> Self {
        Self {
            redact_emails: true,
            extra_sensitive_keys: Vec::new(),
        }
    }
}

/// Scrubs free text: messages, titles, error messages, URLs inside text.
pub fn scrub_text(text: &str, config: &ScrubConfig) -> String {
    let mut current = text.to_owned();
    // Replacements can make new neighbours meet; a few rounds reach a fixed point.
    for _ in 0..4 {
        let next = scrub_once(&current, config);
        if next == current {
            break;
        }
        current = next;
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
        return "[redacted]".to_owned();
    }
    scrub_text(value, config)
}

fn scrub_once(text: &str, config: &ScrubConfig) -> String {
    let text = tokens::redact_userinfo(text);
    let text = tokens::redact_jwts(&text);
    let text = tokens::redact_known_prefixes(&text);
    let text = tokens::redact_bearer(&text);
    let text = keys::redact_sensitive_values(&text, config);
    let text = if config.redact_emails {
        email::redact_emails(&text)
    } else {
        text
    };
    let text = numbers::redact_ibans(&text);
    let text = numbers::redact_cards(&text);
    numbers::redact_ssns(&text)
}

/// Whether a placeholder starts at byte `at` of `text`.
pub(crate) fn placeholder_at(text: &str, at: usize) -> bool {
    placeholder_len_at(text, at).is_some()
}

/// The length of the placeholder starting at byte `at` of `text`, if one does.
pub(crate) fn placeholder_len_at(text: &str, at: usize) -> Option<usize> {
    let rest = text.get(at..)?;
    PLACEHOLDERS
        .iter()
        .find(|p| rest.starts_with(*p))
        .map(|p| p.len())
}

/// Applies sorted, non-overlapping replacements `(start, end, with)` to `text`.
pub(crate) fn splice(text: &str, replacements: &[(usize, usize, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for (start, end, with) in replacements {
        if *start < cursor {
            continue;
        }
        out.push_str(crate::text::slice(text, cursor, *start));
        out.push_str(with);
        cursor = *end;
    }
    out.push_str(text.get(cursor..).unwrap_or_default());
    out
}

/// ASCII letters and digits.
pub(crate) fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrub(text: &str) -> String {
        scrub_text(text, &ScrubConfig::default())
    }

    #[test]
    fn secrets_are_replaced() {
        let cases = [
            (
                "https://bob:hunter2@example.com/x",
                "https://[redacted]@example.com/x",
            ),
            (
                "https://example.com/cb?code=abc123&state=ok&q=ok",
                "https://example.com/cb?code=[redacted]&state=ok&q=ok",
            ),
            (
                "/reset?token=9f8e7d&page=2",
                "/reset?token=[redacted]&page=2",
            ),
            (
                "?access_token=abc&accessToken=def&api-key=ghi",
                "?access_token=[redacted]&accessToken=[redacted]&api-key=[redacted]",
            ),
            (
                "Authorization: Bearer abcdef123456",
                "Authorization: [redacted]",
            ),
            (
                "curl -H 'Bearer abcdefgh12345678'",
                "curl -H 'Bearer [token]'",
            ),
            (
                "my password: hunter2 thanks",
                "my password: [redacted] thanks",
            ),
            (
                r#"{"password":"p@ss w0rd","user":"x"}"#,
                r#"{"password":"[redacted]","user":"x"}"#,
            ),
            (
                "mail me at jane.doe+help@example.co.uk.",
                "mail me at [email].",
            ),
            (
                "card 4111 1111 1111 1111 exp 12/29",
                "card [card] exp 12/29",
            ),
            ("card 4111-1111-1111-1111", "card [card]"),
            ("amex 378282246310005", "amex [card]"),
            (
                "IBAN DE89 3704 0044 0532 0130 00 please",
                "IBAN [iban] please",
            ),
            ("iban GB82WEST12345698765432", "iban [iban]"),
            ("ssn 123-45-6789", "ssn [ssn]"),
            (
                "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U ok",
                "jwt [jwt] ok",
            ),
            ("key sk_live_4eC39HqLyjWDarjtT1zdp7dc", "key [token]"),
        ];
        for (input, expected) in cases {
            assert_eq!(scrub(input), expected, "{input}");
        }
    }

    #[test]
    fn benign_values_survive() {
        let benign = [
            "https://shop.example/search?q=ok&page=2&sort=price",
            "order 123456 shipped, order number 4000-1234",
            "4111 1111 1111 1112 is not a card",
            "at 1700000000000 the request failed with code: E502",
            "error code: 500 at 10:30, retry in 2s",
            "author=jane&keyboard=azerty",
            "SSN-like 000-12-3456 and 666-12-3456 are invalid",
            "DE00 1234 5678 9012 3456 78 is not an IBAN",
            "see https://example.com/path#section",
            "no secrets here: hello world",
        ];
        for text in benign {
            assert_eq!(scrub(text), text);
        }
    }

    #[test]
    fn emails_can_be_kept() {
        let config = ScrubConfig {
            redact_emails: false,
            ..ScrubConfig::default()
        };
        assert_eq!(
            scrub_text("write to jane@example.com", &config),
            "write to jane@example.com"
        );
    }

    #[test]
    fn extra_keys_and_attributes() {
        let config = ScrubConfig {
            extra_sensitive_keys: vec!["tenant_secret_id".into(), "internal-ref".into()],
            ..ScrubConfig::default()
        };
        assert_eq!(
            scrub_text("internal_ref=42&x=1", &config),
            "internal_ref=[redacted]&x=1"
        );
        assert_eq!(scrub_attribute("Session-Id", "abc", &config), "[redacted]");
        assert_eq!(
            scrub_attribute("plan", "pro for bob@example.com", &config),
            "pro for [email]"
        );
    }

    #[test]
    fn scrubbing_is_idempotent_on_examples() {
        let text = "https://u:p@x.io/?token=a&q=ok Bearer abcdefgh1234 bob@x.io 4111111111111111 123-45-6789";
        let once = scrub(text);
        assert_eq!(scrub(&once), once);
    }
}
