//! The knowledge base's answers for a ticket, as the agent API gives them
//! (`GET …/tickets/{id}/answers`): similar resolved tickets and likely answers.

use serde::Deserialize;

/// One answer the knowledge base suggests for a ticket (`GET …/tickets/{id}/answers`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SuggestedAnswer {
    /// The document's id.
    pub id: String,
    /// `ticket` or `article`.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// An extract, from the answer when it matched.
    #[serde(default)]
    pub snippet: String,
    /// What matched where, in one sentence.
    #[serde(default)]
    pub why: String,
    /// The estimated probability that it resolves the ticket.
    #[serde(default)]
    pub confidence: f32,
    /// Confident enough to be called a likely fix.
    #[serde(default)]
    pub likely_fix: bool,
}

impl SuggestedAnswer {
    /// The confidence as a whole percentage (`73 %`).
    pub fn percent(&self) -> String {
        format!(
            "{} %",
            (self.confidence.clamp(0.0, 1.0) * 100.0).round() as u32
        )
    }
}

/// The similar resolved tickets and likely answers for a ticket.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct TicketAnswers {
    /// Resolved tickets like this one.
    #[serde(default)]
    pub similar_tickets: Vec<SuggestedAnswer>,
    /// The answers most likely to resolve it.
    #[serde(default)]
    pub answers: Vec<SuggestedAnswer>,
}

impl TicketAnswers {
    /// Both lists in one, answers first, each document once.
    pub fn merged(&self) -> Vec<SuggestedAnswer> {
        let mut all: Vec<SuggestedAnswer> = Vec::new();
        for answer in self.answers.iter().chain(&self.similar_tickets) {
            if !all.iter().any(|a| a.id == answer.id) {
                all.push(answer.clone());
            }
        }
        all
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn answer(id: &str, confidence: f32) -> SuggestedAnswer {
        SuggestedAnswer {
            id: id.into(),
            kind: "article".into(),
            title: id.into(),
            snippet: String::new(),
            why: String::new(),
            confidence,
            likely_fix: false,
        }
    }

    #[test]
    fn answers_come_first_and_each_document_once() {
        let answers = TicketAnswers {
            similar_tickets: vec![answer("t1", 0.2), answer("a1", 0.9)],
            answers: vec![answer("a1", 0.9), answer("a2", 0.4)],
        };
        let ids: Vec<String> = answers.merged().into_iter().map(|a| a.id).collect();
        assert_eq!(ids, ["a1", "a2", "t1"]);
    }

    #[test]
    fn confidence_reads_as_a_percentage() {
        assert_eq!(answer("a", 0.734).percent(), "73 %");
        assert_eq!(answer("a", 1.7).percent(), "100 %");
    }

    #[test]
    fn the_answers_body_of_the_api_reads() {
        let body = r#"{"ticket_id":"t","similar_tickets":[],"answers":[{"id":"payment-failed-e502","kind":"article","title":"Payment fails with E502","snippet":"Retry in a minute","why":"error E502 matched","matched":[],"confidence":0.81,"likely_fix":true}]}"#;
        let answers: TicketAnswers = serde_json::from_str(body).unwrap();
        assert!(answers.answers[0].likely_fix);
        assert_eq!(answers.merged()[0].snippet, "Retry in a minute");
    }
}
