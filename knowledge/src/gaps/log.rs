//! The input of gap detection: logged suggest queries, and the route-and-fingerprint
//! key gaps are grouped by.

use serde::{Deserialize, Serialize};

use crate::cluster::text::stable_hash;
use crate::drafts::extract::normalize_route;

/// One suggest query as the server logs it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SuggestLogEntry {
    /// The user's words.
    pub query: String,
    /// The page route the query came from.
    pub route: Option<String>,
    /// The error fingerprint in the page context, if any.
    pub fingerprint: Option<String>,
    /// The score of the best suggestion (0 when there was none).
    pub best_score: f32,
    /// Whether the user then escalated to a person.
    pub escalated: bool,
    /// When (ms since the Unix epoch).
    pub at_ms: i64,
}

/// What a gap is grouped by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GapKey {
    /// The normalised route (`/invoices/:id`), or empty when the query had no page.
    pub route: String,
    /// The error fingerprint, if any.
    pub fingerprint: Option<String>,
}

impl GapKey {
    /// The key of a log entry.
    pub fn of(entry: &SuggestLogEntry) -> GapKey {
        GapKey {
            route: entry
                .route
                .as_deref()
                .map(normalize_route)
                .unwrap_or_default(),
            fingerprint: entry
                .fingerprint
                .as_deref()
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(str::to_string),
        }
    }

    /// The stable id of the gap with this key.
    pub fn id(&self) -> GapId {
        let text = format!(
            "{}\u{1f}{}",
            self.route,
            self.fingerprint.as_deref().unwrap_or("")
        );
        GapId(format!("g{:012x}", stable_hash(text.as_bytes()) >> 16))
    }
}

/// The stable id of a gap (a hash of its key).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GapId(pub String);
