//! The agents' console: a Leptos app rendered in the browser (client-side, no
//! server rendering), served as static files at `/console` and talking only to
//! the agent API.
//!
//! State and logic live in plain structs, tested natively:
//! - [`model`]: what the agent API answers.
//! - [`queue`]: filters, SLA-risk order, selection.
//! - [`sla`]: countdowns and clock states.
//! - [`timeline`]: the page trail as timeline rows.
//! - [`answers`]: the knowledge base's likely answers for a ticket.
//! - [`explain`]: the audit trail in words.
//! - [`escalation`]: early-warning alerts and incidents for the Alerts page.
//! - [`forms`]: resolution capture, escalation, handoff-note edit.
//! - [`keys`]: keyboard shortcuts.
//! - [`knowledge`]: drafts, articles and gaps for knowledge managers; the editor's state.
//! - [`reports`]: the Reports page: pickers, metrics, review, replay, CSV links.
//! - [`chart`]: SVG chart geometry (time series, bars by slice, the funnel).
//!
//! The browser half (`app`, `api`, `live`) is built for wasm32 only: components
//! stay thin and call into the modules above. Every customer-supplied string is
//! rendered as a text node; nothing sets inner HTML.

pub mod answers;
pub mod chart;
pub mod escalation;
pub mod explain;
pub mod forms;
pub mod keys;
pub mod knowledge;
pub mod model;
pub mod queue;
pub mod reports;
pub mod sla;
pub mod timeline;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod live;

/// Mounts the console on the page's `<body>`.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    leptos::mount::mount_to_body(app::App);
}
