//! Explicit escalation language: the phrases that, per the escalation practice,
//! move a ticket up a tier whatever the overall sentiment (cancel, leave, legal,
//! executive, refund, chargeback, repeated contact, still not fixed).

use serde::Serialize;

/// The family an escalation phrase belongs to; rules can match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationKind {
    /// The customer threatens to cancel a subscription, plan or account.
    Cancel,
    /// The customer threatens to leave for a competitor.
    Churn,
    /// Lawyers, lawsuits, regulators.
    Legal,
    /// The customer asks for a manager, supervisor or executive.
    Executive,
    /// The customer asks for their money back.
    Refund,
    /// The customer threatens a chargeback or a payment dispute.
    Chargeback,
    /// The customer says they have asked before ("third time").
    RepeatedContact,
    /// The customer says an earlier fix did not work ("still not fixed").
    Unresolved,
    /// The customer threatens a public complaint or review.
    PublicComplaint,
}

/// One escalation phrase found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EscalationMatch {
    /// The phrase's family.
    pub kind: EscalationKind,
    /// The phrase as listed (lower case, punctuation removed).
    pub phrase: &'static str,
}

/// The phrases, in the normalised form the text is brought to (lower case, words
/// separated by single spaces, apostrophes removed).
const PHRASES: &[(EscalationKind, &str)] = &[
    (EscalationKind::Cancel, "cancel my subscription"),
    (EscalationKind::Cancel, "cancel my account"),
    (EscalationKind::Cancel, "cancel my plan"),
    (EscalationKind::Cancel, "cancel my membership"),
    (EscalationKind::Cancel, "cancel our subscription"),
    (EscalationKind::Cancel, "cancel our account"),
    (EscalationKind::Cancel, "cancel our contract"),
    (EscalationKind::Cancel, "cancel the contract"),
    (EscalationKind::Cancel, "cancel the subscription"),
    (EscalationKind::Cancel, "want to cancel"),
    (EscalationKind::Cancel, "going to cancel"),
    (EscalationKind::Cancel, "will cancel"),
    (EscalationKind::Cancel, "ill cancel"),
    (EscalationKind::Cancel, "cancelling"),
    (EscalationKind::Cancel, "canceling"),
    (EscalationKind::Cancel, "close my account"),
    (EscalationKind::Cancel, "delete my account"),
    (EscalationKind::Cancel, "terminate"),
    (EscalationKind::Churn, "switch to another"),
    (EscalationKind::Churn, "switching to"),
    (EscalationKind::Churn, "move to a competitor"),
    (EscalationKind::Churn, "competitor"),
    (EscalationKind::Churn, "take my business elsewhere"),
    (EscalationKind::Churn, "go elsewhere"),
    (EscalationKind::Churn, "going elsewhere"),
    (EscalationKind::Churn, "leave your service"),
    (EscalationKind::Churn, "leaving your service"),
    (EscalationKind::Churn, "we are leaving"),
    (EscalationKind::Churn, "were leaving"),
    (EscalationKind::Churn, "im leaving"),
    (EscalationKind::Churn, "i am leaving"),
    (EscalationKind::Churn, "find another provider"),
    (EscalationKind::Legal, "lawyer"),
    (EscalationKind::Legal, "lawyers"),
    (EscalationKind::Legal, "attorney"),
    (EscalationKind::Legal, "legal action"),
    (EscalationKind::Legal, "legal team"),
    (EscalationKind::Legal, "lawsuit"),
    (EscalationKind::Legal, "sue you"),
    (EscalationKind::Legal, "sue your"),
    (EscalationKind::Legal, "small claims"),
    (EscalationKind::Legal, "court"),
    (EscalationKind::Legal, "gdpr complaint"),
    (EscalationKind::Legal, "regulator"),
    (EscalationKind::Legal, "ombudsman"),
    (EscalationKind::Executive, "your manager"),
    (EscalationKind::Executive, "a manager"),
    (EscalationKind::Executive, "supervisor"),
    (EscalationKind::Executive, "executive"),
    (EscalationKind::Executive, "ceo"),
    (EscalationKind::Executive, "someone in charge"),
    (EscalationKind::Executive, "escalate this"),
    (EscalationKind::Refund, "refund"),
    (EscalationKind::Refund, "refunded"),
    (EscalationKind::Refund, "money back"),
    (EscalationKind::Refund, "reimburse"),
    (EscalationKind::Chargeback, "chargeback"),
    (EscalationKind::Chargeback, "charge back"),
    (EscalationKind::Chargeback, "dispute the charge"),
    (EscalationKind::Chargeback, "dispute with my bank"),
    (EscalationKind::Chargeback, "call my bank"),
    (EscalationKind::RepeatedContact, "third time"),
    (EscalationKind::RepeatedContact, "3rd time"),
    (EscalationKind::RepeatedContact, "fourth time"),
    (EscalationKind::RepeatedContact, "fifth time"),
    (EscalationKind::RepeatedContact, "again and again"),
    (EscalationKind::RepeatedContact, "how many times"),
    (EscalationKind::RepeatedContact, "keep having to"),
    (EscalationKind::RepeatedContact, "already told you"),
    (EscalationKind::RepeatedContact, "asked before"),
    (EscalationKind::RepeatedContact, "already explained"),
    (EscalationKind::Unresolved, "still not fixed"),
    (EscalationKind::Unresolved, "still not working"),
    (EscalationKind::Unresolved, "still not resolved"),
    (EscalationKind::Unresolved, "still broken"),
    (EscalationKind::Unresolved, "still doesnt work"),
    (EscalationKind::Unresolved, "still does not work"),
    (EscalationKind::Unresolved, "still happening"),
    (EscalationKind::Unresolved, "still waiting"),
    (EscalationKind::Unresolved, "no one has fixed"),
    (EscalationKind::PublicComplaint, "bad review"),
    (EscalationKind::PublicComplaint, "post this on"),
    (EscalationKind::PublicComplaint, "tell everyone"),
    (EscalationKind::PublicComplaint, "social media"),
    (EscalationKind::PublicComplaint, "better business bureau"),
];

/// Words that, up to three words before a phrase and within the same clause, say
/// the customer is *not* escalating ("I don't want to cancel", "no refund needed").
/// Known limit: a rhetorical "why don't you refund me" is missed.
const NEGATIONS: &[&str] = &["dont", "not", "no", "never", "wont", "without", "didnt"];

/// How many words before a phrase a negation reaches.
const NEGATION_REACH: usize = 3;

/// The explicit escalation phrases in a text, each once, in the order they are listed.
pub fn escalation_phrases(text: &str) -> Vec<EscalationMatch> {
    let normalised = normalise(text);
    let mut found = Vec::new();
    for &(kind, phrase) in PHRASES {
        if matches_unnegated(&normalised, phrase) {
            found.push(EscalationMatch { kind, phrase });
        }
    }
    found
}

/// The escalation families present in a text, sorted and de-duplicated.
pub fn escalation_kinds(text: &str) -> Vec<EscalationKind> {
    let mut kinds: Vec<EscalationKind> = escalation_phrases(text)
        .into_iter()
        .map(|found| found.kind)
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

fn matches_unnegated(normalised: &str, phrase: &str) -> bool {
    let needle = format!(" {phrase} ");
    let mut search_from = 0;
    while let Some(offset) = normalised[search_from..].find(&needle) {
        let start = search_from + offset;
        let negated = normalised[..start]
            .split(' ')
            .rev()
            .filter(|word| !word.is_empty())
            .take(NEGATION_REACH)
            .take_while(|word| *word != CLAUSE_BREAK)
            .any(|word| NEGATIONS.contains(&word));
        if !negated {
            return true;
        }
        search_from = start + 1;
    }
    false
}

/// The token that stands for a clause boundary (`.`, `,`, `;`, `!`, `?`, `:`).
const CLAUSE_BREAK: &str = "|";

/// Lower case, apostrophes dropped, clause punctuation a `|` word, every other
/// non-alphanumeric run a single space, padded with a space on both sides.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    for c in text.chars() {
        if c == '\'' || c == '\u{2019}' {
            continue;
        }
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if matches!(c, '.' | ',' | ';' | '!' | '?' | ':') {
            if !out.ends_with(' ') {
                out.push(' ');
            }
            out.push_str("| ");
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<EscalationKind> {
        escalation_kinds(text)
    }

    #[test]
    fn explicit_escalation_language_is_detected_by_family() {
        use EscalationKind::*;
        assert_eq!(
            kinds("I want to cancel my subscription today."),
            vec![Cancel]
        );
        assert_eq!(kinds("My lawyer will hear about this"), vec![Legal]);
        assert_eq!(kinds("We are considering legal action."), vec![Legal]);
        assert_eq!(kinds("Let me speak to your manager"), vec![Executive]);
        assert_eq!(kinds("I'm writing to your CEO."), vec![Executive]);
        assert_eq!(kinds("I want a refund"), vec![Refund]);
        assert_eq!(kinds("I will file a chargeback"), vec![Chargeback]);
        assert_eq!(
            kinds("This is the THIRD time I ask!"),
            vec![RepeatedContact]
        );
        assert_eq!(kinds("It's still not fixed."), vec![Unresolved]);
        assert_eq!(kinds("Still doesn't work"), vec![Unresolved]);
        assert_eq!(kinds("We're leaving for a competitor"), vec![Churn]);
    }

    #[test]
    fn ordinary_support_questions_have_no_escalation_language() {
        assert!(escalation_phrases("How do I export my invoices as CSV?").is_empty());
        assert!(escalation_phrases("The cancel button on the order page is grey").is_empty());
        assert!(escalation_phrases("Where can I leave a comment on a task?").is_empty());
    }

    #[test]
    fn negated_threats_do_not_count() {
        assert!(escalation_phrases("I don't want to cancel, just fix the export").is_empty());
        assert!(escalation_phrases("No refund needed, thanks").is_empty());
        assert_eq!(
            escalation_kinds("I am not happy. Refund me."),
            vec![EscalationKind::Refund]
        );
    }

    #[test]
    fn matches_report_the_phrase_that_fired() {
        let found = escalation_phrases("Refund me or I call my lawyer");
        let phrases: Vec<&str> = found.iter().map(|m| m.phrase).collect();
        assert_eq!(phrases, vec!["lawyer", "refund"]);
    }
}
