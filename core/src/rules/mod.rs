//! The rules engine: a pure function from (matrix, facts, now) to decisions, each
//! with an explanation listing every condition and the value that satisfied or
//! failed it. Same input, same output, always.
//!
//! Order and tie-breaks (documented contract, see [`evaluate`]):
//! 1. every rule is checked, in file order, every condition of it (no short-circuit),
//!    so explanations are complete;
//! 2. a matching rule is *skipped* when it already fired for this ticket, when it
//!    escalates to a tier that is not above the ticket's tier, or when it transfers
//!    to a team of another tier (or there is no ticket to transfer);
//! 3. among matching escalate/transfer rules one is selected: highest `priority`,
//!    then highest destination tier level, then earliest in the file;
//! 4. among matching `offer_help` rules one is selected: highest `priority`, then
//!    earliest in the file;
//! 5. matching `early_warning` rules are all kept, in file order, unless an
//!    escalation or transfer was selected (it supersedes them).
//!
//! Decisions come out in that order: routing, then help, then warnings.
//!
//! [`offer_help`] makes the help selection alone, without explanations: the
//! widget runs it in the browser over the site's proactive rules.

mod check;
mod evaluate;
mod facts;
mod notice;
mod replay;

pub use check::ConditionCheck;
pub use evaluate::{
    DecidedAction, Decision, Evaluation, RuleExplanation, RuleOutcome, evaluate, explain,
    offer_help,
};
#[cfg(feature = "account-attributes")]
pub use facts::AttributeValue;
pub use facts::{
    AccountFacts, Author, CurrentPage, ErrorReport, Facts, MessageFact, PageFacts, RuleFacts,
    TicketFacts,
};
pub use notice::{
    NOTICE_PLACEHOLDERS, NoticeError, NoticeVars, check_notice_template, render_notice,
};
pub use replay::{ExpectedOutcome, ReplayReport, ReplayRow, ReplayTicket, Verdict, replay};
