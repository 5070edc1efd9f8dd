//! `GET /metrics` (Prometheus text) and the middleware that times every request by its
//! matched route template. Access: off unless `metrics.enabled` (then 404 like an unknown
//! path); with `metrics.bearer_token` a scrape must send it as a bearer token (401 otherwise).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{ApiError, AppState, ErrorCode};
use crate::auth::secret::constant_time_eq;
use crate::metrics::exposition::CONTENT_TYPE;
use crate::metrics::{Gauges, Metrics, UNMATCHED_ROUTE};
use crate::storage::now_ms;

/// Where the metrics are served.
pub const PATH: &str = "/metrics";

/// Times the request and records it under its matched route template.
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let method = match *request.method() {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    };
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_else(|| UNMATCHED_ROUTE.to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.record_request(
        method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// `GET /metrics`.
pub async fn scrape(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let settings = &state.config.metrics;
    if !settings.enabled {
        return Err(ApiError::new(ErrorCode::NotFound, "no such page"));
    }
    if let Some(token) = &settings.bearer_token {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !constant_time_eq(sent.as_bytes(), token.as_bytes()) {
            return Err(ApiError::new(
                ErrorCode::Unauthorized,
                "send the metrics token (metrics.bearer_token) as `Authorization: Bearer …`",
            ));
        }
    }
    let snapshot = state.store.operations_snapshot(now_ms()).await?;
    let gauges = Gauges {
        open_tickets_by_tier: snapshot.open_tickets_by_tier,
        jobs_by_state: snapshot.jobs_by_state,
        job_lag_seconds: snapshot.oldest_due_job_lag_ms as f64 / 1_000.0,
        index_documents: state.knowledge.as_ref().map(|index| index.num_docs()),
        live_streams: state.store.live().open_streams_total(),
    };
    let mut response = state.metrics.render(&gauges).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    Ok(response)
}
