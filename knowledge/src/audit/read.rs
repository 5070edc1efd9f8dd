//! Reading an export for the audit: every ticket, resolved or not, with its times, teams,
//! reassignments and escalation; records that cannot be audited are reported with why.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

use serde_json::Value;

use super::formats;
use super::record::AuditTicket;
use crate::import::records::{self, RecordPosition};
use crate::import::{ImportFormat, ImportProgress, id_text};
use crate::{KnowledgeError, Result};

/// Why a record is not in the audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditSkipReason {
    /// The record is not valid JSON.
    Malformed(String),
    /// The record is JSON but not in the format's shape.
    Invalid(String),
    /// The record has no id.
    NoId,
    /// The record has no readable creation time, so it cannot be placed in time.
    NoCreationTime,
    /// An earlier record had the same id.
    DuplicateId,
}

impl AuditSkipReason {
    /// A short label to group reasons in the summary.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed JSON",
            Self::Invalid(_) => "invalid record",
            Self::NoId => "no id",
            Self::NoCreationTime => "no readable creation time",
            Self::DuplicateId => "duplicate id",
        }
    }
}

impl fmt::Display for AuditSkipReason {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(detail) | Self::Invalid(detail) => {
                write!(formatter, "{}: {detail}", self.label())
            }
            _ => formatter.write_str(self.label()),
        }
    }
}

/// One record left out of the audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSkipped {
    /// Where it is in the file.
    pub position: RecordPosition,
    /// Its id, when it had one.
    pub id: Option<String>,
    /// Why.
    pub reason: AuditSkipReason,
}

/// What reading one export did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReadReport {
    /// The file, as given.
    pub source: String,
    /// The format read.
    pub format: ImportFormat,
    /// Records in the file.
    pub records: usize,
    /// Tickets read.
    pub read: usize,
    /// Records left out.
    pub skipped: Vec<AuditSkipped>,
}

impl AuditReadReport {
    /// Skipped records counted by reason label, most frequent first.
    pub fn skipped_by_reason(&self) -> Vec<(&'static str, usize)> {
        let mut counts: HashMap<&'static str, usize> = HashMap::new();
        for skipped in &self.skipped {
            *counts.entry(skipped.reason.label()).or_insert(0) += 1;
        }
        let mut counts: Vec<_> = counts.into_iter().collect();
        counts.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
        counts
    }
}

impl fmt::Display for AuditReadReport {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            formatter,
            "{} ({}): {} records, {} tickets read, {} skipped",
            self.source,
            self.format.name(),
            self.records,
            self.read,
            self.skipped.len()
        )?;
        for (reason, count) in self.skipped_by_reason() {
            writeln!(formatter, "  skipped, {reason}: {count}")?;
        }
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

/// The tickets of one export and the report of the reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRead {
    /// Tickets in file order.
    pub tickets: Vec<AuditTicket>,
    /// What happened to every record.
    pub report: AuditReadReport,
}

/// Team and group names side-loaded next to the records (`groups` or `teams`: `[{"id",
/// "name"}]`), by id.
#[derive(Debug, Default)]
pub(crate) struct TeamNames {
    names: HashMap<String, String>,
}

impl TeamNames {
    fn from_side_load(side_load: &HashMap<String, Value>) -> Self {
        let mut names = HashMap::new();
        for key in ["groups", "teams"] {
            let Some(list) = side_load.get(key).and_then(Value::as_array) else {
                continue;
            };
            for entry in list {
                let id = entry.get("id").and_then(id_text);
                let name = entry.get("name").and_then(Value::as_str);
                if let (Some(id), Some(name)) = (id, name) {
                    names.insert(id, name.trim().to_owned());
                }
            }
        }
        Self { names }
    }

    /// The team's name, or `{kind} {id}` when the export did not name it.
    pub(crate) fn name(&self, kind: &str, id: &str) -> String {
        self.names
            .get(id)
            .filter(|name| !name.is_empty())
            .cloned()
            .unwrap_or_else(|| format!("{kind} {id}"))
    }
}

/// Reads an export file for the audit.
pub fn read_file(
    path: &Path,
    format: ImportFormat,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<AuditRead> {
    let text = std::fs::read_to_string(path).map_err(|error| KnowledgeError::io(path, error))?;
    let mut read = read_str(&text, format, progress).map_err(|message| KnowledgeError::Format {
        path: path.to_path_buf(),
        message,
    })?;
    read.report.source = path.display().to_string();
    Ok(read)
}

/// Reads an export held in memory. Fails when the file as a whole is unreadable, or for the
/// JSONL format, which holds no ticket history; bad records are skipped and reported.
pub fn read_str(
    text: &str,
    format: ImportFormat,
    progress: &mut dyn FnMut(ImportProgress),
) -> std::result::Result<AuditRead, String> {
    let container_key = match format {
        ImportFormat::Zendesk | ImportFormat::Freshdesk => "tickets",
        ImportFormat::Intercom => "conversations",
        ImportFormat::Jsonl => {
            return Err(
                "the jsonl format holds answers, not ticket history: audit a Zendesk, \
                 Freshdesk or Intercom export"
                    .to_owned(),
            );
        }
    };
    let file = records::split(text, container_key)?;
    let names = TeamNames::from_side_load(&file.side_load);
    let total = file.records.len();
    let mut report = AuditReadReport {
        source: String::new(),
        format,
        records: total,
        read: 0,
        skipped: Vec::new(),
    };
    let mut tickets = Vec::with_capacity(total);
    let mut seen: HashSet<String> = HashSet::with_capacity(total);
    for (done, record) in file.records.into_iter().enumerate() {
        let outcome = match record.value {
            Err(message) => Err((None, AuditSkipReason::Malformed(message))),
            Ok(value) => formats::convert(format, value, &names),
        };
        match outcome {
            Ok(ticket) if !seen.insert(ticket.id.clone()) => report.skipped.push(AuditSkipped {
                position: record.position,
                id: Some(ticket.id),
                reason: AuditSkipReason::DuplicateId,
            }),
            Ok(ticket) => tickets.push(ticket),
            Err((id, reason)) => report.skipped.push(AuditSkipped {
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
    report.read = tickets.len();
    Ok(AuditRead { tickets, report })
}

/// How much of a file [`detect_format`] looks at.
const SNIFF_BYTES: usize = 64 * 1024;

/// Guesses the helpdesk of an export from field names only one of them writes: Intercom's
/// `conversation_parts`, Freshdesk's `description_text`, `responder_id` or `fr_escalated`,
/// Zendesk's `requester_id` with `via`, `comments` or `audits`. `None` when unsure.
pub fn detect_format(text: &str) -> Option<ImportFormat> {
    let mut end = text.len().min(SNIFF_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    let has = |field: &str| head.contains(&format!("\"{field}\""));
    if has("conversation_parts") || head.contains("\"conversation.list\"") {
        Some(ImportFormat::Intercom)
    } else if has("description_text") || has("responder_id") || has("fr_escalated") {
        Some(ImportFormat::Freshdesk)
    } else if has("requester_id") && (has("via") || has("comments") || has("audits")) {
        Some(ImportFormat::Zendesk)
    } else {
        None
    }
}
