//! The replay's table as CSV, for a download without a second request.

use super::ReplayComparison;
#[cfg(test)]
use super::{ReplayChange, ReplaySummary};

/// The replay's changed tickets as CSV (the same columns as the API's
/// `?format=csv`), for a download without a second request.
pub fn replay_csv(comparison: &ReplayComparison) -> String {
    let mut out = String::from(
        "ticket_id,subject,actual_tier,current_rule,current_action,current_verdict,proposed_rule,proposed_action,proposed_verdict\r\n",
    );
    for c in &comparison.changes {
        let cells = [
            c.ticket_id.as_str(),
            c.subject.as_str(),
            c.actual_tier.as_deref().unwrap_or_default(),
            c.current_rule.as_deref().unwrap_or_default(),
            c.current_action.as_str(),
            c.current_verdict.as_deref().unwrap_or_default(),
            c.proposed_rule.as_deref().unwrap_or_default(),
            c.proposed_action.as_str(),
            c.proposed_verdict.as_deref().unwrap_or_default(),
        ];
        let line: Vec<String> = cells.iter().map(|cell| csv_cell(cell)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// One CSV cell: quoted when needed, formulas defused with a leading `'`.
pub fn csv_cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod csv_tests {
    #![allow(clippy::expect_used)]
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn replay_csv_quotes_and_defuses() {
        let change = ReplayChange {
            ticket_id: "t1".into(),
            subject: "=cmd, \"quoted\"".into(),
            actual_tier: Some("tier2".into()),
            current_rule: Some("cancel-language".into()),
            current_action: "escalate to tier2".into(),
            current_verdict: Some("agrees".into()),
            proposed_rule: None,
            proposed_action: "none".into(),
            proposed_verdict: Some("under_triggered".into()),
            proposed_explanation: String::new(),
        };
        let summary = ReplaySummary {
            escalations: 0,
            per_tier: BTreeMap::new(),
            per_rule: BTreeMap::new(),
            without_decision: 0,
            agrees: 0,
            over_triggered: 0,
            under_triggered: 0,
        };
        let csv = replay_csv(&ReplayComparison {
            tickets: 1,
            truncated: false,
            current: summary.clone(),
            proposed: summary,
            changes: vec![change],
        });
        let row = csv.lines().nth(1).expect("a row");
        assert_eq!(
            row,
            "t1,\"'=cmd, \"\"quoted\"\"\",tier2,cancel-language,escalate to tier2,agrees,,none,under_triggered"
        );
    }
}
