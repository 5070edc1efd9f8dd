//! When to open the proactive nudge: the page signals the loader captured,
//! counted per route in a sliding window (by default the same error page three
//! times in ten minutes, or repeated errors on one page). Fires once per route
//! and never while the user is already in the panel.

/// A page signal that can make the user stuck.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The host marked the page as an error page.
    ErrorPage,
    /// An uncaught error or unhandled rejection.
    JsError,
    /// A request that failed.
    FailedRequest,
    /// A burst of clicks on one target.
    RageClick,
}

impl Signal {
    /// From the wire `type` of an event; `None` for the others.
    pub fn from_type(kind: &str) -> Option<Self> {
        match kind {
            "error_page" => Some(Self::ErrorPage),
            "js_error" => Some(Self::JsError),
            "failed_request" => Some(Self::FailedRequest),
            "rage_click" => Some(Self::RageClick),
            _ => None,
        }
    }
}

/// Thresholds of the nudge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NudgeConfig {
    /// Signals on one route that open the nudge.
    pub threshold: u32,
    /// Window they must fall in, in ms.
    pub window_ms: f64,
}

impl Default for NudgeConfig {
    fn default() -> Self {
        Self {
            threshold: 3,
            window_ms: 10.0 * 60.0 * 1000.0,
        }
    }
}

/// Why the nudge opened.
#[derive(Debug, Clone, PartialEq)]
pub struct Nudge {
    /// The route it is about.
    pub route: String,
    /// The rule name sent with the suggest call and the conversation.
    pub rule: &'static str,
    /// The last error message seen on the route, if any.
    pub error: Option<String>,
}

/// Counts signals per route.
#[derive(Debug, Default)]
pub struct Nudger {
    config: NudgeConfig,
    seen: Vec<(String, f64)>,
    fired: Vec<String>,
    last_rule: Option<&'static str>,
    last_error: Option<(String, String)>,
}

impl Nudger {
    /// A nudger with these thresholds.
    pub fn new(config: NudgeConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    /// The rule of the last nudge opened, if any.
    pub fn last_rule(&self) -> Option<&'static str> {
        self.last_rule
    }

    /// The last error message seen on `route`.
    pub fn error_on(&self, route: &str) -> Option<String> {
        self.last_error
            .as_ref()
            .filter(|(r, _)| r == route)
            .map(|(_, m)| m.clone())
    }

    /// Observes a signal at `at_ms`; returns the nudge to open, if this one tips it.
    pub fn observe(
        &mut self,
        signal: Signal,
        route: &str,
        message: Option<&str>,
        at_ms: f64,
    ) -> Option<Nudge> {
        if let Some(message) = message.filter(|m| !m.is_empty()) {
            self.last_error = Some((route.to_owned(), message.to_owned()));
        }
        if signal == Signal::RageClick {
            return self.fire(route, "rage_clicks");
        }
        let window_start = at_ms - self.config.window_ms;
        self.seen.retain(|(_, at)| *at >= window_start);
        self.seen.push((route.to_owned(), at_ms));
        let on_route = self.seen.iter().filter(|(r, _)| r == route).count();
        if on_route < self.config.threshold as usize {
            return None;
        }
        let rule = if signal == Signal::ErrorPage {
            "repeated_error_page"
        } else {
            "repeated_errors"
        };
        self.fire(route, rule)
    }

    /// The counts as text, to survive full page loads (the same error page three
    /// times is usually three loads): one `route<TAB>at_ms` line per signal, and
    /// `!route` for routes already nudged.
    pub fn save(&self) -> String {
        let mut text = String::new();
        for (route, at) in &self.seen {
            // Whole milliseconds: float formatting would cost kilobytes of wasm.
            let at = *at as u64;
            text.push_str(&format!("{route}\t{at}\n"));
        }
        for route in &self.fired {
            text.push_str(&format!("!{route}\n"));
        }
        text
    }

    /// Restores what [`save`](Self::save) wrote; unreadable lines are skipped.
    pub fn load(&mut self, saved: &str) {
        for line in saved.lines() {
            if let Some(route) = line.strip_prefix('!') {
                self.fired.push(route.to_owned());
            } else if let Some((route, at)) = line.split_once('\t')
                && let Ok(at) = at.parse::<u64>()
            {
                self.seen.push((route.to_owned(), at as f64));
            }
        }
    }

    fn fire(&mut self, route: &str, rule: &'static str) -> Option<Nudge> {
        if self.fired.iter().any(|r| r == route) {
            return None;
        }
        self.fired.push(route.to_owned());
        self.last_rule = Some(rule);
        Some(Nudge {
            route: route.to_owned(),
            rule,
            error: self.error_on(route),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const MINUTE: f64 = 60_000.0;

    #[test]
    fn the_same_error_page_three_times_in_ten_minutes_opens_the_nudge_once() {
        let mut nudger = Nudger::default();
        assert_eq!(
            nudger.observe(Signal::ErrorPage, "/broken", None, 0.0),
            None
        );
        assert_eq!(
            nudger.observe(Signal::ErrorPage, "/broken", None, 2.0 * MINUTE),
            None
        );
        let nudge = nudger
            .observe(Signal::ErrorPage, "/broken", None, 4.0 * MINUTE)
            .unwrap();
        assert_eq!(nudge.rule, "repeated_error_page");
        assert_eq!(
            nudger.observe(Signal::ErrorPage, "/broken", None, 5.0 * MINUTE),
            None
        );
    }

    #[test]
    fn signals_older_than_the_window_do_not_count() {
        let mut nudger = Nudger::default();
        nudger.observe(Signal::ErrorPage, "/broken", None, 0.0);
        nudger.observe(Signal::ErrorPage, "/broken", None, MINUTE);
        assert_eq!(
            nudger.observe(Signal::ErrorPage, "/broken", None, 12.0 * MINUTE),
            None
        );
    }

    #[test]
    fn other_routes_do_not_count_towards_a_route() {
        let mut nudger = Nudger::default();
        nudger.observe(Signal::JsError, "/a", None, 0.0);
        nudger.observe(Signal::JsError, "/b", None, 1.0);
        assert_eq!(nudger.observe(Signal::JsError, "/a", None, 2.0), None);
    }

    #[test]
    fn the_nudge_names_the_last_error_on_its_page() {
        let mut nudger = Nudger::new(NudgeConfig {
            threshold: 2,
            window_ms: MINUTE,
        });
        nudger.observe(
            Signal::JsError,
            "/export",
            Some("ExportError: CSV worker failed"),
            0.0,
        );
        let nudge = nudger
            .observe(Signal::FailedRequest, "/export", None, 1.0)
            .unwrap();
        assert_eq!(
            nudge.error.as_deref(),
            Some("ExportError: CSV worker failed")
        );
    }

    #[test]
    fn counts_survive_a_page_load() {
        let mut before = Nudger::default();
        before.observe(Signal::ErrorPage, "/broken", None, 0.0);
        before.observe(Signal::ErrorPage, "/broken", None, 1.0);
        before.observe(Signal::RageClick, "/billing", None, 1.0);
        let mut after = Nudger::default();
        after.load(&before.save());
        assert_eq!(
            after
                .observe(Signal::ErrorPage, "/broken", None, 2.0)
                .unwrap()
                .rule,
            "repeated_error_page"
        );
        assert_eq!(
            after.observe(Signal::RageClick, "/billing", None, 3.0),
            None
        );
    }

    #[test]
    fn a_rage_click_opens_the_nudge_at_once() {
        let mut nudger = Nudger::default();
        assert_eq!(
            nudger
                .observe(Signal::RageClick, "/billing", None, 0.0)
                .unwrap()
                .rule,
            "rage_clicks"
        );
    }
}
