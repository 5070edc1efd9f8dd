//! Importers for helpdesk exports: Zendesk, Freshdesk, Intercom and the Waymark JSONL format.
//!
//! - [`records`]: splits a file into records (a JSON array, an object holding one, or one JSON
//!   object a line) with the position of each, so a bad record is reported, not fatal.
//! - [`report`]: what was imported and what was skipped, with reasons and positions.
//! - [`text`]: HTML to plain text for message bodies.
//! - [`zendesk`], [`freshdesk`], [`intercom`], [`jsonl`]: one module per format.
//!
//! Only public replies written by human agents become answers: customers' messages, internal
//! notes, bots and automatic replies are excluded (and counted in the report). Tickets that
//! are not resolved, or have no agent answer, are skipped with that reason.

pub mod freshdesk;
pub mod intercom;
pub mod jsonl;
pub mod records;
pub mod report;
pub mod text;
pub mod zendesk;

use std::path::Path;
use std::str::FromStr;

use serde_json::Value;

pub use records::RecordPosition;
pub use report::{ExcludedMessages, ImportReport, SkipReason, SkippedRecord};

use crate::document::KnowledgeDoc;
use crate::{KnowledgeError, Result};

/// The export formats understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    /// Zendesk tickets JSON export, with each ticket's `comments` and the `users` side-load.
    Zendesk,
    /// Freshdesk tickets JSON with each ticket's `conversations`.
    Freshdesk,
    /// Intercom conversations export with `conversation_parts`.
    Intercom,
    /// Waymark JSONL: one [`KnowledgeDoc`] a line.
    Jsonl,
}

impl ImportFormat {
    /// The format's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Zendesk => "zendesk",
            Self::Freshdesk => "freshdesk",
            Self::Intercom => "intercom",
            Self::Jsonl => "jsonl",
        }
    }
}

impl FromStr for ImportFormat {
    type Err = String;

    fn from_str(name: &str) -> std::result::Result<Self, Self::Err> {
        match name.to_ascii_lowercase().as_str() {
            "zendesk" => Ok(Self::Zendesk),
            "freshdesk" => Ok(Self::Freshdesk),
            "intercom" => Ok(Self::Intercom),
            "jsonl" | "waymark" => Ok(Self::Jsonl),
            other => Err(format!(
                "unknown import format {other:?} (expected zendesk, freshdesk, intercom or jsonl)"
            )),
        }
    }
}

/// Records processed so far and the total, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportProgress {
    /// Records processed.
    pub done: usize,
    /// All records in the file.
    pub total: usize,
}

/// The documents read from an export and the report of the run.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// Documents ready to index (site set).
    pub docs: Vec<KnowledgeDoc>,
    /// What happened to every record.
    pub report: ImportReport,
}

/// What one record became.
pub(crate) enum Outcome {
    /// A document to index.
    Doc(Box<KnowledgeDoc>),
    /// Nothing, for this reason.
    Skip {
        /// The record's id, when it had one.
        id: Option<String>,
        /// Why.
        reason: SkipReason,
    },
}

/// Reads an export file.
pub fn import_file(
    path: &Path,
    format: ImportFormat,
    site: &str,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<Imported> {
    let text = std::fs::read_to_string(path).map_err(|error| KnowledgeError::io(path, error))?;
    import_str(&text, format, site, progress).map_err(|message| KnowledgeError::Format {
        path: path.to_path_buf(),
        message,
    })
}

/// Reads an export held in memory. Fails only when the file as a whole is unreadable (a broken
/// JSON document); bad records are skipped and reported.
pub fn import_str(
    text: &str,
    format: ImportFormat,
    site: &str,
    progress: &mut dyn FnMut(ImportProgress),
) -> std::result::Result<Imported, String> {
    let container_key = match format {
        ImportFormat::Zendesk | ImportFormat::Freshdesk => "tickets",
        ImportFormat::Intercom => "conversations",
        ImportFormat::Jsonl => "documents",
    };
    let file = records::split(text, container_key)?;
    let context = zendesk::Users::from_side_load(file.side_load.get("users"));
    let total = file.records.len();
    let mut report = ImportReport::new(format.name(), total);
    let mut docs = Vec::new();
    for (done, record) in file.records.into_iter().enumerate() {
        let outcome = match record.value {
            Err(message) => Outcome::Skip {
                id: None,
                reason: SkipReason::Malformed(message),
            },
            Ok(value) => convert(format, value, &context, &mut report.excluded),
        };
        match outcome {
            Outcome::Doc(mut doc) => {
                if doc.site.is_empty() {
                    site.clone_into(&mut doc.site);
                }
                match doc.validate() {
                    Ok(()) => docs.push(*doc),
                    Err(error) => report.skipped.push(SkippedRecord {
                        position: record.position,
                        id: Some(doc.id.clone()),
                        reason: SkipReason::Invalid(error.to_string()),
                    }),
                }
            }
            Outcome::Skip { id, reason } => report.skipped.push(SkippedRecord {
                position: record.position,
                id,
                reason,
            }),
        }
        progress(ImportProgress {
            done: done + 1,
            total,
        });
    }
    report.imported = docs.len();
    Ok(Imported { docs, report })
}

fn convert(
    format: ImportFormat,
    value: Value,
    users: &zendesk::Users,
    excluded: &mut ExcludedMessages,
) -> Outcome {
    match format {
        ImportFormat::Zendesk => zendesk::convert(value, users, excluded),
        ImportFormat::Freshdesk => freshdesk::convert(value, excluded),
        ImportFormat::Intercom => intercom::convert(value, excluded),
        ImportFormat::Jsonl => jsonl::convert(value),
    }
}

/// The id of a record as text, whether the export wrote it as a number or a string.
pub(crate) fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}
