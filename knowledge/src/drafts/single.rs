//! "Turn this ticket into an article": a draft from one well-resolved ticket, with
//! the same rules as cluster drafts (steps from instructions, chatter and boilerplate
//! dropped, the customer's words summarised), or the reason it cannot be one.

use super::boilerplate::Boilerplate;
use super::build::{DraftConfig, applies_to, evidence, symptoms, title_of};
use super::model::{Cause, Draft, Step};
use super::resolution::{NoDraftReason, resolution_of};
use super::summary::{problem_text, summarise_problem};
use crate::cluster::ClusterId;
use crate::cluster::text::stable_hash;
use crate::ticket::{ResolvedTicket, TicketId};

/// A ticket that cannot become an article, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ticket {ticket} cannot become an article: {reason}")]
pub struct NoDraft {
    /// The ticket.
    pub ticket: TicketId,
    /// Why.
    pub reason: NoDraftReason,
}

/// The draft id of a one-ticket draft: stable for the ticket, never a cluster's id
/// (those start with `c`).
pub fn ticket_draft_id(ticket: &TicketId) -> ClusterId {
    ClusterId(format!("t{:012x}", stable_hash(ticket.0.as_bytes()) >> 16))
}

/// Drafts an article from one resolved ticket.
///
/// `boilerplate` is what the site's answers repeat across unrelated tickets (learn it
/// once with [`Boilerplate::learn`] over the resolved tickets; [`Boilerplate::none`]
/// when no history is at hand). The draft's id is [`ticket_draft_id`].
///
/// Fails with the reason when the ticket has no fix and no answer, when its answers are
/// only boilerplate, or when they hold no instruction and too little explanation.
pub fn draft_from_ticket(
    ticket: &ResolvedTicket,
    boilerplate: &Boilerplate,
    config: &DraftConfig,
) -> Result<Draft, NoDraft> {
    let resolution = resolution_of(ticket, boilerplate).map_err(|reason| NoDraft {
        ticket: ticket.id.clone(),
        reason,
    })?;
    let members = [ticket];
    let title = title_of(ticket);
    let mut steps: Vec<Step> = resolution
        .steps
        .into_iter()
        .map(|(text, source)| Step {
            text,
            tickets: 1,
            source,
        })
        .collect();
    steps.truncate(config.max_steps);
    Ok(Draft {
        cluster_id: ticket_draft_id(&ticket.id),
        product_area: ticket.product_area.clone(),
        summary: summarise_problem(&title, &problem_text(ticket)),
        title,
        symptoms: symptoms(&members, 1, config.max_symptoms),
        cause: resolution.cause.map(|text| Cause {
            text,
            tickets: 1,
            alternatives: Vec::new(),
        }),
        steps,
        explanation: resolution.explanation,
        applies_to: applies_to(&members),
        evidence: evidence(&members),
        flags: Vec::new(),
        rewritten: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drafts::BoilerplateConfig;
    use crate::ticket::{AuthorKind, Message, Resolution};

    fn ticket(id: &str, subject: &str, problem: &str, answer: &str) -> ResolvedTicket {
        ResolvedTicket {
            id: TicketId(id.into()),
            subject: subject.into(),
            problem: problem.into(),
            messages: vec![
                Message {
                    author: AuthorKind::Customer,
                    text: problem.into(),
                },
                Message {
                    author: AuthorKind::Agent,
                    text: answer.into(),
                },
            ],
            resolved_at_ms: 1_700_000_000_000,
            ..ResolvedTicket::default()
        }
    }

    #[test]
    fn a_well_resolved_ticket_becomes_a_draft_without_chatter() {
        let source = ticket(
            "T-7",
            "Re: envelope status change returns INVALID_API_VERSION",
            "Hi team, since today my PUT to change the envelope status returns INVALID_API_VERSION. \
             We have not changed anything.",
            "Hi Ann, thanks for reaching out! The v2 path was retired for status changes. \
             Use the v2.1 base path: /restapi/v2.1/accounts/{accountId}/envelopes/{envelopeId}. \
             Then send the PUT again with status sent. I tested it on my sandbox. Hope this helps!",
        );
        let draft = draft_from_ticket(&source, &Boilerplate::none(), &DraftConfig::default());
        let Ok(draft) = draft else {
            panic!("no draft: {draft:?}");
        };
        assert_eq!(
            draft.title,
            "Envelope status change returns INVALID_API_VERSION"
        );
        assert_eq!(
            draft.steps_text(),
            "Use the v2.1 base path: /restapi/v2.1/accounts/{accountId}/envelopes/{envelopeId}.\n\
             Then send the PUT again with status sent."
        );
        assert_eq!(
            draft.explanation,
            vec!["The v2 path was retired for status changes.".to_string()]
        );
        let summary = draft.summary.clone().unwrap_or_default();
        assert!(summary.contains("your PUT"), "{summary}");
        assert!(
            !summary.contains("Hi team") && !summary.contains(" my "),
            "{summary}"
        );
        assert_eq!(draft.symptoms[0].value, "INVALID_API_VERSION");
        assert_eq!(draft.evidence.count, 1);
        assert_eq!(draft.cluster_id, ticket_draft_id(&source.id));
        let body = draft.body_markdown();
        assert!(!body.contains("Hope this helps") && !body.contains("I tested"));
    }

    #[test]
    fn a_ticket_without_a_usable_resolution_is_refused_with_the_reason() {
        let config = DraftConfig::default();
        let mut unanswered = ticket("T-1", "Export fails", "It fails.", "");
        unanswered.messages.truncate(1);
        assert_eq!(
            draft_from_ticket(&unanswered, &Boilerplate::none(), &config).map_err(|e| e.reason),
            Err(NoDraftReason::NoResolution)
        );
        let status_only = ticket(
            "T-2",
            "Status API down",
            "The status call fails.",
            "This appears to have been resolved over the weekend.",
        );
        let refused = draft_from_ticket(&status_only, &Boilerplate::none(), &config);
        assert_eq!(
            refused.as_ref().map_err(|e| e.reason),
            Err(NoDraftReason::NothingToFollow)
        );
        assert!(refused.err().is_some_and(|e| {
            e.to_string()
                .starts_with("ticket T-2 cannot become an article")
        }));
    }

    #[test]
    fn a_ticket_answered_only_with_the_forum_footer_is_refused_as_boilerplate() {
        let footer = "Please post any API and Integration questions on StackOverflow.com using tag docusignapi so you can receive updates.";
        let mut history: Vec<ResolvedTicket> = [
            "Set the clientUserId on the recipient.",
            "Regenerate the integrator key in the sandbox.",
            "Enable the legacy header in the admin console.",
            "Send the document as base64 in documentBase64.",
        ]
        .iter()
        .enumerate()
        .map(|(index, fix)| {
            ticket(
                &format!("H-{index}"),
                "Question",
                "Something fails.",
                &format!("{fix} {footer}"),
            )
        })
        .collect();
        let asked = ticket(
            "T-9",
            "Template roles",
            "How do I fill template roles?",
            footer,
        );
        history.push(asked.clone());
        let boilerplate = Boilerplate::learn(&history, &BoilerplateConfig::default());
        assert_eq!(
            draft_from_ticket(&asked, &boilerplate, &DraftConfig::default()).map_err(|e| e.reason),
            Err(NoDraftReason::OnlyBoilerplate)
        );
        // The answers around the footer still make drafts, without it.
        let draft = draft_from_ticket(&history[0], &boilerplate, &DraftConfig::default());
        assert_eq!(
            draft.map(|d| d.steps_text()),
            Ok("Set the clientUserId on the recipient.".to_string())
        );
    }

    #[test]
    fn a_captured_fix_makes_a_draft_with_cause_and_applies_to() {
        let mut source = ticket(
            "T-3",
            "Invoice PDF is blank",
            "The PDF is blank.",
            "Looking into it.",
        );
        source.resolution = Some(Resolution {
            root_cause: "Fonts missing on the renderer".into(),
            fix: "1. Open Settings > Invoices.\n2. Set Font to Default.".into(),
            environment: "Chrome".into(),
            version: "4.2".into(),
        });
        let draft = draft_from_ticket(&source, &Boilerplate::none(), &DraftConfig::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(draft.steps.len(), 2);
        assert_eq!(
            draft.cause.map(|c| c.text).as_deref(),
            Some("Fonts missing on the renderer")
        );
        assert_eq!(draft.applies_to.versions[0].value, "4.2");
    }
}
