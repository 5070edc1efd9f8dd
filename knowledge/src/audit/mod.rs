//! The audit of historical tickets: what customers asked about, how long it took, how often
//! tickets moved between people and teams, what was escalated, and what the knowledge base
//! already answers — from Zendesk, Freshdesk and Intercom exports, resolved or not.
//!
//! - [`read`]: an export → [`AuditTicket`]s, with a report of skipped records and why
//!   (`formats` holds what each helpdesk's fields mean).
//! - [`record`]: the audited ticket.
//! - [`figures`]: [`audit`]: volume, weekly trend, resolution time, reassignments,
//!   bounces, escalations, overall and per scenario (clusters from [`crate::cluster`]).
//! - [`coverage`]: [`check_coverage`], the share the knowledge base answers.
//! - [`time`]: export timestamps, weeks, labels.

pub mod coverage;
pub mod figures;
mod formats;
pub mod read;
pub mod record;
pub mod time;

pub use coverage::{CoverageSettings, DEFAULT_MIN_CONFIDENCE, check_coverage};
pub use figures::{
    AuditConfig, AuditFigures, Coverage, Durations, KnownAnswer, Scenario, TeamRow, Transfer,
    Trend, audit,
};
pub use read::{
    AuditRead, AuditReadReport, AuditSkipReason, AuditSkipped, detect_format, read_file, read_str,
};
pub use record::AuditTicket;
