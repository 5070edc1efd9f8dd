//! The import report: counts, skipped records with position and reason, excluded messages.

use std::collections::BTreeMap;
use std::fmt;

use super::records::RecordPosition;

/// Why a record was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// The record is not valid JSON.
    Malformed(String),
    /// The record is JSON but not in the format's shape (missing or mistyped field...).
    Invalid(String),
    /// The ticket or conversation is not resolved (its status is given).
    NotResolved(String),
    /// No public reply from a human agent: nothing to learn from.
    NoAgentAnswer,
}

impl SkipReason {
    /// A short label to group reasons in the summary.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed JSON",
            Self::Invalid(_) => "invalid record",
            Self::NotResolved(_) => "not resolved",
            Self::NoAgentAnswer => "no public reply from a human agent",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(detail) | Self::Invalid(detail) => {
                write!(formatter, "{}: {detail}", self.label())
            }
            Self::NotResolved(status) => write!(formatter, "not resolved (status {status})"),
            Self::NoAgentAnswer => formatter.write_str(self.label()),
        }
    }
}

/// One record that was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRecord {
    /// Where it is in the file.
    pub position: RecordPosition,
    /// Its id, when it had one.
    pub id: Option<String>,
    /// Why it was skipped.
    pub reason: SkipReason,
}

/// Messages left out of answers, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExcludedMessages {
    /// Internal or private notes.
    pub internal_notes: usize,
    /// Messages from bots, triggers, automations and auto-replies.
    pub automated: usize,
    /// Messages from the customer (after their first, which is the problem).
    pub customer: usize,
    /// Assignments, state changes and other parts without a reply.
    pub events: usize,
    /// Messages whose author could not be shown to be a human agent.
    pub unknown_authors: usize,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// The format read.
    pub format: String,
    /// Records in the file.
    pub records: usize,
    /// Documents produced.
    pub imported: usize,
    /// Records not imported.
    pub skipped: Vec<SkippedRecord>,
    /// Messages excluded from answers.
    pub excluded: ExcludedMessages,
}

impl ImportReport {
    /// An empty report for a file of `records` records.
    pub fn new(format: &str, records: usize) -> Self {
        Self {
            format: format.to_owned(),
            records,
            imported: 0,
            skipped: Vec::new(),
            excluded: ExcludedMessages::default(),
        }
    }

    /// Skipped records counted by reason label.
    pub fn skipped_by_reason(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for skipped in &self.skipped {
            *counts.entry(skipped.reason.label()).or_insert(0) += 1;
        }
        counts
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            formatter,
            "{} records read ({}): {} imported, {} skipped",
            self.records,
            self.format,
            self.imported,
            self.skipped.len()
        )?;
        for (reason, count) in self.skipped_by_reason() {
            writeln!(formatter, "  skipped, {reason}: {count}")?;
        }
        let excluded = &self.excluded;
        writeln!(
            formatter,
            "  messages left out of answers: {} internal notes, {} automated, {} from customers, \
             {} events, {} from unknown authors",
            excluded.internal_notes,
            excluded.automated,
            excluded.customer,
            excluded.events,
            excluded.unknown_authors
        )?;
        for skipped in &self.skipped {
            let id = skipped
                .id
                .as_deref()
                .map(|id| format!(" (id {id})"))
                .unwrap_or_default();
            writeln!(formatter, "  {}{id}: {}", skipped.position, skipped.reason)?;
        }
        Ok(())
    }
}
