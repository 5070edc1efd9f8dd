//! Length limits of every widget wire type, checked at the edge before anything
//! else looks at a request; the error names the field (`identity.email`,
//! `events[3].message`). The OpenAPI document states the same limits
//! (`maxLength`, `maxItems`); a test keeps the two in step.

use waymark_core::wire::{
    ClientEvent, CsatRequest, EscalateRequest, EventBatch, EventKind, Identity, PageInfo,
    SendMessageRequest, StartConversationRequest, SuggestFeedback, SuggestRequest,
};

use crate::api::error::{ApiError, ErrorCode};

/// Ids and keys: session ids, idempotency keys, answer ids, event ids, rules.
pub const ID: usize = 128;
/// A message or a stack trace.
pub const LONG_TEXT: usize = 8 * 1024;
/// A search query, an error message, a goal, a reason, a comment, a URL.
pub const TEXT: usize = 2 * 1024;
/// One thing the user tried.
pub const TRIED: usize = 1024;
/// A route, a page title, a click target.
pub const ROUTE: usize = 512;
/// A user id or a name.
pub const NAME: usize = 256;
/// An email address (RFC 5321's path limit).
pub const EMAIL: usize = 254;
/// An error fingerprint.
pub const FINGERPRINT: usize = 256;
/// A plan, a tier, an app version.
pub const SHORT: usize = 64;
/// A locale tag.
pub const LOCALE: usize = 35;
/// An HTTP method.
pub const METHOD: usize = 16;
/// Answers rejected before a conversation.
pub const REJECTED_ITEMS: usize = 20;
/// Things the user tried.
pub const TRIED_ITEMS: usize = 10;
/// Events in one batch.
pub const BATCH_ITEMS: usize = 500;

/// A wire type whose fields have length limits.
pub trait Bounded {
    /// Refuses the first field over its limit, naming it.
    fn check_bounds(&self) -> Result<(), ApiError>;
}

fn text(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    // Characters, as JSON Schema's `maxLength` counts them; short texts skip the count.
    if value.len() > max && value.chars().count() > max {
        return Err(ApiError::new(
            ErrorCode::InvalidValue,
            format!("{field} is longer than {max} characters"),
        ));
    }
    Ok(())
}

fn optional(field: &str, value: Option<&String>, max: usize) -> Result<(), ApiError> {
    value.map_or(Ok(()), |value| text(field, value, max))
}

fn items(field: &str, count: usize, max: usize) -> Result<(), ApiError> {
    if count > max {
        return Err(ApiError::new(
            ErrorCode::InvalidValue,
            format!("{field} holds at most {max} items, got {count}"),
        ));
    }
    Ok(())
}

fn page(prefix: &str, page: &PageInfo) -> Result<(), ApiError> {
    text(&format!("{prefix}.url"), &page.url, TEXT)?;
    text(&format!("{prefix}.route"), &page.route, ROUTE)?;
    text(&format!("{prefix}.title"), &page.title, ROUTE)?;
    optional(&format!("{prefix}.referrer"), page.referrer.as_ref(), TEXT)?;
    optional(&format!("{prefix}.locale"), page.locale.as_ref(), LOCALE)?;
    optional(
        &format!("{prefix}.app_version"),
        page.app_version.as_ref(),
        SHORT,
    )
}

fn identity(identity: &Identity) -> Result<(), ApiError> {
    text("identity.user_id", &identity.user_id, NAME)?;
    optional("identity.user_hash", identity.user_hash.as_ref(), ID)?;
    optional("identity.email", identity.email.as_ref(), EMAIL)?;
    optional("identity.name", identity.name.as_ref(), NAME)?;
    optional("identity.plan", identity.plan.as_ref(), SHORT)?;
    optional(
        "identity.account_tier",
        identity.account_tier.as_ref(),
        SHORT,
    )
}

impl Bounded for Identity {
    fn check_bounds(&self) -> Result<(), ApiError> {
        // Sent alone to `/identify`: the same limits, the same names.
        identity(self)
    }
}

impl Bounded for StartConversationRequest {
    fn check_bounds(&self) -> Result<(), ApiError> {
        text("session_id", &self.session_id, ID)?;
        text("idempotency_key", &self.idempotency_key, ID)?;
        text("message", &self.message, LONG_TEXT)?;
        if let Some(who) = &self.identity {
            identity(who)?;
        }
        if let Some(info) = &self.page {
            page("page", info)?;
        }
        items(
            "rejected_answers",
            self.rejected_answers.len(),
            REJECTED_ITEMS,
        )?;
        for (index, id) in self.rejected_answers.iter().enumerate() {
            text(&format!("rejected_answers[{index}]"), id, ID)?;
        }
        optional("rule", self.rule.as_ref(), ID)
    }
}

impl Bounded for SendMessageRequest {
    fn check_bounds(&self) -> Result<(), ApiError> {
        text("idempotency_key", &self.idempotency_key, ID)?;
        text("text", &self.text, LONG_TEXT)
    }
}

impl Bounded for EscalateRequest {
    fn check_bounds(&self) -> Result<(), ApiError> {
        text("idempotency_key", &self.idempotency_key, ID)?;
        optional("goal", self.goal.as_ref(), TEXT)?;
        items("tried", self.tried.len(), TRIED_ITEMS)?;
        for (index, tried) in self.tried.iter().enumerate() {
            text(&format!("tried[{index}]"), tried, TRIED)?;
        }
        optional("reason", self.reason.as_ref(), TEXT)
    }
}

impl Bounded for CsatRequest {
    fn check_bounds(&self) -> Result<(), ApiError> {
        text("idempotency_key", &self.idempotency_key, ID)?;
        optional("comment", self.comment.as_ref(), TEXT)
    }
}

impl Bounded for SuggestRequest {
    fn check_bounds(&self) -> Result<(), ApiError> {
        text("session_id", &self.session_id, ID)?;
        optional("query", self.query.as_ref(), TEXT)?;
        if let Some(info) = &self.page {
            page("page", info)?;
        }
        if let Some(error) = &self.error {
            text("error.message", &error.message, TEXT)?;
            optional("error.fingerprint", error.fingerprint.as_ref(), FINGERPRINT)?;
        }
        optional("rule", self.rule.as_ref(), ID)
    }
}

impl Bounded for SuggestFeedback {
    fn check_bounds(&self) -> Result<(), ApiError> {
        text("session_id", &self.session_id, ID)?;
        text("idempotency_key", &self.idempotency_key, ID)?;
        text("query_id", &self.query_id, ID)?;
        text("answer_id", &self.answer_id, ID)
    }
}

impl Bounded for EventBatch {
    fn check_bounds(&self) -> Result<(), ApiError> {
        text("session_id", &self.session_id, ID)?;
        items("events", self.events.len(), BATCH_ITEMS)?;
        for (index, event) in self.events.iter().enumerate() {
            event_bounds(&format!("events[{index}]"), event)?;
        }
        Ok(())
    }
}

fn event_bounds(prefix: &str, event: &ClientEvent) -> Result<(), ApiError> {
    text(&format!("{prefix}.id"), &event.id, ID)?;
    let field = |name: &str| format!("{prefix}.{name}");
    match &event.kind {
        EventKind::PageView(info) | EventKind::Navigation(info) | EventKind::ErrorPage(info) => {
            page(prefix, info)
        }
        EventKind::JsError(error) => {
            text(&field("message"), &error.message, TEXT)?;
            optional(&field("source"), error.source.as_ref(), TEXT)?;
            text(&field("route"), &error.route, ROUTE)?;
            optional(
                &field("fingerprint"),
                error.fingerprint.as_ref(),
                FINGERPRINT,
            )?;
            optional(&field("stack"), error.stack.as_ref(), LONG_TEXT)
        }
        EventKind::FailedRequest(failed) => {
            text(&field("method"), &failed.method, METHOD)?;
            text(&field("url"), &failed.url, TEXT)?;
            text(&field("route"), &failed.route, ROUTE)
        }
        EventKind::RageClick(click) | EventKind::DeadClick(click) => {
            text(&field("target"), &click.target, ROUTE)?;
            text(&field("route"), &click.route, ROUTE)
        }
        EventKind::Dwell(dwell) => text(&field("route"), &dwell.route, ROUTE),
        EventKind::Unknown => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_error_names_the_field_at_the_limit_plus_one() {
        let mut request = SendMessageRequest {
            idempotency_key: "k".into(),
            text: "x".repeat(LONG_TEXT),
            ..SendMessageRequest::default()
        };
        assert!(request.check_bounds().is_ok());
        request.text.push('x');
        let err = request.check_bounds().unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidValue);
    }

    #[test]
    fn the_openapi_document_states_the_same_limits() {
        let document: serde_json::Value =
            serde_json::from_str(crate::api::openapi::DOCUMENT).unwrap();
        let schemas = &document["components"]["schemas"];
        let limit = |schema: &str, field: &str, key: &str| {
            schemas[schema]["properties"][field][key]
                .as_u64()
                .unwrap_or(0) as usize
        };
        let expected = [
            (
                "StartConversationRequest",
                "message",
                "maxLength",
                LONG_TEXT,
            ),
            ("StartConversationRequest", "session_id", "maxLength", ID),
            (
                "StartConversationRequest",
                "idempotency_key",
                "maxLength",
                ID,
            ),
            (
                "StartConversationRequest",
                "rejected_answers",
                "maxItems",
                REJECTED_ITEMS,
            ),
            ("SendMessageRequest", "text", "maxLength", LONG_TEXT),
            ("EscalateRequest", "goal", "maxLength", TEXT),
            ("EscalateRequest", "reason", "maxLength", TEXT),
            ("EscalateRequest", "tried", "maxItems", TRIED_ITEMS),
            ("CsatRequest", "comment", "maxLength", TEXT),
            ("SuggestRequest", "query", "maxLength", TEXT),
            ("SuggestFeedback", "answer_id", "maxLength", ID),
            ("Identity", "user_id", "maxLength", NAME),
            ("Identity", "user_hash", "maxLength", ID),
            ("Identity", "email", "maxLength", EMAIL),
            ("Identity", "plan", "maxLength", SHORT),
            ("PageInfo", "url", "maxLength", TEXT),
            ("PageInfo", "route", "maxLength", ROUTE),
            ("PageInfo", "locale", "maxLength", LOCALE),
            ("EventBatch", "events", "maxItems", BATCH_ITEMS),
            ("ClientEvent", "message", "maxLength", TEXT),
            ("ClientEvent", "stack", "maxLength", LONG_TEXT),
            ("ClientEvent", "fingerprint", "maxLength", FINGERPRINT),
            ("ClientEvent", "method", "maxLength", METHOD),
        ];
        for (schema, field, key, max) in expected {
            assert_eq!(limit(schema, field, key), max, "{schema}.{field} {key}");
        }
        assert_eq!(
            schemas["EscalateRequest"]["properties"]["tried"]["items"]["maxLength"].as_u64(),
            Some(TRIED as u64)
        );
    }
}
