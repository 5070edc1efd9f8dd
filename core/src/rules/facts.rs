//! The facts a rule looks at: the ticket, the account, the session's page trail and
//! error reports across customers. Built by the server (or the widget, for proactive
//! rules) and passed in; the engine never fetches anything.

use crate::domain::{LifecycleStage, PageSignal, SignalKind, TicketState};
use crate::ids::{CustomerId, Fingerprint, RuleId, TierId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything the engine may look at, as of `now`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Facts {
    /// The ticket, when there is one (the widget evaluates proactive rules without).
    #[serde(default)]
    pub ticket: Option<TicketFacts>,
    /// The customer's account.
    #[serde(default)]
    pub account: AccountFacts,
    /// The session's page trail, oldest first.
    #[serde(default)]
    pub trail: Vec<PageSignal>,
    /// The page the user is on now, for dwell up to `now`.
    #[serde(default)]
    pub current_page: Option<CurrentPage>,
    /// Reports of errors by any customer (for volume rules), any order.
    #[serde(default)]
    pub error_reports: Vec<ErrorReport>,
    /// Rules that already fired for this ticket or session; they are skipped.
    #[serde(default)]
    pub fired_rules: Vec<RuleId>,
}

/// What is known about the ticket.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TicketFacts {
    /// The tier that has it.
    pub tier: TierId,
    /// Its state.
    #[serde(default)]
    pub state: TicketState,
    /// The lifecycle stage it is at (recorded on every escalation).
    #[serde(default)]
    pub stage: LifecycleStage,
    /// Since when it is at that tier.
    pub at_tier_since: Timestamp,
    /// When the acknowledgement SLA is due, if it is running.
    #[serde(default)]
    pub ack_due: Option<Timestamp>,
    /// When the resolution SLA is due, if it is running.
    #[serde(default)]
    pub resolution_due: Option<Timestamp>,
    /// Subject line.
    #[serde(default)]
    pub subject: String,
    /// The conversation, oldest first.
    #[serde(default)]
    pub messages: Vec<MessageFact>,
    /// Current sentiment score (−1 … 1) computed elsewhere; when absent, the last
    /// scored customer message counts.
    #[serde(default)]
    pub sentiment: Option<f64>,
    /// Product areas the ticket is classified in.
    #[serde(default)]
    pub product_areas: Vec<String>,
    /// The disputed billing amount, if any.
    #[serde(default)]
    pub billing_amount: Option<f64>,
    /// Error fingerprints attached to the ticket.
    #[serde(default)]
    pub error_fingerprints: Vec<Fingerprint>,
}

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageFact {
    /// When it was sent.
    pub at: Timestamp,
    /// Who wrote it.
    pub author: Author,
    /// The text.
    #[serde(default)]
    pub text: String,
    /// Its sentiment score (−1 … 1), if computed.
    #[serde(default)]
    pub sentiment: Option<f64>,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    /// The end user.
    Customer,
    /// A human agent.
    Agent,
    /// The automatic assistant.
    Assistant,
}

/// The account the customer belongs to.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AccountFacts {
    /// Plan (`free`, `pro`, `enterprise`).
    #[serde(default)]
    pub plan: Option<String>,
    /// Account tier (`standard`, `strategic`).
    #[serde(default)]
    pub tier: Option<String>,
    /// Custom attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeValue>,
}

/// A custom attribute value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AttributeValue {
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// Text.
    Text(String),
}

impl AttributeValue {
    /// The value as text, as conditions compare it.
    pub fn as_text(&self) -> String {
        match self {
            AttributeValue::Bool(value) => value.to_string(),
            AttributeValue::Number(value) => value.to_string(),
            AttributeValue::Text(value) => value.clone(),
        }
    }

    /// The value as a number, when it is one (or text that parses as one).
    pub fn as_number(&self) -> Option<f64> {
        match self {
            AttributeValue::Number(value) => Some(*value),
            AttributeValue::Text(value) => value.trim().parse().ok(),
            AttributeValue::Bool(_) => None,
        }
    }
}

/// The page the user is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentPage {
    /// Its route.
    pub route: String,
    /// Since when.
    pub since: Timestamp,
}

/// One customer hitting one error, for volume rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorReport {
    /// The error.
    pub fingerprint: Fingerprint,
    /// Who hit it.
    pub customer: CustomerId,
    /// When.
    pub at: Timestamp,
}

impl Facts {
    /// The fingerprints volume rules look at: the ticket's, or when there is no
    /// ticket, those of JS errors in the trail. Sorted, without duplicates.
    pub fn fingerprints(&self) -> Vec<&Fingerprint> {
        let mut fingerprints: Vec<&Fingerprint> = match &self.ticket {
            Some(ticket) => ticket.error_fingerprints.iter().collect(),
            None => self
                .trail
                .iter()
                .filter_map(|signal| match &signal.kind {
                    SignalKind::JsError { fingerprint, .. } => Some(fingerprint),
                    _ => None,
                })
                .collect(),
        };
        fingerprints.sort();
        fingerprints.dedup();
        fingerprints
    }
}

impl TicketFacts {
    /// Customer messages, oldest first.
    pub fn customer_messages(&self) -> impl Iterator<Item = &MessageFact> {
        self.messages
            .iter()
            .filter(|message| message.author == Author::Customer)
    }

    /// The current sentiment: the explicit score, else the last scored customer message.
    pub fn current_sentiment(&self) -> Option<f64> {
        self.sentiment.or_else(|| {
            self.customer_messages()
                .filter_map(|message| message.sentiment)
                .last()
        })
    }
}
