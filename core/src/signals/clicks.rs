//! Rage clicks (more than 3 clicks within 1 s on one target) and dead clicks (no
//! navigation or DOM change within 7 s), ignoring text selection and +/- steppers.

use crate::domain::{PageSignal, SignalKind};
use crate::time::{DurationMs, Timestamp};
use std::collections::VecDeque;

/// A click as the widget saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Click {
    /// When.
    pub at: Timestamp,
    /// A short selector of the target (`button#pay`).
    pub target: String,
    /// The page route.
    pub route: String,
    /// What kind of click it was.
    pub kind: ClickKind,
}

/// Clicks that look like frustration, and clicks that do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClickKind {
    /// An ordinary click.
    Normal,
    /// Part of selecting text (double/triple click, or a selection exists): ignored.
    TextSelection,
    /// A +/- stepper or number input, clicked repeatedly on purpose: ignored.
    Stepper,
}

/// What the widget knows about a click's target, to classify it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClickTarget<'a> {
    /// The element's visible text or accessible label, trimmed.
    pub label: &'a str,
    /// `type` of an `<input>`, if it is one.
    pub input_type: Option<&'a str>,
    /// ARIA role, if any.
    pub role: Option<&'a str>,
    /// Whether the page has a non-empty text selection after the click.
    pub selection_present: bool,
}

impl ClickKind {
    /// Classifies a click: a text selection wins, then steppers (number inputs,
    /// `spinbutton` role, or a label that is only `+`, `-`, `−`, `–`, `▲`, `▼`).
    pub fn classify(target: ClickTarget<'_>) -> ClickKind {
        if target.selection_present {
            return ClickKind::TextSelection;
        }
        let stepper_label = matches!(
            target.label.trim(),
            "+" | "-" | "−" | "–" | "▲" | "▼" | "＋"
        );
        let number_input = target
            .input_type
            .is_some_and(|t| t.eq_ignore_ascii_case("number"));
        let spinbutton = target
            .role
            .is_some_and(|r| r.eq_ignore_ascii_case("spinbutton"));
        if stepper_label || number_input || spinbutton {
            ClickKind::Stepper
        } else {
            ClickKind::Normal
        }
    }
}

/// Detects bursts of clicks on one target. Emits once per burst.
#[derive(Debug, Clone)]
pub struct RageClickDetector {
    min_clicks: u32,
    window: DurationMs,
    target: Option<(String, String)>,
    times: VecDeque<Timestamp>,
    fired: bool,
}

impl RageClickDetector {
    /// A detector firing at `min_clicks` clicks within `window` (both ends included).
    pub fn new(min_clicks: u32, window: DurationMs) -> Self {
        Self {
            min_clicks: min_clicks.max(2),
            window,
            target: None,
            times: VecDeque::new(),
            fired: false,
        }
    }

    /// Feeds a click; returns a rage-click signal when this click completes a burst.
    pub fn click(&mut self, click: &Click) -> Option<PageSignal> {
        if click.kind != ClickKind::Normal {
            return None;
        }
        let key = (click.target.clone(), click.route.clone());
        if self.target.as_ref() != Some(&key) {
            self.target = Some(key);
            self.times.clear();
            self.fired = false;
        }
        let oldest_allowed = click.at.minus(self.window);
        while self.times.front().is_some_and(|t| *t < oldest_allowed) {
            self.times.pop_front();
        }
        if self.times.is_empty() {
            self.fired = false;
        }
        self.times.push_back(click.at);
        let clicks = u32::try_from(self.times.len()).unwrap_or(u32::MAX);
        if clicks >= self.min_clicks && !self.fired {
            self.fired = true;
            return Some(PageSignal {
                at: click.at,
                kind: SignalKind::RageClick {
                    target: click.target.clone(),
                    route: click.route.clone(),
                    clicks,
                },
            });
        }
        None
    }
}

/// Detects clicks after which nothing happened within the wait.
#[derive(Debug, Clone)]
pub struct DeadClickDetector {
    wait: DurationMs,
    pending: Vec<Click>,
}

impl DeadClickDetector {
    /// A detector that declares a click dead after `wait` without a page change.
    pub fn new(wait: DurationMs) -> Self {
        Self {
            wait,
            pending: Vec::new(),
        }
    }

    /// Feeds a click (text selection and stepper clicks are ignored).
    pub fn click(&mut self, click: &Click) {
        if click.kind == ClickKind::Normal {
            self.pending.push(click.clone());
        }
    }

    /// The page changed at `at` (navigation or DOM change): clicks up to then were alive.
    pub fn page_changed(&mut self, at: Timestamp) {
        self.pending.retain(|click| click.at > at);
    }

    /// Emits the clicks that have waited `wait` or more by `now` without a change.
    pub fn tick(&mut self, now: Timestamp) -> Vec<PageSignal> {
        let wait = self.wait;
        let (dead, alive): (Vec<Click>, Vec<Click>) = self
            .pending
            .drain(..)
            .partition(|click| now.since(click.at) >= wait);
        self.pending = alive;
        dead.into_iter()
            .map(|click| PageSignal {
                at: click.at,
                kind: SignalKind::DeadClick {
                    target: click.target,
                    route: click.route,
                },
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn click(ms: i64, target: &str, kind: ClickKind) -> Click {
        Click {
            at: Timestamp(ms),
            target: target.into(),
            route: "/checkout".into(),
            kind,
        }
    }

    fn rage_after(times: &[(i64, &str, ClickKind)]) -> Vec<u32> {
        let mut detector = RageClickDetector::new(4, DurationMs::seconds(1));
        times
            .iter()
            .filter_map(|(ms, target, kind)| detector.click(&click(*ms, target, *kind)))
            .map(|signal| match signal.kind {
                SignalKind::RageClick { clicks, .. } => clicks,
                _ => 0,
            })
            .collect()
    }

    const N: ClickKind = ClickKind::Normal;

    #[test]
    fn more_than_three_clicks_within_one_second_on_one_target() {
        // Three clicks are not a rage click; the fourth within 1 s is (window edge included).
        assert_eq!(
            rage_after(&[(0, "b", N), (300, "b", N), (600, "b", N)]),
            Vec::<u32>::new()
        );
        assert_eq!(
            rage_after(&[(0, "b", N), (300, "b", N), (600, "b", N), (1000, "b", N)]),
            [4]
        );
        assert_eq!(
            rage_after(&[(0, "b", N), (300, "b", N), (600, "b", N), (1001, "b", N)]),
            Vec::<u32>::new()
        );
        // Another target in between restarts the count.
        assert_eq!(
            rage_after(&[
                (0, "b", N),
                (100, "b", N),
                (200, "a", N),
                (300, "b", N),
                (400, "b", N)
            ]),
            Vec::<u32>::new()
        );
        // One signal per burst; a new burst after a pause fires again.
        let burst: Vec<(i64, &str, ClickKind)> = (0..8)
            .map(|i| (i * 100, "b", N))
            .chain((0..4).map(|i| (5000 + i * 100, "b", N)))
            .collect();
        assert_eq!(rage_after(&burst), [4, 4]);
    }

    #[test]
    fn selection_and_stepper_clicks_are_ignored() {
        let select = ClickKind::TextSelection;
        let stepper = ClickKind::Stepper;
        assert_eq!(
            rage_after(&[
                (0, "p", select),
                (100, "p", select),
                (200, "p", select),
                (300, "p", select)
            ]),
            Vec::<u32>::new()
        );
        assert_eq!(
            rage_after(&[
                (0, "+", stepper),
                (100, "+", stepper),
                (200, "+", stepper),
                (300, "+", stepper),
                (400, "+", stepper)
            ]),
            Vec::<u32>::new()
        );
        assert_eq!(
            ClickKind::classify(ClickTarget {
                label: " + ",
                ..ClickTarget::default()
            }),
            ClickKind::Stepper
        );
        assert_eq!(
            ClickKind::classify(ClickTarget {
                input_type: Some("NUMBER"),
                ..ClickTarget::default()
            }),
            ClickKind::Stepper
        );
        assert_eq!(
            ClickKind::classify(ClickTarget {
                role: Some("spinbutton"),
                ..ClickTarget::default()
            }),
            ClickKind::Stepper
        );
        assert_eq!(
            ClickKind::classify(ClickTarget {
                label: "Pay",
                selection_present: true,
                ..ClickTarget::default()
            }),
            ClickKind::TextSelection
        );
        assert_eq!(
            ClickKind::classify(ClickTarget {
                label: "Pay",
                ..ClickTarget::default()
            }),
            ClickKind::Normal
        );
    }

    #[test]
    fn dead_click_after_seven_seconds_without_change() {
        let mut detector = DeadClickDetector::new(DurationMs::seconds(7));
        detector.click(&click(0, "a.more", N));
        assert!(detector.tick(Timestamp(6_999)).is_empty());
        assert_eq!(detector.tick(Timestamp(7_000)).len(), 1);
        assert!(detector.tick(Timestamp(20_000)).is_empty(), "reported once");

        detector.click(&click(10_000, "a.more", N));
        detector.page_changed(Timestamp(10_500));
        assert!(detector.tick(Timestamp(30_000)).is_empty());

        detector.click(&click(40_000, "p", ClickKind::TextSelection));
        assert!(detector.tick(Timestamp(50_000)).is_empty());
    }
}
