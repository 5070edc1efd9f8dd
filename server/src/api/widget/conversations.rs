//! Conversation endpoints: start, escalate, send, read (polling and Server-Sent
//! Events pushed by the live hub), identify (an anonymous visitor who signed in) and CSAT. Every call but `POST /conversations` needs the
//! per-conversation token returned when the conversation started.

use std::convert::Infallible;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use serde::Deserialize;
use tokio::sync::broadcast;
use waymark_core::wire::{
    ConversationStarted, CsatRequest, EscalateRequest, EscalationAccepted, Identity,
    MessageAccepted, MessagesResponse, SendMessageRequest, StartConversationRequest,
};

use super::fields::Bounded;
use super::{ConversationToken, SiteKey, authorize_site};
use crate::api::AppState;
use crate::api::error::{ApiError, ErrorCode};
use crate::api::json::Json;
use crate::flow::conversation as flow;
use crate::live::{LiveEvent, StreamGuard, StreamScope};
use crate::storage::{ConversationRecord, Site, Store, now_ms};

pub(super) async fn start(
    State(state): State<AppState>,
    key: SiteKey,
    headers: HeaderMap,
    Json(request): Json<StartConversationRequest>,
) -> Result<(StatusCode, Json<ConversationStarted>), ApiError> {
    request.check_bounds()?;
    let site = authorize_site(&state, &key, &headers).await?;
    let started = flow::start(&state.store, &site.id, &request, now_ms()).await?;
    Ok((StatusCode::CREATED, Json(started)))
}

async fn conversation(
    state: &AppState,
    key: &SiteKey,
    headers: &HeaderMap,
    id: &str,
    token: &ConversationToken,
) -> Result<(Site, ConversationRecord), ApiError> {
    let site = authorize_site(state, key, headers).await?;
    let conversation = flow::authorize(&state.store, &site.id, id, token.0.as_deref()).await?;
    Ok((site, conversation))
}

pub(super) async fn escalate(
    State(state): State<AppState>,
    key: SiteKey,
    token: ConversationToken,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(request): Json<EscalateRequest>,
) -> Result<Json<EscalationAccepted>, ApiError> {
    request.check_bounds()?;
    let (site, conversation) = conversation(&state, &key, &headers, &id, &token).await?;
    let accepted =
        flow::escalate(&state.store, &site.id, &conversation, &request, now_ms()).await?;
    Ok(Json(accepted))
}

pub(super) async fn send_message(
    State(state): State<AppState>,
    key: SiteKey,
    token: ConversationToken,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(request): Json<SendMessageRequest>,
) -> Result<Json<MessageAccepted>, ApiError> {
    request.check_bounds()?;
    let (site, conversation) = conversation(&state, &key, &headers, &id, &token).await?;
    let accepted =
        flow::send_message(&state.store, &site.id, &conversation, &request, now_ms()).await?;
    Ok(Json(accepted))
}

/// `?after=CURSOR`.
#[derive(Debug, Deserialize)]
pub(super) struct After {
    after: Option<String>,
}

pub(super) async fn messages(
    State(state): State<AppState>,
    key: SiteKey,
    token: ConversationToken,
    Path(id): Path<String>,
    Query(after): Query<After>,
    headers: HeaderMap,
) -> Result<Json<MessagesResponse>, ApiError> {
    let (site, conversation) = conversation(&state, &key, &headers, &id, &token).await?;
    let response = flow::messages(
        &state.store,
        &site.id,
        &conversation.id,
        after.after.as_deref(),
    )
    .await?;
    Ok(Json(response))
}

/// Server-Sent Events: one `messages` event (a [`MessagesResponse`] as JSON, its
/// cursor as the event id) at once, then one whenever messages, status or notice
/// change, pushed by the site's live hub (no polling). Reconnects resume from
/// `Last-Event-ID` (or `?after=`). At most
/// [`MAX_STREAMS_PER_CONVERSATION`](crate::live::MAX_STREAMS_PER_CONVERSATION)
/// streams per conversation: `429 too_many_streams` beyond.
pub(super) async fn stream(
    State(state): State<AppState>,
    key: SiteKey,
    token: ConversationToken,
    Path(id): Path<String>,
    Query(after): Query<After>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let (site, conversation) = conversation(&state, &key, &headers, &id, &token).await?;
    let live = state.store.live();
    let guard = live
        .open_stream(&site.id, StreamScope::Conversation(conversation.id.clone()))
        .map_err(|limit| ApiError::new(ErrorCode::TooManyStreams, limit.to_string()))?;
    // Subscribe before the first read, so nothing committed in between is missed.
    let receiver = live.subscribe(&site.id);
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(after.after);
    let first = flow::messages(&state.store, &site.id, &conversation.id, resume.as_deref()).await?;
    let watch = ConversationWatch {
        store: state.store.clone(),
        site_id: site.id,
        conversation_id: conversation.id,
        receiver,
        cursor: None,
        last_seen: String::new(),
        _guard: guard,
    };
    let events = stream::unfold((watch, Some(first)), |(mut watch, pending)| async move {
        let event = watch.next_event(pending).await?;
        Some((Ok(event), (watch, None)))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// One widget stream's position: what it sent last and where it listens.
struct ConversationWatch {
    store: Store,
    site_id: String,
    conversation_id: String,
    receiver: broadcast::Receiver<LiveEvent>,
    cursor: Option<String>,
    last_seen: String,
    _guard: StreamGuard,
}

impl ConversationWatch {
    /// The next event to send: `pending` if it changes anything, else the next
    /// change the hub announces for this conversation. `None` ends the stream.
    async fn next_event(&mut self, mut pending: Option<MessagesResponse>) -> Option<Event> {
        loop {
            if let Some(response) = pending.take() {
                let fingerprint = format!("{:?}{:?}", response.status, response.notice);
                let changed = !response.messages.is_empty() || fingerprint != self.last_seen;
                if response.cursor.is_some() {
                    self.cursor = response.cursor.clone();
                }
                if changed {
                    self.last_seen = fingerprint;
                    let data = serde_json::to_string(&response).unwrap_or_default();
                    let mut event = Event::default().event("messages").data(data);
                    if let Some(id) = &response.cursor {
                        event = event.id(id.clone());
                    }
                    return Some(event);
                }
            }
            match self.receiver.recv().await {
                Ok(event) if event.conversation_id != self.conversation_id => continue,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return None,
            }
            match flow::messages(
                &self.store,
                &self.site_id,
                &self.conversation_id,
                self.cursor.as_deref(),
            )
            .await
            {
                Ok(response) => pending = Some(response),
                Err(err) => {
                    tracing::warn!(error = %err, conversation = %self.conversation_id, "event stream stopped");
                    return None;
                }
            }
        }
    }
}

pub(super) async fn csat(
    State(state): State<AppState>,
    key: SiteKey,
    token: ConversationToken,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(request): Json<CsatRequest>,
) -> Result<StatusCode, ApiError> {
    request.check_bounds()?;
    let (site, conversation) = conversation(&state, &key, &headers, &id, &token).await?;
    let new = flow::rate(&state.store, &site.id, &conversation, &request, now_ms()).await?;
    if !new {
        tracing::debug!(conversation = %conversation.id, "csat already recorded");
    }
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn identify(
    State(state): State<AppState>,
    key: SiteKey,
    token: ConversationToken,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(identity): Json<Identity>,
) -> Result<StatusCode, ApiError> {
    identity.check_bounds()?;
    let (site, conversation) = conversation(&state, &key, &headers, &id, &token).await?;
    flow::identify(&state.store, &site.id, &conversation, &identity, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}
