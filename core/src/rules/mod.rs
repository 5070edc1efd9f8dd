//! The rules engine: a pure function from (matrix, facts, now) to decisions, each
//! with an explanation listing every condition and the value that satisfied or
//! failed it. Same input, same output, always.
//!
//! Order and tie-breaks (documented contract, see [`evaluate`]):
//! 1. every rule is checked, in file order, every condition of it (no short-circuit),
//!    so explanations are complete;
//! 2. a matching rule is *skipped* when it already fired for this ticket, when it
//!    escalates to a tier that is not above the ticket's tier, or when it transfers
//!    to a team of another tier (or there is no ticket to transfer);
//! 3. among matching escalate/transfer rules one is selected: highest `priority`,
//!    then highest destination tier level, then earliest in the file;
//! 4. among matching `offer_help` rules one is selected: highest `priority`, then
//!    earliest in the file;
//! 5. matching `early_warning` rules are all kept, in file order, unless an
//!    escalation or transfer was selected (it supersedes them).
//!
//! Decisions come out in that order: routing, then help, then warnings.
//!
//! [`offer_help`] makes the help selection alone, without explanations: the
//! widget runs it in the browser over the site's proactive rules.

mod check;
mod evaluate;
mod facts;
mod notice;
mod policy;
mod replay;

pub use check::ConditionCheck;
pub use evaluate::{
    DecidedAction, Decision, Evaluation, RuleExplanation, RuleOutcome, evaluate, explain,
    offer_help,
};
#[cfg(feature = "account-attributes")]
pub use facts::AttributeValue;
pub use facts::{
    AccountFacts, Author, CurrentPage, ErrorReport, Facts, MessageFact, PageFacts, RuleFacts,
    TicketFacts,
};
pub use notice::{
    NOTICE_PLACEHOLDERS, NoticeError, NoticeVars, check_notice_template, render_notice,
};
pub use policy::{missing_information, ticket_type};
pub use replay::{ExpectedOutcome, ReplayReport, ReplayRow, ReplayTicket, Verdict, replay};

#[cfg(test)]
mod tests {
    use super::check::{check, holds};
    use super::facts::Facts;
    use crate::domain::{PageSignal, SignalKind};
    use crate::matrix::Condition;
    use crate::time::{DurationMs, Timestamp};

    /// Without the `account-attributes` feature the facts carry no attributes, and
    /// attribute conditions find none, as they do over facts without attributes.
    #[cfg(not(feature = "account-attributes"))]
    #[test]
    fn attribute_conditions_find_no_attribute_without_the_feature() {
        let facts = Facts::default();
        let conditions = [
            Condition::Attribute {
                key: "region".into(),
                any: vec!["eu".into()],
            },
            Condition::AttributeAtLeast {
                key: "seats".into(),
                value: 10.0,
            },
        ];
        for condition in &conditions {
            let checked = check("when.all[0]".into(), condition, &facts, Timestamp(0));
            assert!(!checked.satisfied);
            assert!(!holds(condition, &facts, Timestamp(0)));
            assert!(checked.actual.starts_with("no attribute "));
        }
    }

    #[test]
    fn the_most_repeated_error_page_is_reported_and_ties_go_to_the_smallest_route() {
        let error_page = |at, route: &str| PageSignal {
            at: Timestamp(at),
            kind: SignalKind::ErrorPage {
                route: route.into(),
            },
        };
        let facts = Facts {
            trail: vec![
                error_page(1, "/b"),
                error_page(2, "/a"),
                error_page(3, "/b"),
                error_page(4, "/a"),
                error_page(5, "/c"),
            ],
            ..Facts::default()
        };
        let repeated = |at_least| Condition::ErrorPageRepeated {
            at_least,
            within: DurationMs::minutes(10),
            route: None,
        };
        let checked = check("when.all[0]".into(), &repeated(2), &facts, Timestamp(10));
        assert!(checked.satisfied);
        assert_eq!(checked.actual, "2× /a");
        assert!(!holds(&repeated(3), &facts, Timestamp(10)));
        let none = check(
            "when.all[0]".into(),
            &repeated(1),
            &Facts::default(),
            Timestamp(10),
        );
        assert!(!none.satisfied);
        assert_eq!(none.actual, "no error page");
    }
}
