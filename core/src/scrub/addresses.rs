//! Optional scanners, each turned on or off by a site setting: IP addresses,
//! the user name in home-directory paths, UUIDs.
//!
//! Linear: IP and UUID candidates are read from word starts for a bounded length
//! (or as maximal runs, which do not overlap); a home directory is read once and
//! the scan resumes behind it.

use super::{Found, placeholder_at, run_end};

/// IPv4 addresses (`192.168.0.1`, each part 0–255) → `[ip]`. Three-part versions
/// (`1.2.3`) are not addresses; a fifth part makes it something else.
pub(crate) fn scan_ipv4(bytes: &[u8], found: &mut Vec<Found>) {
    let mut index = 0;
    while index < bytes.len() {
        let at_start = bytes[index].is_ascii_digit()
            && (index == 0
                || !(bytes[index - 1].is_ascii_alphanumeric() || bytes[index - 1] == b'.'));
        if !at_start {
            index += 1;
            continue;
        }
        let mut cursor = index;
        let mut parts = 0;
        let mut valid = true;
        while parts < 4 {
            let part_end = run_end(bytes, cursor, |b| b.is_ascii_digit());
            let part = &bytes[cursor..part_end];
            if part.is_empty() || part.len() > 3 {
                valid = false;
                break;
            }
            let value = part
                .iter()
                .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
            if value > 255 {
                valid = false;
                break;
            }
            parts += 1;
            cursor = part_end;
            if parts < 4 {
                if bytes.get(cursor) != Some(&b'.') {
                    valid = false;
                    break;
                }
                cursor += 1;
            }
        }
        let ends_here = bytes.get(cursor).is_none_or(|b| {
            !(b.is_ascii_alphanumeric()
                || (*b == b'.' && bytes.get(cursor + 1).is_some_and(u8::is_ascii_digit)))
        });
        if valid && ends_here {
            found.push(Found::new(index, cursor, "[ip]"));
            index = cursor;
        } else {
            index = run_end(bytes, index, |b| b.is_ascii_digit() || b == b'.');
        }
    }
}

/// IPv6 addresses (`2001:db8::1`, `fe80:0:0:0:0:0:0:1`) → `[ip]`: a maximal run of
/// hex digits and colons with eight groups, or fewer around one `::`, and a digit.
pub(crate) fn scan_ipv6(bytes: &[u8], found: &mut Vec<Found>) {
    let is_ip_byte = |b: u8| b.is_ascii_hexdigit() || b == b':';
    let mut index = 0;
    while index < bytes.len() {
        let at_start = is_ip_byte(bytes[index])
            && (index == 0
                || !(bytes[index - 1].is_ascii_alphanumeric() || bytes[index - 1] == b':'));
        if !at_start {
            index += 1;
            continue;
        }
        let end = run_end(bytes, index, is_ip_byte);
        let ends_here = bytes
            .get(end)
            .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'.'));
        if ends_here && looks_like_ipv6(&bytes[index..end]) {
            found.push(Found::new(index, end, "[ip]"));
        }
        index = end.max(index + 1);
    }
}

fn looks_like_ipv6(run: &[u8]) -> bool {
    let double_colons = run.windows(2).filter(|w| w == b"::").count();
    if double_colons > 1 || run.windows(3).any(|w| w == b":::") {
        return false;
    }
    let groups: Vec<&[u8]> = run
        .split(|b| *b == b':')
        .filter(|group| !group.is_empty())
        .collect();
    let colons = run.iter().filter(|b| **b == b':').count();
    let shaped = if double_colons == 1 {
        (1..8).contains(&groups.len())
    } else {
        groups.len() == 8 && colons == 7
    };
    shaped
        && colons >= 2
        && groups.iter().all(|group| group.len() <= 4)
        && run.iter().any(u8::is_ascii_digit)
}

/// The user name in `/home/<name>/`, `/Users/<name>/` and `C:\\Users\\<name>\\`
/// (also with doubled backslashes, as in JSON) → `[user]`. Spelled as the systems
/// spell them (`/users/42/` is a web route), never after a host name
/// (`shop.example/home/…`), and followed by more path.
pub(crate) fn scan_home_directories(bytes: &[u8], found: &mut Vec<Found>) {
    let is_separator = |b: u8| b == b'/' || b == b'\\';
    let mut index = 0;
    while index < bytes.len() {
        if !is_separator(bytes[index]) {
            index += 1;
            continue;
        }
        let after_host = index > 0
            && (bytes[index - 1].is_ascii_alphanumeric()
                || matches!(bytes[index - 1], b'.' | b'-' | b'_'));
        let word_start = run_end(bytes, index, is_separator);
        let word_len = if bytes[word_start..].starts_with(b"home") {
            4
        } else if bytes[word_start..].starts_with(b"Users") {
            5
        } else {
            index = word_start;
            continue;
        };
        let word_end = word_start + word_len;
        let name_start = run_end(bytes, word_end, is_separator);
        index = word_end;
        if after_host || name_start == word_end || placeholder_at(bytes, name_start) {
            continue;
        }
        let name_end = run_end(bytes, name_start, |b| {
            !(is_separator(b)
                || b.is_ascii_whitespace()
                || matches!(b, b'"' | b'\'' | b'<' | b'>' | b':' | b'`' | b')' | b','))
        });
        if name_end > name_start && bytes.get(name_end).copied().is_some_and(is_separator) {
            found.push(Found::new(name_start, name_end, "[user]"));
            index = name_end;
        }
    }
}

/// UUIDs (`8-4-4-4-12` hex digits) → `[uuid]`.
pub(crate) fn scan_uuids(bytes: &[u8], found: &mut Vec<Found>) {
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    let is_part = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
    let mut index = 0;
    while index + 36 <= bytes.len() {
        if index > 0 && is_part(bytes[index - 1]) {
            index += 1;
            continue;
        }
        let mut cursor = index;
        let shaped = GROUPS.iter().enumerate().all(|(position, &length)| {
            let group_ok = bytes[cursor..cursor + length]
                .iter()
                .all(u8::is_ascii_hexdigit);
            cursor += length;
            let dash_ok = position == 4 || bytes.get(cursor) == Some(&b'-');
            if position < 4 {
                cursor += 1;
            }
            group_ok && dash_ok
        });
        if shaped && bytes.get(cursor).is_none_or(|b| !is_part(*b)) {
            found.push(Found::new(index, cursor, "[uuid]"));
            index = cursor;
        } else {
            index += 1;
        }
    }
}
