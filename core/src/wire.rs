//! The widget ↔ server wire protocol, version 1.
//!
//! These types are a promise to every widget already cached on a customer's site:
//! new fields are added as `Option` (or with `#[serde(default)]`), nothing is
//! renamed, and unknown fields are ignored so a newer widget can talk to an older
//! server and vice versa. Convert to domain types at the edge.

use serde::{Deserialize, Serialize};

/// The protocol version spoken by this build.
pub const PROTOCOL_VERSION: u32 = 1;

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

fn default_version() -> u32 {
    PROTOCOL_VERSION
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
}

/// The server's answer to an event batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventBatchAccepted {
    /// Events stored by this request.
    pub stored: u32,
    /// Events already stored by an earlier request with the same ids.
    pub duplicates: u32,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn batch_round_trips_with_tagged_kinds() {
        let json = r#"{"v":1,"session_id":"s1","events":[
            {"id":"e1","at_ms":1,"type":"page_view","url":"https://x/a","route":"/a","title":"A"},
            {"id":"e2","at_ms":2,"type":"js_error","message":"boom","route":"/a","future_field":3}
        ]}"#;
        let batch: EventBatch = serde_json::from_str(json).unwrap();
        assert_eq!(batch.events.len(), 2);
        assert!(matches!(&batch.events[1].kind, EventKind::JsError(e) if e.message == "boom"));
    }
}
