//! Time as plain numbers: core never reads the clock, callers pass `now` in.
//!
//! [`Timestamp`] is milliseconds since the Unix epoch; [`DurationMs`] is a length of
//! time written in configuration as `"4h"`, `"10m"`, `"1h30m"`, `"90s"` or `"500ms"`
//! (a bare integer is read as milliseconds).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A point in time, milliseconds since the Unix epoch.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The time `duration` after this one (saturating).
    pub fn plus(self, duration: DurationMs) -> Timestamp {
        Timestamp(self.0.saturating_add(duration.0))
    }

    /// The time `duration` before this one (saturating).
    pub fn minus(self, duration: DurationMs) -> Timestamp {
        Timestamp(self.0.saturating_sub(duration.0))
    }

    /// How long from `earlier` to this time (negative when `earlier` is later).
    pub fn since(self, earlier: Timestamp) -> DurationMs {
        DurationMs(self.0.saturating_sub(earlier.0))
    }
}

/// A length of time in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct DurationMs(pub i64);

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

impl DurationMs {
    /// `n` milliseconds.
    pub const fn millis(n: i64) -> Self {
        Self(n)
    }
    /// `n` seconds.
    pub const fn seconds(n: i64) -> Self {
        Self(n * SECOND)
    }
    /// `n` minutes.
    pub const fn minutes(n: i64) -> Self {
        Self(n * MINUTE)
    }
    /// `n` hours.
    pub const fn hours(n: i64) -> Self {
        Self(n * HOUR)
    }

    /// Parses `"4h"`, `"1h30m"`, `"10m"`, `"90s"`, `"500ms"`, `"2d"`.
    pub fn parse(text: &str) -> Result<Self, DurationParseError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(DurationParseError(text.to_owned()));
        }
        let bytes = text.as_bytes();
        let mut total: i64 = 0;
        let mut index = 0;
        while index < bytes.len() {
            let digits_start = index;
            while index < bytes.len() && bytes[index].is_ascii_digit() {
                index += 1;
            }
            let number: i64 = crate::text::slice(text, digits_start, index)
                .parse()
                .map_err(|_| DurationParseError(text.to_owned()))?;
            let unit_start = index;
            while index < bytes.len() && bytes[index].is_ascii_alphabetic() {
                index += 1;
            }
            let unit = match crate::text::slice(text, unit_start, index) {
                "ms" => 1,
                "s" => SECOND,
                "m" | "min" => MINUTE,
                "h" => HOUR,
                "d" => DAY,
                _ => return Err(DurationParseError(text.to_owned())),
            };
            total = number
                .checked_mul(unit)
                .and_then(|part| total.checked_add(part))
                .ok_or_else(|| DurationParseError(text.to_owned()))?;
        }
        Ok(Self(total))
    }

    /// A compact form that [`DurationMs::parse`] reads back: `4h`, `1h30m`, `500ms`.
    pub fn compact(self) -> String {
        if self.0 == 0 {
            return "0s".to_owned();
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        let mut rest = self.0.unsigned_abs();
        let mut out = String::from(sign);
        for (unit, suffix) in [
            (DAY, "d"),
            (HOUR, "h"),
            (MINUTE, "m"),
            (SECOND, "s"),
            (1, "ms"),
        ] {
            let unit = unit as u64;
            if rest >= unit {
                out.push_str(&format!("{}{}", rest / unit, suffix));
                rest %= unit;
            }
        }
        out
    }

    /// Words for customers: `2 hours`, `1 hour 30 minutes`, `15 minutes`.
    pub fn human(self) -> String {
        let mut rest = self.0.max(0);
        let mut parts = Vec::new();
        for (unit, singular, plural) in [
            (DAY, "day", "days"),
            (HOUR, "hour", "hours"),
            (MINUTE, "minute", "minutes"),
            (SECOND, "second", "seconds"),
        ] {
            let count = rest / unit;
            if count > 0 {
                parts.push(format!(
                    "{count} {}",
                    if count == 1 { singular } else { plural }
                ));
                rest %= unit;
            }
        }
        if parts.is_empty() {
            return "less than a second".to_owned();
        }
        parts.join(" ")
    }
}

impl fmt::Display for DurationMs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.compact())
    }
}

/// A duration that is not of the form `4h`, `1h30m`, `10m`, `90s`, `500ms`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a duration (expected e.g. \"4h\", \"1h30m\", \"10m\", \"90s\", \"500ms\")")]
pub struct DurationParseError(pub String);

impl Serialize for DurationMs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.compact())
    }
}

impl<'de> Deserialize<'de> for DurationMs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = DurationMs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as \"4h\", \"10m\" or a number of milliseconds")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DurationMs, E> {
                DurationMs::parse(v).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<DurationMs, E> {
                Ok(DurationMs(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<DurationMs, E> {
                i64::try_from(v)
                    .map(DurationMs)
                    .map_err(|_| E::custom("duration too large"))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn parses_and_prints_compact_durations() {
        for (text, millis) in [
            ("4h", 4 * HOUR),
            ("1h30m", HOUR + 30 * MINUTE),
            ("10m", 10 * MINUTE),
            ("90s", 90 * SECOND),
            ("500ms", 500),
            ("2d", 2 * DAY),
        ] {
            let parsed = DurationMs::parse(text).unwrap();
            assert_eq!(parsed.0, millis, "{text}");
            assert_eq!(DurationMs::parse(&parsed.compact()).unwrap(), parsed);
        }
        assert_eq!(DurationMs(90 * SECOND).compact(), "1m30s");
    }

    #[test]
    fn rejects_malformed_durations() {
        for text in ["", "h", "4", "4x", "4 h", "-3h", "99999999999999999d"] {
            assert!(DurationMs::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn human_form_is_for_customers() {
        assert_eq!(DurationMs::hours(2).human(), "2 hours");
        assert_eq!(DurationMs(HOUR + 30 * MINUTE).human(), "1 hour 30 minutes");
        assert_eq!(DurationMs::minutes(1).human(), "1 minute");
    }
}
