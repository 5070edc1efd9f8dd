//! Answers for an agent on a ticket: the resolved tickets most like it and the documents most
//! likely to resolve it, from the same retrieval as the widget's suggest, each with why it
//! matched.

use waymark_core::domain::Resolution;
use waymark_knowledge::{DocKind, KnowledgeIndex, Suggestion};

use super::FlowError;
use super::resolution::knowledge_doc;
use super::routing::snapshot;
use crate::storage::Store;

/// What the knowledge holds for one ticket.
#[derive(Debug, Default)]
pub struct TicketAnswers {
    /// Resolved tickets like this one, best first.
    pub similar_tickets: Vec<Suggestion>,
    /// Articles and resolved tickets most likely to resolve it, best first.
    pub answers: Vec<Suggestion>,
}

/// The answers for ticket `ticket_id` of the site: its subject, the customer's messages, the
/// page errors and route of its session are the question. Without an index both lists are
/// empty.
pub async fn ticket_answers(
    store: &Store,
    index: Option<&KnowledgeIndex>,
    site_id: &str,
    ticket_id: &str,
    limit: usize,
) -> Result<TicketAnswers, FlowError> {
    let ticket = store
        .ticket(site_id, ticket_id)
        .await?
        .ok_or_else(|| FlowError::NotFound(format!("no ticket `{ticket_id}`")))?;
    let Some(index) = index else {
        return Ok(TicketAnswers::default());
    };
    let conversation = store
        .conversation(site_id, &ticket.conversation_id)
        .await?
        .ok_or_else(|| FlowError::NotFound(format!("no conversation for ticket `{ticket_id}`")))?;
    let snapshot = snapshot(store, site_id, &conversation).await?;
    let resolution = ticket
        .resolution
        .clone()
        .unwrap_or_else(Resolution::default);
    let question = knowledge_doc(site_id, &ticket, &snapshot, &resolution);
    // Deep enough that the tickets among the best documents fill their own list.
    let found = index
        .answers_for_ticket(&question, limit * 3)
        .map_err(|error| FlowError::Knowledge(error.to_string()))?;
    let similar_tickets = found
        .iter()
        .filter(|suggestion| suggestion.kind == DocKind::Ticket)
        .take(limit)
        .cloned()
        .collect();
    let mut answers = found;
    answers.truncate(limit);
    Ok(TicketAnswers {
        similar_tickets,
        answers,
    })
}
