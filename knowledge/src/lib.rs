//! Waymark knowledge: what the product knows from resolved tickets and articles.
//!
//! - [`document`]: the indexed unit (resolved ticket or article) and the JSONL record format.
//! - [`index`]: the tantivy index on disk: analyzers, schema, add/update/delete, rebuild.
//! - [`suggest`]: user words + page context → answers with snippet, explanation, confidence.
//! - [`feedback`]: verdicts and reused answers that move answers for similar questions.
//! - [`similar`]: resolved tickets similar to a given ticket.
//! - `lookup`: one document by id ([`KnowledgeIndex::document`]).
//! - [`audit`]: the audit of historical tickets (resolved or not) from helpdesk exports.
//! - [`import`]: Zendesk, Freshdesk, Intercom and JSONL exports → documents, with a report.
//! - [`eval`]: retrieval evaluation against baselines, and the scale benchmark.
//! - [`error`]: the crate's error type.

pub mod audit;
pub mod cluster;
pub mod document;
pub mod drafts;
pub mod error;
pub mod eval;
pub mod feedback;
pub mod gaps;
pub mod import;
pub mod index;
mod lookup;
pub mod sentiment;
pub mod similar;
pub mod suggest;
pub mod ticket;

pub use document::{DocKind, KnowledgeDoc, Resolution};
pub use error::{KnowledgeError, Result};
pub use index::{FeedApplied, IndexChange, IndexConfig, KnowledgeIndex};
pub use suggest::{PageContext, SuggestRequest, Suggestion};
