//! The handoff note: built the moment a ticket is escalated, from the
//! conversation, the suggestions the user rejected and the page trail, as
//! structured fields the escalating agent can edit and confirm.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use waymark_core::domain::HandoffNote;
use waymark_core::wire::{ClientEvent, EventKind, MessageAuthor};

use crate::storage::MessageRecord;

/// The handoff note as stored and shown to agents.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoffNoteView {
    /// What the customer is trying to accomplish.
    pub goal: String,
    /// What has been tried, including suggestions shown and rejected.
    #[serde(default)]
    pub tried: Vec<String>,
    /// Current sentiment, in words with its score.
    pub sentiment: String,
    /// Commitments already made to the customer.
    #[serde(default)]
    pub commitments: Vec<String>,
    /// The specific reason for escalating.
    pub reason: String,
    /// The page trail: routes with times, errors, failed requests, rage clicks.
    #[serde(default)]
    pub page_trail: Vec<TrailItem>,
    /// Account data the customer's page shared.
    #[serde(default)]
    pub account: BTreeMap<String, String>,
}

/// One line of the page trail in a handoff note.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrailItem {
    /// When (browser clock, ms since the epoch).
    pub at_ms: i64,
    /// The event kind (`page_view`, `js_error`, `failed_request`, `rage_click`, …).
    pub kind: String,
    /// The route.
    pub route: String,
    /// What happened there (error message, `POST /api/pay → 502`, target).
    #[serde(default)]
    pub detail: String,
}

impl HandoffNoteView {
    /// The core note (the mandatory fields), for validation.
    pub fn core(&self) -> HandoffNote {
        HandoffNote {
            goal: self.goal.clone(),
            tried: self.tried.clone(),
            sentiment: self.sentiment.clone(),
            commitments: self.commitments.clone(),
            reason: self.reason.clone(),
        }
    }
}

/// What the note is built from.
#[derive(Debug, Clone, Default)]
pub struct NoteInput<'a> {
    /// The user's own words for their goal, if they gave them.
    pub stated_goal: Option<&'a str>,
    /// The conversation, oldest first.
    pub messages: &'a [MessageRecord],
    /// Titles (or ids) of suggestions shown and rejected, plus what the user said they tried.
    pub tried: Vec<String>,
    /// Current sentiment score (−1 … 1).
    pub sentiment: Option<f64>,
    /// The reason: rule and explanation, or the user's or agent's words.
    pub reason: String,
    /// The session's page events, oldest first.
    pub events: &'a [ClientEvent],
    /// Account data.
    pub account: BTreeMap<String, String>,
}

/// Most trail lines a note carries (the most recent ones).
const MAX_TRAIL_ITEMS: usize = 50;

/// Builds the note from the conversation and page trail.
pub fn build_note(input: &NoteInput<'_>) -> HandoffNoteView {
    let first_customer_words = input
        .messages
        .iter()
        .find(|m| m.author == MessageAuthor::Customer)
        .map(|m| m.text.trim().to_owned());
    let goal = input
        .stated_goal
        .map(str::trim)
        .filter(|goal| !goal.is_empty())
        .map(str::to_owned)
        .or(first_customer_words)
        .unwrap_or_else(|| "not stated".to_owned());
    let mut tried = Vec::new();
    for item in &input.tried {
        if !item.trim().is_empty() && !tried.contains(item) {
            tried.push(item.clone());
        }
    }
    let commitments = input
        .messages
        .iter()
        .filter(|m| m.author != MessageAuthor::Customer)
        .flat_map(|m| detect_commitments(&m.text))
        .collect();
    let mut page_trail: Vec<TrailItem> = input.events.iter().filter_map(trail_item).collect();
    if page_trail.len() > MAX_TRAIL_ITEMS {
        page_trail.drain(..page_trail.len() - MAX_TRAIL_ITEMS);
    }
    HandoffNoteView {
        goal,
        tried,
        sentiment: describe_sentiment(input.sentiment),
        commitments,
        reason: input.reason.clone(),
        page_trail,
        account: input.account.clone(),
    }
}

/// Sentiment in words: `negative (-0.62)`.
pub fn describe_sentiment(score: Option<f64>) -> String {
    match score {
        None => "unknown (no customer message scored)".to_owned(),
        Some(score) => {
            let word = if score <= -0.5 {
                "very negative"
            } else if score < -0.1 {
                "negative"
            } else if score <= 0.1 {
                "neutral"
            } else {
                "positive"
            };
            format!("{word} ({score:.2})")
        }
    }
}

/// Phrases that promise the customer something by a time.
const COMMITMENT_PHRASES: [&str; 12] = [
    "by end of day",
    "by the end of the day",
    "by eod",
    "by tomorrow",
    "i'll call you",
    "i will call you",
    "we'll call you",
    "i'll get back to you",
    "we'll get back to you",
    "i will get back to you",
    "within 24 hours",
    "by monday",
];

/// The sentences of `text` that contain a commitment ("by end of day", "I'll call
/// you tomorrow").
pub fn detect_commitments(text: &str) -> Vec<String> {
    text.split_inclusive(['.', '!', '?', '\n'])
        .map(str::trim)
        .filter(|sentence| {
            let lower = sentence.to_lowercase();
            COMMITMENT_PHRASES
                .iter()
                .any(|phrase| lower.contains(phrase))
        })
        .map(str::to_owned)
        .collect()
}

fn trail_item(event: &ClientEvent) -> Option<TrailItem> {
    let (kind, route, detail) = match &event.kind {
        EventKind::PageView(page) | EventKind::Navigation(page) => {
            (event.kind.name(), page.route.clone(), page.title.clone())
        }
        EventKind::ErrorPage(page) => ("error_page", page.route.clone(), page.title.clone()),
        EventKind::JsError(error) => ("js_error", error.route.clone(), error.message.clone()),
        EventKind::FailedRequest(request) => (
            "failed_request",
            request.route.clone(),
            format!(
                "{} {} → {}",
                request.method,
                request.url,
                request
                    .status
                    .map_or_else(|| "network error".to_owned(), |s| s.to_string())
            ),
        ),
        EventKind::RageClick(click) => (
            "rage_click",
            click.route.clone(),
            format!("{} ({} clicks)", click.target, click.clicks.unwrap_or(0)),
        ),
        EventKind::DeadClick(click) => ("dead_click", click.route.clone(), click.target.clone()),
        EventKind::Dwell(_) | EventKind::Unknown => return None,
    };
    Some(TrailItem {
        at_ms: event.at_ms,
        kind: kind.to_owned(),
        route,
        detail,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use waymark_core::wire::{FailedRequest, PageInfo};

    fn message(author: MessageAuthor, text: &str) -> MessageRecord {
        MessageRecord {
            seq: 0,
            id: "m".into(),
            conversation_id: "c".into(),
            idempotency_key: None,
            author,
            author_name: None,
            text: text.into(),
            sentiment: None,
            at_ms: 0,
        }
    }

    #[test]
    fn commitments_are_found_in_agent_sentences_only() {
        let found = detect_commitments("Thanks. I'll call you tomorrow morning. Bye!");
        assert_eq!(found, vec!["I'll call you tomorrow morning."]);
        assert!(detect_commitments("Nothing promised here.").is_empty());
    }

    #[test]
    fn note_has_goal_tried_commitments_and_trail() {
        let messages = vec![
            message(MessageAuthor::Customer, "I cannot pay invoice INV-1002"),
            message(
                MessageAuthor::Agent,
                "We will have an answer by end of day.",
            ),
            message(
                MessageAuthor::Customer,
                "We'll call you is not a commitment",
            ),
        ];
        let events = vec![
            ClientEvent {
                id: "e1".into(),
                at_ms: 10,
                kind: EventKind::PageView(PageInfo {
                    url: "https://x/billing".into(),
                    route: "/billing".into(),
                    title: "Billing".into(),
                    ..PageInfo::default()
                }),
            },
            ClientEvent {
                id: "e2".into(),
                at_ms: 20,
                kind: EventKind::FailedRequest(FailedRequest {
                    method: "POST".into(),
                    url: "/api/payment".into(),
                    status: Some(502),
                    duration_ms: None,
                    route: "/billing".into(),
                }),
            },
        ];
        let note = build_note(&NoteInput {
            stated_goal: None,
            messages: &messages,
            tried: vec!["Retrying a failed payment".into()],
            sentiment: Some(-0.6),
            reason: "rule cancel-language".into(),
            events: &events,
            account: BTreeMap::new(),
        });
        assert_eq!(note.goal, "I cannot pay invoice INV-1002");
        assert_eq!(
            note.commitments,
            vec!["We will have an answer by end of day."]
        );
        assert_eq!(note.sentiment, "very negative (-0.60)");
        assert_eq!(note.page_trail.len(), 2);
        assert_eq!(note.page_trail[1].detail, "POST /api/payment → 502");
        assert!(note.core().missing_fields().is_empty());
    }
}
