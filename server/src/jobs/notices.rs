//! The notifications a change writes to the outbox with itself: emails to the
//! ticket's owner and team, emails to the customer, and events for the site's
//! webhooks, Slack, Jira and Linear endpoints.

use serde_json::{Value, json};

use crate::config::Config;
use crate::notify::email::{Audience, EmailJob};
use crate::storage::jobs::{EventName, OutboxEvent, OutboxItem};
use crate::storage::{ConversationRecord, TicketRecord};

/// The addresses of a ticket's owner and of its team (or tier), deduplicated.
pub fn agent_addresses(config: &Config, ticket: &TicketRecord) -> Vec<String> {
    let notifications = &config.notifications;
    let mut addresses: Vec<String> = [
        ticket
            .owner
            .as_ref()
            .and_then(|owner| notifications.agents.get(owner)),
        ticket
            .team
            .as_ref()
            .and_then(|team| notifications.teams.get(team)),
        notifications.teams.get(&ticket.tier),
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect();
    addresses.dedup();
    addresses
}

/// One email per owner/team address, keyed by `key`.
pub fn agent_emails(
    config: &Config,
    ticket: &TicketRecord,
    subject: &str,
    body: &str,
    key: &str,
) -> Vec<OutboxItem> {
    agent_addresses(config, ticket)
        .into_iter()
        .map(|to| {
            EmailJob {
                dedupe_key: format!("{key}:email:{to}"),
                to,
                subject: subject.to_owned(),
                body: body.to_owned(),
                audience: Audience::Agent,
            }
            .into_item()
        })
        .collect()
}

/// An email to one agent, addressed when it is sent (`notifications.agents`).
pub fn agent_email_by_id(agent: &str, subject: &str, body: &str, key: &str) -> OutboxItem {
    EmailJob {
        dedupe_key: format!("{key}:email:agent"),
        to: format!("{AGENT_PREFIX}{agent}"),
        subject: subject.to_owned(),
        body: body.to_owned(),
        audience: Audience::Agent,
    }
    .into_item()
}

/// How an email job names an agent whose address is looked up when it is sent.
pub const AGENT_PREFIX: &str = "agent:";

/// An email to the customer of a conversation, if they left an address.
pub fn customer_email(
    conversation: &ConversationRecord,
    subject: &str,
    body: &str,
    key: &str,
) -> Option<OutboxItem> {
    let to = conversation.customer_email.clone()?;
    Some(
        EmailJob {
            dedupe_key: format!("{key}:email:customer"),
            to,
            subject: subject.to_owned(),
            body: body.to_owned(),
            audience: Audience::Customer,
        }
        .into_item(),
    )
}

/// An event for the site's endpoints.
pub fn event(name: EventName, key: &str, data: Value) -> OutboxItem {
    OutboxItem::Event(OutboxEvent {
        name,
        dedupe_key: format!("{key}:{}", name.as_str()),
        data,
    })
}

/// What events say about a ticket.
pub fn ticket_data(ticket: &TicketRecord, summary: &str) -> Value {
    json!({
        "summary": summary,
        "ticket_id": ticket.id,
        "conversation_id": ticket.conversation_id,
        "tier": ticket.tier,
        "team": ticket.team,
        "owner": ticket.owner,
        "priority": ticket.priority,
        "subject": ticket.subject,
    })
}
