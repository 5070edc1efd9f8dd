//! Dwell: how long the user stays on a route.

use crate::domain::{PageSignal, SignalKind};
use crate::rules::CurrentPage;
use crate::time::{DurationMs, Timestamp};

/// Tracks the current page and reports the stay on the previous one when the user
/// moves on (if it lasted at least `min`).
#[derive(Debug, Clone)]
pub struct DwellTracker {
    min: DurationMs,
    current: Option<CurrentPage>,
}

impl DwellTracker {
    /// A tracker that records stays of at least `min`.
    pub fn new(min: DurationMs) -> Self {
        Self { min, current: None }
    }

    /// The user is on `route` from `at`. Returns the dwell on the previous route.
    /// Re-entering the same route (a reload) keeps counting from the first entry.
    pub fn enter(&mut self, route: &str, at: Timestamp) -> Option<PageSignal> {
        if self
            .current
            .as_ref()
            .is_some_and(|page| page.route == route)
        {
            return None;
        }
        let previous = self.current.replace(CurrentPage {
            route: route.to_owned(),
            since: at,
        })?;
        let duration = at.since(previous.since);
        (duration >= self.min).then_some(PageSignal {
            at: previous.since,
            kind: SignalKind::Dwell {
                route: previous.route,
                duration,
            },
        })
    }

    /// The page the user is on, if any.
    pub fn current(&self) -> Option<&CurrentPage> {
        self.current.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_stays_of_at_least_min_when_leaving() {
        let mut tracker = DwellTracker::new(DurationMs::seconds(10));
        assert_eq!(tracker.enter("/a", Timestamp(0)), None);
        assert_eq!(
            tracker.enter("/a", Timestamp(5_000)),
            None,
            "reload keeps counting"
        );
        let left_a = tracker.enter("/b", Timestamp(10_000));
        assert_eq!(
            left_a.map(|s| s.kind),
            Some(SignalKind::Dwell {
                route: "/a".into(),
                duration: DurationMs::seconds(10)
            })
        );
        assert_eq!(
            tracker.enter("/c", Timestamp(19_999)),
            None,
            "9.999 s on /b is too short"
        );
        assert_eq!(tracker.current().map(|p| p.route.as_str()), Some("/c"));
    }
}
