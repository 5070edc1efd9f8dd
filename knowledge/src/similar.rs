//! Similar resolved tickets: for an agent's "similar tickets" panel and for clustering.

use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;

use crate::Result;
use crate::document::{DocKind, KnowledgeDoc};
use crate::index::KnowledgeIndex;
use crate::suggest::{PageContext, RankingConfig, SuggestRequest, Suggestion, first_text, query};

/// A resolved ticket similar to the one asked about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimilarTicket {
    /// The ticket's id within its site.
    pub id: String,
    /// Its subject.
    pub title: String,
    /// The raw score.
    pub score: f32,
    /// Score relative to the ticket itself (or to the best match when the ticket is not
    /// indexed), in [0, 1].
    pub similarity: f32,
}

/// The suggest request that looks for what resembles a ticket: its subject, problem and fix as
/// the words; its first route, errors and product area as the page.
pub fn request_for(ticket: &KnowledgeDoc, limit: usize) -> SuggestRequest {
    SuggestRequest {
        site: ticket.site.clone(),
        text: [&ticket.title, &ticket.problem]
            .into_iter()
            .chain(ticket.resolution.fix.iter())
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("\n"),
        context: PageContext {
            route: ticket.routes.first().cloned(),
            title: None,
            errors: ticket.errors.clone(),
            failed_requests: Vec::new(),
            product_area: ticket.product_area.clone(),
        },
        limit: limit.max(1),
    }
}

impl KnowledgeIndex {
    /// What an agent working on `ticket` can reuse: the articles and resolved tickets of its
    /// site most likely to resolve it, best first, each with why it matched and a confidence;
    /// never the ticket itself. The same retrieval as [`KnowledgeIndex::suggest`].
    pub fn answers_for_ticket(
        &self,
        ticket: &KnowledgeDoc,
        limit: usize,
    ) -> Result<Vec<Suggestion>> {
        let mut found = self.suggest(&request_for(ticket, limit.saturating_add(1)))?;
        found.retain(|suggestion| suggestion.id != ticket.id);
        found.truncate(limit.max(1));
        Ok(found)
    }

    /// The resolved tickets of the same site most similar to `ticket` (its subject, problem,
    /// fix, errors, route and product area), best first, never the ticket itself.
    pub fn similar(&self, ticket: &KnowledgeDoc, limit: usize) -> Result<Vec<SimilarTicket>> {
        let request = request_for(ticket, limit);
        let searcher = self.searcher();
        let fields = self.fields();
        let plan = query::plan(&searcher, fields, &RankingConfig::default(), &request)?;
        if plan.is_empty() {
            return Ok(Vec::new());
        }
        let tickets = tantivy::Term::from_field_text(fields.kind, DocKind::Ticket.as_str());
        let candidates = plan.top(&searcher, &[tickets], limit + 1)?;
        let mut self_score = None;
        let mut similar = Vec::with_capacity(limit);
        for hit in candidates {
            let (score, address) = (hit.score, hit.address);
            let stored: TantivyDocument = searcher.doc(address)?;
            let id = first_text(&stored, fields.id);
            if id == ticket.id {
                self_score = Some(score);
                continue;
            }
            let doc = crate::suggest::stored_doc(&stored, fields.source)?;
            similar.push(SimilarTicket {
                id,
                title: doc.title,
                score,
                similarity: 0.0,
            });
        }
        similar.truncate(limit);
        let reference = self_score
            .or_else(|| similar.first().map(|best| best.score))
            .unwrap_or(1.0)
            .max(f32::MIN_POSITIVE);
        for ticket in &mut similar {
            ticket.similarity = (ticket.score / reference).clamp(0.0, 1.0);
        }
        Ok(similar)
    }
}
