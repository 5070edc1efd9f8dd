//! The facts a rule looks at: the ticket, the account, the session's page trail and
//! error reports across customers. Built by the server (or the widget, for proactive
//! rules) and passed in; the engine never fetches anything.

use crate::domain::{LifecycleStage, PageSignal, SignalKind, TicketState};
use crate::ids::{CustomerId, Fingerprint, RuleId, TierId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
#[cfg(feature = "account-attributes")]
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
    /// Custom attributes (feature `account-attributes`; the browser never has
    /// them, so the widget's build leaves them, and the number formatting and
    /// parsing their conditions need, out).
    #[cfg(feature = "account-attributes")]
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeValue>,
}

/// A custom attribute value.
#[cfg(feature = "account-attributes")]
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

#[cfg(feature = "account-attributes")]
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
        fingerprints(self)
    }
}

/// What the browser knows for the proactive rules: the session's page trail, the
/// page the user is on and the rules already fired; no ticket, no account, no
/// other customers' error reports.
///
/// The rules engine decides over these exactly as over [`Facts`] with only these
/// fields set (a property test holds it to that); the browser's build then
/// compiles no checks of ticket or account conditions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageFacts {
    /// The session's page signals, oldest first.
    pub trail: Vec<PageSignal>,
    /// The page the user is on.
    pub current_page: Option<CurrentPage>,
    /// Rules that already fired in this session.
    pub fired_rules: Vec<RuleId>,
}

impl From<PageFacts> for Facts {
    fn from(page: PageFacts) -> Self {
        Facts {
            trail: page.trail,
            current_page: page.current_page,
            fired_rules: page.fired_rules,
            ..Facts::default()
        }
    }
}

/// The facts the rules engine reads: [`Facts`] on the server, [`PageFacts`] in
/// the browser. One engine reads both, so a rule means the same in either.
pub trait RuleFacts {
    /// The ticket, if there is one.
    fn ticket(&self) -> Option<&TicketFacts>;
    /// The account's plan.
    fn plan(&self) -> Option<&str>;
    /// The account's tier.
    fn account_tier(&self) -> Option<&str>;
    /// A custom attribute of the account.
    #[cfg(feature = "account-attributes")]
    fn attribute(&self, key: &str) -> Option<&AttributeValue>;
    /// The session's page signals, oldest first.
    fn trail(&self) -> &[PageSignal];
    /// The page the user is on.
    fn current_page(&self) -> Option<&CurrentPage>;
    /// Error reports across customers.
    fn error_reports(&self) -> &[ErrorReport];
    /// Rules that already fired.
    fn fired_rules(&self) -> &[RuleId];
}

impl RuleFacts for Facts {
    fn ticket(&self) -> Option<&TicketFacts> {
        self.ticket.as_ref()
    }
    fn plan(&self) -> Option<&str> {
        self.account.plan.as_deref()
    }
    fn account_tier(&self) -> Option<&str> {
        self.account.tier.as_deref()
    }
    #[cfg(feature = "account-attributes")]
    fn attribute(&self, key: &str) -> Option<&AttributeValue> {
        self.account.attributes.get(key)
    }
    fn trail(&self) -> &[PageSignal] {
        &self.trail
    }
    fn current_page(&self) -> Option<&CurrentPage> {
        self.current_page.as_ref()
    }
    fn error_reports(&self) -> &[ErrorReport] {
        &self.error_reports
    }
    fn fired_rules(&self) -> &[RuleId] {
        &self.fired_rules
    }
}

impl RuleFacts for PageFacts {
    fn ticket(&self) -> Option<&TicketFacts> {
        None
    }
    fn plan(&self) -> Option<&str> {
        None
    }
    fn account_tier(&self) -> Option<&str> {
        None
    }
    #[cfg(feature = "account-attributes")]
    fn attribute(&self, _key: &str) -> Option<&AttributeValue> {
        None
    }
    fn trail(&self) -> &[PageSignal] {
        &self.trail
    }
    fn current_page(&self) -> Option<&CurrentPage> {
        self.current_page.as_ref()
    }
    fn error_reports(&self) -> &[ErrorReport] {
        &[]
    }
    fn fired_rules(&self) -> &[RuleId] {
        &self.fired_rules
    }
}

/// See [`Facts::fingerprints`].
pub(crate) fn fingerprints<F: RuleFacts>(facts: &F) -> Vec<&Fingerprint> {
    let found: Vec<&Fingerprint> = match facts.ticket() {
        Some(ticket) => ticket.error_fingerprints.iter().collect(),
        None => facts
            .trail()
            .iter()
            .filter_map(|signal| match &signal.kind {
                SignalKind::JsError { fingerprint, .. } => Some(fingerprint),
                _ => None,
            })
            .collect(),
    };
    // Sorted insertion: a handful of fingerprints, and no sort routine
    // compiled into the widget.
    let mut fingerprints: Vec<&Fingerprint> = Vec::with_capacity(found.len());
    for fingerprint in found {
        if let Err(at) = fingerprints.binary_search(&fingerprint) {
            fingerprints.insert(at, fingerprint);
        }
    }
    fingerprints
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
