//! The site configuration the widget fetches at start (`GET /api/widget/v1/config`).

use super::default_version;
use crate::matrix::Rule;
use crate::scrub::ScrubConfig;
use crate::signals::{ErrorPagePatterns, SignalConfig};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// Everything the widget needs to know about its site.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SiteConfig {
    /// Protocol version the server speaks.
    #[serde(default = "default_version")]
    pub v: u32,
    /// Look and feel.
    #[serde(default)]
    pub theme: Theme,
    /// Consent and scrubbing.
    #[serde(default)]
    pub privacy: PrivacySettings,
    /// Which pages count as error pages.
    #[serde(default)]
    pub error_pages: ErrorPagePatterns,
    /// Page-signal detector thresholds.
    #[serde(default)]
    pub signals: SignalConfig,
    /// The matrix rules the widget evaluates locally (`offer_help` rules). A rule this
    /// build cannot read (a newer condition kind) is skipped, not fatal.
    #[serde(default, deserialize_with = "readable_rules")]
    pub proactive_rules: Vec<Rule>,
    /// Default locale of the widget's strings (`en`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Overrides of the widget's strings, by key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub strings: BTreeMap<String, String>,
}

/// The widget's look.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Theme {
    /// Accent colour as CSS (`#0a7cff`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accent_color: Option<String>,
    /// Where the launcher sits.
    pub position: WidgetPosition,
    /// Light, dark or following the system.
    pub color_scheme: ColorScheme,
    /// Launcher label (`Help`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub launcher_label: Option<String>,
}

/// Where the launcher sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WidgetPosition {
    /// Bottom right corner.
    #[default]
    BottomRight,
    /// Bottom left corner.
    BottomLeft,
}

/// Colour scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColorScheme {
    /// Follow `prefers-color-scheme`.
    #[default]
    Auto,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// Privacy settings of a site.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PrivacySettings {
    /// When the widget may write to storage and send events.
    pub consent: ConsentMode,
    /// Whether text content (not input values) may be captured, e.g. button labels.
    pub capture_text: bool,
    /// What scrubbing removes before anything leaves the browser.
    pub scrub: ScrubConfig,
}

/// When the widget may store and send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentMode {
    /// Only a tab-scoped session id and the page-signal counters in
    /// `sessionStorage` (no cookies, no `localStorage`) before the user
    /// interacts, so page signals count across full page loads.
    #[default]
    Functional,
    /// Nothing is stored before the user interacts with the widget or the host
    /// grants consent (`after_interaction` is its older name).
    #[serde(alias = "after_interaction")]
    Strict,
    /// Nothing is stored or sent before the host grants consent (`Waymark('consent')`).
    AfterConsent,
    /// The host has its own consent management; capture at once.
    NotRequired,
}

/// Reads the rules this build understands and skips the others.
fn readable_rules<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Rule>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum MaybeRule {
        Readable(Box<Rule>),
        Unreadable(serde::de::IgnoredAny),
    }
    let rules: Vec<MaybeRule> = Vec::deserialize(deserializer)?;
    Ok(rules
        .into_iter()
        .filter_map(|rule| match rule {
            MaybeRule::Readable(rule) => Some(*rule),
            MaybeRule::Unreadable(_) => None,
        })
        .collect())
}
