//! Zendesk: the tickets JSON export (`{"tickets": [...], "users": [...]}` as the API returns it
//! with `include=users`, or one ticket a line), each ticket with its `comments`.
//!
//! A comment is an answer when it is public, written by a user whose role is `agent` or `admin`,
//! and did not come through an automatic channel (`rule` for triggers and automations,
//! `answer_bot*`, `system`...). The problem is the ticket's `description` (or the requester's
//! first comment). Only `solved` and `closed` tickets are imported.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::report::{ExcludedMessages, SkipReason};
use super::text::html_to_text;
use super::{Outcome, id_text};
use crate::document::{DocKind, KnowledgeDoc};

/// Roles of side-loaded users, by user id.
#[derive(Debug, Default)]
pub struct Users {
    roles: HashMap<String, String>,
}

impl Users {
    /// Reads the `users` side-load (`[{"id": 1, "role": "agent"}, ...]`); absent is empty.
    pub fn from_side_load(users: Option<&Value>) -> Self {
        let roles = users
            .and_then(Value::as_array)
            .map(|users| {
                users
                    .iter()
                    .filter_map(|user| {
                        let id = id_text(user.get("id")?)?;
                        let role = user.get("role")?.as_str()?.to_ascii_lowercase();
                        Some((id, role))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self { roles }
    }

    fn role(&self, id: &str) -> Option<&str> {
        self.roles.get(id).map(String::as_str)
    }
}

#[derive(Debug, Deserialize)]
struct Ticket {
    id: Value,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    raw_subject: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    requester_id: Option<Value>,
    #[serde(default)]
    assignee_id: Option<Value>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    comments: Vec<Comment>,
}

#[derive(Debug, Deserialize)]
struct Comment {
    #[serde(default)]
    author_id: Option<Value>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    plain_body: Option<String>,
    #[serde(default)]
    html_body: Option<String>,
    #[serde(default = "public_by_default")]
    public: bool,
    #[serde(default)]
    via: Option<Via>,
}

fn public_by_default() -> bool {
    true
}

#[derive(Debug, Deserialize)]
struct Via {
    #[serde(default)]
    channel: Option<Value>,
}

/// Channels through which Zendesk posts comments that no human wrote.
fn is_automatic_channel(channel: &str) -> bool {
    let channel = channel.to_ascii_lowercase();
    channel == "rule"
        || channel == "system"
        || channel == "automation"
        || channel == "sample_ticket"
        || channel.starts_with("answer_bot")
}

impl Comment {
    fn text(&self) -> String {
        if let Some(plain) = self
            .plain_body
            .as_deref()
            .filter(|text| !text.trim().is_empty())
        {
            return plain.trim().to_owned();
        }
        if let Some(html) = self
            .html_body
            .as_deref()
            .filter(|text| !text.trim().is_empty())
        {
            return html_to_text(html);
        }
        self.body.as_deref().unwrap_or_default().trim().to_owned()
    }
}

pub(crate) fn convert(value: Value, users: &Users, excluded: &mut ExcludedMessages) -> Outcome {
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
    let status = ticket
        .status
        .clone()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if status != "solved" && status != "closed" {
        return Outcome::Skip {
            id,
            reason: SkipReason::NotResolved(if status.is_empty() {
                "missing".to_owned()
            } else {
                status
            }),
        };
    }
    let requester = ticket.requester_id.as_ref().and_then(id_text);
    let assignee = ticket.assignee_id.as_ref().and_then(id_text);
    let mut problem = ticket
        .description
        .clone()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let mut answers = Vec::new();
    for comment in &ticket.comments {
        if !comment.public {
            excluded.internal_notes += 1;
            continue;
        }
        let channel = comment
            .via
            .as_ref()
            .and_then(|via| via.channel.as_ref())
            .and_then(Value::as_str)
            .unwrap_or_default();
        if is_automatic_channel(channel) {
            excluded.automated += 1;
            continue;
        }
        let author = comment.author_id.as_ref().and_then(id_text);
        let role = match author.as_deref() {
            Some(author) => users.role(author).map(str::to_owned).or_else(|| {
                if Some(author) == requester.as_deref() {
                    Some("end-user".to_owned())
                } else if Some(author) == assignee.as_deref() {
                    Some("agent".to_owned())
                } else {
                    None
                }
            }),
            None => None,
        };
        let text = comment.text();
        match role.as_deref() {
            Some("agent" | "admin") if !text.is_empty() => answers.push(text),
            Some("end-user") => {
                if problem.is_empty() {
                    problem = text;
                } else if text != problem {
                    excluded.customer += 1;
                }
            }
            _ => excluded.unknown_authors += 1,
        }
    }
    if answers.is_empty() {
        return Outcome::Skip {
            id,
            reason: SkipReason::NoAgentAnswer,
        };
    }
    Outcome::Doc(Box::new(KnowledgeDoc {
        id: id.unwrap_or_default(),
        kind: DocKind::Ticket,
        title: ticket.subject.or(ticket.raw_subject).unwrap_or_default(),
        problem,
        answers,
        tags: ticket.tags,
        ..KnowledgeDoc::default()
    }))
}
