//! Sentiment of customer messages for the rules engine's sentiment conditions:
//! a lexicon-based scorer, explicit escalation language, and the shift across a
//! conversation.
//!
//! - [`score`]: compound sentiment of one text (−1 … +1), VADER rules over the
//!   VADER lexicon (MIT, see `README.md` in this folder) plus support adjustments.
//! - [`escalation_phrases`] / [`escalation_kinds`]: cancel, churn, legal, executive,
//!   refund, chargeback, repeated contact, still-not-fixed, public complaint.
//! - [`shift`] / [`analyze_conversation`]: the mood over the last customer messages.

mod escalation;
mod lexicon;
mod score;
mod shift;

pub use escalation::{EscalationKind, EscalationMatch, escalation_kinds, escalation_phrases};
pub use score::score;
pub use shift::{ConversationSentiment, ShiftWindow, analyze_conversation, shift};
