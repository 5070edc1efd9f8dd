//! The article draft: title, symptoms, cause, steps, applies-to and evidence, as the
//! knowledge manager reviews it.

use serde::{Deserialize, Serialize};

use crate::cluster::ClusterId;
use crate::ticket::TicketId;

/// What kind of page-context signal a symptom is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SymptomKind {
    /// An error message shown to the user.
    ErrorMessage,
    /// A stable error fingerprint.
    Fingerprint,
    /// A page route the tickets came from.
    Route,
}

/// A symptom common to the cluster's tickets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Symptom {
    /// Error message, fingerprint or route.
    pub kind: SymptomKind,
    /// The value as seen (routes with ids replaced by `:id`).
    pub value: String,
    /// How many of the cluster's tickets show it.
    pub tickets: usize,
}

/// A value with the number of tickets it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counted {
    /// The value.
    pub value: String,
    /// How many tickets carry it.
    pub tickets: usize,
}

/// The cause, from the tickets' root-cause fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cause {
    /// The most common root cause, as one agent wrote it.
    pub text: String,
    /// How many tickets gave this cause (or a near-identical wording).
    pub tickets: usize,
    /// Other causes given by at least two tickets, most common first.
    pub alternatives: Vec<Counted>,
}

/// Where a resolution step was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepSource {
    /// The fix field of the resolution capture.
    Fix,
    /// A human agent's answer.
    AgentAnswer,
}

/// One resolution step, extracted verbatim from the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The step as one agent wrote it.
    pub text: String,
    /// How many tickets contain this step (or a near-identical wording).
    pub tickets: usize,
    /// Where it came from.
    pub source: StepSource,
}

/// Where the article applies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliesTo {
    /// Environments from the resolution capture, most common first.
    pub environments: Vec<Counted>,
    /// Versions from the resolution capture, most common first.
    pub versions: Vec<Counted>,
}

/// One source ticket of a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceTicket {
    /// The ticket's id.
    pub id: TicketId,
    /// A link to it, when known.
    pub link: Option<String>,
    /// When it was resolved (ms since the Unix epoch).
    pub resolved_at_ms: i64,
}

/// The tickets a draft is built from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// How many tickets.
    pub count: usize,
    /// The earliest resolution time (ms).
    pub first_seen_ms: i64,
    /// The latest resolution time (ms).
    pub last_seen_ms: i64,
    /// The tickets, oldest first.
    pub tickets: Vec<SourceTicket>,
}

/// Why a draft needs a second look against a published article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Flag {
    /// The draft says what a published article already says.
    Duplicate {
        /// The article it duplicates.
        article_id: String,
        /// Cosine similarity of the two texts (0 … 1).
        similarity: f32,
    },
    /// The draft has the same symptoms as a published article but a different fix.
    Contradiction {
        /// The article it contradicts.
        article_id: String,
        /// How similar the symptoms are (0 … 1).
        symptom_similarity: f32,
        /// How similar the fixes are (0 … 1).
        fix_similarity: f32,
    },
}

/// A draft rewritten by a language model; the extractive draft is kept beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewrittenDraft {
    /// The model that wrote it.
    pub model: String,
    /// The rewritten title.
    pub title: String,
    /// The rewritten article body, Markdown.
    pub body_markdown: String,
}

/// An article draft generated from one cluster of resolved tickets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// The cluster it was drafted from (stable across runs; also the draft's id).
    pub cluster_id: ClusterId,
    /// The product area of the cluster.
    pub product_area: Option<String>,
    /// The title: the most representative problem statement.
    pub title: String,
    /// The problem as customers describe it, summarised and addressed to the reader
    /// (never quoted: no names, greetings or first person).
    #[serde(default)]
    pub summary: Option<String>,
    /// Common error messages, fingerprints and routes, most frequent first.
    pub symptoms: Vec<Symptom>,
    /// The cause, when the tickets captured root causes.
    pub cause: Option<Cause>,
    /// Resolution steps in the order agents give them: instructions and code lines only.
    pub steps: Vec<Step>,
    /// What the answer explains beyond the steps (or instead of them, for questions
    /// answered by an explanation), in order.
    #[serde(default)]
    pub explanation: Vec<String>,
    /// Environments and versions.
    pub applies_to: AppliesTo,
    /// The source tickets.
    pub evidence: Evidence,
    /// Collisions with published articles.
    pub flags: Vec<Flag>,
    /// An optional rewrite by a language model.
    pub rewritten: Option<RewrittenDraft>,
}

impl Draft {
    /// The extractive draft as a Markdown article body (without the title).
    pub fn body_markdown(&self) -> String {
        let mut body = String::new();
        if let Some(summary) = &self.summary {
            body.push_str(&format!("## Problem\n\n{summary}\n\n"));
        }
        if !self.symptoms.is_empty() {
            body.push_str("## Symptoms\n\n");
            for symptom in &self.symptoms {
                let label = match symptom.kind {
                    SymptomKind::ErrorMessage => "Error",
                    SymptomKind::Fingerprint => "Error fingerprint",
                    SymptomKind::Route => "Page",
                };
                body.push_str(&format!("- {label}: `{}`\n", symptom.value));
            }
            body.push('\n');
        }
        if let Some(cause) = &self.cause {
            body.push_str(&format!("## Cause\n\n{}\n\n", cause.text));
        }
        if !self.explanation.is_empty() {
            let heading = if self.steps.is_empty() {
                "Answer"
            } else {
                "Background"
            };
            body.push_str(&format!(
                "## {heading}\n\n{}\n\n",
                self.explanation.join(" ")
            ));
        }
        if !self.steps.is_empty() {
            body.push_str("## Resolution\n\n");
            for (number, step) in self.steps.iter().enumerate() {
                body.push_str(&format!("{}. {}\n", number + 1, step.text));
            }
            body.push('\n');
        }
        let applies: Vec<&str> = self
            .applies_to
            .environments
            .iter()
            .chain(&self.applies_to.versions)
            .map(|counted| counted.value.as_str())
            .collect();
        if !applies.is_empty() {
            body.push_str(&format!("## Applies to\n\n{}\n", applies.join(", ")));
        }
        body
    }

    /// Whether the draft has a resolution body: steps, or an explanation.
    pub fn has_resolution(&self) -> bool {
        !self.steps.is_empty() || !self.explanation.is_empty()
    }

    /// The text of the resolution steps, one per line.
    pub fn steps_text(&self) -> String {
        self.steps
            .iter()
            .map(|step| step.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}
