//! The HTTP API: [`app`] builds the router from an [`AppState`]; handlers extract,
//! call the store or a library, and map the result.
//!
//! - [`widget`]: `/api/widget/v1/*`, called by the embedded widget with a site key.
//! - [`agent`]: `/api/v1/*`, for agents and tools, with a bearer token.
//! - [`error`]: the one error shape; [`json`]: the JSON extractor that uses it.

pub mod agent;
pub mod error;
pub mod json;
pub mod widget;

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

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
        .nest("/api/widget/v1", widget::routes())
        .nest("/api/v1", agent::routes())
        .nest_service("/widget", widget_assets)
        .with_state(state)
}

async fn ready(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    state.store.ping().await?;
    Ok("ready")
}
