//! Sentiment across a conversation: the current mood, how it moved over the last
//! customer messages, and the escalation language seen anywhere in them.

use serde::Serialize;

use super::escalation::{EscalationMatch, escalation_phrases};
use super::score::score;

/// How many of the latest customer messages the shift looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShiftWindow(pub usize);

impl Default for ShiftWindow {
    fn default() -> Self {
        ShiftWindow(6)
    }
}

/// The change in sentiment over the last `window` messages (oldest first): the mean
/// score of the later half minus the mean score of the earlier half. Negative means
/// the customer is getting more upset; 0 with fewer than two messages.
pub fn shift<S: AsRef<str>>(messages: &[S], window: ShiftWindow) -> f32 {
    let scores: Vec<f32> = last_scores(messages, window);
    if scores.len() < 2 {
        return 0.0;
    }
    let earlier_len = scores.len() / 2;
    let (earlier, later) = scores.split_at(earlier_len);
    mean(later) - mean(earlier)
}

/// What the rules engine reads about a conversation's mood.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConversationSentiment {
    /// The score of the latest customer message (−1 … +1).
    pub current: f32,
    /// The mean score over the window.
    pub mean: f32,
    /// The shift over the window (see [`shift`]).
    pub shift: f32,
    /// Escalation phrases found in any customer message of the window, de-duplicated.
    pub escalation: Vec<EscalationMatch>,
}

/// Scores the latest customer messages of a conversation (oldest first).
pub fn analyze_conversation<S: AsRef<str>>(
    messages: &[S],
    window: ShiftWindow,
) -> ConversationSentiment {
    let scores = last_scores(messages, window);
    let start = messages.len().saturating_sub(window.0.max(1));
    let mut escalation: Vec<EscalationMatch> = Vec::new();
    for message in &messages[start..] {
        for found in escalation_phrases(message.as_ref()) {
            if !escalation.contains(&found) {
                escalation.push(found);
            }
        }
    }
    ConversationSentiment {
        current: scores.last().copied().unwrap_or(0.0),
        mean: mean(&scores),
        shift: shift(messages, window),
        escalation,
    }
}

fn last_scores<S: AsRef<str>>(messages: &[S], window: ShiftWindow) -> Vec<f32> {
    let start = messages.len().saturating_sub(window.0.max(1));
    messages[start..]
        .iter()
        .map(|message| score(message.as_ref()))
        .collect()
}

fn mean(values: &[f32]) -> f32 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f32>() / values.len() as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentiment::EscalationKind;

    #[test]
    fn a_conversation_turning_sour_has_a_negative_shift() {
        let messages = [
            "Hi, thanks for the quick reply!",
            "Great, I will try that.",
            "It still does not work.",
            "This is extremely frustrating, nothing works!!",
        ];
        assert!(shift(&messages, ShiftWindow::default()) < -0.5);
    }

    #[test]
    fn a_conversation_that_gets_resolved_has_a_positive_shift() {
        let messages = [
            "The import is broken again",
            "Thanks, that fixed it, great!",
        ];
        assert!(shift(&messages, ShiftWindow::default()) > 0.5);
    }

    #[test]
    fn repeated_contact_after_a_neutral_report_is_a_negative_shift() {
        let messages = [
            "Hi, the export fails",
            "Still not working. This is the third time, I want a refund!",
        ];
        assert!(shift(&messages, ShiftWindow::default()) < -0.3);
    }

    #[test]
    fn a_single_message_has_no_shift() {
        assert_eq!(shift(&["I am angry"], ShiftWindow::default()), 0.0);
        assert_eq!(shift::<&str>(&[], ShiftWindow::default()), 0.0);
    }

    #[test]
    fn only_the_window_counts() {
        let messages = ["awful awful awful", "ok", "fine", "fine"];
        assert_eq!(shift(&messages, ShiftWindow(2)), 0.0);
    }

    #[test]
    fn conversation_analysis_reports_current_mood_and_escalation_language() {
        let messages = [
            "Export fails",
            "This is the third time, this is ridiculous. I want a refund.",
        ];
        let analysis = analyze_conversation(&messages, ShiftWindow::default());
        let kinds: Vec<EscalationKind> = analysis.escalation.iter().map(|m| m.kind).collect();
        assert_eq!(
            kinds,
            vec![EscalationKind::Refund, EscalationKind::RepeatedContact]
        );
        assert!(analysis.current < 0.0);
    }
}
