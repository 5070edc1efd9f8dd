//! The widget side of the flow: start a conversation, send messages, ask for a
//! person, read replies, rate. At intake and on every customer message the
//! site's matrix is evaluated; a routing decision creates or moves the ticket,
//! with the handoff note and the customer notice, in one commit.

use serde_json::json;
use waymark_core::wire::{
    ConversationIntent, ConversationStarted, ConversationStatus, CsatRequest, EscalateRequest,
    EscalationAccepted, Identity, MessageAccepted, MessageAuthor, MessagesResponse,
    SendMessageRequest, StartConversationRequest, WireMessage,
};

use super::routing::{Snapshot, early_warnings, rejected_suggestions, route, snapshot};
use super::{FlowError, new_id, scrub, session_events, site_matrix};
use crate::storage::tickets::{CommitOutcome, CsatRecord};
use crate::storage::{ConversationRecord, MessageRecord, Store, TicketChange, TrailEntry};

/// Longest message accepted, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 8 * 1024;

/// A customer's request for a person, as the handoff note needs it.
#[derive(Debug, Clone, Default)]
pub struct HumanRequest {
    /// Their goal in their words.
    pub goal: Option<String>,
    /// What they tried.
    pub tried: Vec<String>,
    /// Why they want a person.
    pub reason: Option<String>,
}

/// Starts a conversation. A retry with the same idempotency key from the same
/// session with the same body returns the first answer (same id, the same
/// derived token) and creates nothing; another body is refused (422
/// `idempotency_conflict`), another session finds nothing (404).
pub async fn start(
    store: &Store,
    site_id: &str,
    request: &StartConversationRequest,
    now_ms: i64,
) -> Result<ConversationStarted, FlowError> {
    let request = &scrub::at_edge(store, site_id, request).await?;
    validate_key(&request.idempotency_key)?;
    validate_id("session_id", &request.session_id)?;
    let text = clean_text("message", &request.message)?;
    let body_hash = super::replay::body_hash(request);
    let secret = super::secrets::install_secret(store).await?;
    if let Some(first) = replay_start(store, site_id, request, &body_hash, &secret, now_ms).await? {
        return Ok(first);
    }
    let identity = request.identity.as_ref();
    let verified = match identity {
        Some(identity) => super::identity::verify(store, site_id, identity).await?,
        None => false,
    };
    let id = new_id("c")?;
    let token = super::secrets::conversation_token(&secret, site_id, &id);
    let conversation = ConversationRecord {
        id,
        session_id: request.session_id.clone(),
        token_hash: super::hash_token(&token),
        idempotency_key: request.idempotency_key.clone(),
        status: ConversationStatus::Open,
        customer_id: identity.map(|i| i.user_id.clone()),
        customer_name: identity.and_then(|i| i.name.clone()),
        customer_email: identity.and_then(|i| i.email.clone()),
        page: request.page.as_ref().map(crate::storage::to_json),
        rule: request.rule.clone(),
        rejected_answers: super::suggest::internal_answer_ids(
            store,
            site_id,
            &request.rejected_answers,
        )
        .await?,
        notice: None,
        plan: identity.and_then(|i| i.plan.clone()),
        account_tier: identity.and_then(|i| i.account_tier.clone()),
        identity_verified: verified,
        created_at_ms: now_ms,
        updated_at_ms: now_ms,
    };
    let first_message = customer_message(&conversation.id, None, text, now_ms)?;
    let human = (request.intent == ConversationIntent::TalkToPerson).then(HumanRequest::default);
    let mut snapshot = Snapshot {
        conversation: conversation.clone(),
        ticket: None,
        messages: vec![first_message.clone()],
        events: session_events(store, site_id, &request.session_id).await?,
        notes: 0,
        rejected: Vec::new(),
        error_reports: Vec::new(),
        product_areas: Vec::new(),
    };
    snapshot.error_reports =
        super::routing::error_reports(store, site_id, &snapshot.events, now_ms).await?;
    snapshot.rejected = rejected_suggestions(store, site_id, &snapshot.conversation).await?;
    let matrix = site_matrix(store, site_id).await?;
    let routed = route(&matrix, &snapshot, human.as_ref(), now_ms)?;
    let mut answer = ConversationStarted {
        conversation_id: conversation.id.clone(),
        status: ConversationStatus::Open,
        notice: None,
        conversation_token: None,
    };
    let mut change = TicketChange {
        new_conversation: Some(conversation),
        messages: vec![first_message],
        ..TicketChange::default()
    };
    if let Some(routed) = routed {
        answer.status = routed.status;
        answer.notice = routed.notice.clone();
        change.merge(routed.change);
    }
    // What is kept for a replay: who may replay it, the body, the answer without
    // its token (the token is derived again on replay).
    change.idempotency = Some((
        "start".into(),
        request.idempotency_key.clone(),
        super::replay::stored(&request.session_id, &body_hash, &answer),
    ));
    match store
        .commit_ticket_change(site_id, &answer.conversation_id, &change)
        .await?
    {
        CommitOutcome::Committed => {
            tracing::info!(site = site_id, conversation = %answer.conversation_id, status = ?answer.status, "conversation started");
            answer.conversation_token = Some(token);
            Ok(answer)
        }
        CommitOutcome::Replayed(first) => {
            let mut first: ConversationStarted =
                super::replay::check(&first, &request.session_id, &body_hash)?;
            first.conversation_token = Some(super::secrets::conversation_token(
                &secret,
                site_id,
                &first.conversation_id,
            ));
            Ok(first)
        }
    }
}

/// The first answer to a replayed start, checked against the caller and body;
/// `None` when the key is new.
async fn replay_start(
    store: &Store,
    site_id: &str,
    request: &StartConversationRequest,
    body_hash: &str,
    secret: &str,
    now_ms: i64,
) -> Result<Option<ConversationStarted>, FlowError> {
    let stored = store
        .idempotency_row(site_id, "start", &request.idempotency_key)
        .await?;
    let live = stored.filter(|(_, at_ms)| *at_ms >= now_ms - super::replay::KEY_LIFETIME_MS);
    let Some((first, _)) = live else {
        if store
            .conversation_key_used(site_id, &request.idempotency_key)
            .await?
        {
            return Err(FlowError::IdempotencyConflict(format!(
                "idempotency_key `{}` was used more than 24 hours ago: send a new key",
                request.idempotency_key
            )));
        }
        return Ok(None);
    };
    let mut first: ConversationStarted =
        super::replay::check(&first, &request.session_id, body_hash)?;
    first.conversation_token = Some(super::secrets::conversation_token(
        secret,
        site_id,
        &first.conversation_id,
    ));
    Ok(Some(first))
}

/// The conversation `id`, if `token` is its per-conversation token.
pub async fn authorize(
    store: &Store,
    site_id: &str,
    conversation_id: &str,
    token: Option<&str>,
) -> Result<ConversationRecord, FlowError> {
    let token = token.ok_or_else(|| {
        FlowError::Unauthorized(
            "missing conversation token: send `Authorization: Bearer <conversation_token>`".into(),
        )
    })?;
    let conversation = store
        .conversation(site_id, conversation_id)
        .await?
        .ok_or_else(|| FlowError::NotFound(format!("no conversation `{conversation_id}`")))?;
    let given = super::hash_token(token);
    if super::secrets::constant_time_eq(given.as_bytes(), conversation.token_hash.as_bytes()) {
        Ok(conversation)
    } else {
        Err(FlowError::Unauthorized(
            "the conversation token is not valid for this conversation".into(),
        ))
    }
}

/// Stores a customer message (once per idempotency key) and evaluates the matrix.
pub async fn send_message(
    store: &Store,
    site_id: &str,
    conversation: &ConversationRecord,
    request: &SendMessageRequest,
    now_ms: i64,
) -> Result<MessageAccepted, FlowError> {
    let request = &scrub::at_edge(store, site_id, request).await?;
    validate_key(&request.idempotency_key)?;
    let text = clean_text("text", &request.text)?;
    let message = customer_message(
        &conversation.id,
        Some(request.idempotency_key.clone()),
        text,
        now_ms,
    )?;
    let (stored, created) = store.add_message(site_id, &message).await?;
    if created {
        let snapshot = snapshot(store, site_id, conversation).await?;
        if let Some(ticket) = &snapshot.ticket
            && waymark_core::text::is_status_follow_up(&stored.text)
        {
            let entry = TrailEntry {
                at_ms: now_ms,
                actor: "customer".into(),
                action: "status_follow_up".into(),
                detail: json!({ "message": stored.id, "signal": "handoff_failure" }),
            };
            let change = TicketChange {
                ticket: Some(ticket.clone()),
                trail: vec![entry],
                ..TicketChange::default()
            };
            store
                .commit_ticket_change(site_id, &conversation.id, &change)
                .await?;
        }
        let matrix = site_matrix(store, site_id).await?;
        if let Some(routed) = route(&matrix, &snapshot, None, now_ms)? {
            store
                .commit_ticket_change(site_id, &conversation.id, &routed.change)
                .await?;
        } else if let Some(warnings) = early_warnings(&matrix, &snapshot, now_ms) {
            store
                .commit_ticket_change(site_id, &conversation.id, &warnings)
                .await?;
        }
    }
    Ok(MessageAccepted {
        message_id: stored.id,
        at_ms: stored.at_ms,
        duplicate: !created,
    })
}

/// Hands the conversation to a person ("talk to a person"); a retry with the same
/// idempotency key returns the first answer and changes nothing.
pub async fn escalate(
    store: &Store,
    site_id: &str,
    conversation: &ConversationRecord,
    request: &EscalateRequest,
    now_ms: i64,
) -> Result<EscalationAccepted, FlowError> {
    let request = &scrub::at_edge(store, site_id, request).await?;
    validate_key(&request.idempotency_key)?;
    let scope = format!("escalate:{}", conversation.id);
    let body_hash = super::replay::body_hash(request);
    if let Some((first, at_ms)) = store
        .idempotency_row(site_id, &scope, &request.idempotency_key)
        .await?
        && at_ms >= now_ms - super::replay::KEY_LIFETIME_MS
    {
        return super::replay::check(&first, &conversation.session_id, &body_hash);
    }
    let human = HumanRequest {
        goal: request.goal.clone(),
        tried: request.tried.clone(),
        reason: request.reason.clone(),
    };
    let mut snapshot = snapshot(store, site_id, conversation).await?;
    let mut change = TicketChange::default();
    if let Some(reason) = human.reason.as_deref().filter(|r| !r.trim().is_empty()) {
        // The user's reason is part of the conversation: rules look at it too.
        let key = format!("{}:reason", request.idempotency_key);
        let message = customer_message(&conversation.id, Some(key), reason.to_owned(), now_ms)?;
        snapshot.messages.push(message.clone());
        change.messages.push(message);
    }
    let matrix = site_matrix(store, site_id).await?;
    let routed = route(&matrix, &snapshot, Some(&human), now_ms)?
        .ok_or_else(|| FlowError::Conflict("the conversation cannot be escalated now".into()))?;
    let answer = EscalationAccepted {
        conversation_id: conversation.id.clone(),
        status: routed.status,
        notice: routed.notice,
    };
    change.merge(routed.change);
    change.idempotency = Some((
        scope,
        request.idempotency_key.clone(),
        super::replay::stored(&conversation.session_id, &body_hash, &answer),
    ));
    match store
        .commit_ticket_change(site_id, &conversation.id, &change)
        .await?
    {
        CommitOutcome::Committed => {
            tracing::info!(site = site_id, conversation = %conversation.id, status = ?answer.status, "conversation escalated");
            Ok(answer)
        }
        CommitOutcome::Replayed(first) => {
            super::replay::check(&first, &conversation.session_id, &body_hash)
        }
    }
}

/// Messages after the cursor (a message `seq`), with the status and notice.
pub async fn messages(
    store: &Store,
    site_id: &str,
    conversation_id: &str,
    after: Option<&str>,
) -> Result<MessagesResponse, FlowError> {
    let after = match after {
        None | Some("") => 0,
        Some(cursor) => cursor.parse::<i64>().map_err(|_| {
            FlowError::Invalid(format!(
                "`after` must be a cursor from an earlier answer, got `{cursor}`"
            ))
        })?,
    };
    let conversation = store
        .conversation(site_id, conversation_id)
        .await?
        .ok_or_else(|| FlowError::NotFound(format!("no conversation `{conversation_id}`")))?;
    let stored = store
        .messages_after(site_id, conversation_id, after)
        .await?;
    let cursor = stored.last().map_or(after, |m| m.seq);
    Ok(MessagesResponse {
        conversation_id: conversation_id.to_owned(),
        messages: stored.into_iter().map(wire_message).collect(),
        status: conversation.status,
        notice: conversation.notice,
        cursor: Some(cursor.to_string()),
    })
}

/// How the widget names a visitor the host has not identified.
pub const ANONYMOUS_PREFIX: &str = "anonymous:";

/// Identity continuity: the host identified the visitor after the conversation
/// started (`Waymark('identify', …)`). Details not given are kept; a conversation
/// already tied to another identified user is refused.
pub async fn identify(
    store: &Store,
    site_id: &str,
    conversation: &ConversationRecord,
    identity: &Identity,
    now_ms: i64,
) -> Result<(), FlowError> {
    let identity = &scrub::at_edge(store, site_id, identity).await?;
    let user_id = identity.user_id.trim();
    if user_id.is_empty() || user_id.len() > 256 {
        return Err(FlowError::Invalid(
            "user_id must be 1 to 256 characters".into(),
        ));
    }
    // The widget names a visitor who only left an email `anonymous:<session>`.
    if conversation
        .customer_id
        .as_deref()
        .is_some_and(|known| known != user_id && !known.starts_with(ANONYMOUS_PREFIX))
    {
        return Err(FlowError::Conflict(
            "the conversation belongs to another user".into(),
        ));
    }
    let verified = super::identity::verify(store, site_id, identity).await?;
    if conversation.identity_verified && !verified {
        // Unverified claims never replace verified ones.
        return Err(FlowError::IdentityUnverified(
            "the conversation's user is verified: send the user_hash to change their details"
                .into(),
        ));
    }
    let mut updated = conversation.clone();
    updated.identity_verified = verified;
    updated.customer_id = Some(user_id.to_owned());
    let keep = |new: &Option<String>, old: &Option<String>| new.clone().or_else(|| old.clone());
    updated.customer_name = keep(&identity.name, &conversation.customer_name);
    updated.customer_email = keep(&identity.email, &conversation.customer_email);
    updated.plan = keep(&identity.plan, &conversation.plan);
    updated.account_tier = keep(&identity.account_tier, &conversation.account_tier);
    store
        .set_conversation_identity(site_id, &updated, now_ms)
        .await?;
    Ok(())
}

/// Records the customer's rating once per conversation; returns whether it was new.
pub async fn rate(
    store: &Store,
    site_id: &str,
    conversation: &ConversationRecord,
    request: &CsatRequest,
    now_ms: i64,
) -> Result<bool, FlowError> {
    let request = &scrub::at_edge(store, site_id, request).await?;
    validate_key(&request.idempotency_key)?;
    if !request.score_is_valid() {
        return Err(FlowError::Invalid(format!(
            "score must be 1 to 5, got {}",
            request.score
        )));
    }
    let ticket = store
        .ticket_of_conversation(site_id, &conversation.id)
        .await?;
    let record = CsatRecord {
        conversation_id: conversation.id.clone(),
        ticket_id: ticket.as_ref().map(|t| t.id.clone()),
        idempotency_key: request.idempotency_key.clone(),
        score: i64::from(request.score),
        comment: request.comment.clone(),
        at_ms: now_ms,
    };
    let new = store.record_csat(site_id, &record).await?;
    if let (true, Some(mut ticket)) = (new, ticket) {
        ticket.stage = waymark_core::domain::LifecycleStage::Feedback;
        ticket.updated_at_ms = now_ms;
        let change = TicketChange {
            trail: vec![TrailEntry {
                at_ms: now_ms,
                actor: "customer".into(),
                action: "csat".into(),
                detail: json!({ "score": request.score }),
            }],
            ticket: Some(ticket),
            ..TicketChange::default()
        };
        store
            .commit_ticket_change(site_id, &conversation.id, &change)
            .await?;
    }
    Ok(new)
}

/// A stored message as the end user sees it.
pub fn wire_message(message: MessageRecord) -> WireMessage {
    WireMessage {
        id: message.id,
        at_ms: message.at_ms,
        author: message.author,
        author_name: message.author_name,
        text: message.text,
    }
}

fn customer_message(
    conversation_id: &str,
    idempotency_key: Option<String>,
    text: String,
    now_ms: i64,
) -> Result<MessageRecord, FlowError> {
    let sentiment = f64::from(waymark_knowledge::sentiment::score(&text));
    Ok(MessageRecord {
        seq: 0,
        id: new_id("m")?,
        conversation_id: conversation_id.to_owned(),
        idempotency_key,
        author: MessageAuthor::Customer,
        author_name: None,
        text,
        sentiment: Some(sentiment),
        at_ms: now_ms,
    })
}

/// Checks a text field (scrubbed at the edge already) and trims it.
pub fn clean_text(field: &str, text: &str) -> Result<String, FlowError> {
    if text.trim().is_empty() {
        return Err(FlowError::Invalid(format!("{field} must not be empty")));
    }
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(FlowError::Invalid(format!(
            "{field} is longer than {MAX_MESSAGE_BYTES} bytes"
        )));
    }
    Ok(text.trim().to_owned())
}

/// Checks an idempotency key (1 to 128 characters).
pub fn validate_key(key: &str) -> Result<(), FlowError> {
    validate_id("idempotency_key", key)
}

fn validate_id(field: &str, value: &str) -> Result<(), FlowError> {
    if value.is_empty() || value.len() > 128 {
        return Err(FlowError::Invalid(format!(
            "{field} must be 1 to 128 characters"
        )));
    }
    Ok(())
}
