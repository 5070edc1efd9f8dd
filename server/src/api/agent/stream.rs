//! The console's live stream of a site (`GET /api/v1/sites/{site_id}/stream`):
//! Server-Sent Events pushed from the site's live hub. A `ready` event at once,
//! then one `ticket` or `message` event per committed change, its data a
//! [`LiveEvent`] (ids only: the console reads what changed through the agent API).
//! A client that fell behind gets a `resync` event and reloads what it shows.

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use tokio::sync::broadcast;

use super::auth::{Agent, ReadTickets};
use crate::api::AppState;
use crate::api::error::{ApiError, ErrorCode};
use crate::live::{LiveEvent, LiveKind, StreamScope};

pub(super) async fn site_stream(
    State(state): State<AppState>,
    agent: Agent<ReadTickets>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let site_id = agent.site_id;
    let live = state.store.live();
    let guard = live
        .open_stream(&site_id, StreamScope::Site)
        .map_err(|limit| ApiError::new(ErrorCode::TooManyStreams, limit.to_string()))?;
    let receiver = live.subscribe(&site_id);
    let ready = Event::default().event("ready").data("{}");
    let seed = (receiver, guard, Some(ready));
    let events = stream::unfold(seed, |(mut receiver, guard, first)| async move {
        if let Some(ready) = first {
            return Some((Ok(ready), (receiver, guard, None)));
        }
        let event = next_event(&mut receiver).await?;
        Some((Ok(event), (receiver, guard, None)))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

async fn next_event(receiver: &mut broadcast::Receiver<LiveEvent>) -> Option<Event> {
    match receiver.recv().await {
        Ok(event) => Some(sse_event(&event)),
        Err(broadcast::error::RecvError::Lagged(skipped)) => Some(
            Event::default()
                .event("resync")
                .data(format!("{{\"skipped\":{skipped}}}")),
        ),
        Err(broadcast::error::RecvError::Closed) => None,
    }
}

fn sse_event(event: &LiveEvent) -> Event {
    let name = match event.kind {
        LiveKind::Ticket => "ticket",
        LiveKind::Message => "message",
    };
    Event::default()
        .event(name)
        .data(serde_json::to_string(event).unwrap_or_default())
}
