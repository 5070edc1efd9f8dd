//! The trust suite: what a hostile page, visitor or client can and cannot do,
//! point by point, in-process on SQLite and — when `WAYMARK_TEST_POSTGRES` is set
//! — on PostgreSQL too; `durability` runs the real `waymark serve` binary.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[allow(dead_code)]
#[path = "../api/harness.rs"]
mod harness;

mod durability;
mod figures;
mod identity;
mod limits;
mod pages;
mod replay;
mod visitors;
mod volume;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use waymark_server::auth::AuthState;
use waymark_server::{AppState, Config};

/// The app of `app`'s store with its configuration changed by `env`.
pub fn configured(app: &harness::TestApp, env: &[(&str, &str)]) -> Router {
    let vars: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let config = Config::load(None, &vars).expect("config");
    let auth = AuthState::new(&config.auth, None);
    waymark_server::app(AppState {
        store: app.store.clone(),
        config: Arc::new(config),
        knowledge: None,
        auth: Arc::new(auth),
        metrics: Arc::default(),
    })
}
