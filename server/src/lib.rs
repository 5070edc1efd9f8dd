//! The Waymark server as a library: configuration, storage, accounts, the escalation flow,
//! the HTTP API, the reports and the demo. The `waymark` binary is a thin command-line shell over this crate, and the
//! tests drive [`api::app`] in-process without binding a port.

pub mod api;
pub mod auth;
pub mod config;
pub mod demo;
pub mod flow;
pub mod jobs;
pub mod live;
pub mod logging;
pub mod metrics;
pub mod notify;
pub mod replicas;
pub mod reports;
pub mod serve;
pub mod storage;

pub use api::{AppState, app};
pub use config::Config;
pub use storage::Store;
