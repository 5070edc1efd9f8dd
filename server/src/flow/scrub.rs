//! Scrubbing at the edge, once, with the site's own settings: every free-text
//! field of every wire request, every agent-written text and every imported
//! document passes through here before anything is stored, indexed, logged or
//! forwarded. The flow functions call [`at_edge`] (or [`site_settings`] and the
//! [`Scrub`] impls) first thing; nothing after them sees unscrubbed text.
//!
//! Ids (session, conversation, idempotency key, answer id) are matched, not read,
//! and are kept. An identity's email and user id are the contact and key the host
//! shares on purpose: kept when they are exactly one email address, scrubbed like
//! any text otherwise.

use waymark_core::domain::Resolution;
use waymark_core::scrub::{ScrubConfig, scrub_text, scrub_url};
use waymark_core::wire::{
    CsatRequest, ErrorContext, EscalateRequest, EventBatch, Identity, SendMessageRequest,
    StartConversationRequest, SuggestRequest,
};
use waymark_knowledge::KnowledgeDoc;

use super::FlowError;
use super::handoff::HandoffNoteView;
use crate::storage::Store;

/// The site's scrubbing settings (`privacy.scrub` of its widget settings), or the
/// defaults when it has none or they no longer read.
pub async fn site_settings(store: &Store, site_id: &str) -> Result<ScrubConfig, FlowError> {
    let Some(json) = store.site_widget_settings(site_id).await? else {
        return Ok(ScrubConfig::default());
    };
    let settings: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
    Ok(settings
        .pointer("/privacy/scrub")
        .and_then(|scrub| serde_json::from_value(scrub.clone()).ok())
        .unwrap_or_default())
}

/// A scrubbed copy of `request`, with the site's settings.
pub async fn at_edge<T: Scrub + Clone>(
    store: &Store,
    site_id: &str,
    request: &T,
) -> Result<T, FlowError> {
    let config = site_settings(store, site_id).await?;
    let mut scrubbed = request.clone();
    scrubbed.scrub(&config);
    Ok(scrubbed)
}

/// Something with free text to scrub in place.
pub trait Scrub {
    /// Replaces every free-text field with its scrubbed text.
    fn scrub(&mut self, config: &ScrubConfig);
}

fn text(value: &mut String, config: &ScrubConfig) {
    *value = scrub_text(value, config);
}

fn optional(value: &mut Option<String>, config: &ScrubConfig) {
    if let Some(value) = value {
        text(value, config);
    }
}

fn all(values: &mut [String], config: &ScrubConfig) {
    for value in values {
        text(value, config);
    }
}

/// Kept when it is exactly one email address (the contact the host shares),
/// scrubbed otherwise.
fn contact(value: &mut Option<String>, config: &ScrubConfig) {
    if let Some(value) = value {
        let scrubbed = scrub_text(value, config);
        let only_an_address = scrubbed == "[email]"
            || (!config.redact_emails && scrub_text(value, &ScrubConfig::default()) == "[email]");
        if !only_an_address {
            *value = scrubbed;
        }
    }
}

impl Scrub for String {
    fn scrub(&mut self, config: &ScrubConfig) {
        text(self, config);
    }
}

impl Scrub for Identity {
    fn scrub(&mut self, config: &ScrubConfig) {
        let mut user_id = Some(std::mem::take(&mut self.user_id));
        contact(&mut user_id, config);
        self.user_id = user_id.unwrap_or_default();
        contact(&mut self.email, config);
        optional(&mut self.name, config);
        optional(&mut self.plan, config);
        optional(&mut self.account_tier, config);
    }
}

impl Scrub for StartConversationRequest {
    fn scrub(&mut self, config: &ScrubConfig) {
        text(&mut self.message, config);
        if let Some(identity) = &mut self.identity {
            identity.scrub(config);
        }
        if let Some(page) = &mut self.page {
            page.scrub(config);
        }
        all(&mut self.rejected_answers, config);
        optional(&mut self.rule, config);
    }
}

impl Scrub for SendMessageRequest {
    fn scrub(&mut self, config: &ScrubConfig) {
        text(&mut self.text, config);
    }
}

impl Scrub for EscalateRequest {
    fn scrub(&mut self, config: &ScrubConfig) {
        optional(&mut self.goal, config);
        all(&mut self.tried, config);
        optional(&mut self.reason, config);
    }
}

impl Scrub for CsatRequest {
    fn scrub(&mut self, config: &ScrubConfig) {
        optional(&mut self.comment, config);
    }
}

impl Scrub for ErrorContext {
    fn scrub(&mut self, config: &ScrubConfig) {
        text(&mut self.message, config);
        optional(&mut self.fingerprint, config);
    }
}

impl Scrub for SuggestRequest {
    fn scrub(&mut self, config: &ScrubConfig) {
        optional(&mut self.query, config);
        if let Some(page) = &mut self.page {
            page.scrub(config);
        }
        if let Some(error) = &mut self.error {
            error.scrub(config);
        }
        optional(&mut self.rule, config);
    }
}

impl Scrub for EventBatch {
    fn scrub(&mut self, config: &ScrubConfig) {
        EventBatch::scrub(self, config);
    }
}

impl Scrub for Resolution {
    fn scrub(&mut self, config: &ScrubConfig) {
        text(&mut self.root_cause, config);
        text(&mut self.fix, config);
        text(&mut self.environment, config);
        text(&mut self.version, config);
    }
}

impl Scrub for HandoffNoteView {
    fn scrub(&mut self, config: &ScrubConfig) {
        text(&mut self.goal, config);
        all(&mut self.tried, config);
        text(&mut self.sentiment, config);
        all(&mut self.commitments, config);
        text(&mut self.reason, config);
        for item in &mut self.page_trail {
            item.route = scrub_url(&item.route, config);
            text(&mut item.detail, config);
        }
        for value in self.account.values_mut() {
            text(value, config);
        }
    }
}

impl Scrub for KnowledgeDoc {
    fn scrub(&mut self, config: &ScrubConfig) {
        text(&mut self.title, config);
        text(&mut self.problem, config);
        all(&mut self.answers, config);
        let resolution = &mut self.resolution;
        for field in [
            &mut resolution.root_cause,
            &mut resolution.fix,
            &mut resolution.environment,
            &mut resolution.version,
        ] {
            optional(field, config);
        }
        for route in &mut self.routes {
            *route = scrub_url(route, config);
        }
        all(&mut self.errors, config);
        optional(&mut self.product_area, config);
        all(&mut self.tags, config);
    }
}

/// Scrubs documents read from a helpdesk export with the site's settings, before
/// they are indexed (`waymark import`). Without a database, the defaults.
pub async fn imported_docs(
    store: Option<&Store>,
    site_id: &str,
    docs: &mut [KnowledgeDoc],
) -> Result<(), FlowError> {
    let config = match store {
        Some(store) => site_settings(store, site_id).await?,
        None => ScrubConfig::default(),
    };
    for doc in docs {
        doc.scrub(&config);
    }
    Ok(())
}

/// Whether a request to `path` may carry its conversation token as `?token=`:
/// only the event stream (`GET /api/widget/v1/conversations/{id}/events`), which
/// `EventSource` opens without headers. Everywhere else it is ignored.
pub fn token_in_query_allowed(path: &str) -> bool {
    path.strip_prefix("/api/widget/v1/conversations/")
        .and_then(|rest| rest.strip_suffix("/events"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// A request target (path and query) fit for a log line: the values of
/// sensitive keys (`token=`, `code=`, …) and anything else scrubbing removes
/// are replaced.
pub fn loggable_target(target: &str) -> String {
    scrub_url(target, &ScrubConfig::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_keeps_a_contact_address_and_scrubs_the_rest() {
        let mut identity = Identity {
            user_id: "jane@example.com".into(),
            email: Some("jane@example.com".into()),
            name: Some("Jane, card 4111 1111 1111 1111".into()),
            plan: Some("pro password=hunter2".into()),
            ..Identity::default()
        };
        identity.scrub(&ScrubConfig::default());
        assert_eq!(identity.user_id, "jane@example.com");
        assert_eq!(identity.email.as_deref(), Some("jane@example.com"));
        assert_eq!(identity.name.as_deref(), Some("Jane, card [card]"));
        assert_eq!(identity.plan.as_deref(), Some("pro password=[redacted]"));
        let mut planted = Identity {
            user_id: "u1 AKIAIOSFODNN7EXAMPLE".into(),
            email: Some("jane@example.com 4111111111111111".into()),
            ..Identity::default()
        };
        planted.scrub(&ScrubConfig::default());
        assert_eq!(planted.user_id, "u1 [token]");
        assert_eq!(planted.email.as_deref(), Some("[email] [card]"));
    }

    #[test]
    fn only_the_event_stream_takes_a_token_in_the_query_and_logs_never_show_it() {
        assert!(token_in_query_allowed(
            "/api/widget/v1/conversations/c_1/events"
        ));
        assert!(!token_in_query_allowed(
            "/api/widget/v1/conversations/c_1/messages"
        ));
        assert!(!token_in_query_allowed(
            "/api/widget/v1/conversations/c_1/x/events"
        ));
        assert!(!token_in_query_allowed("/api/widget/v1/events"));
        assert_eq!(
            loggable_target("/api/widget/v1/conversations/c_1/events?site=pk_1&token=abc123"),
            "/api/widget/v1/conversations/c_1/events?site=pk_1&token=[redacted]"
        );
    }
}
