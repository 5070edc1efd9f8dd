//! Knowledge gaps: suggestion queries whose best answer scored low and that then
//! escalated to a person, grouped by page route and error fingerprint, ranked by count
//! and recency, each with example questions. An article published for a gap closes it.
//!
//! - [`SuggestLogEntry`]: one logged suggest query (the input).
//! - [`find_gaps`]: the open gaps, best-ranked first.
//! - [`GapClosure`] / [`closures_for_article`]: how publishing closes gaps.

mod closure;
mod find;
mod log;

pub use closure::{GapClosure, closures_for_article};
pub use find::{Gap, GapConfig, find_gaps};
pub use log::{GapId, GapKey, SuggestLogEntry};
