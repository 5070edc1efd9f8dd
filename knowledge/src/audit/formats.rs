//! What each export says about a ticket's history.
//!
//! - Zendesk: `created_at`; resolved when `solved`/`closed`, at `metric_set.solved_at`
//!   (with `include=metric_sets`), else the last audit that set the status to solved, else
//!   `updated_at`. History from the ticket's `audits` (`include=audits`): every `group_id`
//!   change is a team, every `assignee_id` change away from an assignee a reassignment.
//! - Freshdesk: `created_at`; resolved when status 4/5, at `stats.resolved_at` or
//!   `stats.closed_at` (`include=stats`), else `updated_at`. The export holds no assignment
//!   history: the team is `group_id`. Escalated also when `is_escalated` or `fr_escalated`.
//! - Intercom: `created_at` in Unix seconds; resolved when `closed`, at
//!   `statistics.last_close_at`, else the last `close` part, else `updated_at`. History from
//!   the `assignment` parts: a team assignee is a team, a new admin assignee a reassignment.
//!
//! Everywhere: escalated when a tag contains `escalat`.

use serde::Deserialize;
use serde_json::Value;

use super::read::{AuditSkipReason, TeamNames};
use super::record::AuditTicket;
use super::time::parse_rfc3339;
use crate::import::text::html_to_text;
use crate::import::{ImportFormat, id_text};

type Converted = Result<AuditTicket, (Option<String>, AuditSkipReason)>;

pub(crate) fn convert(format: ImportFormat, value: Value, names: &TeamNames) -> Converted {
    let id = value.get("id").and_then(id_text);
    let Some(id) = id else {
        return Err((None, AuditSkipReason::NoId));
    };
    let converted = match format {
        ImportFormat::Zendesk => zendesk(value, names),
        ImportFormat::Freshdesk => freshdesk(value, names),
        ImportFormat::Intercom => intercom(value, names),
        ImportFormat::Jsonl => Err(AuditSkipReason::Invalid("no ticket history".to_owned())),
    };
    match converted {
        Ok(mut ticket) => {
            ticket.id = id;
            ticket.escalated |= AuditTicket::has_escalation_tag(&ticket.tags);
            Ok(ticket)
        }
        Err(reason) => Err((Some(id), reason)),
    }
}

fn invalid(error: serde_json::Error) -> AuditSkipReason {
    AuditSkipReason::Invalid(error.to_string())
}

/// A time written as RFC 3339 text or as Unix seconds.
fn timestamp(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::String(text) => parse_rfc3339(text),
        Value::Number(number) => number.as_i64().map(|seconds| seconds * 1_000),
        _ => None,
    }
}

fn text_or_html(plain: Option<&str>, html: Option<&str>) -> String {
    match plain.filter(|text| !text.trim().is_empty()) {
        Some(text) => text.trim().to_owned(),
        None => html.map(html_to_text).unwrap_or_default(),
    }
}

#[derive(Deserialize)]
struct ZendeskTicket {
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    raw_subject: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    created_at: Option<Value>,
    #[serde(default)]
    updated_at: Option<Value>,
    #[serde(default)]
    group_id: Option<Value>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    comments: Vec<ZendeskComment>,
    #[serde(default)]
    audits: Vec<ZendeskAudit>,
    #[serde(default)]
    metric_set: Option<ZendeskMetrics>,
}

#[derive(Deserialize)]
struct ZendeskComment {
    #[serde(default)]
    plain_body: Option<String>,
    #[serde(default)]
    body: Option<String>,
}

#[derive(Deserialize)]
struct ZendeskAudit {
    #[serde(default)]
    created_at: Option<Value>,
    #[serde(default)]
    events: Vec<ZendeskEvent>,
}

#[derive(Deserialize)]
struct ZendeskEvent {
    #[serde(default)]
    field_name: Option<String>,
    #[serde(default)]
    value: Option<Value>,
    #[serde(default)]
    previous_value: Option<Value>,
}

#[derive(Deserialize)]
struct ZendeskMetrics {
    #[serde(default)]
    solved_at: Option<Value>,
}

fn zendesk(value: Value, names: &TeamNames) -> Result<AuditTicket, AuditSkipReason> {
    let ticket: ZendeskTicket = serde_json::from_value(value).map_err(invalid)?;
    let created_at_ms =
        timestamp(ticket.created_at.as_ref()).ok_or(AuditSkipReason::NoCreationTime)?;
    let status = ticket.status.unwrap_or_default().to_ascii_lowercase();
    let resolved = matches!(status.as_str(), "solved" | "closed");
    let problem = ticket
        .description
        .filter(|text| !text.trim().is_empty())
        .or_else(|| {
            ticket
                .comments
                .first()
                .map(|comment| text_or_html(comment.plain_body.as_deref(), comment.body.as_deref()))
        })
        .unwrap_or_default();
    let mut audited = AuditTicket {
        subject: ticket.subject.or(ticket.raw_subject).unwrap_or_default(),
        problem: problem.trim().to_owned(),
        status,
        resolved,
        created_at_ms,
        has_history: !ticket.audits.is_empty(),
        tags: ticket.tags,
        ..AuditTicket::default()
    };
    let mut solved_in_audit = None;
    for audit in &ticket.audits {
        let at = timestamp(audit.created_at.as_ref());
        for event in &audit.events {
            let value = event.value.as_ref().and_then(id_text);
            let previous = event.previous_value.as_ref().and_then(id_text);
            match event.field_name.as_deref() {
                Some("group_id") => {
                    if let Some(group) = value {
                        audited.push_team(names.name("group", &group));
                    }
                }
                Some("assignee_id")
                    if previous.is_some() && value.is_some() && previous != value =>
                {
                    audited.reassignments += 1;
                }
                Some("status") if matches!(value.as_deref(), Some("solved" | "closed")) => {
                    solved_in_audit = solved_in_audit.or(at);
                }
                _ => {}
            }
        }
    }
    if audited.teams.is_empty()
        && let Some(group) = ticket.group_id.as_ref().and_then(id_text)
    {
        audited.teams.push(names.name("group", &group));
    }
    if resolved {
        audited.resolved_at_ms = ticket
            .metric_set
            .and_then(|metrics| timestamp(metrics.solved_at.as_ref()))
            .or(solved_in_audit)
            .or_else(|| timestamp(ticket.updated_at.as_ref()));
    }
    Ok(audited)
}

#[derive(Deserialize)]
struct FreshdeskTicket {
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    description_text: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    status: Option<Value>,
    #[serde(default)]
    created_at: Option<Value>,
    #[serde(default)]
    updated_at: Option<Value>,
    #[serde(default)]
    group_id: Option<Value>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    is_escalated: Option<bool>,
    #[serde(default)]
    fr_escalated: Option<bool>,
    #[serde(default)]
    stats: Option<FreshdeskStats>,
}

#[derive(Deserialize)]
struct FreshdeskStats {
    #[serde(default)]
    resolved_at: Option<Value>,
    #[serde(default)]
    closed_at: Option<Value>,
}

fn freshdesk(value: Value, names: &TeamNames) -> Result<AuditTicket, AuditSkipReason> {
    let ticket: FreshdeskTicket = serde_json::from_value(value).map_err(invalid)?;
    let created_at_ms =
        timestamp(ticket.created_at.as_ref()).ok_or(AuditSkipReason::NoCreationTime)?;
    let status = match &ticket.status {
        Some(Value::String(name)) => name.to_ascii_lowercase(),
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    };
    let resolved = matches!(status.as_str(), "4" | "5" | "resolved" | "closed");
    let resolved_at_ms = if resolved {
        ticket
            .stats
            .as_ref()
            .and_then(|stats| {
                timestamp(stats.resolved_at.as_ref()).or(timestamp(stats.closed_at.as_ref()))
            })
            .or_else(|| timestamp(ticket.updated_at.as_ref()))
    } else {
        None
    };
    let teams = ticket
        .group_id
        .as_ref()
        .and_then(id_text)
        .map(|group| vec![names.name("group", &group)])
        .unwrap_or_default();
    Ok(AuditTicket {
        subject: ticket.subject.unwrap_or_default(),
        problem: text_or_html(
            ticket.description_text.as_deref(),
            ticket.description.as_deref(),
        ),
        status,
        resolved,
        created_at_ms,
        resolved_at_ms,
        teams,
        escalated: ticket.is_escalated == Some(true) || ticket.fr_escalated == Some(true),
        tags: ticket.tags,
        ..AuditTicket::default()
    })
}

#[derive(Deserialize)]
struct IntercomConversation {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    open: Option<bool>,
    #[serde(default)]
    created_at: Option<Value>,
    #[serde(default)]
    updated_at: Option<Value>,
    #[serde(default)]
    team_assignee_id: Option<Value>,
    #[serde(default)]
    source: Option<IntercomSource>,
    #[serde(default)]
    statistics: Option<IntercomStatistics>,
    #[serde(default)]
    conversation_parts: Option<IntercomParts>,
    #[serde(default)]
    tags: Option<IntercomTags>,
}

#[derive(Deserialize)]
struct IntercomSource {
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    body: Option<String>,
}

#[derive(Deserialize)]
struct IntercomStatistics {
    #[serde(default)]
    last_close_at: Option<Value>,
}

#[derive(Deserialize)]
struct IntercomParts {
    #[serde(default)]
    conversation_parts: Vec<IntercomPart>,
}

#[derive(Deserialize)]
struct IntercomPart {
    #[serde(default)]
    part_type: Option<String>,
    #[serde(default)]
    created_at: Option<Value>,
    #[serde(default)]
    assigned_to: Option<IntercomAssignee>,
}

#[derive(Deserialize)]
struct IntercomAssignee {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct IntercomTags {
    #[serde(default)]
    tags: Vec<IntercomTag>,
}

#[derive(Deserialize)]
struct IntercomTag {
    #[serde(default)]
    name: Option<String>,
}

fn intercom(value: Value, names: &TeamNames) -> Result<AuditTicket, AuditSkipReason> {
    let conversation: IntercomConversation = serde_json::from_value(value).map_err(invalid)?;
    let created_at_ms =
        timestamp(conversation.created_at.as_ref()).ok_or(AuditSkipReason::NoCreationTime)?;
    let status = conversation
        .state
        .clone()
        .unwrap_or_else(|| match conversation.open {
            Some(false) => "closed".to_owned(),
            Some(true) => "open".to_owned(),
            None => String::new(),
        })
        .to_ascii_lowercase();
    let resolved = status == "closed";
    let source = conversation.source.unwrap_or(IntercomSource {
        subject: None,
        body: None,
    });
    let problem = source.body.as_deref().map(html_to_text).unwrap_or_default();
    let subject = conversation
        .title
        .filter(|title| !title.trim().is_empty())
        .or(source.subject.filter(|subject| !subject.trim().is_empty()))
        .map(|title| html_to_text(&title))
        .unwrap_or_default();
    let parts = conversation.conversation_parts;
    let mut audited = AuditTicket {
        subject,
        problem,
        status,
        resolved,
        created_at_ms,
        has_history: parts.is_some(),
        tags: conversation
            .tags
            .map(|tags| tags.tags.into_iter().filter_map(|tag| tag.name).collect())
            .unwrap_or_default(),
        ..AuditTicket::default()
    };
    let mut admin: Option<String> = None;
    let mut last_close = None;
    for part in parts
        .map(|parts| parts.conversation_parts)
        .unwrap_or_default()
    {
        let part_type = part.part_type.unwrap_or_default().to_ascii_lowercase();
        if part_type == "close" {
            last_close = timestamp(part.created_at.as_ref()).or(last_close);
        }
        if !part_type.contains("assign") {
            continue;
        }
        let Some(assignee) = part.assigned_to else {
            continue;
        };
        let Some(id) = assignee.id.as_ref().and_then(id_text) else {
            continue;
        };
        match assignee
            .kind
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("team") => {
                let name = assignee
                    .name
                    .filter(|name| !name.trim().is_empty())
                    .unwrap_or_else(|| names.name("team", &id));
                audited.push_team(name);
            }
            Some("admin") | None => {
                if admin.as_ref().is_some_and(|previous| *previous != id) {
                    audited.reassignments += 1;
                }
                admin = Some(id);
            }
            Some(_) => {}
        }
    }
    // Intercom writes 0 (or null) for "no team".
    let team = conversation.team_assignee_id.as_ref().and_then(id_text);
    if audited.teams.is_empty()
        && let Some(team) = team.filter(|team| team != "0")
    {
        audited.teams.push(names.name("team", &team));
    }
    if resolved {
        audited.resolved_at_ms = conversation
            .statistics
            .and_then(|statistics| timestamp(statistics.last_close_at.as_ref()))
            .or(last_close)
            .or_else(|| timestamp(conversation.updated_at.as_ref()));
    }
    Ok(audited)
}
