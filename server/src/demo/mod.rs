//! The demo: a sample product ("Acme Ledger", a small single-page app with a page
//! that fails, an API call that fails and a button that throws) with the widget
//! embedded by one script tag (`/demo/csp`: the same under a strict CSP;
//! `/demo/module`: booted from the ES-module entry; `/demo/admin`: an admin console
//! routed in the URL fragment), plus the demo site it reports to, its knowledge and
//! its users (one per role, see [`DEMO_USERS`]).

pub mod history;
pub mod sla;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};

use waymark_knowledge::{IndexChange, KnowledgeDoc, KnowledgeIndex};

use crate::auth::{NewUser, Role, UserId, accounts};
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
const MODULE_HTML: &str = include_str!("site/module.html");
const MODULE_JS: &str = include_str!("site/module.js");
const ADMIN_HTML: &str = include_str!("site/admin.html");
const ADMIN_JS: &str = include_str!("site/admin.js");
/// The demo site's published articles and resolved tickets, in the Waymark JSONL
/// import format (one document a line).
const KNOWLEDGE_JSONL: &str = include_str!("knowledge.jsonl");
/// The strict policy of the `/demo/csp` page: the widget must work under it.
const STRICT_CSP: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

/// Why the demo could not be seeded.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The database refused the demo site or its matrix.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The demo's short-SLA matrix could not be built.
    #[error("demo matrix: {0}")]
    Matrix(String),
    /// The demo knowledge could not be read or indexed.
    #[error("demo knowledge: {0}")]
    Knowledge(String),
    /// A demo user could not be created.
    #[error("demo user: {0}")]
    Account(#[from] crate::auth::AccountError),
}

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "waymark-demo";

/// The demo's users on the demo site: one per role, and a second agent.
pub const DEMO_USERS: &[(&str, &str, Role)] = &[
    ("admin@demo.test", "Ada Admin", Role::Admin),
    ("agent@demo.test", "Sam Agent", Role::Agent),
    (
        "knowledge@demo.test",
        "Kim Knowledge",
        Role::KnowledgeManager,
    ),
    ("agent2@demo.test", "Alex Agent", Role::Agent),
];

/// Creates the demo users that are missing (password [`DEMO_PASSWORD`]) and makes
/// each a member of the demo site; returns the demo admin, whom the demo's shared
/// API token acts as.
pub async fn seed_accounts(store: &Store) -> Result<UserId, SeedError> {
    let now = crate::storage::now_ms();
    let mut admin = None;
    for &(email, name, role) in DEMO_USERS {
        let user = match store.user_by_email(email).await? {
            Some(user) => user,
            None => {
                let new = NewUser {
                    email: email.into(),
                    name: name.into(),
                    role,
                    password: DEMO_PASSWORD.into(),
                    sites: vec![DEMO_SITE_ID.into()],
                };
                accounts::add_user(store, new, now).await?
            }
        };
        store.add_site_member(DEMO_SITE_ID, &user.id, now).await?;
        if role == Role::Admin {
            admin = Some(user.id);
        }
    }
    admin.ok_or_else(|| SeedError::Knowledge("the demo has no admin".into()))
}

/// Creates the demo site if it is not there yet, with the sample escalation
/// matrix (`core/examples/escalation-matrix.toml`) as its matrix, and puts the
/// demo's articles and resolved tickets in `knowledge` through the knowledge log
/// (updated on every start, so an edited sample replaces the indexed one). Without
/// an index the knowledge is left as it is.
pub async fn seed(store: &Store, knowledge: Option<&KnowledgeIndex>) -> Result<(), SeedError> {
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
    let Some(index) = knowledge else {
        return Ok(());
    };
    let docs = knowledge_docs()?;
    let changes: Vec<IndexChange> = docs.into_iter().map(IndexChange::upsert).collect();
    // Through the knowledge log, so every replica's index gets them; a document
    // unchanged since the last start is not appended again.
    let appended = crate::flow::knowledge_log::publish(store, Some(index), &changes)
        .await
        .map_err(|err| SeedError::Knowledge(err.to_string()))?;
    tracing::info!(
        site = DEMO_SITE_ID,
        documents = changes.len(),
        appended,
        "demo knowledge"
    );
    Ok(())
}

/// The demo knowledge, each document assigned to the demo site.
pub fn knowledge_docs() -> Result<Vec<KnowledgeDoc>, SeedError> {
    KNOWLEDGE_JSONL
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(number, line)| {
            let mut doc: KnowledgeDoc = serde_json::from_str(line).map_err(|err| {
                SeedError::Knowledge(format!("knowledge.jsonl line {}: {err}", number + 1))
            })?;
            doc.site = DEMO_SITE_ID.to_owned();
            Ok(doc)
        })
        .collect()
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
        .route(
            "/demo/module.js",
            get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], MODULE_JS) }),
        )
        .route("/demo/module", get(|| async { Html(MODULE_HTML) }))
        .route(
            "/demo/admin.js",
            get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], ADMIN_JS) }),
        )
        .route("/demo/admin", get(|| async { Html(ADMIN_HTML) }))
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

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]

    use waymark_knowledge::{IndexConfig, PageContext, SuggestRequest};

    use super::*;

    fn best_answer(index: &KnowledgeIndex, text: &str, route: &str, error: Option<&str>) -> String {
        let request = SuggestRequest {
            site: DEMO_SITE_ID.into(),
            text: text.into(),
            context: PageContext {
                route: Some(route.into()),
                errors: error.map(str::to_owned).into_iter().collect(),
                ..PageContext::default()
            },
            limit: 3,
        };
        let found = index.suggest(&request).expect("suggest");
        found.first().map(|s| s.id.clone()).unwrap_or_default()
    }

    #[test]
    fn every_demo_failure_has_its_answer_from_the_page_alone() {
        let docs = knowledge_docs().expect("demo knowledge parses");
        assert!(
            docs.iter()
                .all(|doc| doc.site == DEMO_SITE_ID && doc.validate().is_ok())
        );
        let index = KnowledgeIndex::in_memory(IndexConfig::default()).expect("index");
        for doc in &docs {
            index.upsert(doc).expect("upsert");
        }
        index.commit().expect("commit");

        let cases = [
            ("/demo/billing", "E502", "payment-failed-e502"),
            ("/demo/broken", "E500", "old-reports-page-e500"),
            (
                "/demo/reports/export",
                "ExportError: CSV worker failed to start",
                "csv-export-worker",
            ),
        ];
        for (route, error, expected) in cases {
            assert_eq!(
                best_answer(&index, "", route, Some(error)),
                expected,
                "{route}"
            );
        }
        assert_eq!(
            best_answer(&index, "how do I change my plan", "/demo/billing", None),
            "change-plan-billing-email"
        );
        assert_eq!(
            best_answer(&index, "resend invoice pdf", "/demo/invoices", None),
            "download-invoice-pdf"
        );
    }
}
