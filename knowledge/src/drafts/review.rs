//! The review life of a draft: draft → approved (published) / rejected (with a reason)
//! / expired (not reviewed in time). Edits are allowed while it is a draft and every
//! edit keeps the previous version in the history.

use serde::{Deserialize, Serialize};

use super::DraftsError;
use super::flags::PublishedArticle;
use super::model::{Cause, Draft, Step, StepSource};

/// Where a draft stands in review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReviewState {
    /// Waiting for a knowledge manager.
    Draft,
    /// Approved and published.
    Approved {
        /// Who approved it.
        by: String,
        /// When (ms since the Unix epoch).
        at_ms: i64,
        /// The id of the published article.
        article_id: String,
    },
    /// Rejected.
    Rejected {
        /// Who rejected it.
        by: String,
        /// When (ms).
        at_ms: i64,
        /// Why.
        reason: String,
    },
    /// Not reviewed within the review period.
    Expired {
        /// When it expired (ms).
        at_ms: i64,
    },
}

impl ReviewState {
    /// The state's name, as shown in the console.
    pub fn name(&self) -> &'static str {
        match self {
            ReviewState::Draft => "draft",
            ReviewState::Approved { .. } => "approved",
            ReviewState::Rejected { .. } => "rejected",
            ReviewState::Expired { .. } => "expired",
        }
    }
}

/// A change a reviewer makes to a draft; fields left `None` stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftEdit {
    /// A new title.
    pub title: Option<String>,
    /// A new cause.
    pub cause: Option<String>,
    /// New resolution steps, in order.
    pub steps: Option<Vec<String>>,
}

/// A past version of a draft's content, kept when it was edited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    /// Who made the edit that replaced this version.
    pub edited_by: String,
    /// When (ms).
    pub edited_at_ms: i64,
    /// The content before the edit.
    pub previous: Draft,
}

/// How long a draft may wait for review before it expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewPeriod {
    /// The period in milliseconds.
    pub millis: i64,
}

impl Default for ReviewPeriod {
    fn default() -> Self {
        ReviewPeriod {
            millis: 30 * 24 * 3_600_000,
        }
    }
}

/// A draft under review, with its state and edit history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewedDraft {
    /// The current content.
    pub draft: Draft,
    /// The review state.
    pub state: ReviewState,
    /// When the draft was created (ms).
    pub created_at_ms: i64,
    /// Earlier versions, oldest first.
    pub history: Vec<Revision>,
}

impl ReviewedDraft {
    /// A new draft waiting for review.
    pub fn new(draft: Draft, created_at_ms: i64) -> ReviewedDraft {
        ReviewedDraft {
            draft,
            state: ReviewState::Draft,
            created_at_ms,
            history: Vec::new(),
        }
    }

    /// Applies an edit, keeping the previous version in the history.
    pub fn edit(&mut self, edit: DraftEdit, by: &str, at_ms: i64) -> Result<(), DraftsError> {
        self.ensure_open()?;
        let previous = self.draft.clone();
        if let Some(title) = edit.title {
            self.draft.title = title;
        }
        if let Some(cause) = edit.cause {
            let tickets = self.draft.cause.as_ref().map_or(0, |c| c.tickets);
            self.draft.cause = Some(Cause {
                text: cause,
                tickets,
                alternatives: Vec::new(),
            });
        }
        if let Some(steps) = edit.steps {
            self.draft.steps = steps
                .into_iter()
                .map(|text| {
                    let existing = previous.steps.iter().find(|step| step.text == text);
                    Step {
                        tickets: existing.map_or(0, |step| step.tickets),
                        source: existing.map_or(StepSource::Fix, |step| step.source),
                        text,
                    }
                })
                .collect();
        }
        self.history.push(Revision {
            edited_by: by.to_string(),
            edited_at_ms: at_ms,
            previous,
        });
        Ok(())
    }

    /// Approves the draft and returns the article to publish in the suggest index.
    pub fn approve(
        &mut self,
        by: &str,
        article_id: &str,
        at_ms: i64,
    ) -> Result<PublishedArticle, DraftsError> {
        self.ensure_open()?;
        self.state = ReviewState::Approved {
            by: by.to_string(),
            at_ms,
            article_id: article_id.to_string(),
        };
        Ok(self.article(article_id, at_ms))
    }

    /// Rejects the draft; a reason is required.
    pub fn reject(&mut self, by: &str, reason: &str, at_ms: i64) -> Result<(), DraftsError> {
        self.ensure_open()?;
        if reason.trim().is_empty() {
            return Err(DraftsError::MissingRejectionReason);
        }
        self.state = ReviewState::Rejected {
            by: by.to_string(),
            at_ms,
            reason: reason.trim().to_string(),
        };
        Ok(())
    }

    /// Expires the draft if it has waited longer than the review period; returns
    /// whether it expired now.
    pub fn expire_if_stale(&mut self, now_ms: i64, period: ReviewPeriod) -> bool {
        let waited = now_ms - self.created_at_ms;
        if self.state == ReviewState::Draft && waited >= period.millis {
            self.state = ReviewState::Expired { at_ms: now_ms };
            return true;
        }
        false
    }

    /// The article this draft publishes as (the rewrite, when there is one, with the
    /// extractive steps as the fix).
    pub fn article(&self, article_id: &str, published_at_ms: i64) -> PublishedArticle {
        let draft = &self.draft;
        let (title, body) = match &draft.rewritten {
            Some(rewrite) => (rewrite.title.clone(), rewrite.body_markdown.clone()),
            None => (draft.title.clone(), draft.body_markdown()),
        };
        let of_kind = |kind| {
            draft
                .symptoms
                .iter()
                .filter(|symptom| symptom.kind == kind)
                .map(|symptom| symptom.value.clone())
                .collect::<Vec<_>>()
        };
        use super::model::SymptomKind;
        PublishedArticle {
            id: article_id.to_string(),
            title,
            body,
            error_messages: of_kind(SymptomKind::ErrorMessage),
            fingerprints: of_kind(SymptomKind::Fingerprint),
            routes: of_kind(SymptomKind::Route),
            fix: draft.steps_text(),
            product_area: draft.product_area.clone(),
            published_at_ms,
        }
    }

    fn ensure_open(&self) -> Result<(), DraftsError> {
        match self.state {
            ReviewState::Draft => Ok(()),
            ref closed => Err(DraftsError::NotUnderReview {
                state: closed.name(),
            }),
        }
    }
}
