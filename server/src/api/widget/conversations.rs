//! Conversation endpoints: start, escalate, send, read (polling and Server-Sent
//! Events), identify (an anonymous visitor who signed in) and CSAT. Every call but `POST /conversations` needs the
//! per-conversation token returned when the conversation started.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use serde::Deserialize;
use waymark_core::wire::{
    ConversationStarted, CsatRequest, EscalateRequest, EscalationAccepted, Identity,
    MessageAccepted, MessagesResponse, SendMessageRequest, StartConversationRequest,
};

use super::fields::Bounded;
use super::{ConversationToken, SiteKey, authorize_site};
use crate::api::AppState;
use crate::api::error::ApiError;
use crate::api::json::Json;
use crate::flow::conversation as flow;
use crate::storage::{ConversationRecord, Site, now_ms};

/// How often the event stream looks for news.
pub const STREAM_POLL: Duration = Duration::from_secs(1);

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
/// change. Reconnects resume from `Last-Event-ID` (or `?after=`).
pub(super) async fn stream(
    State(state): State<AppState>,
    key: SiteKey,
    token: ConversationToken,
    Path(id): Path<String>,
    Query(after): Query<After>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let (site, conversation) = conversation(&state, &key, &headers, &id, &token).await?;
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(after.after);
    let first = flow::messages(&state.store, &site.id, &conversation.id, resume.as_deref()).await?;
    let store = state.store.clone();
    let initial = Some(first);
    let seed = (initial, None::<String>, String::new());
    let events = stream::unfold(seed, move |(pending, cursor, last_seen)| {
        let store = store.clone();
        let site_id = site.id.clone();
        let conversation_id = conversation.id.clone();
        async move {
            let mut cursor = cursor;
            let mut pending = pending;
            loop {
                if let Some(response) = pending.take() {
                    let fingerprint = format!("{:?}{:?}", response.status, response.notice);
                    let changed = !response.messages.is_empty() || fingerprint != last_seen;
                    let next_cursor = response.cursor.clone();
                    if changed {
                        let data = serde_json::to_string(&response).unwrap_or_default();
                        let mut event = Event::default().event("messages").data(data);
                        if let Some(id) = &next_cursor {
                            event = event.id(id.clone());
                        }
                        return Some((Ok(event), (None, next_cursor, fingerprint)));
                    }
                    cursor = next_cursor;
                }
                tokio::time::sleep(STREAM_POLL).await;
                match flow::messages(&store, &site_id, &conversation_id, cursor.as_deref()).await {
                    Ok(response) => pending = Some(response),
                    Err(err) => {
                        tracing::warn!(error = %err, conversation = %conversation_id, "event stream stopped");
                        return None;
                    }
                }
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
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
