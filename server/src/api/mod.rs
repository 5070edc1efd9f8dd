//! The HTTP API: [`app`] builds the router from an [`AppState`]; handlers extract,
//! call the store, the flow or a library, and map the result.
//!
//! - [`widget`]: `/api/widget/v1/*`, called by the embedded widget with a site key
//!   (and a per-conversation token on conversation calls).
//! - [`agent`]: `/api/v1/*`, for agents and tools, with a bearer token.
//! - [`openapi`]: the OpenAPI document at `/api/openapi.json`.
//! - [`error`]: the one error shape; [`json`]: the JSON extractor that uses it.
//!
//! Every API route is added through a [`RouteTable`], which records what it
//! routes, so the OpenAPI document is checked against the real routes.

pub mod agent;
pub mod error;
pub mod json;
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
}

impl Verb {
    /// Lower-case name, as OpenAPI writes it.
    pub fn name(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::Post => "post",
            Verb::Put => "put",
        }
    }

    fn filter(self) -> MethodFilter {
        match self {
            Verb::Get => MethodFilter::GET,
            Verb::Post => MethodFilter::POST,
            Verb::Put => MethodFilter::PUT,
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
    routes.push((Verb::Get, openapi::PATH));
    routes.sort();
    routes
}

/// The whole HTTP surface of the product.
pub fn app(state: AppState) -> Router {
    let widget_assets = Router::new()
        .fallback_service(ServeDir::new(&state.config.widget.assets_dir))
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
        .route(openapi::PATH, get(openapi::document))
        .merge(widget::routes().0)
        .merge(agent::routes().0)
        .nest_service("/widget", widget_assets)
        .with_state(state)
}

async fn ready(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    state.store.ping().await?;
    Ok("ready")
}
