//! [`PageTracker`]: all detectors behind one entry point, keeping the bounded page
//! trail that the rules engine reads.

use super::clicks::{Click, DeadClickDetector, RageClickDetector};
use super::config::SignalConfig;
use super::dwell::DwellTracker;
use super::error_page::ErrorPagePatterns;
use super::fingerprint::fingerprint_js_error;
use super::repeat::RepeatDetector;
use crate::domain::{PageSignal, SignalKind};
use crate::rules::{Facts, PageFacts};
use crate::text::url_path;
use crate::time::Timestamp;
use std::collections::VecDeque;

/// Something the widget observed on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observation {
    /// A page load or an SPA navigation.
    Page {
        /// The route.
        route: String,
        /// The document title.
        title: String,
        /// Whether the host marked it as an error page (meta tag, data attribute).
        marked_error: bool,
        /// Whether it was an in-app navigation rather than a full load.
        in_app: bool,
    },
    /// A click.
    Click(Click),
    /// The DOM changed (a navigation also counts): pending clicks are alive.
    PageChanged,
    /// A JavaScript error.
    JsError {
        /// Its message.
        message: String,
        /// The script it came from.
        source: Option<String>,
        /// Where it happened.
        route: String,
    },
    /// A request that failed.
    FailedRequest {
        /// HTTP method.
        method: String,
        /// Request URL (the query is dropped).
        url: String,
        /// Status, `None` for a network failure.
        status: Option<u16>,
        /// Where it happened.
        route: String,
    },
}

/// A repetition that just reached its threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeat {
    /// What repeated.
    pub kind: RepeatKind,
    /// The route (error page) or `METHOD path` (failed request).
    pub key: String,
    /// How many times within the window.
    pub count: u32,
    /// When the threshold was reached.
    pub at: Timestamp,
}

/// What kind of thing repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepeatKind {
    /// The same error page.
    ErrorPage,
    /// The same failed request.
    FailedRequest,
}

/// What one observation (or tick) produced.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Observed {
    /// Signals appended to the trail.
    pub signals: Vec<PageSignal>,
    /// Repetitions that just reached their threshold.
    pub repeats: Vec<Repeat>,
}

/// Every detector plus the page trail, fed one observation at a time.
#[derive(Debug, Clone)]
pub struct PageTracker {
    config: SignalConfig,
    error_pages: ErrorPagePatterns,
    rage: RageClickDetector,
    dead: DeadClickDetector,
    dwell: DwellTracker,
    repeated_error_pages: RepeatDetector,
    repeated_requests: RepeatDetector,
    trail: VecDeque<PageSignal>,
}

impl PageTracker {
    /// A tracker with these thresholds and error-page patterns.
    pub fn new(config: SignalConfig, error_pages: ErrorPagePatterns) -> Self {
        Self {
            rage: RageClickDetector::new(config.rage_click_clicks, config.rage_click_window),
            dead: DeadClickDetector::new(config.dead_click_wait),
            dwell: DwellTracker::new(config.dwell_min),
            repeated_error_pages: RepeatDetector::new(
                config.error_page_repeats,
                config.error_page_window,
            ),
            repeated_requests: RepeatDetector::new(
                config.failed_request_repeats,
                config.failed_request_window,
            ),
            trail: VecDeque::new(),
            config,
            error_pages,
        }
    }

    /// Feeds one observation made at `at`.
    pub fn observe(&mut self, at: Timestamp, observation: Observation) -> Observed {
        let mut observed = Observed::default();
        match observation {
            Observation::Page {
                route,
                title,
                marked_error,
                in_app,
            } => {
                self.dead.page_changed(at);
                if let Some(dwell) = self.dwell.enter(&route, at) {
                    observed.signals.push(dwell);
                }
                let kind = if in_app {
                    SignalKind::Navigation {
                        route: route.clone(),
                    }
                } else {
                    SignalKind::PageView {
                        route: route.clone(),
                    }
                };
                observed.signals.push(PageSignal { at, kind });
                if self.error_pages.is_error_page(&route, &title, marked_error) {
                    if let Some(count) = self.repeated_error_pages.observe(&route, at) {
                        observed.repeats.push(Repeat {
                            kind: RepeatKind::ErrorPage,
                            key: route.clone(),
                            count,
                            at,
                        });
                    }
                    observed.signals.push(PageSignal {
                        at,
                        kind: SignalKind::ErrorPage { route },
                    });
                }
            }
            Observation::Click(click) => {
                self.dead.click(&click);
                observed.signals.extend(self.rage.click(&click));
            }
            Observation::PageChanged => self.dead.page_changed(at),
            Observation::JsError {
                message,
                source,
                route,
            } => {
                let fingerprint = fingerprint_js_error(&message, source.as_deref());
                observed.signals.push(PageSignal {
                    at,
                    kind: SignalKind::JsError { fingerprint, route },
                });
            }
            Observation::FailedRequest {
                method,
                url,
                status,
                route,
            } => {
                let method = method.to_ascii_uppercase();
                let path = url_path(&url).to_owned();
                let key = format!("{method} {path}");
                if let Some(count) = self.repeated_requests.observe(&key, at) {
                    observed.repeats.push(Repeat {
                        kind: RepeatKind::FailedRequest,
                        key,
                        count,
                        at,
                    });
                }
                observed.signals.push(PageSignal {
                    at,
                    kind: SignalKind::FailedRequest {
                        method,
                        path,
                        status,
                        route,
                    },
                });
            }
        }
        self.remember(&observed.signals);
        observed
    }

    /// Appends a signal detected outside the tracker to the trail: the loader
    /// detects rage and dead clicks from the first moment, before the widget runs.
    pub fn record(&mut self, signal: PageSignal) {
        self.remember(std::slice::from_ref(&signal));
    }

    /// Advances time to `now`: reports clicks that turned out dead.
    pub fn tick(&mut self, now: Timestamp) -> Observed {
        let observed = Observed {
            signals: self.dead.tick(now),
            repeats: Vec::new(),
        };
        self.remember(&observed.signals);
        observed
    }

    /// The trail, oldest first.
    pub fn trail(&self) -> impl Iterator<Item = &PageSignal> {
        self.trail.iter()
    }

    /// Facts for the rules engine: the trail and the current page (no ticket).
    pub fn facts(&self) -> Facts {
        self.page_facts().into()
    }

    /// The same facts as the browser's [`PageFacts`] (no rules fired yet).
    pub fn page_facts(&self) -> PageFacts {
        PageFacts {
            trail: self.trail.iter().cloned().collect(),
            current_page: self.dwell.current().cloned(),
            fired_rules: Vec::new(),
        }
    }

    fn remember(&mut self, signals: &[PageSignal]) {
        let limit = self.config.trail_limit.max(1) as usize;
        for signal in signals {
            self.trail.push_back(signal.clone());
            if self.trail.len() > limit {
                self.trail.pop_front();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signals::ClickKind;

    fn page(route: &str, title: &str) -> Observation {
        Observation::Page {
            route: route.into(),
            title: title.into(),
            marked_error: false,
            in_app: true,
        }
    }

    #[test]
    fn repeated_error_pages_and_requests_are_reported_at_the_threshold() {
        let mut tracker = PageTracker::new(SignalConfig::default(), ErrorPagePatterns::default());
        let mut repeats = Vec::new();
        for minute in 0..3 {
            let at = Timestamp(minute * 60_000);
            repeats.extend(
                tracker
                    .observe(at, page("/orders/9", "Something went wrong"))
                    .repeats,
            );
            let failed = Observation::FailedRequest {
                method: "post".into(),
                url: "https://shop.example/api/pay?token=x".into(),
                status: Some(502),
                route: "/orders/9".into(),
            };
            repeats.extend(tracker.observe(at, failed).repeats);
        }
        let keys: Vec<(RepeatKind, &str, u32)> = repeats
            .iter()
            .map(|r| (r.kind, r.key.as_str(), r.count))
            .collect();
        assert_eq!(
            keys,
            [
                (RepeatKind::ErrorPage, "/orders/9", 3),
                (RepeatKind::FailedRequest, "POST /api/pay", 3)
            ]
        );
        let facts = tracker.facts();
        assert_eq!(
            facts.current_page.map(|p| p.route),
            Some("/orders/9".to_owned())
        );
        assert!(
            facts
                .trail
                .iter()
                .all(|s| !format!("{s:?}").contains("token"))
        );
    }

    #[test]
    fn clicks_become_rage_and_dead_signals_and_the_trail_is_bounded() {
        let config = SignalConfig {
            trail_limit: 3,
            ..SignalConfig::default()
        };
        let mut tracker = PageTracker::new(config, ErrorPagePatterns::default());
        let mut produced = Vec::new();
        for ms in [0, 200, 400, 600] {
            let click = Click {
                at: Timestamp(ms),
                target: "button#pay".into(),
                route: "/checkout".into(),
                kind: ClickKind::Normal,
            };
            produced.extend(
                tracker
                    .observe(Timestamp(ms), Observation::Click(click))
                    .signals,
            );
        }
        produced.extend(tracker.tick(Timestamp(7_600)).signals);
        let kinds: Vec<&str> = produced
            .iter()
            .map(|s| match s.kind {
                SignalKind::RageClick { .. } => "rage",
                SignalKind::DeadClick { .. } => "dead",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, ["rage", "dead", "dead", "dead", "dead"]);
        assert_eq!(tracker.trail().count(), 3);
        tracker.record(PageSignal {
            at: Timestamp(8_000),
            kind: SignalKind::RageClick {
                target: "div.total".into(),
                route: "/checkout".into(),
                clicks: 4,
            },
        });
        assert_eq!(tracker.trail().count(), 3);
        assert!(matches!(
            tracker.facts().trail.last().map(|s| &s.kind),
            Some(SignalKind::RageClick { target, .. }) if target == "div.total"
        ));
    }
}
