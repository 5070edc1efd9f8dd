//! The text as the scanners read it: percent-escapes decoded, nested ones too
//! (`%253D` → `=`), each decoded byte remembering where it came from so a finding
//! replaces the whole encoded span. Built in one pass.

use std::borrow::Cow;

pub(crate) struct View<'a> {
    bytes: Cow<'a, [u8]>,
    /// `starts[i]`: where decoded byte `i` begins in the original; one more entry
    /// for the end. `None` when nothing was decoded (positions are the same).
    starts: Option<Vec<usize>>,
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// The byte a percent-escape at `at` decodes to (following `%25` chains) and the
/// length of the escape, if `at` starts one.
fn escape_at(bytes: &[u8], at: usize) -> Option<(u8, usize)> {
    if bytes.get(at) != Some(&b'%') {
        return None;
    }
    let hex_pair = |from: usize| -> Option<u8> {
        let high = hex_value(*bytes.get(from)?)?;
        let low = hex_value(*bytes.get(from + 1)?)?;
        Some(high * 16 + low)
    };
    let mut cursor = at + 1;
    // `%25` is an encoded `%`: when another escape body follows, decode that too.
    while bytes.get(cursor..cursor + 2) == Some(b"25") && hex_pair(cursor + 2).is_some() {
        cursor += 2;
    }
    hex_pair(cursor).map(|value| (value, cursor + 2 - at))
}

impl<'a> View<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let original = text.as_bytes();
        if !original.contains(&b'%') {
            return Self {
                bytes: Cow::Borrowed(original),
                starts: None,
            };
        }
        let mut bytes = Vec::with_capacity(original.len());
        let mut starts = Vec::with_capacity(original.len() + 1);
        let mut index = 0;
        while index < original.len() {
            starts.push(index);
            match escape_at(original, index) {
                Some((value, length)) => {
                    bytes.push(value);
                    index += length;
                }
                None => {
                    bytes.push(original[index]);
                    index += 1;
                }
            }
        }
        starts.push(original.len());
        Self {
            bytes: Cow::Owned(bytes),
            starts: Some(starts),
        }
    }

    /// The decoded bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The original span of decoded bytes `start..end`.
    pub(crate) fn original(&self, start: usize, end: usize) -> (usize, usize) {
        match &self.starts {
            None => (start, end),
            Some(starts) => (starts[start], starts[end]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_decoded_with_their_spans() {
        let view = View::new("a%3Db%25253Dc%zz%");
        assert_eq!(view.bytes(), b"a=b=c%zz%");
        assert_eq!(view.original(1, 2), (1, 4));
        assert_eq!(view.original(3, 4), (5, 12));
        assert_eq!(view.original(5, 9), (13, 17));
        let plain = View::new("no escapes");
        assert_eq!(plain.original(3, 10), (3, 10));
    }
}
