//! Email addresses → `[email]`.
//!
//! Linear: from each `@` the local part is read backwards and the domain forwards,
//! and neither part can hold an `@`, so no byte is read for two different `@`s.

use super::Found;

/// Letters and digits (any script: `jürgen@…`) and `._%+-`.
fn is_local_byte(byte: u8) -> bool {
    byte >= 0x80 || byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_domain_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-')
}

/// Reports `local@domain.tld`.
pub(crate) fn scan(bytes: &[u8], found: &mut Vec<Found>) {
    let mut previous_end = 0;
    for at in 0..bytes.len() {
        if bytes[at] != b'@' {
            continue;
        }
        let mut start = at;
        while start > previous_end && is_local_byte(bytes[start - 1]) {
            start -= 1;
        }
        while start < at && bytes[start] == b'.' {
            start += 1;
        }
        let mut end = super::run_end(bytes, at + 1, is_domain_byte);
        while end > at + 1 && matches!(bytes[end - 1], b'.' | b'-') {
            end -= 1;
        }
        let domain = &bytes[at + 1..end];
        let top_level = domain.rsplit(|b| *b == b'.').next().unwrap_or_default();
        let valid = start < at
            && domain.contains(&b'.')
            && domain.first() != Some(&b'.')
            && top_level.len() >= 2
            && top_level.iter().all(u8::is_ascii_alphabetic);
        if valid {
            found.push(Found::new(start, end, "[email]"));
            previous_end = end;
        }
    }
}
