//! Thirty tickets about four known problems give exactly four drafts, each with the
//! right symptoms, cause, steps, applies-to and evidence, and the right flags.

use waymark_knowledge::cluster::PreviousAssignments;
use waymark_knowledge::drafts::{
    Draft, DraftConfig, DraftRun, Flag, StepSource, SymptomKind, build_drafts,
};
use waymark_knowledge::ticket::{AuthorKind, ResolvedTicket};

use crate::fixture::{self, CARD, EXPORT, RESET, WIDGET};

fn run() -> (Vec<ResolvedTicket>, DraftRun) {
    let tickets = fixture::tickets();
    let run = build_drafts(
        &tickets,
        &fixture::articles(),
        &PreviousAssignments::new(),
        &DraftConfig::default(),
        &mut |_, _, _| {},
    );
    (tickets, run)
}

/// The draft whose evidence is the given known problem's tickets.
fn draft_for<'a>(tickets: &[ResolvedTicket], run: &'a DraftRun, problem: usize) -> &'a Draft {
    let found = run.drafts.iter().find(|draft| {
        draft.evidence.tickets.iter().all(|source| {
            let ticket = tickets.iter().find(|t| t.id == source.id);
            ticket.map(fixture::problem_of) == Some(problem)
        })
    });
    match found {
        Some(draft) => draft,
        None => panic!("no draft for problem {problem}"),
    }
}

fn symptom_values(draft: &Draft, kind: SymptomKind) -> Vec<&str> {
    draft
        .symptoms
        .iter()
        .filter(|s| s.kind == kind)
        .map(|s| s.value.as_str())
        .collect()
}

fn step_texts(draft: &Draft) -> Vec<&str> {
    draft.steps.iter().map(|s| s.text.as_str()).collect()
}

#[test]
fn four_known_problems_give_exactly_four_drafts_with_all_their_tickets() {
    let (tickets, run) = run();
    assert_eq!(
        run.drafts.len(),
        4,
        "{:#?}",
        run.drafts.iter().map(|d| &d.title).collect::<Vec<_>>()
    );
    for (problem, expected) in [(EXPORT, 8), (RESET, 7), (CARD, 8), (WIDGET, 7)] {
        assert_eq!(draft_for(&tickets, &run, problem).evidence.count, expected);
    }
}

#[test]
fn the_export_draft_has_the_common_error_fingerprint_and_page_as_symptoms() {
    let (tickets, run) = run();
    let draft = draft_for(&tickets, &run, EXPORT);
    assert_eq!(
        symptom_values(draft, SymptomKind::ErrorMessage),
        vec!["Export failed: ERR_EXPORT_TIMEOUT"]
    );
    assert_eq!(
        symptom_values(draft, SymptomKind::Fingerprint),
        vec!["fp-export-timeout"]
    );
    assert_eq!(
        symptom_values(draft, SymptomKind::Route),
        vec!["/reports/:id/export"]
    );
    assert!(draft.symptoms.iter().all(|s| s.tickets == 8));
}

#[test]
fn the_cause_comes_from_the_root_cause_fields() {
    let (tickets, run) = run();
    let export = draft_for(&tickets, &run, EXPORT);
    let cause = export.cause.as_ref().map(|c| (c.text.as_str(), c.tickets));
    let expected = "Reports with more than 50,000 rows exceed the 30 second export timeout";
    assert!(
        matches!(cause, Some((text, 8)) if text.starts_with(expected)),
        "{cause:?}"
    );
    let reset = draft_for(&tickets, &run, RESET);
    assert!(
        reset
            .cause
            .as_ref()
            .is_some_and(|c| c.text.contains("spam filter") && c.tickets == 7)
    );
}

#[test]
fn steps_are_extracted_deduplicated_and_in_order() {
    let (tickets, run) = run();
    let export = draft_for(&tickets, &run, EXPORT);
    assert_eq!(
        step_texts(export),
        vec![
            "Filter the report to a smaller date range.",
            "Export each range separately.",
            "Merge the CSV files afterwards.",
        ]
    );
    assert!(export.steps.iter().all(|s| s.source == StepSource::Fix));
    let card = draft_for(&tickets, &run, CARD);
    assert_eq!(
        step_texts(card),
        vec![
            "Open Billing > Payment methods and update the card.",
            "Complete the 3-D Secure prompt from your bank.",
            "Retry the upgrade.",
        ]
    );
    let reset = draft_for(&tickets, &run, RESET);
    assert_eq!(reset.steps.len(), 2, "{:?}", step_texts(reset));
    assert!(
        reset.steps[0]
            .text
            .starts_with("Ask your IT team to allowlist")
    );
    assert!(
        reset.steps[1]
            .text
            .to_lowercase()
            .contains("request a new reset link")
    );
}

#[test]
fn bot_answers_are_never_evidence() {
    let (_, run) = run();
    for draft in &run.drafts {
        assert!(draft.steps.iter().all(|s| !s.text.contains("reinstalling")));
    }
}

#[test]
fn applies_to_and_evidence_come_from_the_tickets() {
    let (tickets, run) = run();
    let widget = draft_for(&tickets, &run, WIDGET);
    let versions: Vec<&str> = widget
        .applies_to
        .versions
        .iter()
        .map(|v| v.value.as_str())
        .collect();
    assert_eq!(versions, vec!["2.2.0", "2.3.1"]);
    assert_eq!(widget.applies_to.environments[0].value, "Chrome 131");
    let evidence = &widget.evidence;
    assert!(evidence.first_seen_ms <= evidence.last_seen_ms);
    assert_eq!(
        evidence.tickets.first().map(|t| t.resolved_at_ms),
        Some(evidence.first_seen_ms)
    );
    assert!(
        evidence
            .tickets
            .iter()
            .all(|t| t.link.as_deref().is_some_and(|l| l.ends_with(&t.id.0)))
    );
    assert_eq!(widget.product_area.as_deref(), Some("widget"));
}

#[test]
fn the_title_is_a_problem_statement_of_the_cluster() {
    let (tickets, run) = run();
    for draft in &run.drafts {
        assert!(
            tickets.iter().any(|t| t.subject == draft.title),
            "title {:?} is not one of the subjects",
            draft.title
        );
    }
}

#[test]
fn duplicate_and_contradicting_drafts_are_flagged_with_the_article() {
    let (tickets, run) = run();
    let export = draft_for(&tickets, &run, EXPORT);
    assert!(
        matches!(export.flags.as_slice(), [Flag::Duplicate { article_id, .. }] if article_id == "kb-export"),
        "{:?}",
        export.flags
    );
    let card = draft_for(&tickets, &run, CARD);
    assert!(
        matches!(card.flags.as_slice(), [Flag::Contradiction { article_id, .. }] if article_id == "kb-card"),
        "{:?}",
        card.flags
    );
    assert!(draft_for(&tickets, &run, RESET).flags.is_empty());
    assert!(draft_for(&tickets, &run, WIDGET).flags.is_empty());
}

#[test]
fn drafts_are_deterministic() {
    let (_, first) = run();
    let (_, second) = run();
    assert_eq!(first.drafts, second.drafts);
}

#[test]
fn clusters_below_the_minimum_get_no_draft_when_agreement_is_required() {
    let tickets = fixture::tickets();
    let config = DraftConfig {
        min_tickets: 9,
        min_tickets_well_resolved: 9,
        ..DraftConfig::default()
    };
    let run = build_drafts(
        &tickets,
        &[],
        &PreviousAssignments::new(),
        &config,
        &mut |_, _, _| {},
    );
    assert!(run.drafts.is_empty());
}

#[test]
fn clusters_below_the_minimum_are_drafted_from_a_well_resolved_ticket() {
    let tickets = fixture::tickets();
    let config = DraftConfig {
        min_tickets: 9,
        ..DraftConfig::default()
    };
    let run = build_drafts(
        &tickets,
        &[],
        &PreviousAssignments::new(),
        &config,
        &mut |_, _, _| {},
    );
    assert_eq!(run.drafts.len(), 4);
    for draft in &run.drafts {
        assert!(draft.evidence.count < 9);
        assert!(!draft.steps.is_empty(), "{}", draft.title);
    }
}

#[test]
fn no_tickets_or_empty_tickets_give_no_drafts() {
    let config = DraftConfig::default();
    let none = build_drafts(
        &[],
        &fixture::articles(),
        &PreviousAssignments::new(),
        &config,
        &mut |_, _, _| {},
    );
    assert!(none.drafts.is_empty());
    let empty = vec![ResolvedTicket::default(); 5];
    let run = build_drafts(
        &empty,
        &[],
        &PreviousAssignments::new(),
        &config,
        &mut |_, _, _| {},
    );
    assert!(run.drafts.is_empty());
    assert_eq!(
        run.assignments.len(),
        1,
        "five tickets with the same empty id"
    );
}

#[test]
fn a_title_says_what_the_problem_is_even_when_the_closest_ticket_does_not() {
    let mut tickets = fixture::tickets();
    for ticket in tickets
        .iter_mut()
        .filter(|t| fixture::problem_of(t) == EXPORT)
        .take(6)
    {
        ticket.subject = "Help!!".into();
        ticket.problem = "Urgent, please help".into();
    }
    let run = build_drafts(
        &tickets,
        &[],
        &PreviousAssignments::new(),
        &DraftConfig::default(),
        &mut |_, _, _| {},
    );
    let export = draft_for(&tickets, &run, EXPORT);
    assert_ne!(export.title, "Help!!");
    assert!(tickets.iter().any(|t| t.subject == export.title));
}

#[test]
fn without_fix_fields_steps_come_from_agent_instructions_not_explanations() {
    let mut tickets = fixture::tickets();
    for ticket in tickets
        .iter_mut()
        .filter(|t| fixture::problem_of(t) == RESET)
    {
        ticket.resolution = None;
        for message in ticket
            .messages
            .iter_mut()
            .filter(|m| m.author == AuthorKind::Agent)
        {
            message
                .text
                .push_str(" Our emails are sent by a mail provider in Ireland.");
        }
    }
    let run = build_drafts(
        &tickets,
        &[],
        &PreviousAssignments::new(),
        &DraftConfig::default(),
        &mut |_, _, _| {},
    );
    let reset = draft_for(&tickets, &run, RESET);
    assert!(reset.cause.is_none());
    assert_eq!(reset.steps.len(), 2, "{:?}", step_texts(reset));
    assert!(
        reset
            .steps
            .iter()
            .all(|s| s.source == StepSource::AgentAnswer)
    );
    assert!(
        reset.steps[0]
            .text
            .starts_with("Ask your IT team to allowlist")
    );
}
