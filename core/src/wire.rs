//! The widget ↔ server wire protocol, version 1.
//!
//! These types are a promise to every widget already cached on a customer's site:
//! new fields are added as `Option` (or with `#[serde(default)]`), nothing is
//! renamed, and unknown fields are ignored so a newer widget can talk to an older
//! server and vice versa. Unknown event kinds decode as [`EventKind::Unknown`].
//! Convert to domain types at the edge ([`ClientEvent::to_signal`]).
//!
//! | endpoint (under `/api/widget/v1`) | request | response |
//! | --- | --- | --- |
//! | `GET /config` | — | [`SiteConfig`] |
//! | `POST /events` | [`EventBatch`] | [`EventBatchAccepted`] |
//! | `POST /suggest` | [`SuggestRequest`] | [`SuggestResponse`] |
//! | `POST /suggest/feedback` | [`SuggestFeedback`] | — |
//! | `POST /conversations` | [`StartConversationRequest`] | [`ConversationStarted`] |
//! | `POST /conversations/{id}/escalate` | [`EscalateRequest`] | [`EscalationAccepted`] |
//! | `POST /conversations/{id}/messages` | [`SendMessageRequest`] | [`MessageAccepted`] |
//! | `GET /conversations/{id}/messages` | — | [`MessagesResponse`] |
//! | `GET /conversations/{id}/events` | — | SSE: `messages` events, each a [`MessagesResponse`] |
//! | `POST /conversations/{id}/csat` | [`CsatRequest`] | — |
//!
//! Requests that create something carry an `idempotency_key` chosen by the widget; a
//! retry with the same key returns the first result instead of creating a duplicate.

mod config;
mod conversation;
mod events;
mod guide;

pub use config::{ColorScheme, ConsentMode, PrivacySettings, SiteConfig, Theme, WidgetPosition};
pub use conversation::{
    AnswerDetail, AnswerSource, ConversationIntent, ConversationStarted, ConversationStatus,
    CsatRequest, CustomerNotice, ErrorContext, EscalateRequest, EscalationAccepted, Identity,
    MessageAccepted, MessageAuthor, MessagesResponse, Recommendation, SUBJECT_MAX_CHARS,
    SendMessageRequest, StartConversationRequest, SuggestFeedback, SuggestOutcome, SuggestRequest,
    SuggestResponse, SuggestedAnswer, WireMessage, subject_line,
};
pub use events::{
    ClickInfo, ClientEvent, DwellInfo, EventBatch, EventBatchAccepted, EventKind, FailedRequest,
    JsError, PageInfo, Viewport,
};
pub use guide::{GuideError, GuideStep, MAX_GUIDE_FIELD_CHARS, MAX_GUIDE_STEPS, validate_guide};

/// The protocol version spoken by this build.
pub const PROTOCOL_VERSION: u32 = 1;

fn default_version() -> u32 {
    PROTOCOL_VERSION
}

#[cfg(test)]
mod tests;
