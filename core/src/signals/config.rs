//! Detector thresholds, configurable per site (sent to the widget in its config).

use crate::time::DurationMs;
use serde::{Deserialize, Serialize};

/// Thresholds of the page-signal detectors. Every field has a default, so a site
/// config may set only what it changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignalConfig {
    /// Clicks on one target that make a rage click (default 4: "more than 3").
    pub rage_click_clicks: u32,
    /// Window those clicks must fall in, both ends included (default 1 s).
    pub rage_click_window: DurationMs,
    /// Time after a click without navigation or DOM change that makes it dead (default 7 s).
    pub dead_click_wait: DurationMs,
    /// Same error page this many times … (default 3)
    pub error_page_repeats: u32,
    /// … within this window (default 10 min).
    pub error_page_window: DurationMs,
    /// Same failed request this many times … (default 3)
    pub failed_request_repeats: u32,
    /// … within this window (default 5 min).
    pub failed_request_window: DurationMs,
    /// Shortest stay on a page that is recorded as a dwell signal (default 10 s).
    pub dwell_min: DurationMs,
    /// Most signals kept in the trail; the oldest are dropped first (default 200).
    pub trail_limit: u32,
}

impl Default for SignalConfig {
    fn default() -> Self {
        Self {
            rage_click_clicks: 4,
            rage_click_window: DurationMs::seconds(1),
            dead_click_wait: DurationMs::seconds(7),
            error_page_repeats: 3,
            error_page_window: DurationMs::minutes(10),
            failed_request_repeats: 3,
            failed_request_window: DurationMs::minutes(5),
            dwell_min: DurationMs::seconds(10),
            trail_limit: 200,
        }
    }
}
