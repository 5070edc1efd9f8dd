//! What one ticket says about the fix: steps (instructions and code from the captured
//! fix, else from the agent's most instructive answer), a cause, and explanation —
//! with chatter and boilerplate dropped — or why there is nothing worth an article.

use super::boilerplate::Boilerplate;
use super::classify::{PieceKind, is_cause, pieces};
use super::model::StepSource;
use crate::ticket::ResolvedTicket;

/// Why a ticket or a cluster gives no draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum NoDraftReason {
    /// Neither a captured fix nor an agent's answer.
    #[error("no fix was captured and no agent answered")]
    NoResolution,
    /// Everything the agents wrote is text repeated across unrelated tickets.
    #[error("the answers are only boilerplate repeated across unrelated tickets")]
    OnlyBoilerplate,
    /// The answers hold no instruction and too little explanation to publish.
    #[error("the answers hold no instruction and too little explanation to publish")]
    NothingToFollow,
}

/// The fix one ticket documents.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketResolution {
    /// Steps in order: instructions and code lines (every piece of a captured fix).
    pub steps: Vec<(String, StepSource)>,
    /// The cause: the captured root cause, else an answer's sentence saying why.
    pub cause: Option<String>,
    /// Explanation sentences of the answer the steps come from, in order.
    pub explanation: Vec<String>,
}

/// The most explanation sentences kept.
const MAX_EXPLANATION: usize = 4;
/// Without steps, an explanation needs this many sentences …
const MIN_EXPLANATION_SENTENCES: usize = 2;
/// … and this many words to be an answer worth publishing.
const MIN_EXPLANATION_WORDS: usize = 20;

impl TicketResolution {
    /// Whether there is something to publish: a step, or a real explanation.
    pub fn is_usable(&self) -> bool {
        if !self.steps.is_empty() {
            return true;
        }
        // The cause alone is no answer: the explanation must stand on its own.
        let sentences = self.explanation.len();
        let words: usize = self
            .explanation
            .iter()
            .map(|text| text.split_whitespace().count())
            .sum();
        sentences >= MIN_EXPLANATION_SENTENCES && words >= MIN_EXPLANATION_WORDS
    }
}

/// What one text (a fix or one answer) contributes, before choosing among answers.
#[derive(Default)]
struct Extracted {
    steps: Vec<String>,
    causes: Vec<String>,
    explanation: Vec<String>,
    boilerplate: usize,
    kept: usize,
}

fn extract(text: &str, boilerplate: &Boilerplate, every_piece_is_a_step: bool) -> Extracted {
    let mut extracted = Extracted::default();
    for piece in pieces(text) {
        if piece.kind == PieceKind::Chatter {
            continue;
        }
        if boilerplate.is_boilerplate(&piece.text) {
            extracted.boilerplate += 1;
            continue;
        }
        extracted.kept += 1;
        match piece.kind {
            PieceKind::Instruction | PieceKind::Code => extracted.steps.push(piece.text),
            PieceKind::Explanation if is_cause(&piece.text) => extracted.causes.push(piece.text),
            PieceKind::Explanation if every_piece_is_a_step => extracted.steps.push(piece.text),
            PieceKind::Explanation => extracted.explanation.push(piece.text),
            PieceKind::Chatter => {}
        }
    }
    extracted
}

/// The fix a ticket documents, or why it documents none. The captured fix wins; without
/// one, the agent answer with the most steps (then the most explanation) is used alone,
/// so that steps from different answers are never mixed.
pub fn resolution_of(
    ticket: &ResolvedTicket,
    boilerplate: &Boilerplate,
) -> Result<TicketResolution, NoDraftReason> {
    let captured_cause = ticket
        .resolution
        .as_ref()
        .map(|resolution| {
            resolution
                .root_cause
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|cause| !cause.is_empty());
    let fix = ticket
        .resolution
        .as_ref()
        .map(|resolution| resolution.fix.as_str())
        .filter(|fix| !fix.trim().is_empty());
    let mut saw_text = false;
    let mut saw_boilerplate = false;
    if let Some(fix) = fix {
        saw_text = true;
        let extracted = extract(fix, boilerplate, true);
        saw_boilerplate |= extracted.boilerplate > 0;
        if !extracted.steps.is_empty() {
            return Ok(TicketResolution {
                steps: extracted
                    .steps
                    .into_iter()
                    .map(|step| (step, StepSource::Fix))
                    .collect(),
                cause: captured_cause.or_else(|| extracted.causes.into_iter().next()),
                explanation: Vec::new(),
            });
        }
    }
    let mut best: Option<Extracted> = None;
    for answer in ticket.agent_answers() {
        if answer.trim().is_empty() {
            continue;
        }
        saw_text = true;
        let extracted = extract(answer, boilerplate, false);
        saw_boilerplate |= extracted.boilerplate > 0;
        let rank = |e: &Extracted| {
            let words: usize = e
                .explanation
                .iter()
                .chain(&e.causes)
                .map(|text| text.split_whitespace().count())
                .sum();
            (e.steps.len(), words)
        };
        if best
            .as_ref()
            .is_none_or(|known| rank(&extracted) > rank(known))
        {
            best = Some(extracted);
        }
    }
    let resolution = best
        .map(|extracted| {
            let mut causes = extracted.causes.into_iter();
            let cause = captured_cause.clone().or_else(|| causes.next());
            let mut explanation: Vec<String> = extracted.explanation;
            // Further "why" sentences are explanation too.
            explanation.extend(causes);
            explanation.truncate(MAX_EXPLANATION);
            TicketResolution {
                steps: extracted
                    .steps
                    .into_iter()
                    .map(|step| (step, StepSource::AgentAnswer))
                    .collect(),
                cause,
                explanation,
            }
        })
        .unwrap_or_default();
    if resolution.is_usable() {
        return Ok(resolution);
    }
    Err(if !saw_text {
        NoDraftReason::NoResolution
    } else if saw_boilerplate {
        NoDraftReason::OnlyBoilerplate
    } else {
        NoDraftReason::NothingToFollow
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::{AuthorKind, Message, Resolution, TicketId};

    fn answered(id: &str, answers: &[&str]) -> ResolvedTicket {
        ResolvedTicket {
            id: TicketId(id.into()),
            subject: "Export fails".into(),
            messages: answers
                .iter()
                .map(|text| Message {
                    author: AuthorKind::Agent,
                    text: (*text).into(),
                })
                .collect(),
            ..ResolvedTicket::default()
        }
    }

    #[test]
    fn steps_come_from_the_most_instructive_answer_only() {
        let ticket = answered(
            "1",
            &[
                "Could you send a screenshot?",
                "The export times out on large reports because it runs in one request. \
                 Filter the report to one month. Then click Export again. I just tested it on my account.",
                "Another option: use the API.",
            ],
        );
        let resolution = resolution_of(&ticket, &Boilerplate::none());
        let steps: Vec<String> = resolution
            .clone()
            .map(|r| r.steps.into_iter().map(|(text, _)| text).collect())
            .unwrap_or_default();
        assert_eq!(
            steps,
            vec![
                "Filter the report to one month.",
                "Then click Export again."
            ]
        );
        assert_eq!(
            resolution.ok().and_then(|r| r.cause),
            Some("The export times out on large reports because it runs in one request.".into())
        );
    }

    #[test]
    fn a_captured_fix_wins_over_answers_and_keeps_every_piece() {
        let mut ticket = answered("1", &["Use the API instead."]);
        ticket.resolution = Some(Resolution {
            root_cause: "Report too large".into(),
            fix: "Cleared the export queue. Thanks!".into(),
            ..Resolution::default()
        });
        let resolution = resolution_of(&ticket, &Boilerplate::none());
        assert_eq!(
            resolution,
            Ok(TicketResolution {
                steps: vec![("Cleared the export queue.".into(), StepSource::Fix)],
                cause: Some("Report too large".into()),
                explanation: Vec::new(),
            })
        );
    }

    #[test]
    fn tickets_without_a_usable_answer_say_why() {
        assert_eq!(
            resolution_of(&answered("1", &[]), &Boilerplate::none()),
            Err(NoDraftReason::NoResolution)
        );
        assert_eq!(
            resolution_of(
                &answered(
                    "1",
                    &["This appears to have been resolved over the weekend."]
                ),
                &Boilerplate::none()
            ),
            Err(NoDraftReason::NothingToFollow)
        );
        assert_eq!(
            resolution_of(
                &answered("1", &["Just found it. Answered my own question. Thanks!"]),
                &Boilerplate::none()
            ),
            Err(NoDraftReason::NothingToFollow)
        );
    }
}
