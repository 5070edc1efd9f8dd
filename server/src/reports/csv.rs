//! Every report table as CSV (RFC 4180: comma-separated, CRLF line ends, fields
//! with a comma, quote or line break quoted). Text that came from customers or
//! agents is defused for spreadsheets: a cell starting with `=`, `+`, `-`, `@`,
//! a tab or a carriage return gets a leading `'`, so it is never run as a formula.

use super::metrics::{Metrics, MetricsReport};
use super::replay::ReplayComparison;
use super::review::ReviewReport;

/// A table being written.
struct Table {
    out: String,
}

impl Table {
    fn new(header: &[&str]) -> Self {
        let mut table = Table { out: String::new() };
        table.row(header.iter().map(|h| Cell::Number((*h).to_owned())));
        table
    }

    fn row(&mut self, cells: impl IntoIterator<Item = Cell>) {
        let line: Vec<String> = cells.into_iter().map(Cell::encode).collect();
        self.out.push_str(&line.join(","));
        self.out.push_str("\r\n");
    }
}

/// One cell: text from people (defused) or a number or fixed word (as is).
enum Cell {
    Text(String),
    Number(String),
}

impl Cell {
    fn encode(self) -> String {
        let raw = match self {
            Cell::Number(value) => value,
            Cell::Text(value) => {
                if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                    format!("'{value}")
                } else {
                    value
                }
            }
        };
        if raw.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", raw.replace('"', "\"\""))
        } else {
            raw
        }
    }
}

fn text(value: impl Into<String>) -> Cell {
    Cell::Text(value.into())
}

fn num<T: ToString>(value: Option<T>) -> Cell {
    Cell::Number(value.map(|v| v.to_string()).unwrap_or_default())
}

fn rate(value: Option<f64>) -> Cell {
    Cell::Number(value.map(|v| format!("{v:.4}")).unwrap_or_default())
}

const METRIC_COLUMNS: &[&str] = &[
    "tickets",
    "escalated",
    "escalation_rate",
    "time_to_escalation_ms",
    "ack_sla_decided",
    "ack_sla_met",
    "resolution_sla_decided",
    "resolution_sla_met",
    "post_escalation_resolution_ms",
    "resolved",
    "first_contact_resolution",
    "multi_turn_depth",
    "suggestion_sets",
    "deflections",
    "deflection_rate",
    "escalated_after_suggestion",
    "escalated_after_suggestion_rate",
    "csat_escalated",
    "csat_escalated_answers",
    "csat_not_escalated",
    "csat_not_escalated_answers",
    "median_handle_time_ms",
    "capacity_reclaimed_ms",
    "alerts_raised",
    "alerts_confirmed",
    "alerts_dismissed",
    "alerts_open",
    "alerts_confirmed_rate",
];

fn metric_cells(m: &Metrics) -> Vec<Cell> {
    vec![
        num(Some(m.tickets)),
        num(Some(m.escalated)),
        rate(m.escalation_rate),
        num(m.time_to_escalation_ms),
        num(Some(m.ack_sla_decided)),
        rate(m.ack_sla_met),
        num(Some(m.resolution_sla_decided)),
        rate(m.resolution_sla_met),
        num(m.post_escalation_resolution_ms),
        num(Some(m.resolved)),
        rate(m.first_contact_resolution),
        rate(m.multi_turn_depth),
        num(m.suggestion_sets),
        num(m.deflections),
        rate(m.deflection_rate),
        num(m.escalated_after_suggestion),
        rate(m.escalated_after_suggestion_rate),
        rate(m.csat_escalated),
        num(Some(m.csat_escalated_answers)),
        rate(m.csat_not_escalated),
        num(Some(m.csat_not_escalated_answers)),
        num(m.median_handle_time_ms),
        num(m.capacity_reclaimed_ms),
        num(Some(m.alerts_raised)),
        num(Some(m.alerts_confirmed)),
        num(Some(m.alerts_dismissed)),
        num(Some(m.alerts_open)),
        rate(m.alerts_confirmed_rate),
    ]
}

/// The slices table: one row per slice, then `all` for the period.
pub fn metrics_slices(report: &MetricsReport) -> String {
    let mut header = vec![crate::storage::enum_text(&report.slice)];
    header.extend(METRIC_COLUMNS.iter().map(|c| (*c).to_owned()));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut table = Table::new(&header);
    for slice in &report.slices {
        let mut cells = vec![text(slice.key.clone())];
        cells.extend(metric_cells(&slice.metrics));
        table.row(cells);
    }
    let mut cells = vec![Cell::Number("all".into())];
    cells.extend(metric_cells(&report.totals));
    table.row(cells);
    table.out
}

/// The time series.
pub fn metrics_series(report: &MetricsReport) -> String {
    let mut table = Table::new(&[
        "start_ms",
        "tickets",
        "escalated",
        "escalation_rate",
        "suggestion_sets",
        "deflections",
    ]);
    for point in &report.series {
        table.row([
            num(Some(point.start_ms)),
            num(Some(point.tickets)),
            num(Some(point.escalated)),
            rate(point.escalation_rate),
            num(Some(point.suggestion_sets)),
            num(Some(point.deflections)),
        ]);
    }
    table.out
}

/// The triggers of the review with their over-triggering.
pub fn review_triggers(report: &ReviewReport) -> String {
    let mut table = Table::new(&[
        "source",
        "trigger",
        "fired",
        "rerouted",
        "dismissed",
        "over",
        "over_rate",
        "example_tickets",
    ]);
    for review in &report.triggers {
        let examples: Vec<&str> = review
            .examples
            .iter()
            .map(|e| e.ticket_id.as_str())
            .collect();
        table.row([
            Cell::Number(review.source.to_owned()),
            text(review.trigger.clone()),
            num(Some(review.fired)),
            num(Some(review.rerouted)),
            num(Some(review.dismissed)),
            num(Some(review.over)),
            rate(review.over_rate),
            text(examples.join(" ")),
        ]);
    }
    table.out
}

/// The under-triggered example tickets.
pub fn review_under(report: &ReviewReport) -> String {
    let mut table = Table::new(&["kind", "ticket_id", "subject", "tier", "at_ms", "what"]);
    for under in &report.under_examples {
        table.row([
            Cell::Number(crate::storage::enum_text(&under.kind)),
            text(under.example.ticket_id.clone()),
            text(under.example.subject.clone()),
            text(under.tier.clone()),
            num(Some(under.example.at_ms)),
            text(under.example.what.clone()),
        ]);
    }
    table.out
}

/// The tickets a proposed matrix treats differently.
pub fn replay_changes(comparison: &ReplayComparison) -> String {
    let mut table = Table::new(&[
        "ticket_id",
        "subject",
        "actual_tier",
        "current_rule",
        "current_action",
        "current_verdict",
        "proposed_rule",
        "proposed_action",
        "proposed_verdict",
    ]);
    let verdict = |v: Option<waymark_core::rules::Verdict>| {
        Cell::Number(v.map(|v| crate::storage::enum_text(&v)).unwrap_or_default())
    };
    for change in &comparison.changes {
        table.row([
            text(change.ticket_id.clone()),
            text(change.subject.clone()),
            text(change.actual_tier.clone().unwrap_or_default()),
            text(change.current_rule.clone().unwrap_or_default()),
            text(change.current_action.clone()),
            verdict(change.current_verdict),
            text(change.proposed_rule.clone().unwrap_or_default()),
            text(change.proposed_action.clone()),
            verdict(change.proposed_verdict),
        ]);
    }
    table.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(text("plain").encode(), "plain");
        assert_eq!(text("a, b").encode(), "\"a, b\"");
        assert_eq!(text("say \"hi\"").encode(), "\"say \"\"hi\"\"\"");
        assert_eq!(
            text("=HYPERLINK(\"x\")").encode(),
            "\"'=HYPERLINK(\"\"x\"\")\""
        );
        assert_eq!(text("@SUM(A1)").encode(), "'@SUM(A1)");
        assert_eq!(text("two\nlines").encode(), "\"two\nlines\"");
        assert_eq!(num(Some(-5)).encode(), "-5");
        assert_eq!(rate(Some(0.5)).encode(), "0.5000");
        assert_eq!(rate(None).encode(), "");
    }
}
