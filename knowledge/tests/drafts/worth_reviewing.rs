//! Drafts worth reviewing: on a small forum-like history, no draft is empty, the
//! forum's footer never becomes a step, chatter never does either, and a single
//! well-resolved ticket is drafted unless the configuration asks for agreement.

use waymark_knowledge::cluster::PreviousAssignments;
use waymark_knowledge::drafts::{DraftConfig, DraftRun, NoDraftReason, build_drafts};
use waymark_knowledge::ticket::{AuthorKind, Message, ResolvedTicket, TicketId};

const FOOTER: &str = "Please post any API and Integration questions on StackOverflow.com using tag \
    #ExampleAPI so you can receive updates whenever your question is answered.";

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
        resolved_at_ms: 1_767_225_600_000,
        ..ResolvedTicket::default()
    }
}

/// Unrelated questions whose answers end with the forum footer, three questions
/// answered by the footer alone, a problem asked three times with one answer full of
/// chatter, and one question answered only with status news.
fn history() -> Vec<ResolvedTicket> {
    let mut tickets = vec![
        ticket(
            "f-1",
            "Recipient cannot sign in embedded view",
            "My embedded recipient gets a blank page.",
            &format!("Set the clientUserId on the recipient before requesting the view. {FOOTER}"),
        ),
        ticket(
            "f-2",
            "Integrator key rejected in production",
            "Calls to production return INVALID_INTEGRATOR_KEY.",
            &format!(
                "Keys work in the demo environment only until they pass review. Submit the key \
                 for go-live review in the admin console. {FOOTER}"
            ),
        ),
        ticket(
            "f-3",
            "Document arrives as an empty PDF",
            "The signed document is an empty PDF.",
            &format!("Send the file bytes base64-encoded in documentBase64. {FOOTER}"),
        ),
        ticket(
            "f-4",
            "Webhook events stopped arriving",
            "Our listener no longer receives envelope events.",
            &format!("Enable the Connect configuration for the account again. {FOOTER}"),
        ),
        ticket(
            "f-5",
            "Status API down over the weekend",
            "The status call failed all weekend.",
            "This appears to have been resolved over the weekend.",
        ),
    ];
    for (index, subject) in [
        "Template roles are not filled from the API",
        "How to prefill text tabs in a template",
        "Brand logo does not show in signing emails",
    ]
    .iter()
    .enumerate()
    {
        tickets.push(ticket(
            &format!("g-{index}"),
            subject,
            "How do I do this?",
            FOOTER,
        ));
    }
    for index in 0..3 {
        tickets.push(ticket(
            &format!("s-{index}"),
            "Merged spreadsheet cells break the CSV import of the sheet",
            "When I import my spreadsheet with merged cells the CSV import of the sheet fails.",
            "Thanks for asking! I just tested it by creating two spreadsheets. Merged cells are not \
             supported by the CSV import. Unmerge the cells with Format > Merge > Unmerge. Then \
             import the sheet again. Hope this helps!",
        ));
    }
    tickets
}

fn build(config: &DraftConfig) -> (Vec<ResolvedTicket>, DraftRun) {
    let tickets = history();
    let run = build_drafts(
        &tickets,
        &[],
        &PreviousAssignments::new(),
        config,
        &mut |_, _, _| {},
    );
    (tickets, run)
}

#[test]
fn no_draft_is_empty_and_no_step_is_the_forum_footer() {
    let (_, run) = build(&DraftConfig::default());
    assert!(!run.drafts.is_empty());
    for draft in &run.drafts {
        assert!(draft.has_resolution(), "empty draft {}", draft.title);
        let body = draft.body_markdown();
        assert!(!body.contains("StackOverflow"), "{body}");
        assert!(!body.contains("appears to have been resolved"), "{body}");
    }
    // The questions answered only by the footer get no draft.
    assert!(run.drafts.iter().all(
        |draft| !draft.title.contains("Template roles") && !draft.title.contains("Brand logo")
    ));
}

#[test]
fn steps_are_the_instructions_without_chatter() {
    let (_, run) = build(&DraftConfig::default());
    let Some(draft) = run
        .drafts
        .iter()
        .find(|draft| draft.title.starts_with("Merged spreadsheet"))
    else {
        panic!("no draft for the spreadsheet problem");
    };
    assert_eq!(draft.evidence.count, 3);
    assert_eq!(
        draft.steps_text(),
        "Unmerge the cells with Format > Merge > Unmerge.\nThen import the sheet again."
    );
    assert_eq!(draft.steps[0].tickets, 3);
    assert_eq!(
        draft.cause.as_ref().map(|cause| cause.text.as_str()),
        Some("Merged cells are not supported by the CSV import.")
    );
    let summary = draft.summary.as_deref().unwrap_or_default();
    assert!(
        summary.starts_with("When you import your spreadsheet"),
        "{summary}"
    );
}

#[test]
fn single_well_resolved_tickets_are_drafted_unless_agreement_is_required() {
    let (_, run) = build(&DraftConfig::default());
    let titles: Vec<&str> = run.drafts.iter().map(|d| d.title.as_str()).collect();
    for expected in [
        "Recipient cannot sign in embedded view",
        "Integrator key rejected in production",
        "Document arrives as an empty PDF",
        "Webhook events stopped arriving",
    ] {
        assert!(
            titles.contains(&expected),
            "{expected} missing from {titles:?}"
        );
    }
    assert!(!titles.contains(&"Status API down over the weekend"));

    let agreement_only = DraftConfig {
        min_tickets_well_resolved: 3,
        ..DraftConfig::default()
    };
    let (_, run) = build(&agreement_only);
    assert!(
        run.drafts.iter().all(|draft| draft.evidence.count >= 3),
        "{:?}",
        run.drafts.iter().map(|d| &d.title).collect::<Vec<_>>()
    );
    assert!(
        run.refused
            .iter()
            .all(|(_, reason)| *reason != NoDraftReason::NoResolution)
    );
}
