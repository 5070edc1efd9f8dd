//! Email addresses → `[email]`.

use super::splice;

fn is_local_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_domain_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-')
}

/// Replaces `local@domain.tld` with `[email]`.
pub(crate) fn redact_emails(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut replacements = Vec::new();
    for (at, _) in text.match_indices('@') {
        let mut start = at;
        while start > 0 && is_local_byte(bytes[start - 1]) {
            start -= 1;
        }
        while start < at && bytes[start] == b'.' {
            start += 1;
        }
        let mut end = at + 1;
        while end < bytes.len() && is_domain_byte(bytes[end]) {
            end += 1;
        }
        while end > at + 1 && matches!(bytes[end - 1], b'.' | b'-') {
            end -= 1;
        }
        let domain = crate::text::slice(text, at + 1, end);
        let top_level = domain.rsplit('.').next().unwrap_or_default();
        let valid = start < at
            && domain.contains('.')
            && !domain.starts_with('.')
            && top_level.len() >= 2
            && top_level.bytes().all(|b| b.is_ascii_alphabetic());
        if valid
            && replacements
                .last()
                .is_none_or(|(_, previous_end, _)| *previous_end <= start)
        {
            replacements.push((start, end, "[email]"));
        }
    }
    splice(text, &replacements)
}
