//! Applying the matrix's policy: which ticket type a conversation is (and so how
//! far the assistant may go alone), and what a ticket still lacks before it may
//! enter a lifecycle stage.

use super::check::holds;
use super::facts::Facts;
use crate::domain::LifecycleStage;
use crate::matrix::{EscalationMatrix, RequiredInfo, TicketType};
use crate::time::Timestamp;
use std::collections::BTreeSet;

/// The first ticket type whose conditions hold for `facts` as of `now` (a type
/// without conditions holds always), or none when the matrix names no type that
/// fits: the assistant then keeps its default autonomy, resolving alone.
pub fn ticket_type<'a>(
    matrix: &'a EscalationMatrix,
    facts: &Facts,
    now: Timestamp,
) -> Option<&'a TicketType> {
    matrix.ticket_types.iter().find(|kind| {
        kind.when.all.iter().all(|c| holds(c, facts, now))
            && (kind.when.any.is_empty() || kind.when.any.iter().any(|c| holds(c, facts, now)))
    })
}

/// What the matrix requires before a ticket enters `stage` and `known` does not
/// hold, in the matrix's order. Empty when the stage may be entered.
pub fn missing_information(
    matrix: &EscalationMatrix,
    stage: LifecycleStage,
    known: &BTreeSet<RequiredInfo>,
) -> Vec<RequiredInfo> {
    matrix
        .stage_requirements
        .iter()
        .filter(|requirement| requirement.stage == stage)
        .flat_map(|requirement| requirement.requires.iter().copied())
        .filter(|info| !known.contains(info))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::{Autonomy, Condition, StageRequirement, When};
    use crate::rules::TicketFacts;

    fn kind(id: &str, autonomy: Autonomy, mentions: &[&str]) -> TicketType {
        TicketType {
            id: id.into(),
            name: id.into(),
            autonomy,
            when: When {
                all: Vec::new(),
                any: mentions
                    .iter()
                    .map(|word| Condition::Mentions {
                        any: vec![(*word).to_owned()],
                    })
                    .collect(),
            },
        }
    }

    fn facts_saying(text: &str) -> Facts {
        Facts {
            ticket: Some(TicketFacts {
                subject: text.into(),
                ..TicketFacts::default()
            }),
            ..Facts::default()
        }
    }

    #[test]
    fn the_first_type_that_holds_names_the_conversation() {
        let matrix = EscalationMatrix {
            ticket_types: vec![
                kind("dispute", Autonomy::HumanNow, &["refund"]),
                kind("howto", Autonomy::ResolveAlone, &["how do i"]),
                kind("other", Autonomy::AnswerThenReview, &[]),
            ],
            ..EscalationMatrix::default()
        };
        let now = Timestamp(0);
        let of = |text: &str| ticket_type(&matrix, &facts_saying(text), now).map(|t| t.id.clone());
        assert_eq!(of("I want a refund now").as_deref(), Some("dispute"));
        assert_eq!(of("how do I export").as_deref(), Some("howto"));
        assert_eq!(of("the page is blank").as_deref(), Some("other"));
        let without_catch_all = EscalationMatrix {
            ticket_types: vec![kind("dispute", Autonomy::HumanNow, &["refund"])],
            ..EscalationMatrix::default()
        };
        assert!(ticket_type(&without_catch_all, &facts_saying("hello"), now).is_none());
    }

    #[test]
    fn missing_information_lists_what_the_stage_requires_and_is_unknown() {
        let matrix = EscalationMatrix {
            stage_requirements: vec![StageRequirement {
                stage: LifecycleStage::Investigation,
                requires: vec![RequiredInfo::Goal, RequiredInfo::Account],
            }],
            ..EscalationMatrix::default()
        };
        let known: BTreeSet<_> = [RequiredInfo::Goal].into();
        assert_eq!(
            missing_information(&matrix, LifecycleStage::Investigation, &known),
            vec![RequiredInfo::Account]
        );
        assert!(missing_information(&matrix, LifecycleStage::Resolution, &known).is_empty());
        let all: BTreeSet<_> = [RequiredInfo::Goal, RequiredInfo::Account].into();
        assert!(missing_information(&matrix, LifecycleStage::Investigation, &all).is_empty());
    }
}
