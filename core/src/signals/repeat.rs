//! "The same thing N times within W": the detector behind repeated error pages and
//! repeated failed requests.

use crate::time::{DurationMs, Timestamp};
use std::collections::VecDeque;

/// Counts occurrences per key in a sliding window `[at - window, at]` and reports
/// once when a key reaches the threshold; it re-arms after the key's window empties.
#[derive(Debug, Clone)]
pub struct RepeatDetector {
    threshold: u32,
    window: DurationMs,
    keys: Vec<(String, KeyState)>,
}

#[derive(Debug, Clone, Default)]
struct KeyState {
    times: VecDeque<Timestamp>,
    fired: bool,
}

impl RepeatDetector {
    /// Reports at `threshold` occurrences within `window`.
    pub fn new(threshold: u32, window: DurationMs) -> Self {
        Self {
            threshold: threshold.max(1),
            window,
            keys: Vec::new(),
        }
    }

    /// Records one occurrence of `key` at `at`; returns the count when it just reached
    /// the threshold.
    pub fn observe(&mut self, key: &str, at: Timestamp) -> Option<u32> {
        let oldest_allowed = at.minus(self.window);
        self.keys.retain_mut(|(_, state)| {
            while state.times.front().is_some_and(|t| *t < oldest_allowed) {
                state.times.pop_front();
            }
            !state.times.is_empty()
        });
        // A linear scan: a session repeats a handful of keys at a time.
        let index = match self.keys.iter().position(|(k, _)| k == key) {
            Some(index) => index,
            None => {
                self.keys.push((key.to_owned(), KeyState::default()));
                self.keys.len() - 1
            }
        };
        let (_, state) = self.keys.get_mut(index)?;
        if state.times.is_empty() {
            state.fired = false;
        }
        state.times.push_back(at);
        let count = u32::try_from(state.times.len()).unwrap_or(u32::MAX);
        if count >= self.threshold && !state.fired {
            state.fired = true;
            return Some(count);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reports(threshold: u32, window_ms: i64, events: &[(&str, i64)]) -> Vec<(String, u32)> {
        let mut detector = RepeatDetector::new(threshold, DurationMs(window_ms));
        events
            .iter()
            .filter_map(|(key, at)| {
                detector
                    .observe(key, Timestamp(*at))
                    .map(|n| (key.to_string(), n))
            })
            .collect()
    }

    #[test]
    fn reports_exactly_at_the_threshold_inside_the_window() {
        let ten_minutes = 600_000;
        assert_eq!(
            reports(
                3,
                ten_minutes,
                &[("/500", 0), ("/500", 1), ("/500", ten_minutes)]
            ),
            [("/500".to_string(), 3)]
        );
        assert!(
            reports(
                3,
                ten_minutes,
                &[("/500", 0), ("/500", 1), ("/500", ten_minutes + 1)]
            )
            .is_empty()
        );
        assert!(reports(3, ten_minutes, &[("/500", 0), ("/404", 1), ("/500", 2)]).is_empty());
    }

    #[test]
    fn reports_once_per_burst_and_rearms() {
        let events = [
            ("k", 0),
            ("k", 1),
            ("k", 2),
            ("k", 3),
            ("k", 100),
            ("k", 101),
        ];
        assert_eq!(
            reports(2, 10, &events),
            [("k".to_string(), 2), ("k".to_string(), 2)]
        );
    }
}
