//! What the index holds: resolved tickets and published articles, as one document type.

use serde::{Deserialize, Serialize};
use waymark_core::wire::{GuideStep, validate_guide};

/// Whether a document is a resolved ticket or a published article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    /// A resolved support ticket: a customer's problem and the agents' answers.
    #[default]
    Ticket,
    /// A published help-centre article; ranked above tickets when equally relevant.
    Article,
}

impl DocKind {
    /// The stable lowercase name stored in the index and used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ticket => "ticket",
            Self::Article => "article",
        }
    }

    /// Parses the stored name back; unknown names are tickets.
    pub fn from_name(name: &str) -> Self {
        if name.eq_ignore_ascii_case("article") {
            Self::Article
        } else {
            Self::Ticket
        }
    }
}

/// The structured resolution captured when an escalated ticket is closed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Resolution {
    /// Why the problem happened.
    pub root_cause: Option<String>,
    /// What fixed it.
    pub fix: Option<String>,
    /// Where it happened (browser, OS, plan, region...).
    pub environment: Option<String>,
    /// The product version it applies to.
    pub version: Option<String>,
}

/// One searchable unit of knowledge: a resolved ticket or a published article.
///
/// This is also the record of the Waymark JSONL import format (one object a line); every field
/// but `id` and `title` may be left out. `body` is accepted as another name for `problem`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct KnowledgeDoc {
    /// The tenant the document belongs to; suggestions never cross sites.
    pub site: String,
    /// Stable id within the site (ticket number, article slug...).
    pub id: String,
    /// Ticket or article.
    pub kind: DocKind,
    /// Ticket subject or article title.
    pub title: String,
    /// The customer's problem as they wrote it (tickets) or the article body (articles).
    #[serde(alias = "body", alias = "description")]
    pub problem: String,
    /// Public replies written by human agents, oldest first.
    pub answers: Vec<String>,
    /// Structured resolution, when captured.
    pub resolution: Resolution,
    /// Page routes the problem happened on (`/billing/invoices/:id`).
    pub routes: Vec<String>,
    /// Error messages, codes and fingerprints seen with the problem.
    pub errors: Vec<String>,
    /// Product area (`billing`, `auth`...).
    pub product_area: Option<String>,
    /// Free-form tags.
    pub tags: Vec<String>,
    /// Steps on the product's pages the widget can show ("Show me"): a route, a
    /// CSS selector and a caption each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub guide: Vec<GuideStep>,
}

impl KnowledgeDoc {
    /// Checks what the index needs: a non-empty id and something to search.
    pub fn validate(&self) -> crate::Result<()> {
        let refuse = |reason: &str| {
            Err(crate::KnowledgeError::InvalidDocument {
                id: self.id.clone(),
                reason: reason.to_owned(),
            })
        };
        if self.id.trim().is_empty() {
            return refuse("the id is empty");
        }
        let has_text = !self.title.trim().is_empty()
            || !self.problem.trim().is_empty()
            || self.answers.iter().any(|answer| !answer.trim().is_empty());
        if !has_text {
            return refuse("there is no title, problem or answer to search");
        }
        if let Err(error) = validate_guide(&self.guide) {
            return refuse(&error.to_string());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_with_a_bad_guide_step_is_refused_naming_the_step() {
        let step = |route: &str| GuideStep {
            route: route.into(),
            selector: "#pay-now".into(),
            caption: "Press it again".into(),
        };
        let mut doc = KnowledgeDoc {
            id: "payment-failed-e502".into(),
            title: "Payment fails with E502".into(),
            guide: vec![step("/billing")],
            ..KnowledgeDoc::default()
        };
        assert!(doc.validate().is_ok());
        doc.guide.push(step("billing"));
        let refused = doc
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            refused.contains("guide step 2: `route` must be a path"),
            "{refused}"
        );
    }

    #[test]
    fn a_document_without_steps_leaves_them_out_of_its_json() {
        let doc = KnowledgeDoc {
            id: "a".into(),
            title: "A".into(),
            ..KnowledgeDoc::default()
        };
        let json = serde_json::to_string(&doc).unwrap_or_default();
        assert!(!json.contains("guide"), "{json}");
        let back: KnowledgeDoc = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, doc);
    }
}
