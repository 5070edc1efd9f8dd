//! Freshdesk: tickets JSON as the API returns them with `include=conversations` (an array, an
//! object with `tickets`, or one ticket a line).
//!
//! A conversation is an answer when it is not `private` (a note), not `incoming` (from the
//! customer), written by someone other than the requester, and is a reply (`source` 0, or no
//! source given). Only tickets with status 4 (Resolved) or 5 (Closed) are imported.

use serde::Deserialize;
use serde_json::Value;

use super::report::{ExcludedMessages, SkipReason};
use super::text::html_to_text;
use super::{Outcome, id_text};
use crate::document::{DocKind, KnowledgeDoc};

/// Freshdesk's conversation source for a reply; 2 is a note, other values are channels
/// (tweet, survey feedback...) that carry no agent answer.
const SOURCE_REPLY: i64 = 0;
const SOURCE_NOTE: i64 = 2;

#[derive(Debug, Deserialize)]
struct Ticket {
    id: Value,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    description_text: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    status: Option<Value>,
    #[serde(default)]
    requester_id: Option<Value>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default, rename = "type")]
    ticket_type: Option<String>,
    #[serde(default)]
    conversations: Vec<Conversation>,
}

#[derive(Debug, Deserialize)]
struct Conversation {
    #[serde(default)]
    body_text: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    incoming: bool,
    #[serde(default)]
    private: bool,
    #[serde(default)]
    user_id: Option<Value>,
    #[serde(default)]
    source: Option<i64>,
}

fn text_of(plain: Option<&str>, html: Option<&str>) -> String {
    match plain.filter(|text| !text.trim().is_empty()) {
        Some(text) => text.trim().to_owned(),
        None => html.map(html_to_text).unwrap_or_default(),
    }
}

fn is_resolved(status: Option<&Value>) -> Result<(), String> {
    match status {
        Some(Value::Number(number)) if matches!(number.as_i64(), Some(4 | 5)) => Ok(()),
        Some(Value::String(name))
            if matches!(
                name.to_ascii_lowercase().as_str(),
                "resolved" | "closed" | "4" | "5"
            ) =>
        {
            Ok(())
        }
        Some(other) => Err(other.to_string().trim_matches('"').to_owned()),
        None => Err("missing".to_owned()),
    }
}

pub(crate) fn convert(value: Value, excluded: &mut ExcludedMessages) -> Outcome {
    let ticket: Ticket = match serde_json::from_value(value) {
        Ok(ticket) => ticket,
        Err(error) => {
            return Outcome::Skip {
                id: None,
                reason: SkipReason::Invalid(error.to_string()),
            };
        }
    };
    let id = id_text(&ticket.id);
    if let Err(status) = is_resolved(ticket.status.as_ref()) {
        return Outcome::Skip {
            id,
            reason: SkipReason::NotResolved(status),
        };
    }
    let requester = ticket.requester_id.as_ref().and_then(id_text);
    let mut answers = Vec::new();
    for conversation in &ticket.conversations {
        let source = conversation.source.unwrap_or(SOURCE_REPLY);
        if conversation.private || source == SOURCE_NOTE {
            excluded.internal_notes += 1;
            continue;
        }
        let author = conversation.user_id.as_ref().and_then(id_text);
        if conversation.incoming || (author.is_some() && author == requester) {
            excluded.customer += 1;
            continue;
        }
        if source != SOURCE_REPLY {
            excluded.automated += 1;
            continue;
        }
        let text = text_of(
            conversation.body_text.as_deref(),
            conversation.body.as_deref(),
        );
        if !text.is_empty() {
            answers.push(text);
        }
    }
    if answers.is_empty() {
        return Outcome::Skip {
            id,
            reason: SkipReason::NoAgentAnswer,
        };
    }
    let mut tags = ticket.tags;
    tags.extend(ticket.ticket_type);
    Outcome::Doc(Box::new(KnowledgeDoc {
        id: id.unwrap_or_default(),
        kind: DocKind::Ticket,
        title: ticket.subject.unwrap_or_default(),
        problem: text_of(
            ticket.description_text.as_deref(),
            ticket.description.as_deref(),
        ),
        answers,
        tags,
        ..KnowledgeDoc::default()
    }))
}
