//! The knowledge managers' workspace without HTTP: drafts built from the site's own
//! resolved tickets (and its imported ones), reviewed, edited and published as
//! articles that the widget suggests at once; gaps turned into drafts; how each
//! article does with visitors.
//!
//! - [`build`]: drafts from the resolved tickets (on demand and on schedule), from one
//!   ticket, from a knowledge gap; stale drafts expire.
//! - [`review`]: edit, start review, publish (optionally superseding an article),
//!   reject with a reason, unpublish; every action in the history.
//! - [`articles`]: the one place the knowledge index learns of articles
//!   ([`articles::index_article`], [`articles::remove_article`]).
//! - [`performance`]: shown, opened, solved it, escalated after; gaps with their
//!   escalation share.

pub mod articles;
pub mod build;
pub mod performance;
pub mod review;

pub use build::{BuildReport, build_site_drafts, draft_from_gap, draft_from_ticket};
pub use performance::{
    ArticlePerformance, GapReport, PerformanceSort, article_performance, gap_report,
};
pub use review::{DraftChange, Publish};

/// Who acts, and when.
#[derive(Debug, Clone, Copy)]
pub struct KnowledgeActor<'a> {
    /// The user id (`system` for the job runner).
    pub user_id: &'a str,
    /// Now (ms).
    pub now_ms: i64,
}
