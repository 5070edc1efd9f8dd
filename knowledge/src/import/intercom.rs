//! Intercom: the conversations export (`{"type": "conversation.list", "conversations": [...]}`,
//! an array, or one conversation a line), each with its `conversation_parts`.
//!
//! A part is an answer when its `part_type` is `comment` (or `close` with a message) and its
//! author's `type` is `admin` (a teammate). Notes, bots, users and leads, assignments and
//! other events are excluded. The conversation's opening message is the problem and the page
//! it started on (`source.url`) its route. Only `closed` conversations are imported.

use serde::Deserialize;
use serde_json::Value;

use super::report::{ExcludedMessages, SkipReason};
use super::text::html_to_text;
use super::{Outcome, id_text};
use crate::document::{DocKind, KnowledgeDoc};

/// Longest title made from the opening message when the conversation has none.
const TITLE_CHARS: usize = 90;

#[derive(Debug, Deserialize)]
struct Conversation {
    id: Value,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    open: Option<bool>,
    #[serde(default)]
    source: Option<Source>,
    #[serde(default)]
    conversation_parts: Option<Parts>,
    #[serde(default)]
    tags: Option<Tags>,
}

#[derive(Debug, Deserialize)]
struct Source {
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Parts {
    #[serde(default)]
    conversation_parts: Vec<Part>,
}

#[derive(Debug, Deserialize)]
struct Part {
    #[serde(default)]
    part_type: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    author: Option<Author>,
}

#[derive(Debug, Deserialize)]
struct Author {
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Tags {
    #[serde(default)]
    tags: Vec<Tag>,
}

#[derive(Debug, Deserialize)]
struct Tag {
    #[serde(default)]
    name: Option<String>,
}

pub(crate) fn convert(value: Value, excluded: &mut ExcludedMessages) -> Outcome {
    let conversation: Conversation = match serde_json::from_value(value) {
        Ok(conversation) => conversation,
        Err(error) => {
            return Outcome::Skip {
                id: None,
                reason: SkipReason::Invalid(error.to_string()),
            };
        }
    };
    let id = id_text(&conversation.id);
    let state = conversation
        .state
        .clone()
        .unwrap_or_else(|| match conversation.open {
            Some(false) => "closed".to_owned(),
            Some(true) => "open".to_owned(),
            None => String::new(),
        });
    if !state.eq_ignore_ascii_case("closed") {
        return Outcome::Skip {
            id,
            reason: SkipReason::NotResolved(if state.is_empty() {
                "missing".to_owned()
            } else {
                state
            }),
        };
    }
    let parts = conversation
        .conversation_parts
        .map(|parts| parts.conversation_parts)
        .unwrap_or_default();
    let mut answers = Vec::new();
    for part in &parts {
        let part_type = part
            .part_type
            .as_deref()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let author = part
            .author
            .as_ref()
            .and_then(|author| author.kind.as_deref())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let text = part.body.as_deref().map(html_to_text).unwrap_or_default();
        if part_type == "note" {
            excluded.internal_notes += 1;
        } else if author == "bot" {
            excluded.automated += 1;
        } else if matches!(author.as_str(), "user" | "lead" | "contact") {
            excluded.customer += 1;
        } else if author == "admin"
            && matches!(part_type.as_str(), "comment" | "close")
            && !text.is_empty()
        {
            answers.push(text);
        } else {
            excluded.events += 1;
        }
    }
    if answers.is_empty() {
        return Outcome::Skip {
            id,
            reason: SkipReason::NoAgentAnswer,
        };
    }
    let source = conversation.source;
    let problem = source
        .as_ref()
        .and_then(|source| source.body.as_deref())
        .map(html_to_text)
        .unwrap_or_default();
    let title = conversation
        .title
        .filter(|title| !title.trim().is_empty())
        .or_else(|| {
            source
                .as_ref()
                .and_then(|source| source.subject.clone())
                .filter(|subject| !subject.trim().is_empty())
        })
        .unwrap_or_else(|| {
            let first_line = problem.lines().next().unwrap_or_default();
            first_line.chars().take(TITLE_CHARS).collect()
        });
    let routes = source.and_then(|source| source.url).into_iter().collect();
    let tags = conversation
        .tags
        .map(|tags| tags.tags.into_iter().filter_map(|tag| tag.name).collect())
        .unwrap_or_default();
    Outcome::Doc(Box::new(KnowledgeDoc {
        id: id.unwrap_or_default(),
        kind: DocKind::Ticket,
        title: html_to_text(&title),
        problem,
        answers,
        routes,
        tags,
        ..KnowledgeDoc::default()
    }))
}
