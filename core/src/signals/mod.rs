//! Page-signal detectors: pure, incremental state machines over what the widget sees.
//!
//! Each detector takes observations with their time and returns the signals it
//! derives; none reads the clock (dead clicks need [`PageTracker::tick`] with `now`).
//! [`PageTracker`] combines them and keeps the bounded page trail the rules engine
//! reads.

mod clicks;
mod config;
mod dwell;
mod error_page;
mod fingerprint;
mod repeat;
mod tracker;

pub use clicks::{Click, ClickKind, ClickTarget, DeadClickDetector, RageClickDetector};
pub use config::SignalConfig;
pub use dwell::DwellTracker;
pub use error_page::ErrorPagePatterns;
pub use fingerprint::{fingerprint_js_error, normalize_error_message};
pub use repeat::RepeatDetector;
pub use tracker::{Observation, Observed, PageTracker, Repeat, RepeatKind};
