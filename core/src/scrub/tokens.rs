//! Credentials that look like credentials: PEM private keys, URL userinfo, JWTs,
//! bearer tokens and well-known API keys.
//!
//! Linear: every scanner resumes behind what it read, except the JWT scanner, which
//! reads at most three dot-separated segments from a start, and a segment holds at
//! most one start, so each byte is read at most three times.

use super::{Found, REDACTED, find, placeholder_at, run_end, starts_with_ignore_case};

#[cfg(feature = "scrub-extended")]
const PEM_BEGIN: &[u8] = b"-----BEGIN ";
#[cfg(feature = "scrub-extended")]
const PEM_END: &[u8] = b"-----END ";
#[cfg(feature = "scrub-extended")]
const PEM_DASHES: &[u8] = b"-----";
/// The longest label between `BEGIN ` and the dashes (`ENCRYPTED PRIVATE KEY`…).
#[cfg(feature = "scrub-extended")]
const PEM_MAX_LABEL: usize = 64;

/// `-----BEGIN … PRIVATE KEY-----` up to its `-----END …-----` line (or the end of
/// the text when it was cut) → `[private key]`.
#[cfg(feature = "scrub-extended")]
pub(crate) fn scan_private_keys(bytes: &[u8], found: &mut Vec<Found>) {
    let mut from = 0;
    while let Some(begin) = find(bytes, PEM_BEGIN, from) {
        let label_start = begin + PEM_BEGIN.len();
        from = label_start;
        let label_end = run_end(bytes, label_start, |b| b.is_ascii_uppercase() || b == b' ');
        let label = &bytes[label_start..label_end];
        let is_private = label.len() <= PEM_MAX_LABEL
            && find(label, b"PRIVATE KEY", 0).is_some()
            && bytes[label_end..].starts_with(PEM_DASHES);
        if !is_private {
            continue;
        }
        let body = label_end + PEM_DASHES.len();
        let end = match find(bytes, PEM_END, body) {
            Some(end_line) => {
                let after_label = run_end(bytes, end_line + PEM_END.len(), |b| {
                    b.is_ascii_uppercase() || b == b' '
                });
                if bytes[after_label..].starts_with(PEM_DASHES) {
                    after_label + PEM_DASHES.len()
                } else {
                    after_label
                }
            }
            None => bytes.len(),
        };
        found.push(Found::new(begin, end, "[private key]"));
        from = end;
    }
}

/// `scheme://user:pass@host` → `scheme://[redacted]@host`.
pub(crate) fn scan_userinfo(bytes: &[u8], found: &mut Vec<Found>) {
    let mut from = 0;
    while let Some(separator) = find(bytes, b"://", from) {
        let start = separator + 3;
        let end = run_end(bytes, start, |b| {
            !(b.is_ascii_whitespace()
                || matches!(b, b'/' | b'?' | b'#' | b'"' | b'\'' | b'<' | b'>'))
        });
        if let Some(at) = bytes[start..end].iter().rposition(|b| *b == b'@') {
            let userinfo = &bytes[start..start + at];
            if !userinfo.is_empty() && userinfo != REDACTED.as_bytes() {
                found.push(Found::new(start, start + at, REDACTED));
            }
        }
        from = end.max(start);
    }
}

fn is_base64url(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_')
}

/// `eyJ….eyJ….sig` (three base64url segments, header starting `eyJ`) → `[jwt]`.
pub(crate) fn scan_jwts(bytes: &[u8], found: &mut Vec<Found>) {
    let mut from = 0;
    while let Some(start) = find(bytes, b"eyJ", from) {
        from = start + 3;
        if start > 0 && is_base64url(bytes[start - 1]) {
            continue;
        }
        let mut end = start;
        let mut segment_lengths = [0usize; 3];
        let mut segments = 0;
        while segments < 3 {
            let segment_start = end;
            end = run_end(bytes, end, is_base64url);
            segment_lengths[segments] = end - segment_start;
            segments += 1;
            if segments == 3 || bytes.get(end) != Some(&b'.') {
                break;
            }
            end += 1;
        }
        if segments == 3 && segment_lengths[0] >= 10 && segment_lengths[1] >= 10 {
            found.push(Found::new(start, end, "[jwt]"));
            from = end;
        }
    }
}

fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'+' | b'/' | b'=')
}

/// A key with a known prefix: the prefix and the fewest bytes the whole key has.
struct KnownKey {
    prefix: &'static [u8],
    min_len: usize,
}

/// Prefixes of secret API keys that are unmistakable on their own (Stripe, OpenAI
/// and Anthropic, GitHub, GitLab, Slack, npm, Hugging Face, SendGrid).
const KNOWN_KEYS: [KnownKey; 22] = [
    KnownKey {
        prefix: b"sk_live_",
        min_len: 16,
    },
    KnownKey {
        prefix: b"sk_test_",
        min_len: 16,
    },
    KnownKey {
        prefix: b"rk_live_",
        min_len: 16,
    },
    KnownKey {
        prefix: b"rk_test_",
        min_len: 16,
    },
    KnownKey {
        prefix: b"whsec_",
        min_len: 20,
    },
    KnownKey {
        prefix: b"sk-",
        min_len: 23,
    },
    KnownKey {
        prefix: b"ghp_",
        min_len: 20,
    },
    KnownKey {
        prefix: b"gho_",
        min_len: 20,
    },
    KnownKey {
        prefix: b"ghu_",
        min_len: 20,
    },
    KnownKey {
        prefix: b"ghs_",
        min_len: 20,
    },
    KnownKey {
        prefix: b"ghr_",
        min_len: 20,
    },
    KnownKey {
        prefix: b"github_pat_",
        min_len: 30,
    },
    KnownKey {
        prefix: b"glpat-",
        min_len: 20,
    },
    KnownKey {
        prefix: b"xoxa-",
        min_len: 16,
    },
    KnownKey {
        prefix: b"xoxb-",
        min_len: 16,
    },
    KnownKey {
        prefix: b"xoxo-",
        min_len: 16,
    },
    KnownKey {
        prefix: b"xoxp-",
        min_len: 16,
    },
    KnownKey {
        prefix: b"xoxr-",
        min_len: 16,
    },
    KnownKey {
        prefix: b"xoxs-",
        min_len: 16,
    },
    KnownKey {
        prefix: b"npm_",
        min_len: 36,
    },
    KnownKey {
        prefix: b"hf_",
        min_len: 30,
    },
    KnownKey {
        prefix: b"SG.",
        min_len: 40,
    },
];

/// Digits, lower-case and upper-case letters all occur.
fn mixed(word: &[u8]) -> bool {
    word.iter().any(u8::is_ascii_digit)
        && word.iter().any(u8::is_ascii_lowercase)
        && word.iter().any(u8::is_ascii_uppercase)
}

/// A whole word that is a known secret key.
fn is_known_key(word: &[u8]) -> bool {
    let upper_or_digit = |part: &[u8]| {
        part.iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    };
    // AWS access key ids: `AKIA` (long-term) or `ASIA` (temporary) and 16 more.
    let aws = word.len() == 20
        && (word.starts_with(b"AKIA") || word.starts_with(b"ASIA"))
        && upper_or_digit(word);
    // Google API keys: `AIza` and 35 more.
    let google =
        word.len() == 39 && word.starts_with(b"AIza") && word.iter().all(|b| is_base64url(*b));
    aws || google
        || KNOWN_KEYS.iter().any(|key| {
            word.len() >= key.min_len
                    && word.starts_with(key.prefix)
                    // `sk-` also starts words (`sk-2024-report`); the keys mix
                    // digits, lower and upper case.
                    && (key.prefix != b"sk-" || mixed(word))
        })
}

/// Secret API keys with a well-known prefix (`sk_live_…`, `sk-…`, `ghp_…`,
/// `xoxb-…`, `AKIA…`, `AIza…`) → `[token]`.
pub(crate) fn scan_known_keys(bytes: &[u8], found: &mut Vec<Found>) {
    let mut index = 0;
    while index < bytes.len() {
        let at_boundary = index == 0 || !is_token_byte(bytes[index - 1]);
        if !at_boundary || !bytes[index].is_ascii_alphanumeric() {
            index += 1;
            continue;
        }
        let mut end = run_end(bytes, index, is_token_byte);
        // A sentence's full stop is not part of the key.
        while end > index && bytes[end - 1] == b'.' {
            end -= 1;
        }
        if is_known_key(&bytes[index..end]) {
            found.push(Found::new(index, end, "[token]"));
        }
        index = end.max(index + 1);
    }
}

/// `Bearer <token of 8+ chars>` → `Bearer [token]` (any case).
pub(crate) fn scan_bearer(bytes: &[u8], found: &mut Vec<Found>) {
    const BEARER: &[u8] = b"bearer";
    let mut index = 0;
    while index < bytes.len() {
        let is_word = starts_with_ignore_case(bytes, index, BEARER)
            && (index == 0 || !bytes[index - 1].is_ascii_alphanumeric());
        if !is_word {
            index += 1;
            continue;
        }
        let spaces_start = index + BEARER.len();
        let start = run_end(bytes, spaces_start, |b| b == b' ');
        index = start;
        if start == spaces_start || placeholder_at(bytes, start) {
            continue;
        }
        let end = run_end(bytes, start, is_token_byte);
        if end - start >= 8 {
            found.push(Found::new(start, end, "[token]"));
            index = end;
        }
    }
}
