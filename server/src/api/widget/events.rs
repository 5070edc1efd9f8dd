//! `POST /api/widget/v1/events`: batched page events, validated, scrubbed again
//! and stored once per client event id.

use axum::extract::State;
use axum::http::HeaderMap;
use waymark_core::wire::{ClientEvent, EventBatch, EventBatchAccepted};

use super::fields::Bounded;
use super::{ClientAddress, SiteKey, authorize_site};
use crate::api::AppState;
use crate::api::error::{ApiError, ErrorCode};
use crate::api::json::Json;
use crate::storage::events::NewEvent;
use crate::storage::now_ms;

/// Largest accepted event batch body.
pub const MAX_BATCH_BYTES: usize = 256 * 1024;
/// Most events in one batch.
pub const MAX_BATCH_EVENTS: usize = 500;
const MAX_ID_LEN: usize = 128;

pub(super) async fn ingest_events(
    State(state): State<AppState>,
    key: SiteKey,
    client: ClientAddress,
    headers: HeaderMap,
    Json(batch): Json<EventBatch>,
) -> Result<Json<EventBatchAccepted>, ApiError> {
    batch.check_bounds()?;
    let site = authorize_site(&state, &key, &headers).await?;
    let now = now_ms();
    let scrubbed = crate::flow::scrub::at_edge(&state.store, &site.id, &batch).await?;
    let events = validate_batch(&scrubbed, now)?;
    let outcome = crate::flow::clients::ingest_batch(
        &state.store,
        &site.id,
        &batch.session_id,
        events,
        client.address(),
        state.config.limits.new_sessions_per_client_per_hour,
        now,
    )
    .await?;
    state
        .metrics
        .record_events(u64::from(outcome.stored), u64::from(outcome.duplicates));
    tracing::debug!(site = %site.id, session = %batch.session_id, stored = outcome.stored, duplicates = outcome.duplicates, "events ingested");
    Ok(Json(EventBatchAccepted {
        stored: outcome.stored,
        duplicates: outcome.duplicates,
    }))
}

/// Checks a batch and turns it into rows; the whole batch is refused if any event
/// is invalid, naming the event by index.
fn validate_batch(batch: &EventBatch, now_ms: i64) -> Result<Vec<NewEvent>, ApiError> {
    let invalid = |message: String| ApiError::new(ErrorCode::InvalidValue, message);
    if batch.session_id.is_empty() || batch.session_id.len() > MAX_ID_LEN {
        return Err(invalid(format!(
            "session_id must be 1 to {MAX_ID_LEN} characters"
        )));
    }
    if batch.events.len() > MAX_BATCH_EVENTS {
        return Err(invalid(format!(
            "a batch holds at most {MAX_BATCH_EVENTS} events, this one has {}",
            batch.events.len()
        )));
    }
    batch
        .events
        .iter()
        .enumerate()
        .map(|(index, event)| {
            if event.id.is_empty() || event.id.len() > MAX_ID_LEN {
                return Err(invalid(format!(
                    "events[{index}].id must be 1 to {MAX_ID_LEN} characters"
                )));
            }
            to_row(event, now_ms).map_err(|message| invalid(format!("events[{index}]: {message}")))
        })
        .collect()
}

/// How far an event's time may be from the server's clock; beyond, it is clamped
/// (a client cannot keep an event inside a rule's window forever).
pub const CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;

/// Turns an event (already scrubbed again at the edge with the site's settings:
/// the widget did too, a server never trusts that) into a row, its time clamped to the server's clock ± [`CLOCK_SKEW_MS`] and turns it into a row.
fn to_row(event: &ClientEvent, now_ms: i64) -> Result<NewEvent, String> {
    let mut event = event.clone();
    event.at_ms = event
        .at_ms
        .clamp(now_ms - CLOCK_SKEW_MS, now_ms + CLOCK_SKEW_MS);
    let fingerprint = event.to_signal().and_then(|signal| match signal.kind {
        waymark_core::domain::SignalKind::JsError { fingerprint, .. } => {
            Some(fingerprint.as_str().to_owned())
        }
        _ => None,
    });
    let body = serde_json::to_string(&event).map_err(|err| err.to_string())?;
    Ok(NewEvent {
        client_id: event.id.clone(),
        at_ms: event.at_ms,
        kind: event.kind.name().to_owned(),
        route: event.kind.route().to_owned(),
        body,
        fingerprint,
    })
}
