//! What the widget saw on the page, as domain values: page context and page signals
//! (the page trail). The wire format lives in [`crate::wire`]; convert at the edge.

use crate::ids::Fingerprint;
use crate::time::{DurationMs, Timestamp};
use serde::{Deserialize, Serialize};

/// Where the end user is, without the query string or fragment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PageContext {
    /// The scrubbed page URL.
    pub url: String,
    /// The route (URL path).
    pub route: String,
    /// The document title.
    #[serde(default)]
    pub title: String,
    /// The referring page, scrubbed.
    #[serde(default)]
    pub referrer: Option<String>,
    /// The browser locale, e.g. `en-GB`.
    #[serde(default)]
    pub locale: Option<String>,
    /// The host application's version, when it tells us.
    #[serde(default)]
    pub app_version: Option<String>,
}

/// One entry of the page trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageSignal {
    /// When it happened.
    pub at: Timestamp,
    /// What happened.
    #[serde(flatten)]
    pub kind: SignalKind,
}

/// The kinds of page signal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SignalKind {
    /// A full page load.
    PageView {
        /// The route.
        route: String,
    },
    /// An in-app (SPA) navigation.
    Navigation {
        /// The new route.
        route: String,
    },
    /// A JavaScript error, identified by its stable fingerprint.
    JsError {
        /// Equal for every occurrence of the same error.
        fingerprint: Fingerprint,
        /// Where it happened.
        route: String,
    },
    /// A request that failed (status ≥ 400, or no status for a network failure).
    FailedRequest {
        /// HTTP method.
        method: String,
        /// Request URL without query string.
        path: String,
        /// HTTP status, `None` for a network failure.
        #[serde(default)]
        status: Option<u16>,
        /// The page route it was made from.
        route: String,
    },
    /// More clicks than the threshold within a short window on one target.
    RageClick {
        /// A short selector of the target.
        target: String,
        /// Where it happened.
        route: String,
        /// How many clicks the burst had when it was detected.
        clicks: u32,
    },
    /// A click after which nothing happened (no navigation, no DOM change).
    DeadClick {
        /// A short selector of the target.
        target: String,
        /// Where it happened.
        route: String,
    },
    /// A page the host marked as an error page (or that matched the site's patterns).
    ErrorPage {
        /// The route.
        route: String,
    },
    /// Time spent on a route before leaving it.
    Dwell {
        /// The route.
        route: String,
        /// How long.
        duration: DurationMs,
    },
}

impl SignalKind {
    /// The page route the signal happened on.
    pub fn route(&self) -> &str {
        match self {
            SignalKind::PageView { route }
            | SignalKind::Navigation { route }
            | SignalKind::JsError { route, .. }
            | SignalKind::FailedRequest { route, .. }
            | SignalKind::RageClick { route, .. }
            | SignalKind::DeadClick { route, .. }
            | SignalKind::ErrorPage { route }
            | SignalKind::Dwell { route, .. } => route,
        }
    }
}
