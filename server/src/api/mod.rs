//! The HTTP API: [`app`] builds the router from an [`AppState`]; handlers extract,
//! call the store, the flow or a library, and map the result.
//!
//! - [`widget`]: `/api/widget/v1/*`, called by the embedded widget with a site key
//!   (and a per-conversation token on conversation calls).
//! - [`agent`]: `/api/v1/*`, for agents and tools, with a bearer token.
//! - [`openapi`]: the OpenAPI document at `/api/openapi.json`.
//! - [`console`]: the agents' console's static files at `/console`, under a strict CSP.
//! - [`error`]: the one error shape; [`json`]: the JSON extractor that uses it.
//! - [`log`]: one debug line per request, secrets in the query redacted.
//! - [`limits`]: rate limits per site key and client, per credential; request timeout.
//! - [`metrics`]: `/metrics` for Prometheus and the middleware timing every route.
//!
//! Every API route is added through a [`RouteTable`], which records what it
//! routes, so the OpenAPI document is checked against the real routes.

pub mod agent;
pub mod console;
pub mod error;
pub mod json;
pub mod limits;
pub mod log;
pub mod metrics;
pub mod openapi;
pub mod widget;

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::handler::Handler;
use axum::http::{HeaderValue, header};
use axum::routing::{MethodFilter, get, on};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use waymark_knowledge::KnowledgeIndex;

use crate::config::Config;
use crate::storage::Store;

pub use error::{ApiError, ErrorCode};

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The data layer.
    pub store: Store,
    /// The validated configuration.
    pub config: Arc<Config>,
    /// The knowledge index (suggest, resolved tickets); `None` disables suggest.
    pub knowledge: Option<Arc<KnowledgeIndex>>,
    /// Login limits, session lifetimes and the demo's shared token.
    pub auth: Arc<crate::auth::AuthState>,
    /// Request and ingest counters served at `/metrics`.
    pub metrics: Arc<crate::metrics::Metrics>,
}

/// An HTTP method an API route answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verb {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `DELETE`.
    Delete,
}

impl Verb {
    /// Lower-case name, as OpenAPI writes it.
    pub fn name(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::Post => "post",
            Verb::Put => "put",
            Verb::Delete => "delete",
        }
    }

    fn filter(self) -> MethodFilter {
        match self {
            Verb::Get => MethodFilter::GET,
            Verb::Post => MethodFilter::POST,
            Verb::Put => MethodFilter::PUT,
            Verb::Delete => MethodFilter::DELETE,
        }
    }
}

/// A router that records every route it is given.
pub struct RouteTable {
    router: Router<AppState>,
    routes: Vec<(Verb, &'static str)>,
}

impl Default for RouteTable {
    fn default() -> Self {
        Self {
            router: Router::new(),
            routes: Vec::new(),
        }
    }
}

impl RouteTable {
    /// Routes `verb path` to `handler`.
    pub fn add<H, T>(mut self, verb: Verb, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, on(verb.filter(), handler));
        self.routes.push((verb, path));
        self
    }

    /// The routes added, and the router.
    pub fn finish(self) -> (Router<AppState>, Vec<(Verb, &'static str)>) {
        (self.router, self.routes)
    }
}

/// Every API route: (method, path), as routed.
pub fn api_routes() -> Vec<(Verb, &'static str)> {
    let (_, mut routes) = widget::routes();
    routes.extend(agent::routes().1);
    routes.extend(agent::jobs::routes().1);
    routes.push((Verb::Get, openapi::PATH));
    routes.sort();
    routes
}

/// How long browsers keep the widget's entries (`loader.js`, `waymark.mjs`),
/// which keep their names across releases: a new release reaches pages within
/// five minutes.
const WIDGET_ENTRY_CACHE: &str = "public, max-age=300";
/// The widget's content-hashed files never change under their names.
const HASHED_ASSET_CACHE: &str = "public, max-age=31536000, immutable";

/// The widget's files: hashed names are cached for good, the entries briefly.
async fn widget_asset_cache(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let hashed = console::is_hashed_asset(request.uri().path());
    let mut response = next.run(request).await;
    let cache = if hashed && response.status().is_success() {
        HASHED_ASSET_CACHE
    } else {
        WIDGET_ENTRY_CACHE
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// The widget's files at `/widget/`: the `.br` or `.gz` copy `cargo xtask dist`
/// wrote when the browser accepts it, from any origin.
fn widget_assets(dir: &std::path::Path) -> Router {
    Router::new()
        .fallback_service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
        .layer(axum::middleware::from_fn(widget_asset_cache))
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
}

/// The whole HTTP surface of the product.
pub fn app(state: AppState) -> Router {
    let rate_limits = limits::RateLimits::new(&state.config.limits);
    let request_metrics = state.metrics.clone();
    let widget_assets = widget_assets(&state.config.widget.assets_dir);
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route(metrics::PATH, get(metrics::scrape))
        .route(openapi::PATH, get(openapi::document))
        .merge(widget::routes().0)
        .merge(agent::routes().0)
        .merge(agent::jobs::routes().0)
        .nest_service("/widget", widget_assets)
        .merge(console::routes(&state.config.console.assets_dir))
        .layer(axum::middleware::from_fn(log::request))
        .layer(axum::middleware::from_fn_with_state(
            request_metrics,
            metrics::track,
        ))
        .layer(axum::middleware::from_fn_with_state(
            rate_limits.clone(),
            limits::rate_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            rate_limits,
            limits::request_timeout,
        ))
        .with_state(state)
}

async fn ready(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    state.store.ping().await?;
    Ok("ready")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;

    #[tokio::test]
    async fn hashed_widget_files_are_cached_for_good_and_the_entries_briefly() {
        let dir = tempfile::tempdir().unwrap();
        let hashed = "waymark_widget_bg-0123456789abcdef.wasm";
        for name in ["loader.js", hashed, "waymark.mjs"] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        std::fs::write(dir.path().join(format!("{hashed}.br")), "br").unwrap();
        let app = widget_assets(dir.path());
        for (path, encoding, cache) in [
            ("/loader.js", "", WIDGET_ENTRY_CACHE),
            ("/waymark.mjs", "", WIDGET_ENTRY_CACHE),
            (&format!("/{hashed}"), "br", HASHED_ASSET_CACHE),
        ] {
            let response = app
                .clone()
                .oneshot(
                    Request::get(path)
                        .header(header::ACCEPT_ENCODING, "br, gzip")
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{path}");
            let headers = response.headers();
            assert_eq!(headers[header::CACHE_CONTROL], cache, "{path}");
            assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*", "{path}");
            let sent = headers
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            assert_eq!(sent, encoding, "{path}");
        }
        let missing = app
            .oneshot(
                Request::get("/waymark_widget-0123456789abcdee.js")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);
        assert_eq!(
            missing.headers()[header::CACHE_CONTROL],
            WIDGET_ENTRY_CACHE,
            "a missing file is not cached for good"
        );
    }
}
