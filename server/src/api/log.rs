//! One debug line per request: method, path and query with secrets redacted
//! (`?token=` of the event stream among them), status and time. Never a body,
//! never a header.

use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// Logs the request once it is answered.
pub async fn request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let target = request
        .uri()
        .path_and_query()
        .map(|target| crate::flow::scrub::loggable_target(target.as_str()))
        .unwrap_or_default();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::debug!(
        %method,
        %target,
        status = response.status().as_u16(),
        ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        "request"
    );
    response
}
