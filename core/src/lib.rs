//! Waymark's core: domain types, the versioned widget↔server wire protocol, the
//! rules engine, page-signal detectors and scrubbing.
//!
//! Architecture invariant: this crate does no IO and never reads the clock (time is
//! always a parameter), so it builds for `wasm32-unknown-unknown` and the widget and
//! the server evaluate the very same rules.

pub mod wire;
