//! The Waymark help widget, compiled to WebAssembly and started by `js/loader.js`.
//!
//! The loader captures from the first moment and buffers; `boot` takes over
//! its buffer, sends events in batches ([`outbox`]) and mounts the panel inside a
//! Shadow DOM (`ui`, Leptos components over one model signal). What to show
//! and when is decided by plain structs tested natively:
//! - [`panel`]: answers, the conversation thread, the escalation prefill;
//! - [`nudge`]: when the site's proactive rules, evaluated by `core` over the
//!   page trail of `core`'s detectors, open the nudge;
//! - [`config`]: the site config's rules, thresholds and scrubbing options read
//!   into `core`'s types without serde;
//! - [`model`]: what the panel shows and the view's decisions;
//! - [`strings`]: every user-visible string (English, German).
//!
//! The browser-only parts (`browser`, `ui`, `net`, `timers`) are behind
//! `cfg(target_arch = "wasm32")`; they read server responses with `Reflect`
//! instead of serde types, which keeps the wasm within its budget. Every
//! event is scrubbed with `core`'s scrubbers before it is queued.

pub mod config;
pub mod model;
pub mod nudge;
pub mod outbox;
pub mod panel;
pub mod strings;

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
mod net;
#[cfg(target_arch = "wasm32")]
mod timers;
#[cfg(target_arch = "wasm32")]
mod ui;

#[cfg(target_arch = "wasm32")]
pub use browser::boot;
