//! Limits at the HTTP edge: token-bucket rate limits (GCRA, `governor`) per site
//! key and client address on widget routes and per credential on agent routes,
//! answered 429 with `Retry-After` in the one error shape; a request timeout; the
//! client address (the peer, or the last `X-Forwarded-For` entry behind a
//! trusted proxy).

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256};

use super::AppState;
use super::error::{ApiError, ErrorCode};
use crate::config::LimitsConfig;

/// The client's address as the limits see it.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(Option<IpAddr>);

impl ClientAddress {
    /// The address, when known (in-process callers have none).
    pub fn address(self) -> Option<IpAddr> {
        self.0
    }

    fn of(parts_headers: &HeaderMap, extensions: &axum::http::Extensions, trust: bool) -> Self {
        if trust
            && let Some(forwarded) = parts_headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|v| v.trim().parse::<IpAddr>().ok())
        {
            return Self(Some(forwarded));
        }
        Self(
            extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip()),
        )
    }
}

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self::of(
            &parts.headers,
            &parts.extensions,
            state.config.limits.trust_forwarded_for,
        ))
    }
}

/// The rate limiters of one server.
pub struct RateLimits {
    widget: DefaultKeyedRateLimiter<String>,
    agent: DefaultKeyedRateLimiter<String>,
    trust_forwarded_for: bool,
    timeout: Duration,
    seen: AtomicU64,
}

/// Forget idle clients every this many requests.
const RETAIN_EVERY: u64 = 4096;

fn quota(per_second: u32, burst: u32) -> Quota {
    let rate = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::per_second(rate).allow_burst(burst)
}

impl RateLimits {
    /// Limiters configured by `[limits]`.
    pub fn new(limits: &LimitsConfig) -> Arc<Self> {
        Arc::new(Self {
            widget: RateLimiter::keyed(quota(limits.widget_per_second, limits.widget_burst)),
            agent: RateLimiter::keyed(quota(limits.agent_per_second, limits.agent_burst)),
            trust_forwarded_for: limits.trust_forwarded_for,
            timeout: Duration::from_secs(limits.request_timeout_secs),
            seen: AtomicU64::new(0),
        })
    }

    /// Which bucket a request draws from: `None` for routes without a limit.
    fn bucket<'a>(
        &'a self,
        request: &Request,
    ) -> Option<(&'a DefaultKeyedRateLimiter<String>, String)> {
        let path = request.uri().path();
        let client = ClientAddress::of(
            request.headers(),
            request.extensions(),
            self.trust_forwarded_for,
        )
        .address()
        .map_or_else(|| "-".to_owned(), |ip| ip.to_string());
        if path.starts_with(super::widget::PREFIX) {
            let site = request
                .uri()
                .query()
                .and_then(|query| query.split('&').find_map(|pair| pair.strip_prefix("site=")))
                .unwrap_or("-");
            let site: String = site.chars().take(64).collect();
            return Some((&self.widget, format!("{site} {client}")));
        }
        if path.starts_with("/api/v1/") {
            // A credential is its hash (the token is not kept); no credential:
            // the client address.
            let credential = request
                .headers()
                .get(header::AUTHORIZATION)
                .map(|value| super::super::flow::hex(&Sha256::digest(value.as_bytes())))
                .unwrap_or_else(|| format!("addr {client}"));
            return Some((&self.agent, credential));
        }
        None
    }
}

/// Middleware: 429 with `Retry-After` once a bucket is empty.
pub async fn rate_limit(
    State(limits): State<Arc<RateLimits>>,
    request: Request,
    next: Next,
) -> Response {
    if limits.seen.fetch_add(1, Ordering::Relaxed) % RETAIN_EVERY == RETAIN_EVERY - 1 {
        limits.widget.retain_recent();
        limits.agent.retain_recent();
    }
    if let Some((limiter, key)) = limits.bucket(&request)
        && let Err(not_until) = limiter.check_key(&key)
    {
        let wait = not_until.wait_time_from(limiter.clock().now());
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        return ApiError::new(
            ErrorCode::RateLimited,
            format!("too many requests: retry in {seconds} s"),
        )
        .retry_after(seconds.max(1))
        .into_response();
    }
    next.run(request).await
}

/// Middleware: a request whose answer has not started within the configured
/// time gets 408 (`request_timeout`). Streams are not cut: their answer starts at once.
pub async fn request_timeout(
    State(limits): State<Arc<RateLimits>>,
    request: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(limits.timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            ErrorCode::RequestTimeout,
            "the request took too long and was stopped",
        )
        .into_response(),
    }
}
