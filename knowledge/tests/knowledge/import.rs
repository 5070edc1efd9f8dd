//! Importers: each vendor's export shape, malformed records, and what is not an answer.

use waymark_knowledge::import::{
    ImportFormat, RecordPosition, SkipReason, import_file, import_str,
};

use crate::fixture;

fn run(file: &str, format: ImportFormat) -> waymark_knowledge::import::Imported {
    let mut calls = 0;
    let imported = import_file(&fixture(file), format, "acme", &mut |_| calls += 1).unwrap();
    assert_eq!(
        calls, imported.report.records,
        "progress is reported for every record"
    );
    imported
}

#[test]
fn zendesk_keeps_only_public_human_agent_replies() {
    let imported = run("zendesk_tickets.json", ImportFormat::Zendesk);
    assert_eq!(imported.docs.len(), 1);
    let doc = &imported.docs[0];
    assert_eq!(doc.id, "35436");
    assert_eq!(doc.site, "acme");
    assert_eq!(doc.title, "Invoice download fails with E502");
    assert!(doc.problem.contains("Download PDF"));
    assert_eq!(
        doc.answers.len(),
        1,
        "trigger, internal note and answer bot are not answers"
    );
    assert!(doc.answers[0].starts_with("Sorry about that!"));
    assert_eq!(doc.tags, ["billing", "pdf"]);
    let excluded = imported.report.excluded;
    assert_eq!(excluded.internal_notes, 1);
    assert_eq!(excluded.automated, 3);
}

#[test]
fn zendesk_reports_every_skipped_ticket_with_its_reason() {
    let report = run("zendesk_tickets.json", ImportFormat::Zendesk).report;
    assert_eq!(report.records, 4);
    assert_eq!(report.imported, 1);
    let reasons: Vec<(RecordPosition, &SkipReason)> = report
        .skipped
        .iter()
        .map(|skipped| (skipped.position, &skipped.reason))
        .collect();
    assert_eq!(
        reasons[0],
        (
            RecordPosition::Element(2),
            &SkipReason::NotResolved("open".to_owned())
        )
    );
    assert_eq!(
        reasons[1],
        (RecordPosition::Element(3), &SkipReason::NoAgentAnswer)
    );
    assert!(matches!(
        reasons[2],
        (RecordPosition::Element(4), SkipReason::Invalid(_))
    ));
    let summary = report.to_string();
    assert!(summary.contains("1 imported, 3 skipped"), "{summary}");
    assert!(summary.contains("record 4"), "{summary}");
}

#[test]
fn freshdesk_excludes_notes_and_customer_messages() {
    let imported = run("freshdesk_tickets.json", ImportFormat::Freshdesk);
    assert_eq!(imported.docs.len(), 1);
    let doc = &imported.docs[0];
    assert_eq!(doc.id, "20");
    assert_eq!(
        doc.problem,
        "I asked for a password reset but no email arrives."
    );
    assert_eq!(
        doc.answers,
        ["Please add no-reply@example.com to your allowed senders and request the reset again."]
    );
    assert_eq!(doc.tags, ["auth", "Question"]);
    let report = imported.report;
    assert_eq!(report.excluded.internal_notes, 1);
    assert_eq!(report.excluded.customer, 1);
    assert_eq!(
        report.excluded.automated, 1,
        "survey feedback is not an answer"
    );
    let labels: Vec<&str> = report
        .skipped
        .iter()
        .map(|skipped| skipped.reason.label())
        .collect();
    assert_eq!(
        labels,
        [
            "not resolved",
            "no public reply from a human agent",
            "invalid record"
        ]
    );
}

#[test]
fn intercom_keeps_teammate_comments_and_the_starting_page() {
    let imported = run("intercom_conversations.json", ImportFormat::Intercom);
    assert_eq!(imported.docs.len(), 1);
    let doc = &imported.docs[0];
    assert_eq!(doc.id, "1295");
    assert!(
        doc.title.contains("payment_intent_failed"),
        "title from the opening message"
    );
    assert_eq!(doc.answers.len(), 1);
    assert!(doc.answers[0].contains("3-D Secure"));
    assert!(!doc.answers[0].contains("<b>"), "HTML is converted to text");
    assert_eq!(
        doc.routes,
        ["https://app.example.com/checkout/8812?step=pay"]
    );
    assert_eq!(doc.tags, ["payments"]);
    let excluded = imported.report.excluded;
    assert_eq!(
        (
            excluded.automated,
            excluded.internal_notes,
            excluded.customer
        ),
        (2, 1, 1)
    );
    assert_eq!(imported.report.skipped.len(), 2);
}

#[test]
fn jsonl_reports_broken_lines_and_imports_the_rest() {
    let imported = run("waymark.jsonl", ImportFormat::Jsonl);
    let ids: Vec<&str> = imported.docs.iter().map(|doc| doc.id.as_str()).collect();
    assert_eq!(ids, ["T-1042", "kb-7", "77"]);
    assert_eq!(imported.docs[1].kind, waymark_knowledge::DocKind::Article);
    assert_eq!(imported.docs[0].errors, ["E502"]);
    let skipped = &imported.report.skipped;
    assert_eq!(skipped.len(), 2);
    assert_eq!(skipped[0].position, RecordPosition::Line(3));
    assert!(matches!(skipped[0].reason, SkipReason::Malformed(_)));
    assert_eq!(skipped[1].position, RecordPosition::Line(5));
    assert!(
        matches!(skipped[1].reason, SkipReason::Invalid(_)),
        "a record without id is refused"
    );
}

#[test]
fn a_broken_json_document_is_an_error_naming_the_line() {
    let error = import_str(
        "[\n{\"id\": 1,\n",
        ImportFormat::Zendesk,
        "acme",
        &mut |_| {},
    )
    .unwrap_err();
    assert!(error.contains("line"), "{error}");
    let empty = import_str("", ImportFormat::Intercom, "acme", &mut |_| {}).unwrap();
    assert_eq!(empty.report.records, 0);
}
