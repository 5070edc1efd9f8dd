//! The Waymark help widget: a Leptos app compiled to WebAssembly and started by
//! `js/loader.js`.
//!
//! The loader captures from the first moment and buffers; [`boot`] takes over
//! its buffer, sends events in batches ([`outbox`]) and mounts the UI inside a
//! Shadow DOM ([`ui`]). Logic lives in plain structs tested natively; the
//! browser-only parts are behind `cfg(target_arch = "wasm32")`.

pub mod nudge;
pub mod outbox;
pub mod panel;
pub mod strings;
pub mod view;

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
mod net;
#[cfg(target_arch = "wasm32")]
mod ui;

#[cfg(target_arch = "wasm32")]
pub use browser::boot;
