//! `waymark rules test`: replaying historical tickets.

use crate::support::*;
use waymark_core::ids::{TicketId, TierId};
use waymark_core::rules::{ExpectedOutcome, ReplayTicket, Verdict, replay};

fn line(json: &str) -> ReplayTicket {
    serde_json::from_str(json).unwrap_or_else(|error| panic!("{error}: {json}"))
}

#[test]
fn replay_reports_rule_per_ticket_totals_and_triggering_rates() {
    let now = NOW.0;
    let four_hours_ago = ago("4h").0;
    let tickets = vec![
        line(&format!(
            r#"{{"id":"T-1","now_ms":{now},"facts":{{"ticket":{{"tier":"tier1","state":"in_progress","at_tier_since":{four_hours_ago}}}}},"expected":{{"escalate_to":"tier2"}}}}"#
        )),
        line(&format!(
            r#"{{"id":"T-2","now_ms":{now},"facts":{{"ticket":{{"tier":"tier1","at_tier_since":{now},"messages":[{{"at":{now},"author":"customer","text":"I want to cancel"}}]}}}},"expected":{{"escalate_to":null}}}}"#
        )),
        line(&format!(
            r#"{{"id":"T-3","now_ms":{now},"facts":{{"ticket":{{"tier":"tier1","at_tier_since":{now}}}}},"expected":{{"escalate_to":"tier3"}}}}"#
        )),
        line(&format!(r#"{{"id":"T-4","now_ms":{now}}}"#)),
    ];
    assert_eq!(
        tickets[2].expected,
        Some(ExpectedOutcome {
            escalate_to: Some(TierId::new("tier3"))
        })
    );
    let report = replay(&sample_matrix(), &tickets);
    let rows: Vec<(&str, &str, Option<Verdict>)> = report
        .rows
        .iter()
        .map(|row| (row.ticket.as_str(), row.action.as_str(), row.verdict))
        .collect();
    assert_eq!(
        rows,
        [
            ("T-1", "escalate to tier2", Some(Verdict::Agrees)),
            ("T-2", "escalate to tier2", Some(Verdict::OverTriggered)),
            ("T-3", "none", Some(Verdict::UnderTriggered)),
            ("T-4", "none", None),
        ]
    );
    assert_eq!(report.per_tier.get(&TierId::new("tier2")), Some(&2));
    assert_eq!(
        (
            report.with_expectation,
            report.over_triggered,
            report.under_triggered
        ),
        (3, 1, 1)
    );
    assert_eq!(report.without_decision, 2);
    let text = report.render();
    assert!(
        text.contains("T-2: escalate to tier2  [OVER-TRIGGERED]"),
        "{text}"
    );
    assert!(
        text.contains("✓ when.any[0] customer says any of"),
        "{text}"
    );
    assert!(
        text.contains("over-triggered 1 (33.3%), under-triggered 1 (33.3%)"),
        "{text}"
    );
    assert_eq!(report.rows[0].ticket, TicketId::new("T-1"));
}

#[test]
fn the_sample_replay_file_shows_one_over_trigger_of_the_cancel_rule() {
    let tickets: Vec<ReplayTicket> = include_str!("../../examples/replay-tickets.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(line)
        .collect();
    let report = replay(&sample_matrix(), &tickets);
    let fired: Vec<(&str, Option<&str>)> = report
        .rows
        .iter()
        .map(|row| (row.ticket.as_str(), row.rule.as_ref().map(|r| r.as_str())))
        .collect();
    assert_eq!(
        fired,
        [
            ("T-1001", Some("tier1-open-4h")),
            ("T-1002", Some("cancel-language")),
            ("T-1003", Some("enterprise-data-loss")),
            ("T-1004", Some("same-error-incident")),
            ("T-1005", None),
            ("T-1006", Some("cancel-language")),
            ("T-1007", Some("repeated-error-page")),
        ]
    );
    // "refund" language on a small charge escalates although it should not: the
    // replay surfaces it as over-triggering before the matrix goes live.
    assert_eq!(
        (
            report.with_expectation,
            report.over_triggered,
            report.under_triggered
        ),
        (6, 1, 0)
    );
}
