//! The Waymark help widget, compiled to WebAssembly and started by `js/loader.js`.
//!
//! The loader captures from the first moment and buffers; `boot` takes over
//! its buffer, sends events in batches ([`outbox`]) and mounts the panel inside a
//! Shadow DOM (`ui`). What to show and when is decided by plain structs tested
//! natively:
//! - [`panel`]: answers, the conversation thread, the escalation prefill;
//! - [`nudge`]: when the site's proactive rules, evaluated by `core` over the
//!   page trail of `core`'s detectors, open the nudge;
//! - [`config`]: the site config's rules, thresholds and scrubbing options read
//!   into `core`'s types without serde;
//! - [`view`]: the panel as escaped HTML from a [`view::Model`];
//! - [`strings`]: every user-visible string (English, German).
//!
//! The browser-only parts (`browser`, `ui`, `net`, `timers`) are behind
//! `cfg(target_arch = "wasm32")`; they read server responses with `Reflect`
//! instead of serde types, which keeps the wasm within the 64 KiB budget. Every
//! event is scrubbed with `core`'s scrubbers before it is queued.

pub mod config;
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
mod timers;
#[cfg(target_arch = "wasm32")]
mod ui;

#[cfg(target_arch = "wasm32")]
pub use browser::boot;

/// The allocator in the browser: a small free list instead of the default
/// dlmalloc, which costs kilobytes of wasm; the widget allocates little.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());
