//! Waymark's core: domain types, the versioned widget↔server wire protocol, the
//! escalation matrix and its rules engine, page-signal detectors and scrubbing.
//!
//! Architecture invariant: this crate does no IO and never reads the clock (time is
//! always a parameter, see [`time::Timestamp`]), so it builds for
//! `wasm32-unknown-unknown` and the widget and the server evaluate the very same rules.
//!
//! Map of the crate:
//! - [`ids`], [`time`]: newtype ids, timestamps and durations;
//! - [`domain`]: tickets and their state machine, lifecycle stages, escalation vs
//!   transfer, ownership, page context and page signals;
//! - [`wire`]: the widget↔server protocol, version 1;
//! - [`matrix`]: the escalation matrix (tiers, teams, rules), its validation and its
//!   TOML loader (feature `matrix-toml`);
//! - [`rules`]: pure evaluation of a matrix against facts, with explanations, customer
//!   notices and the replay used by `waymark rules test`;
//! - [`signals`]: incremental page-signal detectors (rage click, dead click, repeated
//!   error page / failed request, dwell) and JS error fingerprints;
//! - [`scrub`]: removal of secrets and personal data from URLs and text;
//! - `markdown`: article Markdown through an allow-list (feature `markdown`).

#![deny(missing_docs)]

pub mod domain;
pub mod ids;
#[cfg(feature = "markdown")]
pub mod markdown;
pub mod matrix;
pub mod rules;
pub mod scrub;
pub mod signals;
pub mod text;
pub mod time;
pub mod wire;
