//! The audit of historical tickets on small Zendesk, Freshdesk and Intercom exports whose
//! figures were computed by hand (the fixtures' comments are the tickets' own fields).

use waymark_knowledge::audit::{
    self, AuditConfig, AuditFigures, AuditSkipReason, AuditTicket, CoverageSettings,
    DEFAULT_MIN_CONFIDENCE, Durations, TeamRow, Transfer, check_coverage, detect_format, read_file,
    time::parse_rfc3339,
};
use waymark_knowledge::import::{ImportFormat, RecordPosition};
use waymark_knowledge::{DocKind, IndexConfig, KnowledgeDoc, KnowledgeIndex};

use crate::fixture;

const HOUR: i64 = 3_600_000;

fn read(name: &str, format: ImportFormat) -> audit::AuditRead {
    read_file(&fixture(&format!("audit/{name}")), format, &mut |_| {}).unwrap()
}

fn all_tickets() -> Vec<AuditTicket> {
    let mut tickets = read("zendesk.json", ImportFormat::Zendesk).tickets;
    tickets.extend(read("freshdesk.json", ImportFormat::Freshdesk).tickets);
    tickets.extend(read("intercom.json", ImportFormat::Intercom).tickets);
    tickets
}

fn coverage_settings(tickets: &[AuditTicket]) -> CoverageSettings {
    CoverageSettings {
        min_confidence: DEFAULT_MIN_CONFIDENCE,
        audited_ids: tickets.iter().map(|ticket| ticket.id.clone()).collect(),
    }
}

fn figures(tickets: &[AuditTicket]) -> AuditFigures {
    audit::audit(tickets, &AuditConfig::default(), &mut |_, _, _| {})
}

fn ticket<'a>(tickets: &'a [AuditTicket], id: &str) -> &'a AuditTicket {
    tickets.iter().find(|ticket| ticket.id == id).unwrap()
}

#[test]
fn zendesk_history_comes_from_audits_and_metric_sets() {
    let read = read("zendesk.json", ImportFormat::Zendesk);
    let ids: Vec<&str> = read.tickets.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["101", "102", "103", "104"]);
    let first = ticket(&read.tickets, "101");
    assert_eq!(first.teams, ["Billing", "Tech", "Billing"]);
    assert!(first.bounced());
    assert_eq!(first.reassignments, 1);
    assert_eq!(
        first.resolution_ms(),
        Some(4 * HOUR),
        "metric_set.solved_at"
    );
    assert_eq!(
        ticket(&read.tickets, "102").resolution_ms(),
        Some(24 * HOUR),
        "updated_at when nothing better"
    );
    assert!(ticket(&read.tickets, "102").escalated, "tag `escalated`");
    let open = ticket(&read.tickets, "103");
    assert!(!open.resolved);
    assert_eq!(open.teams, ["Billing", "Tech"]);
    assert_eq!(open.reassignments, 1);
    let without_audits = ticket(&read.tickets, "104");
    assert!(!without_audits.has_history);
    assert_eq!(without_audits.teams, ["Tech"]);
    assert_eq!(without_audits.resolution_ms(), Some(HOUR));

    let skipped: Vec<(RecordPosition, Option<&str>, &AuditSkipReason)> = read
        .report
        .skipped
        .iter()
        .map(|s| (s.position, s.id.as_deref(), &s.reason))
        .collect();
    assert_eq!(
        skipped,
        [
            (
                RecordPosition::Element(5),
                Some("105"),
                &AuditSkipReason::NoCreationTime
            ),
            (
                RecordPosition::Element(6),
                Some("101"),
                &AuditSkipReason::DuplicateId
            ),
            (RecordPosition::Element(7), None, &AuditSkipReason::NoId),
        ]
    );
    assert_eq!((read.report.records, read.report.read), (7, 4));
}

#[test]
fn freshdesk_and_intercom_read_their_own_fields() {
    let freshdesk = read("freshdesk.json", ImportFormat::Freshdesk);
    assert_eq!(freshdesk.tickets.len(), 3);
    assert_eq!(
        ticket(&freshdesk.tickets, "201").resolution_ms(),
        Some(2 * HOUR),
        "stats.resolved_at"
    );
    assert!(ticket(&freshdesk.tickets, "202").escalated, "is_escalated");
    let closed = ticket(&freshdesk.tickets, "203");
    assert_eq!(closed.resolution_ms(), Some(48 * HOUR), "stats.closed_at");
    assert!(closed.escalated, "fr_escalated");
    assert_eq!(
        closed.problem,
        "Invoice PDF download fails with error E502."
    );
    assert_eq!(freshdesk.report.skipped.len(), 1);
    assert_eq!(
        freshdesk.report.skipped[0].reason,
        AuditSkipReason::NoCreationTime
    );

    let intercom = read("intercom.json", ImportFormat::Intercom);
    assert_eq!(intercom.tickets.len(), 3);
    let first = ticket(&intercom.tickets, "301");
    assert_eq!(first.teams, ["Payments", "Tech", "Payments"]);
    assert_eq!(first.reassignments, 1);
    assert_eq!(first.resolution_ms(), Some(HOUR / 2));
    assert!(first.escalated, "tag `Escalated to engineering`");
    assert_eq!(ticket(&intercom.tickets, "302").teams, ["Payments"]);
    assert!(
        ticket(&intercom.tickets, "303").teams.is_empty(),
        "team 0 is none"
    );
    assert!(!ticket(&intercom.tickets, "303").resolved, "snoozed");
}

#[test]
fn the_figures_match_the_hand_computed_ones() {
    let tickets = all_tickets();
    let figures = figures(&tickets);
    assert_eq!((figures.tickets, figures.resolved), (10, 6));
    // Resolution times: 0.5, 1, 2, 4, 24, 48 h; nearest rank: 3rd and 6th.
    assert_eq!(
        figures.resolution,
        Some(Durations {
            count: 6,
            median_ms: 2 * HOUR,
            p90_ms: 48 * HOUR
        })
    );
    let buckets: Vec<usize> = figures.resolution_buckets.iter().map(|b| b.2).collect();
    assert_eq!(buckets, [1, 2, 1, 2, 0, 0]);
    assert_eq!(
        figures.weeks,
        [
            parse_rfc3339("2024-03-04T00:00:00Z").unwrap(),
            parse_rfc3339("2024-03-11T00:00:00Z").unwrap(),
            parse_rfc3339("2024-03-18T00:00:00Z").unwrap(),
        ]
    );
    assert_eq!(figures.weekly_created, [4, 5, 1]);
    assert_eq!(figures.weekly_resolved, [4, 2, 0]);
    assert_eq!(figures.escalated, 4);
    assert_eq!(figures.with_history, 6);
    assert_eq!((figures.reassigned, figures.reassignments), (3, 3));
    assert_eq!((figures.changed_team, figures.bounced), (3, 2));
    let transfer = |from: &str, to: &str, count| Transfer {
        from: from.to_owned(),
        to: to.to_owned(),
        count,
    };
    assert_eq!(
        figures.transfers,
        [
            transfer("Billing", "Tech", 2),
            transfer("Payments", "Tech", 1),
            transfer("Tech", "Billing", 1),
            transfer("Tech", "Payments", 1),
        ]
    );
    let team = |team: &str, tickets, handed_on, returned| TeamRow {
        team: team.to_owned(),
        tickets,
        handed_on,
        returned,
    };
    assert_eq!(
        figures.teams,
        [
            team("Tech", 4, 2, 0),
            team("Billing", 3, 2, 1),
            team("Payments", 2, 1, 1),
            team("group 5", 2, 0, 0),
        ]
    );
}

#[test]
fn scenarios_group_the_same_problem_across_helpdesks() {
    let tickets = all_tickets();
    let figures = figures(&tickets);
    let invoices = &figures.scenarios[0];
    let mut ids: Vec<&str> = invoices
        .members
        .iter()
        .map(|&index| tickets[index].id.as_str())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, ["101", "102", "103", "203"]);
    assert!(invoices.name.contains("E502"), "{}", invoices.name);
    // 101 and 102 in the first week, 103 and 203 in the second.
    assert_eq!(invoices.weekly, [2, 2, 0]);
    assert_eq!(invoices.trend.label(), "gone", "two, two, then none");
    assert_eq!(invoices.resolved, 3);
    assert_eq!(
        invoices.resolution.map(|r| (r.median_ms, r.p90_ms)),
        Some((24 * HOUR, 48 * HOUR))
    );
    assert_eq!(
        (invoices.escalated, invoices.reassigned, invoices.bounced),
        (2, 2, 1)
    );
    let scenario_of = |id: &str| {
        let index = tickets.iter().position(|t| t.id == id).unwrap();
        figures
            .scenarios
            .iter()
            .position(|scenario| scenario.members.contains(&index))
            .unwrap()
    };
    assert_eq!(scenario_of("201"), scenario_of("202"), "password reset");
    assert_eq!(scenario_of("301"), scenario_of("302"), "payment fails");
    assert_ne!(scenario_of("201"), scenario_of("301"));
    let covered: usize = figures.scenarios.iter().map(|s| s.members.len()).sum();
    assert_eq!(covered, 10, "every ticket is in one scenario");
}

#[test]
fn coverage_counts_confident_answers_but_not_the_audited_tickets() {
    let tickets = all_tickets();
    let mut figures = figures(&tickets);
    let index = KnowledgeIndex::in_memory(IndexConfig::default()).unwrap();
    let article = KnowledgeDoc {
        site: "acme".to_owned(),
        id: "kb-e502".to_owned(),
        kind: DocKind::Article,
        title: "Invoice download fails with error E502".to_owned(),
        problem: "Downloading an invoice PDF fails with error E502.".to_owned(),
        answers: vec!["The PDF service was overloaded: retry the invoice download.".to_owned()],
        errors: vec!["E502".to_owned()],
        ..KnowledgeDoc::default()
    };
    index.upsert(&article).unwrap();
    // An audited ticket already in the index is no answer of the knowledge base.
    let audited = KnowledgeDoc {
        site: "acme".to_owned(),
        id: "201".to_owned(),
        kind: DocKind::Ticket,
        title: "Password reset email never arrives".to_owned(),
        problem: "I asked for a password reset but the email never arrives.".to_owned(),
        answers: vec!["Allow no-reply@example.com and request the reset again.".to_owned()],
        ..KnowledgeDoc::default()
    };
    index.upsert(&audited).unwrap();
    index.commit().unwrap();
    check_coverage(&mut figures, &index, "acme", &coverage_settings(&tickets)).unwrap();
    let coverage = figures.coverage.unwrap();
    assert_eq!(coverage.scenarios_checked, figures.scenarios.len());
    assert_eq!(
        (coverage.scenarios_answered, coverage.tickets_answered),
        (1, 4)
    );
    let answer = figures.scenarios[0].answer.as_ref().unwrap();
    assert_eq!(answer.id, "kb-e502");

    // At 0.4 ticket 201 would answer its own scenario (0.44): it is passed over…
    let mut lenient = coverage_settings(&tickets);
    lenient.min_confidence = 0.4;
    check_coverage(&mut figures, &index, "acme", &lenient).unwrap();
    let coverage = figures.coverage.unwrap();
    assert_eq!(
        (coverage.scenarios_answered, coverage.tickets_answered),
        (1, 4)
    );
    // …unless it is not one of the audited tickets.
    lenient.audited_ids.clear();
    check_coverage(&mut figures, &index, "acme", &lenient).unwrap();
    let coverage = figures.coverage.unwrap();
    assert_eq!(
        (coverage.scenarios_answered, coverage.tickets_answered),
        (2, 6)
    );
}

#[test]
fn the_helpdesk_is_recognised_from_its_fields() {
    for (name, format) in [
        ("zendesk.json", ImportFormat::Zendesk),
        ("freshdesk.json", ImportFormat::Freshdesk),
        ("intercom.json", ImportFormat::Intercom),
    ] {
        let text = std::fs::read_to_string(fixture(&format!("audit/{name}"))).unwrap();
        assert_eq!(detect_format(&text), Some(format), "{name}");
    }
    assert_eq!(detect_format(r#"[{"id": 1}]"#), None);
    let error = audit::read_str("", ImportFormat::Jsonl, &mut |_| {}).unwrap_err();
    assert!(error.contains("ticket history"), "{error}");
}
