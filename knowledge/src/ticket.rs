//! The resolved ticket as clustering, drafts and gaps read it: the problem, the
//! conversation, the structured resolution captured at close, and page context.

use serde::{Deserialize, Serialize};

/// The identifier of a ticket, as the helpdesk or the server knows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TicketId(pub String);

impl TicketId {
    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for TicketId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who wrote a message in a ticket's conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorKind {
    /// The end user who asked for help.
    Customer,
    /// A human support agent: the only author whose answers count as evidence.
    Agent,
    /// The automatic assistant or any other bot.
    Bot,
}

/// One message of a ticket's conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Who wrote it.
    pub author: AuthorKind,
    /// What they wrote, as plain text.
    pub text: String,
}

/// The structured resolution captured when an escalated ticket is resolved (DESIGN §1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Resolution {
    /// Why the problem happened.
    pub root_cause: String,
    /// What fixed it, often as steps.
    pub fix: String,
    /// Where it happened (browser, OS, plan, deployment…).
    pub environment: String,
    /// The product version it happened in.
    pub version: String,
}

/// A resolved ticket: the input of clustering, article drafts and evidence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResolvedTicket {
    /// The ticket's id.
    pub id: TicketId,
    /// The subject line or title.
    pub subject: String,
    /// The customer's description of the problem (first message or form body).
    pub problem: String,
    /// The conversation in order.
    pub messages: Vec<Message>,
    /// The structured resolution, when one was captured.
    pub resolution: Option<Resolution>,
    /// Page routes from the ticket's page trail.
    pub routes: Vec<String>,
    /// Error messages seen on those pages.
    pub error_messages: Vec<String>,
    /// Stable error fingerprints.
    pub fingerprints: Vec<String>,
    /// The product area, when known; clustering never mixes areas.
    pub product_area: Option<String>,
    /// When the ticket was resolved, in milliseconds since the Unix epoch.
    pub resolved_at_ms: i64,
    /// A link to the ticket in the console or the source helpdesk.
    pub link: Option<String>,
}

impl ResolvedTicket {
    /// The texts of the answers written by human agents, in order: the only answers
    /// that count as evidence (bot answers are ignored).
    pub fn agent_answers(&self) -> impl Iterator<Item = &str> {
        self.messages
            .iter()
            .filter(|message| message.author == AuthorKind::Agent)
            .map(|message| message.text.as_str())
    }

    /// The texts the customer wrote, in order.
    pub fn customer_messages(&self) -> impl Iterator<Item = &str> {
        self.messages
            .iter()
            .filter(|message| message.author == AuthorKind::Customer)
            .map(|message| message.text.as_str())
    }
}

/// A resolved ticket from the import and index record ([`crate::KnowledgeDoc`]):
/// its answers are human agents' replies; it carries no resolution time.
impl From<&crate::KnowledgeDoc> for ResolvedTicket {
    fn from(doc: &crate::KnowledgeDoc) -> Self {
        let field = |value: &Option<String>| value.clone().unwrap_or_default();
        let captured = &doc.resolution;
        let resolution = Resolution {
            root_cause: field(&captured.root_cause),
            fix: field(&captured.fix),
            environment: field(&captured.environment),
            version: field(&captured.version),
        };
        ResolvedTicket {
            id: TicketId(doc.id.clone()),
            subject: doc.title.clone(),
            problem: doc.problem.clone(),
            messages: doc
                .answers
                .iter()
                .map(|answer| Message {
                    author: AuthorKind::Agent,
                    text: answer.clone(),
                })
                .collect(),
            resolution: (resolution != Resolution::default()).then_some(resolution),
            routes: doc.routes.clone(),
            error_messages: doc.errors.clone(),
            product_area: doc.product_area.clone(),
            ..ResolvedTicket::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_imported_record_becomes_a_ticket_whose_answers_are_agent_evidence() {
        let doc = crate::KnowledgeDoc {
            id: "T-1".into(),
            title: "Export fails".into(),
            answers: vec!["Filter the report.".into()],
            errors: vec!["ERR_EXPORT_TIMEOUT".into()],
            resolution: crate::Resolution {
                fix: Some("Filter the report.".into()),
                ..crate::Resolution::default()
            },
            ..crate::KnowledgeDoc::default()
        };
        let ticket = ResolvedTicket::from(&doc);
        assert_eq!(ticket.subject, "Export fails");
        assert_eq!(
            ticket.agent_answers().collect::<Vec<_>>(),
            vec!["Filter the report."]
        );
        assert_eq!(
            ticket.resolution.map(|r| r.fix),
            Some("Filter the report.".into())
        );
        assert_eq!(ticket.error_messages, vec!["ERR_EXPORT_TIMEOUT"]);
    }
}
