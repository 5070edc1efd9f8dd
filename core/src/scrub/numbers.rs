//! Numbers that identify people or money: card numbers (Luhn), IBANs (mod 97) and
//! US social security numbers. Checksums keep order numbers and timestamps intact.
//! Every scanner reads a bounded window from each word start: linear.

use super::{Found, run_end};

/// The Luhn checksum of a digit string (no separators) holds.
pub fn luhn_is_valid(digits: &str) -> bool {
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && luhn_digits_valid(digits.as_bytes())
}

/// The IBAN (no spaces) has a valid shape and mod-97 checksum.
pub fn iban_is_valid(iban: &str) -> bool {
    iban_bytes_valid(iban.as_bytes())
}

fn iban_bytes_valid(bytes: &[u8]) -> bool {
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

fn boundary_before(bytes: &[u8], index: usize) -> bool {
    index == 0 || !bytes[index - 1].is_ascii_alphanumeric()
}

fn boundary_after(bytes: &[u8], index: usize) -> bool {
    bytes.get(index).is_none_or(|b| !b.is_ascii_alphanumeric())
}

/// Most digits in a card number.
const CARD_MAX_DIGITS: usize = 19;
/// Fewest digits in a card number.
const CARD_MIN_DIGITS: usize = 13;
/// Fewest digits in a group of a grouped card number but the last (`4-6-5`,
/// `4-4-4-4-3`, `4-4-4-1`).
const CARD_MIN_GROUP: usize = 3;

/// Card numbers: 13–19 digits (single spaces or dashes allowed between groups of
/// three or more; the last may be shorter), starting with 2–6 like every major network, Luhn-valid →
/// `[card]`.
///
/// Linear: the text is cut into runs of digit groups once; within a run, a
/// candidate is a span of consecutive groups holding at most 19 digits, so each
/// group starts at most 19 candidates of at most 19 digits.
pub(crate) fn scan_cards(bytes: &[u8], found: &mut Vec<Found>) {
    let mut index = 0;
    let mut groups: Vec<(usize, usize)> = Vec::new();
    while index < bytes.len() {
        if !bytes[index].is_ascii_digit() || !boundary_before(bytes, index) {
            index += 1;
            continue;
        }
        groups.clear();
        let run_end = digit_groups(bytes, index, &mut groups);
        if boundary_after(bytes, run_end) {
            cards_in_run(bytes, &groups, found);
        }
        index = run_end.max(index + 1);
    }
}

/// A run of digit groups separated by single spaces or dashes: fills `groups`
/// with `(start, end)` of each and returns where the run ends.
fn digit_groups(bytes: &[u8], start: usize, groups: &mut Vec<(usize, usize)>) -> usize {
    let mut index = start;
    loop {
        let group_start = index;
        index = run_end(bytes, index, |b| b.is_ascii_digit());
        groups.push((group_start, index));
        let continues = matches!(bytes.get(index), Some(b' ' | b'-'))
            && bytes.get(index + 1).is_some_and(u8::is_ascii_digit);
        if !continues {
            return index;
        }
        index += 1;
    }
}

/// The leftmost, then longest, card in a run of groups; then the next after it.
fn cards_in_run(bytes: &[u8], groups: &[(usize, usize)], found: &mut Vec<Found>) {
    let mut first = 0;
    while first < groups.len() {
        let mut digits = [0u8; CARD_MAX_DIGITS];
        let mut count = 0;
        let mut best = None;
        for (last, &(start, end)) in groups.iter().enumerate().skip(first) {
            let length = end - start;
            // Only the last group may be short (`4000 0000 0000 6`).
            let short_inside =
                last > first && groups[last - 1].1 - groups[last - 1].0 < CARD_MIN_GROUP;
            if count + length > CARD_MAX_DIGITS || short_inside {
                break;
            }
            digits[count..count + length].copy_from_slice(&bytes[start..end]);
            count += length;
            let plausible = count >= CARD_MIN_DIGITS && matches!(digits[0], b'2'..=b'6');
            if plausible && luhn_digits_valid(&digits[..count]) {
                best = Some(last);
            }
        }
        match best {
            Some(last) => {
                found.push(Found::new(groups[first].0, groups[last].1, "[card]"));
                first = last + 1;
            }
            None => first += 1,
        }
    }
}

fn luhn_digits_valid(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
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

/// Most characters in an IBAN.
#[cfg(feature = "scrub-extended")]
const IBAN_MAX: usize = 34;

#[cfg(feature = "scrub-extended")]
fn is_iban_byte(byte: u8) -> bool {
    byte.is_ascii_uppercase() || byte.is_ascii_digit()
}

/// IBANs, compact or in groups of four → `[iban]`.
///
/// Linear: from each word start, at most 34 characters (and the single spaces
/// between them) are read.
#[cfg(feature = "scrub-extended")]
pub(crate) fn scan_ibans(bytes: &[u8], found: &mut Vec<Found>) {
    let mut index = 0;
    while index + 4 <= bytes.len() {
        let starts_like_iban = boundary_before(bytes, index)
            && bytes[index..index + 2].iter().all(u8::is_ascii_uppercase)
            && bytes[index + 2..index + 4].iter().all(u8::is_ascii_digit);
        if !starts_like_iban {
            index += 1;
            continue;
        }
        let mut compact = [0u8; IBAN_MAX];
        let mut count = 0;
        let mut cursor = index;
        let mut best = None;
        loop {
            while cursor < bytes.len() && is_iban_byte(bytes[cursor]) && count < IBAN_MAX {
                compact[count] = bytes[cursor];
                count += 1;
                cursor += 1;
            }
            if boundary_after(bytes, cursor) && iban_bytes_valid(&compact[..count]) {
                best = Some(cursor);
            }
            let continues = count < IBAN_MAX
                && bytes.get(cursor) == Some(&b' ')
                && bytes.get(cursor + 1).copied().is_some_and(is_iban_byte);
            if !continues {
                break;
            }
            cursor += 1;
        }
        match best {
            Some(end) => {
                found.push(Found::new(index, end, "[iban]"));
                index = end;
            }
            None => index += 1,
        }
    }
}

/// US SSNs written `123-45-6789` with valid ranges → `[ssn]`.
#[cfg(feature = "scrub-extended")]
pub(crate) fn scan_ssns(bytes: &[u8], found: &mut Vec<Found>) {
    let digits = |from: usize, count: usize| {
        bytes
            .get(from..from + count)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    let shape = |at: usize| -> bool {
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
            let area = &bytes[index..index + 3];
            let group = &bytes[index + 4..index + 6];
            let serial = &bytes[index + 7..index + 11];
            let valid = area != b"000"
                && area != b"666"
                && area[0] != b'9'
                && group != b"00"
                && serial != b"0000";
            if valid {
                found.push(Found::new(index, index + 11, "[ssn]"));
                index += 11;
                continue;
            }
        }
        index += 1;
    }
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
        let cards = |text: &str| {
            let mut found = Vec::new();
            scan_cards(text.as_bytes(), &mut found);
            found
                .iter()
                .map(|f| &text[f.start..f.end])
                .collect::<Vec<_>>()
                .join("|")
        };
        assert_eq!(cards("5 4111 1111 1111 1111 12 29"), "4111 1111 1111 1111");
        assert_eq!(cards("x4111111111111111"), "");
        assert_eq!(cards("4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1"), "");
        assert_eq!(cards("4000 0000 0000 6"), "4000 0000 0000 6");
    }
}
