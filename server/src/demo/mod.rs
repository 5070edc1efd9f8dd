//! The demo: a sample product ("Acme Ledger", a small single-page app with a page
//! that fails, an API call that fails and a button that throws) with the widget
//! embedded by one script tag, plus the demo site it reports to.

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};

use crate::storage::{Site, Store, StoreError};

/// The demo site's id.
pub const DEMO_SITE_ID: &str = "demo";
/// The demo site's widget key, as in the sample page's script tag.
pub const DEMO_SITE_KEY: &str = "pk_demo";

const INDEX_HTML: &str = include_str!("site/index.html");
const BROKEN_HTML: &str = include_str!("site/broken.html");
const APP_JS: &str = include_str!("site/app.js");
const APP_CSS: &str = include_str!("site/app.css");
const CSP_HTML: &str = include_str!("site/csp.html");
/// The strict policy of the `/demo/csp` page: the widget must work under it.
const STRICT_CSP: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

/// Creates the demo site if it is not there yet, with the sample escalation
/// matrix (`core/examples/escalation-matrix.toml`) as its matrix.
pub async fn seed(store: &Store) -> Result<(), StoreError> {
    let site = Site {
        id: DEMO_SITE_ID.into(),
        public_key: DEMO_SITE_KEY.into(),
        name: "Acme Ledger (demo)".into(),
        allowed_origins: Vec::new(),
    };
    if store.ensure_site(&site).await? {
        tracing::info!(site = DEMO_SITE_ID, "demo site created");
    }
    let version = store
        .put_site_matrix(DEMO_SITE_ID, crate::flow::DEFAULT_MATRIX)
        .await?;
    tracing::info!(
        site = DEMO_SITE_ID,
        matrix_version = version,
        "demo escalation matrix"
    );
    Ok(())
}

/// The sample product's pages and API under `/demo/`.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/demo",
            get(|| async { axum::response::Redirect::permanent("/demo/") }),
        )
        .route(
            "/demo/app.js",
            get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], APP_JS) }),
        )
        .route(
            "/demo/app.css",
            get(|| async { ([(header::CONTENT_TYPE, "text/css")], APP_CSS) }),
        )
        .route("/demo/api/invoices", get(invoices))
        .route("/demo/api/payment", post(payment))
        .route(
            "/demo/broken",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, Html(BROKEN_HTML)) }),
        )
        .route(
            "/demo/csp",
            get(|| async {
                (
                    [(header::CONTENT_SECURITY_POLICY, STRICT_CSP)],
                    Html(CSP_HTML),
                )
            }),
        )
        .route("/demo/", get(|| async { Html(INDEX_HTML) }))
        .route("/demo/{*path}", get(|| async { Html(INDEX_HTML) }))
}

async fn invoices() -> impl IntoResponse {
    axum::Json(serde_json::json!([
        {"number": "INV-1001", "customer": "Northwind", "total": "€1,200.00"},
        {"number": "INV-1002", "customer": "Globex", "total": "€310.50"},
        {"number": "INV-1003", "customer": "Initech", "total": "€89.99"}
    ]))
}

async fn payment() -> impl IntoResponse {
    (
        StatusCode::BAD_GATEWAY,
        axum::Json(
            serde_json::json!({"error": {"code": "E502", "message": "payment provider did not answer"}}),
        ),
    )
}
