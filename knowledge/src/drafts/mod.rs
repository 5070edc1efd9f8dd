//! Article drafts from clusters of resolved tickets, their review life, collisions
//! with published articles, and the optional rewrite by a language model.
//!
//! - [`build`]: [`build_drafts`] — cluster, then draft every cluster with enough evidence
//!   and a usable resolution.
//! - [`single`]: [`draft_from_ticket`] — "turn this ticket into an article".
//! - [`resolution`]: what one ticket says about the fix, or why it says nothing usable.
//! - [`classify`]: instructions, code, explanation and chatter in answers and fixes.
//! - [`boilerplate`]: text repeated across unrelated tickets, learned from the data.
//! - [`summary`]: the customer's problem summarised for the reader; errors in their text.
//! - [`model`]: [`Draft`] and its parts (symptoms, cause, steps, applies-to, evidence, flags).
//! - [`extract`]: titles, steps, route and error normalisation.
//! - [`flags`]: duplicates and contradictions against [`PublishedArticle`]s.
//! - [`review`]: [`ReviewedDraft`]: draft → approved / rejected / expired, with history.
//! - [`rewrite`]: OpenAI-compatible request and response, behind [`DraftRewriter`].

pub mod boilerplate;
pub mod build;
pub mod classify;
pub mod extract;
pub mod flags;
pub mod model;
pub mod resolution;
pub mod review;
pub mod rewrite;
pub mod single;
pub mod summary;

pub use boilerplate::{Boilerplate, BoilerplateConfig};
pub use build::{DraftConfig, DraftRun, build_drafts, draft_cluster, try_draft_cluster};
pub use flags::{CollisionChecker, FlagConfig, PublishedArticle, flag_collisions};
pub use model::{
    AppliesTo, Cause, Counted, Draft, Evidence, Flag, RewrittenDraft, SourceTicket, Step,
    StepSource, Symptom, SymptomKind,
};
pub use resolution::NoDraftReason;
pub use review::{DraftEdit, ReviewPeriod, ReviewState, ReviewedDraft, Revision};
pub use rewrite::{DraftRewriter, parse_rewrite_response, rewrite_draft, rewrite_request_body};
pub use single::{NoDraft, draft_from_ticket, ticket_draft_id};

/// What can go wrong with drafts.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DraftsError {
    /// The draft is no longer under review (approved, rejected or expired).
    #[error("the draft is {state}, not under review")]
    NotUnderReview {
        /// The state it is in.
        state: &'static str,
    },
    /// A rejection needs a reason.
    #[error("a rejection needs a reason")]
    MissingRejectionReason,
    /// The rewrite endpoint could not be reached or answered with an error.
    #[error("rewrite request failed: {0}")]
    RewriteTransport(String),
    /// The rewrite endpoint's answer could not be understood.
    #[error("rewrite response not understood: {0}")]
    RewriteResponse(String),
}
