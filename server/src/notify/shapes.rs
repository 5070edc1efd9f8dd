//! What each integration receives: a signed JSON event for webhooks, an
//! incoming-webhook message for Slack, an issue for Jira (REST v2 `issue`) and
//! Linear (GraphQL `issueCreate`) with the reproduction context (page trail,
//! errors, failed requests, environment, affected customers).

use serde_json::{Value, json};

use super::sign;
use crate::storage::jobs::{EndpointRecord, JobKind, JobRecord};

/// An outbound request: extra headers and the body.
#[derive(Debug, Clone, PartialEq)]
pub struct Outbound {
    /// Headers besides `Content-Type` and `Waymark-Delivery`.
    pub headers: Vec<(String, String)>,
    /// JSON body.
    pub body: String,
}

/// The request a job makes to its endpoint, signed at `unix_secs` for webhooks.
pub fn request(job: &JobRecord, endpoint: &EndpointRecord, unix_secs: i64) -> Outbound {
    let event = job.payload.get("event").cloned().unwrap_or(Value::Null);
    let data = job.payload.get("data").cloned().unwrap_or(Value::Null);
    let summary = data
        .get("summary")
        .and_then(Value::as_str)
        .unwrap_or("Waymark event")
        .to_owned();
    let option = |name: &str| {
        endpoint
            .options
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    match endpoint.kind {
        JobKind::Webhook | JobKind::Email => {
            let body = json!({
                "id": job.id.0,
                "event": event,
                "site_id": job.site_id,
                "created_at_ms": job.created_at_ms,
                "data": data,
            })
            .to_string();
            Outbound {
                headers: vec![
                    (
                        sign::HEADER.to_owned(),
                        sign::sign(&endpoint.secret, unix_secs, body.as_bytes()),
                    ),
                    (
                        "Waymark-Event".to_owned(),
                        event.as_str().unwrap_or_default().to_owned(),
                    ),
                ],
                body,
            }
        }
        JobKind::Slack => Outbound {
            headers: Vec::new(),
            body: json!({
                "text": summary,
                "blocks": [
                    { "type": "section", "text": { "type": "mrkdwn", "text": format!("*{summary}*\n{}", details(&data)) } }
                ],
            })
            .to_string(),
        },
        JobKind::Jira => {
            let issue_type = Some(option("issue_type"))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| "Bug".into());
            Outbound {
                headers: vec![("Authorization".into(), format!("Bearer {}", endpoint.secret))],
                body: json!({
                    "fields": {
                        "project": { "key": option("project") },
                        "summary": summary,
                        "issuetype": { "name": issue_type },
                        "description": reproduction(&data),
                        "labels": ["waymark"],
                    }
                })
                .to_string(),
            }
        }
        JobKind::Linear => Outbound {
            headers: vec![("Authorization".into(), endpoint.secret.clone())],
            body: json!({
                "query": "mutation IssueCreate($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { id identifier url } } }",
                "variables": {
                    "input": {
                        "teamId": option("team_id"),
                        "title": summary,
                        "description": reproduction(&data),
                    }
                },
            })
            .to_string(),
        },
    }
}

/// What the receiver's answer says was created (the issue key), if anything.
pub fn receipt(kind: JobKind, answer: &str) -> Option<String> {
    let value: Value = serde_json::from_str(answer).ok()?;
    match kind {
        JobKind::Jira => value
            .get("key")
            .and_then(Value::as_str)
            .map(|key| format!("issue {key}")),
        JobKind::Linear => value
            .pointer("/data/issueCreate/issue/identifier")
            .and_then(Value::as_str)
            .map(|key| format!("issue {key}")),
        _ => None,
    }
}

fn details(data: &Value) -> String {
    ["reason", "next_step", "ticket_id", "incident_id"]
        .iter()
        .filter_map(|key| {
            data.get(*key)
                .and_then(Value::as_str)
                .map(|value| format!("{key}: {value}"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The reproduction context as Markdown: page trail, errors, failed requests,
/// environment, affected customers.
pub fn reproduction(data: &Value) -> String {
    let mut text = String::new();
    if let Some(summary) = data.get("summary").and_then(Value::as_str) {
        text.push_str(summary);
        text.push_str("\n\n");
    }
    let context = data.get("context").cloned().unwrap_or(Value::Null);
    for (key, title) in [
        ("page_trail", "Page trail"),
        ("errors", "Errors"),
        ("failed_requests", "Failed requests"),
        ("environment", "Environment"),
        ("affected_customers", "Affected customers"),
    ] {
        let lines: Vec<String> = match context.get(key) {
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                })
                .collect(),
            Some(Value::String(text)) if !text.is_empty() => vec![text.clone()],
            _ => Vec::new(),
        };
        if lines.is_empty() {
            continue;
        }
        text.push_str(&format!("## {title}\n"));
        for line in lines {
            text.push_str(&format!("- {line}\n"));
        }
        text.push('\n');
    }
    text
}
