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

/// The whole HTTP surface of the product.
pub fn app(state: AppState) -> Router {
    let rate_limits = limits::RateLimits::new(&state.config.limits);
    let request_metrics = state.metrics.clone();
    let widget_assets = Router::new()
        .fallback_service(
            // `cargo xtask dist` writes `.br` and `.gz` copies; the one the
            // browser accepts is sent.
            ServeDir::new(&state.config.widget.assets_dir)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ));
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
