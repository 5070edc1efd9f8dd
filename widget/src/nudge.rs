//! When to open the proactive nudge: the site's proactive rules (the matrix's
//! `offer_help` rules, from the site config) evaluated by `core`'s rules engine
//! over the page trail that `core`'s detectors ([`PageTracker`]) keep. A rule
//! means the same in the browser as on the server; it fires once per session
//! (its id joins the facts' `fired_rules`) and never while the user is already
//! in the panel.
//!
//! The loader reports an error page as its own event right after the page view
//! (or once the document is parsed), so a page is held back until the next page,
//! or until [`Nudger::due`] settles it, to know whether the host marked it.

use waymark_core::domain::{PageSignal, SignalKind};
use waymark_core::ids::RuleId;
use waymark_core::matrix::Rule;
use waymark_core::rules::offer_help;
use waymark_core::signals::{ErrorPagePatterns, Observation, PageTracker, SignalConfig};
use waymark_core::time::Timestamp;

/// Most observations kept for replay (reconfiguration and page loads).
const KEPT: usize = 100;

/// Something the loader captured, as the nudge needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// A page load (`in_app` false) or an SPA navigation.
    Page {
        /// The route.
        route: String,
        /// The document title.
        title: String,
        /// An SPA navigation rather than a full load.
        in_app: bool,
    },
    /// The host marked the page on `route` as an error page.
    ErrorPage {
        /// The route.
        route: String,
    },
    /// An uncaught error or unhandled rejection.
    JsError {
        /// Its (scrubbed) message.
        message: String,
        /// The script, if known.
        source: Option<String>,
        /// Where it happened.
        route: String,
    },
    /// A request that failed.
    FailedRequest {
        /// HTTP method.
        method: String,
        /// URL without query.
        url: String,
        /// Status, `None` for a network failure.
        status: Option<u16>,
        /// Where it happened.
        route: String,
    },
    /// A rage click (`rage` true) or a dead click the loader detected.
    Click {
        /// Rage rather than dead.
        rage: bool,
        /// A short selector of the target.
        target: String,
        /// Where it happened.
        route: String,
    },
}

impl Seen {
    /// From the wire `type` of an event and a reader of its string fields
    /// (`None` for the kinds the rules do not look at, such as `dwell`, which the
    /// tracker derives itself from pages).
    pub fn from_event(kind: &str, field: impl Fn(&str) -> String) -> Option<Self> {
        let route = field("route");
        Some(match kind {
            "page_view" | "navigation" => Seen::Page {
                route,
                title: field("title"),
                in_app: kind == "navigation",
            },
            "error_page" => Seen::ErrorPage { route },
            "js_error" => Seen::JsError {
                message: field("message"),
                source: Some(field("source")).filter(|s| !s.is_empty()),
                route,
            },
            "failed_request" => Seen::FailedRequest {
                method: field("method"),
                url: field("url"),
                status: field("status").parse().ok().filter(|s| *s > 0),
                route,
            },
            "rage_click" | "dead_click" => Seen::Click {
                rage: kind == "rage_click",
                target: field("target"),
                route,
            },
            _ => return None,
        })
    }
}

/// Why the nudge opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nudge {
    /// The rule that fired (its id goes with the suggest call and the conversation).
    pub rule: String,
}

/// A page not yet known to be marked as an error page.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pending {
    at: i64,
    route: String,
    title: String,
    in_app: bool,
    marked: bool,
}

/// One observation fed to the tracker, kept for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kept {
    Observed(i64, Observation),
    Recorded(PageSignal),
}

/// The site's rules over the page trail.
#[derive(Debug)]
pub struct Nudger {
    signals: SignalConfig,
    error_pages: ErrorPagePatterns,
    rules: Vec<Rule>,
    tracker: PageTracker,
    kept: Vec<Kept>,
    pending: Option<Pending>,
    /// The last page fed: its route and whether it counted as an error page.
    last_page: Option<(String, bool)>,
    fired: Vec<RuleId>,
    last_rule: Option<String>,
    last_error: Option<(String, String)>,
}

impl Default for Nudger {
    fn default() -> Self {
        Self::new(
            SignalConfig::default(),
            ErrorPagePatterns::default(),
            Vec::new(),
        )
    }
}

impl Nudger {
    /// A nudger with the site's detector thresholds, error-page patterns and proactive rules.
    pub fn new(signals: SignalConfig, error_pages: ErrorPagePatterns, rules: Vec<Rule>) -> Self {
        Self {
            tracker: PageTracker::new(signals.clone(), error_pages.clone()),
            signals,
            error_pages,
            rules,
            kept: Vec::new(),
            pending: None,
            last_page: None,
            fired: Vec::new(),
            last_rule: None,
            last_error: None,
        }
    }

    /// Takes the site config (it arrives after the first events): the trail so far
    /// is replayed through detectors with the new thresholds.
    pub fn configure(
        &mut self,
        signals: SignalConfig,
        error_pages: ErrorPagePatterns,
        rules: Vec<Rule>,
    ) {
        self.signals = signals;
        self.error_pages = error_pages;
        self.rules = rules;
        self.replay();
    }

    /// The rule of the last nudge opened, if any.
    pub fn last_rule(&self) -> Option<&str> {
        self.last_rule.as_deref()
    }

    /// The last error seen on `route`: a JS error's message, or a failed request
    /// as `METHOD url status`.
    pub fn error_on(&self, route: &str) -> Option<String> {
        self.last_error
            .as_ref()
            .filter(|(r, _)| r == route)
            .map(|(_, m)| m.clone())
    }

    /// Observes what the loader captured at `at_ms`.
    pub fn observe(&mut self, at_ms: i64, seen: Seen) {
        match seen {
            Seen::Page {
                route,
                title,
                in_app,
            } => {
                self.settle();
                self.pending = Some(Pending {
                    at: at_ms,
                    route,
                    title,
                    in_app,
                    marked: false,
                });
            }
            Seen::ErrorPage { route } => match &mut self.pending {
                Some(pending) if pending.route == route => pending.marked = true,
                _ => {
                    // Marked after the page was settled: counted now, unless the
                    // site's patterns already counted it.
                    if self
                        .last_page
                        .as_ref()
                        .is_some_and(|(last, counted)| *last == route && !counted)
                    {
                        self.pending = Some(Pending {
                            at: at_ms,
                            route,
                            title: String::new(),
                            in_app: true,
                            marked: true,
                        });
                        self.settle();
                    }
                }
            },
            Seen::JsError {
                message,
                source,
                route,
            } => {
                self.last_error = Some((route.clone(), message.clone()));
                self.feed(Kept::Observed(
                    at_ms,
                    Observation::JsError {
                        message,
                        source,
                        route,
                    },
                ));
            }
            Seen::FailedRequest {
                method,
                url,
                status,
                route,
            } => {
                let status_text = status.map(|s| s.to_string()).unwrap_or_default();
                self.last_error = Some((
                    route.clone(),
                    format!("{method} {url} {status_text}")
                        .trim_end()
                        .to_owned(),
                ));
                self.feed(Kept::Observed(
                    at_ms,
                    Observation::FailedRequest {
                        method,
                        url,
                        status,
                        route,
                    },
                ));
            }
            Seen::Click {
                rage,
                target,
                route,
            } => {
                let kind = if rage {
                    SignalKind::RageClick {
                        target,
                        route,
                        clicks: self.signals.rage_click_clicks,
                    }
                } else {
                    SignalKind::DeadClick { target, route }
                };
                self.feed(Kept::Recorded(PageSignal {
                    at: Timestamp(at_ms),
                    kind,
                }));
            }
        }
    }

    /// The nudge to open as of `now_ms`, if a proactive rule fires now. The rule is
    /// remembered as fired and does not fire again in this session.
    pub fn due(&mut self, now_ms: i64) -> Option<Nudge> {
        self.settle();
        let mut facts = self.tracker.page_facts();
        facts.fired_rules = self.fired.clone();
        let rule = offer_help(&self.rules, &facts, Timestamp(now_ms))?;
        let nudge = Nudge {
            rule: rule.id.as_str().to_owned(),
        };
        self.fired.push(rule.id.clone());
        self.last_rule = Some(nudge.rule.clone());
        Some(nudge)
    }

    /// Feeds the held-back page to the tracker.
    fn settle(&mut self) {
        if let Some(page) = self.pending.take() {
            self.feed(Kept::Observed(
                page.at,
                Observation::Page {
                    route: page.route,
                    title: page.title,
                    marked_error: page.marked,
                    in_app: page.in_app,
                },
            ));
        }
    }

    fn feed(&mut self, kept: Kept) {
        self.apply(&kept);
        self.kept.push(kept);
        if self.kept.len() > KEPT {
            self.kept.remove(0);
        }
    }

    fn apply(&mut self, kept: &Kept) {
        match kept {
            Kept::Observed(at, observation) => {
                let observed = self.tracker.observe(Timestamp(*at), observation.clone());
                if let Observation::Page { route, .. } = observation {
                    let counted = observed
                        .signals
                        .iter()
                        .any(|s| matches!(s.kind, SignalKind::ErrorPage { .. }));
                    self.last_page = Some((route.clone(), counted));
                }
            }
            Kept::Recorded(signal) => self.tracker.record(signal.clone()),
        }
    }

    fn replay(&mut self) {
        self.tracker = PageTracker::new(self.signals.clone(), self.error_pages.clone());
        for kept in std::mem::take(&mut self.kept) {
            self.apply(&kept);
            self.kept.push(kept);
        }
    }

    /// The trail as text, to survive full page loads (the same error page three
    /// times is usually three loads): one tab-separated line per observation,
    /// `!` lines for rules already fired. Whole milliseconds only: float
    /// formatting would cost kilobytes of wasm.
    pub fn save(&self) -> String {
        let mut text = String::new();
        let mut line = |fields: &[&str]| {
            let clean: Vec<String> = fields
                .iter()
                .map(|f| f.replace(['\t', '\n'], " "))
                .collect();
            text.push_str(&clean.join("\t"));
            text.push('\n');
        };
        let flag = |b: bool| if b { "1" } else { "0" };
        for kept in &self.kept {
            match kept {
                Kept::Observed(at, observation) => {
                    let at = at.to_string();
                    match observation {
                        Observation::Page {
                            route,
                            title,
                            marked_error,
                            in_app,
                        } => line(&["P", &at, flag(*in_app), flag(*marked_error), route, title]),
                        Observation::JsError {
                            message,
                            source,
                            route,
                        } => line(&["E", &at, route, source.as_deref().unwrap_or(""), message]),
                        Observation::FailedRequest {
                            method,
                            url,
                            status,
                            route,
                        } => {
                            let status = status.map(|s| s.to_string()).unwrap_or_default();
                            line(&["F", &at, &status, method, route, url]);
                        }
                        Observation::Click(_) | Observation::PageChanged => {}
                    }
                }
                Kept::Recorded(signal) => {
                    let at = signal.at.0.to_string();
                    match &signal.kind {
                        SignalKind::RageClick { target, route, .. } => {
                            line(&["R", &at, route, target]);
                        }
                        SignalKind::DeadClick { target, route } => line(&["D", &at, route, target]),
                        _ => {}
                    }
                }
            }
        }
        for rule in &self.fired {
            line(&["!", rule.as_str()]);
        }
        text
    }

    /// Restores what [`save`](Self::save) wrote (before anything else is
    /// observed); unreadable lines are skipped.
    pub fn load(&mut self, saved: &str) {
        for line in saved.lines() {
            let fields: Vec<&str> = line.split('\t').collect();
            let text = |i: usize| fields.get(i).copied().unwrap_or_default().to_owned();
            if fields.first() == Some(&"!") {
                self.fired.push(RuleId::new(text(1)));
                continue;
            }
            let Some(at) = fields.get(1).and_then(|at| at.parse::<i64>().ok()) else {
                continue;
            };
            let kept = match fields[0] {
                "P" if fields.len() == 6 => Kept::Observed(
                    at,
                    Observation::Page {
                        in_app: fields[2] == "1",
                        marked_error: fields[3] == "1",
                        route: text(4),
                        title: text(5),
                    },
                ),
                "E" if fields.len() == 5 => Kept::Observed(
                    at,
                    Observation::JsError {
                        route: text(2),
                        source: Some(text(3)).filter(|s| !s.is_empty()),
                        message: text(4),
                    },
                ),
                "F" if fields.len() == 6 => Kept::Observed(
                    at,
                    Observation::FailedRequest {
                        status: fields[2].parse().ok(),
                        method: text(3),
                        route: text(4),
                        url: text(5),
                    },
                ),
                "R" | "D" if fields.len() == 4 => {
                    let (route, target) = (text(2), text(3));
                    let kind = if fields[0] == "R" {
                        SignalKind::RageClick {
                            target,
                            route,
                            clicks: self.signals.rage_click_clicks,
                        }
                    } else {
                        SignalKind::DeadClick { target, route }
                    };
                    Kept::Recorded(PageSignal {
                        at: Timestamp(at),
                        kind,
                    })
                }
                _ => continue,
            };
            self.feed(kept);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const MINUTE: i64 = 60_000;

    /// The sample matrix's proactive rules, read from the site config the server sends.
    fn sample_rules() -> Vec<Rule> {
        let text = include_str!("../../core/examples/escalation-matrix.toml");
        let matrix = waymark_core::matrix::load_toml(text).unwrap();
        let config = serde_json::json!({ "proactive_rules": matrix.proactive_rules() });
        let rules = crate::config::read_config(&config).rules;
        assert_eq!(rules.len(), 3);
        rules
    }

    /// One rule as the site config carries it.
    fn rule(json: &str) -> Vec<Rule> {
        let rule: serde_json::Value = serde_json::from_str(json).unwrap();
        let rules =
            crate::config::read_config(&serde_json::json!({ "proactive_rules": [rule] })).rules;
        assert_eq!(rules.len(), 1);
        rules
    }

    fn with_rules(rules: Vec<Rule>) -> Nudger {
        Nudger::new(SignalConfig::default(), ErrorPagePatterns::default(), rules)
    }

    /// A full load of `/demo/broken`, marked by the host, then a step away.
    fn broken_load(nudger: &mut Nudger, at: i64) -> Option<Nudge> {
        nudger.observe(
            at,
            Seen::Page {
                route: "/demo/broken".into(),
                title: "Old reports".into(),
                in_app: false,
            },
        );
        nudger.observe(
            at,
            Seen::ErrorPage {
                route: "/demo/broken".into(),
            },
        );
        nudger.due(at)
    }

    #[test]
    fn the_sample_rule_opens_the_nudge_at_the_third_error_page_in_ten_minutes_once() {
        let mut nudger = with_rules(sample_rules());
        assert_eq!(broken_load(&mut nudger, 0), None);
        assert_eq!(broken_load(&mut nudger, 2 * MINUTE), None);
        let nudge = broken_load(&mut nudger, 4 * MINUTE).unwrap();
        assert_eq!(nudge.rule, "repeated-error-page");
        assert_eq!(nudger.last_rule(), Some("repeated-error-page"));
        assert_eq!(broken_load(&mut nudger, 5 * MINUTE), None);
    }

    #[test]
    fn the_threshold_and_window_come_from_the_rule() {
        let two_in_a_minute = r#"{"id":"twice","when":{"all":[{"error_page_repeated":{"at_least":2,"within":"1m"}}]},"then":{"action":"offer_help"}}"#;
        let mut nudger = with_rules(rule(two_in_a_minute));
        assert_eq!(broken_load(&mut nudger, 0), None);
        assert_eq!(
            broken_load(&mut nudger, 30_000).map(|n| n.rule),
            Some("twice".to_owned())
        );

        let four = two_in_a_minute
            .replace("\"at_least\":2", "\"at_least\":4")
            .replace("1m", "10m");
        let mut nudger = with_rules(rule(&four));
        for minute in 0..3 {
            assert_eq!(broken_load(&mut nudger, minute * MINUTE), None);
        }
        assert_eq!(
            broken_load(&mut nudger, 3 * MINUTE).map(|n| n.rule),
            Some("twice".to_owned())
        );
    }

    #[test]
    fn without_rules_nothing_opens() {
        let mut nudger = Nudger::default();
        for minute in 0..5 {
            assert_eq!(broken_load(&mut nudger, minute * MINUTE), None);
        }
    }

    #[test]
    fn error_pages_older_than_the_window_do_not_count() {
        let mut nudger = with_rules(sample_rules());
        broken_load(&mut nudger, 0);
        broken_load(&mut nudger, MINUTE);
        assert_eq!(broken_load(&mut nudger, 12 * MINUTE), None);
    }

    #[test]
    fn an_unmarked_page_is_not_an_error_page_unless_the_site_patterns_say_so() {
        let mut nudger = with_rules(sample_rules());
        for minute in 0..3 {
            nudger.observe(
                minute * MINUTE,
                Seen::Page {
                    route: "/demo/reports".into(),
                    title: "Reports".into(),
                    in_app: false,
                },
            );
            assert_eq!(nudger.due(minute * MINUTE), None);
        }
        let patterns = ErrorPagePatterns {
            routes: vec!["/demo/reports".into()],
            titles: Vec::new(),
        };
        nudger.configure(SignalConfig::default(), patterns, sample_rules());
        assert_eq!(
            nudger.due(3 * MINUTE).map(|n| n.rule),
            Some("repeated-error-page".to_owned())
        );
    }

    #[test]
    fn a_mark_after_the_page_was_settled_counts_once() {
        let mut nudger = with_rules(sample_rules());
        for minute in 0..3 {
            let at = minute * MINUTE;
            nudger.observe(
                at,
                Seen::Page {
                    route: "/demo/broken".into(),
                    title: "Something went wrong".into(),
                    in_app: false,
                },
            );
            let early = nudger.due(at);
            // The title matches the default patterns: the late mark adds nothing.
            nudger.observe(
                at,
                Seen::ErrorPage {
                    route: "/demo/broken".into(),
                },
            );
            let late = nudger.due(at);
            assert_eq!(early.is_some() || late.is_some(), minute == 2, "{minute}");
        }
    }

    #[test]
    fn repeated_failed_requests_and_rage_clicks_fire_the_frustration_rule() {
        let mut nudger = with_rules(sample_rules());
        for second in 0..2 {
            nudger.observe(
                second * 1000,
                Seen::FailedRequest {
                    method: "POST".into(),
                    url: "http://127.0.0.1/demo/api/payment".into(),
                    status: Some(502),
                    route: "/demo/billing".into(),
                },
            );
            assert_eq!(nudger.due(second * 1000), None);
        }
        assert_eq!(
            nudger.error_on("/demo/billing").as_deref(),
            Some("POST http://127.0.0.1/demo/api/payment 502")
        );
        nudger.observe(
            3000,
            Seen::Click {
                rage: true,
                target: "button#pay-now".into(),
                route: "/demo/billing".into(),
            },
        );
        assert_eq!(
            nudger.due(3000).map(|n| n.rule),
            Some("frustration-on-page".to_owned())
        );
    }

    #[test]
    fn the_trail_and_fired_rules_survive_a_page_load() {
        let mut before = with_rules(sample_rules());
        broken_load(&mut before, 0);
        broken_load(&mut before, MINUTE);
        before.observe(
            MINUTE,
            Seen::JsError {
                message: "ExportError:\tCSV worker failed".into(),
                source: None,
                route: "/demo/reports/export".into(),
            },
        );
        let saved = before.save();

        let mut after = with_rules(sample_rules());
        after.load(&saved);
        assert_eq!(after.save(), saved);
        assert_eq!(
            broken_load(&mut after, 2 * MINUTE).map(|n| n.rule),
            Some("repeated-error-page".to_owned())
        );

        let mut again = with_rules(sample_rules());
        again.load(&after.save());
        assert_eq!(broken_load(&mut again, 3 * MINUTE), None, "fired once");
    }

    #[test]
    fn events_read_from_the_wire_fields() {
        let fields = |key: &str| match key {
            "route" => "/demo/billing".to_owned(),
            "method" => "POST".to_owned(),
            "url" => "http://x/demo/api/payment".to_owned(),
            "status" => "502".to_owned(),
            _ => String::new(),
        };
        assert_eq!(
            Seen::from_event("failed_request", fields),
            Some(Seen::FailedRequest {
                method: "POST".into(),
                url: "http://x/demo/api/payment".into(),
                status: Some(502),
                route: "/demo/billing".into(),
            })
        );
        assert_eq!(Seen::from_event("dwell", fields), None);
    }
}
