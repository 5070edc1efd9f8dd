//! Numbers that identify people or money: card numbers (Luhn), IBANs (mod 97) and
//! US social security numbers. Checksums keep order numbers and timestamps intact.

use super::splice;
use crate::text::slice;

/// The Luhn checksum of a digit string (no separators) holds.
pub fn luhn_is_valid(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(position, byte)| {
            let digit = u32::from(byte - b'0');
            if position % 2 == 1 {
                let doubled = digit * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                digit
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The IBAN (no spaces) has a valid shape and mod-97 checksum.
pub fn iban_is_valid(iban: &str) -> bool {
    let bytes = iban.as_bytes();
    if !(15..=34).contains(&bytes.len())
        || !bytes[..2].iter().all(u8::is_ascii_uppercase)
        || !bytes[2..4].iter().all(u8::is_ascii_digit)
        || !bytes
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return false;
    }
    let rearranged = bytes[4..].iter().chain(&bytes[..4]);
    let mut remainder: u32 = 0;
    for byte in rearranged {
        let value = if byte.is_ascii_digit() {
            u32::from(byte - b'0')
        } else {
            u32::from(byte - b'A') + 10
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    remainder == 1
}

/// A run of digit groups separated by single spaces or dashes: `(start, end)` of each group.
fn digit_groups(bytes: &[u8], start: usize) -> Vec<(usize, usize)> {
    let mut groups = Vec::new();
    let mut index = start;
    loop {
        let group_start = index;
        while index < bytes.len() && bytes[index].is_ascii_digit() {
            index += 1;
        }
        groups.push((group_start, index));
        let continues = matches!(bytes.get(index), Some(b' ' | b'-'))
            && bytes.get(index + 1).is_some_and(u8::is_ascii_digit);
        if !continues {
            return groups;
        }
        index += 1;
    }
}

fn boundary_before(bytes: &[u8], index: usize) -> bool {
    index == 0 || !bytes[index - 1].is_ascii_alphanumeric()
}

fn boundary_after(bytes: &[u8], index: usize) -> bool {
    bytes.get(index).is_none_or(|b| !b.is_ascii_alphanumeric())
}

/// Card numbers: 13–19 digits (spaces or dashes allowed between groups), starting
/// with 2–6 like every major network, Luhn-valid → `[card]`.
pub(crate) fn redact_cards(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut replacements = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        if !bytes[index].is_ascii_digit() || !boundary_before(bytes, index) {
            index += 1;
            continue;
        }
        let groups = digit_groups(bytes, index);
        let run_end = groups.last().map_or(index + 1, |g| g.1);
        if !boundary_after(bytes, run_end) {
            index = run_end.max(index + 1);
            continue;
        }
        let mut found = None;
        'search: for first in 0..groups.len() {
            for last in (first..groups.len()).rev() {
                let (start, end) = (groups[first].0, groups[last].1);
                let digits: String = slice(text, start, end)
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect();
                let plausible = (13..=19).contains(&digits.len())
                    && matches!(digits.as_bytes()[0], b'2'..=b'6');
                if plausible && luhn_is_valid(&digits) {
                    found = Some((start, end));
                    break 'search;
                }
            }
        }
        match found {
            Some((start, end)) => {
                replacements.push((start, end, "[card]"));
                index = end;
            }
            None => index = run_end,
        }
    }
    splice(text, &replacements)
}

/// IBANs, compact or in groups of four → `[iban]`.
pub(crate) fn redact_ibans(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut replacements = Vec::new();
    let mut index = 0;
    while index + 4 <= bytes.len() {
        let starts_like_iban = boundary_before(bytes, index)
            && bytes[index..index + 2].iter().all(u8::is_ascii_uppercase)
            && bytes[index + 2..index + 4].iter().all(u8::is_ascii_digit);
        if !starts_like_iban {
            index += 1;
            continue;
        }
        // Group ends, separated by single spaces.
        let mut ends = Vec::new();
        let mut cursor = index;
        loop {
            while cursor < bytes.len()
                && (bytes[cursor].is_ascii_uppercase() || bytes[cursor].is_ascii_digit())
            {
                cursor += 1;
            }
            ends.push(cursor);
            let continues = bytes.get(cursor) == Some(&b' ')
                && bytes
                    .get(cursor + 1)
                    .is_some_and(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            if !continues || cursor - index > 50 {
                break;
            }
            cursor += 1;
        }
        let found = ends.iter().rev().copied().find(|end| {
            let compact: String = slice(text, index, *end)
                .chars()
                .filter(|c| *c != ' ')
                .collect();
            boundary_after(bytes, *end) && iban_is_valid(&compact)
        });
        match found {
            Some(end) => {
                replacements.push((index, end, "[iban]"));
                index = end;
            }
            None => index += 1,
        }
    }
    splice(text, &replacements)
}

/// US SSNs written `123-45-6789` with valid ranges → `[ssn]`.
pub(crate) fn redact_ssns(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut replacements = Vec::new();
    let shape = |at: usize| -> bool {
        let digits = |from: usize, count: usize| {
            bytes
                .get(from..from + count)
                .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
        };
        digits(at, 3)
            && bytes.get(at + 3) == Some(&b'-')
            && digits(at + 4, 2)
            && bytes.get(at + 6) == Some(&b'-')
            && digits(at + 7, 4)
    };
    let mut index = 0;
    while index + 11 <= bytes.len() {
        let separated_before =
            index == 0 || !(bytes[index - 1].is_ascii_alphanumeric() || bytes[index - 1] == b'-');
        let separated_after = bytes
            .get(index + 11)
            .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'-'));
        if separated_before && separated_after && shape(index) {
            let area = slice(text, index, index + 3);
            let group = slice(text, index + 4, index + 6);
            let serial = slice(text, index + 7, index + 11);
            let valid = area != "000"
                && area != "666"
                && !area.starts_with('9')
                && group != "00"
                && serial != "0000";
            if valid {
                replacements.push((index, index + 11, "[ssn]"));
                index += 11;
                continue;
            }
        }
        index += 1;
    }
    splice(text, &replacements)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums() {
        assert!(luhn_is_valid("4111111111111111"));
        assert!(!luhn_is_valid("4111111111111112"));
        assert!(luhn_is_valid("378282246310005"));
        assert!(iban_is_valid("DE89370400440532013000"));
        assert!(iban_is_valid("GB82WEST12345698765432"));
        assert!(!iban_is_valid("GB82WEST12345698765433"));
        assert!(!iban_is_valid("gb82WEST12345698765432"));
    }

    #[test]
    fn a_card_next_to_other_numbers_is_still_found() {
        assert_eq!(
            redact_cards("5 4111 1111 1111 1111 12 29"),
            "5 [card] 12 29"
        );
        assert_eq!(redact_cards("x4111111111111111"), "x4111111111111111");
    }
}
