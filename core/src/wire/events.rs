//! Page events sent by the widget in batches.

use super::default_version;
use crate::domain::{PageContext, PageSignal, SignalKind};
use crate::ids::Fingerprint;
use crate::scrub::{ScrubConfig, scrub_text, scrub_url};
use crate::signals::fingerprint_js_error;
use crate::text::url_path;
use crate::time::{DurationMs, Timestamp};
use serde::{Deserialize, Serialize};

/// A batch of page events sent by the widget (`POST /api/widget/v1/events`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventBatch {
    /// Protocol version the widget speaks.
    #[serde(default = "default_version")]
    pub v: u32,
    /// The browser session the events belong to (widget-generated, opaque).
    pub session_id: String,
    /// The events, in the order they happened.
    pub events: Vec<ClientEvent>,
}

/// The server's answer to an event batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventBatchAccepted {
    /// Events stored by this request.
    pub stored: u32,
    /// Events already stored by an earlier request with the same ids.
    pub duplicates: u32,
}

/// One thing the widget saw on the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientEvent {
    /// Client-generated id; a retried batch re-sends the same ids and the server
    /// stores each id once.
    pub id: String,
    /// When it happened, in milliseconds since the Unix epoch (browser clock).
    pub at_ms: i64,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// The kinds of page event, tagged by `type` on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// A full page load.
    PageView(PageInfo),
    /// An in-app navigation (history API, popstate, hashchange).
    Navigation(PageInfo),
    /// An uncaught JavaScript error or unhandled promise rejection.
    JsError(JsError),
    /// A request that failed (status ≥ 400 or a network failure).
    FailedRequest(FailedRequest),
    /// More than the threshold of clicks on one target within the window.
    RageClick(ClickInfo),
    /// A click after which nothing happened.
    DeadClick(ClickInfo),
    /// A page marked as an error page by the host or by the site's patterns.
    ErrorPage(PageInfo),
    /// Time spent on a route before leaving it.
    Dwell(DwellInfo),
    /// A kind this build does not know (sent by a newer widget); stored as unknown.
    #[serde(other)]
    Unknown,
}

/// Where the user is.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PageInfo {
    /// The page URL, query string and fragment already removed.
    pub url: String,
    /// The route (URL path).
    pub route: String,
    /// The document title.
    #[serde(default)]
    pub title: String,
    /// The referring page, scrubbed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    /// The viewport size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viewport: Option<Viewport>,
    /// The browser locale (`en-GB`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// The host application's version, when it tells us.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
}

/// A viewport size in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Viewport {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// A JavaScript error as the page reported it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct JsError {
    /// The error message.
    pub message: String,
    /// The script the error came from, if known.
    #[serde(default)]
    pub source: Option<String>,
    /// The route the user was on.
    #[serde(default)]
    pub route: String,
    /// The stable fingerprint computed by the widget
    /// ([`crate::signals::fingerprint_js_error`]); recomputed when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// The stack trace, scrubbed and truncated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
}

/// A failed request: never headers, never bodies.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FailedRequest {
    /// HTTP method.
    pub method: String,
    /// Request URL without query string.
    pub url: String,
    /// HTTP status; absent for a network failure.
    #[serde(default)]
    pub status: Option<u16>,
    /// How long it took.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u32>,
    /// The page route it was made from.
    #[serde(default)]
    pub route: String,
}

/// A rage or dead click.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClickInfo {
    /// A short selector of the target (`button#pay`), never its text.
    pub target: String,
    /// Where it happened.
    pub route: String,
    /// Clicks in the burst (rage clicks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clicks: Option<u32>,
}

/// Time on a route.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DwellInfo {
    /// The route.
    pub route: String,
    /// How long, in milliseconds.
    pub duration_ms: i64,
}

impl EventBatch {
    /// Scrubs every event (see [`ClientEvent::scrub`]). The widget calls it before
    /// sending and the server again before storing.
    pub fn scrub(&mut self, config: &ScrubConfig) {
        for event in &mut self.events {
            event.scrub(config);
        }
    }
}

impl PageInfo {
    /// The domain page context.
    pub fn to_context(&self) -> PageContext {
        PageContext {
            url: self.url.clone(),
            route: self.route.clone(),
            title: self.title.clone(),
            referrer: self.referrer.clone(),
            locale: self.locale.clone(),
            app_version: self.app_version.clone(),
        }
    }

    /// Scrubs the URL, route, title, referrer, locale and version.
    pub fn scrub(&mut self, config: &ScrubConfig) {
        self.url = scrub_url(&self.url, config);
        self.route = scrub_url(&self.route, config);
        self.title = scrub_text(&self.title, config);
        self.referrer = self
            .referrer
            .as_deref()
            .map(|referrer| scrub_url(referrer, config));
        self.locale = self.locale.as_deref().map(|l| scrub_text(l, config));
        self.app_version = self.app_version.as_deref().map(|v| scrub_text(v, config));
    }
}

impl EventKind {
    /// The `type` tag on the wire (`page_view`, `js_error`, …; `unknown` for kinds
    /// this build does not know). Lets storage code avoid matching every variant.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::PageView(_) => "page_view",
            EventKind::Navigation(_) => "navigation",
            EventKind::JsError(_) => "js_error",
            EventKind::FailedRequest(_) => "failed_request",
            EventKind::RageClick(_) => "rage_click",
            EventKind::DeadClick(_) => "dead_click",
            EventKind::ErrorPage(_) => "error_page",
            EventKind::Dwell(_) => "dwell",
            EventKind::Unknown => "unknown",
        }
    }

    /// The page route the event happened on (empty for unknown kinds).
    pub fn route(&self) -> &str {
        match self {
            EventKind::PageView(page)
            | EventKind::Navigation(page)
            | EventKind::ErrorPage(page) => &page.route,
            EventKind::JsError(error) => &error.route,
            EventKind::FailedRequest(request) => &request.route,
            EventKind::RageClick(click) | EventKind::DeadClick(click) => &click.route,
            EventKind::Dwell(dwell) => &dwell.route,
            EventKind::Unknown => "",
        }
    }
}

impl ClientEvent {
    /// The wire event for a signal the widget's detectors derived (rage click, dead
    /// click, dwell); `None` for signals the widget reports from the browser itself.
    pub fn from_derived_signal(id: String, signal: &PageSignal) -> Option<ClientEvent> {
        let kind = match &signal.kind {
            SignalKind::RageClick {
                target,
                route,
                clicks,
            } => EventKind::RageClick(ClickInfo {
                target: target.clone(),
                route: route.clone(),
                clicks: Some(*clicks),
            }),
            SignalKind::DeadClick { target, route } => EventKind::DeadClick(ClickInfo {
                target: target.clone(),
                route: route.clone(),
                clicks: None,
            }),
            SignalKind::Dwell { route, duration } => EventKind::Dwell(DwellInfo {
                route: route.clone(),
                duration_ms: duration.0,
            }),
            _ => return None,
        };
        Some(ClientEvent {
            id,
            at_ms: signal.at.0,
            kind,
        })
    }

    /// Removes secrets and personal data from every free-text field: URLs, routes,
    /// titles, referrers, locales and versions, error messages, fingerprints and
    /// stacks, request methods, click targets.
    pub fn scrub(&mut self, config: &ScrubConfig) {
        match &mut self.kind {
            EventKind::PageView(page)
            | EventKind::Navigation(page)
            | EventKind::ErrorPage(page) => {
                page.scrub(config);
            }
            EventKind::JsError(error) => {
                error.message = scrub_text(&error.message, config);
                error.fingerprint = error
                    .fingerprint
                    .as_deref()
                    .map(|fingerprint| scrub_text(fingerprint, config));
                error.source = error
                    .source
                    .as_deref()
                    .map(|source| scrub_url(source, config));
                error.stack = error
                    .stack
                    .as_deref()
                    .map(|stack| scrub_text(stack, config));
                error.route = scrub_url(&error.route, config);
            }
            EventKind::FailedRequest(request) => {
                request.method = scrub_text(&request.method, config);
                request.url = scrub_url(&request.url, config);
                request.route = scrub_url(&request.route, config);
            }
            EventKind::RageClick(click) | EventKind::DeadClick(click) => {
                click.target = scrub_text(&click.target, config);
                click.route = scrub_url(&click.route, config);
            }
            EventKind::Dwell(dwell) => dwell.route = scrub_url(&dwell.route, config),
            EventKind::Unknown => {}
        }
    }

    /// The domain page signal for this event (`None` for unknown kinds). JS errors
    /// without a fingerprint get one computed here.
    pub fn to_signal(&self) -> Option<PageSignal> {
        let kind =
            match &self.kind {
                EventKind::PageView(page) => SignalKind::PageView {
                    route: page.route.clone(),
                },
                EventKind::Navigation(page) => SignalKind::Navigation {
                    route: page.route.clone(),
                },
                EventKind::ErrorPage(page) => SignalKind::ErrorPage {
                    route: page.route.clone(),
                },
                EventKind::JsError(error) => {
                    SignalKind::JsError {
                        fingerprint: error.fingerprint.clone().map(Fingerprint).unwrap_or_else(
                            || fingerprint_js_error(&error.message, error.source.as_deref()),
                        ),
                        route: error.route.clone(),
                    }
                }
                EventKind::FailedRequest(request) => SignalKind::FailedRequest {
                    method: request.method.to_ascii_uppercase(),
                    path: url_path(&request.url).to_owned(),
                    status: request.status,
                    route: request.route.clone(),
                },
                EventKind::RageClick(click) => SignalKind::RageClick {
                    target: click.target.clone(),
                    route: click.route.clone(),
                    clicks: click.clicks.unwrap_or(0),
                },
                EventKind::DeadClick(click) => SignalKind::DeadClick {
                    target: click.target.clone(),
                    route: click.route.clone(),
                },
                EventKind::Dwell(dwell) => SignalKind::Dwell {
                    route: dwell.route.clone(),
                    duration: DurationMs(dwell.duration_ms),
                },
                EventKind::Unknown => return None,
            };
        Some(PageSignal {
            at: Timestamp(self.at_ms),
            kind,
        })
    }
}
