//! The audit's tables, each shown in the report and written as CSV with the same rows.

use waymark_knowledge::audit::time::date_label;
use waymark_knowledge::audit::{AuditFigures, AuditReadReport, AuditTicket};

/// Scenarios named in the weekly table and stacked in the weekly chart.
pub const CHARTED_SCENARIOS: usize = 5;

/// One table: a CSV file name, a title, column names and rows of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// File name of its CSV (`scenarios.csv`).
    pub file: &'static str,
    /// Heading in the report.
    pub title: &'static str,
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The table as CSV (RFC 4180: comma separated, quoted when needed, CRLF line ends).
    pub fn csv(&self) -> String {
        let mut out = String::new();
        for row in std::iter::once(&self.columns).chain(&self.rows) {
            let fields: Vec<String> = row.iter().map(|field| csv_field(field)).collect();
            out.push_str(&fields.join(","));
            out.push_str("\r\n");
        }
        out
    }
}

/// One CSV field: quoted when it holds a comma, quote or line break; text a spreadsheet
/// would run as a formula (`=`, `+`, `@`, `-` before a non-digit) gets a leading `'`.
fn csv_field(text: &str) -> String {
    let mut chars = text.chars();
    let formula = match chars.next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => !chars.next().is_some_and(|next| next.is_ascii_digit()),
        _ => false,
    };
    let text = if formula {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn hours(ms: Option<i64>) -> String {
    ms.map(|ms| format!("{:.1}", ms as f64 / 3_600_000.0))
        .unwrap_or_default()
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return String::new();
    }
    format!("{:.1}", part as f64 * 100.0 / whole as f64)
}

/// Every scenario, largest first.
pub fn scenarios(figures: &AuditFigures, tickets: &[AuditTicket]) -> Table {
    let checked = figures.coverage.is_some();
    let rows = figures
        .scenarios
        .iter()
        .enumerate()
        .map(|(rank, scenario)| {
            let examples: Vec<&str> = scenario
                .members
                .iter()
                .take(3)
                .map(|&index| tickets[index].id.as_str())
                .collect();
            let answer = match (&scenario.answer, checked) {
                (Some(answer), _) => format!("{} ({:.2})", answer.title, answer.confidence),
                (None, true) => "none".to_owned(),
                (None, false) => "not checked".to_owned(),
            };
            vec![
                (rank + 1).to_string(),
                scenario.name.clone(),
                scenario.members.len().to_string(),
                percent(scenario.members.len(), figures.tickets),
                scenario.resolved.to_string(),
                hours(scenario.resolution.map(|r| r.median_ms)),
                hours(scenario.resolution.map(|r| r.p90_ms)),
                scenario.escalated.to_string(),
                scenario.reassigned.to_string(),
                scenario.bounced.to_string(),
                scenario.trend.label(),
                answer,
                examples.join(" "),
            ]
        })
        .collect();
    Table {
        file: "scenarios.csv",
        title: "Scenarios",
        columns: [
            "rank",
            "scenario",
            "tickets",
            "share %",
            "resolved",
            "median resolution (h)",
            "p90 resolution (h)",
            "escalated",
            "reassigned",
            "bounced",
            "trend",
            "knowledge-base answer",
            "example tickets",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows,
    }
}

/// Tickets created and resolved every week, and the largest scenarios' weekly counts.
pub fn weekly(figures: &AuditFigures) -> Table {
    let charted = &figures.scenarios[..figures.scenarios.len().min(CHARTED_SCENARIOS)];
    let mut columns = vec![
        "week (Monday)".to_owned(),
        "created".to_owned(),
        "resolved".to_owned(),
    ];
    columns.extend(charted.iter().map(|scenario| scenario.name.clone()));
    let rows = figures
        .weeks
        .iter()
        .enumerate()
        .map(|(week, &start)| {
            let mut row = vec![
                date_label(start),
                figures.weekly_created[week].to_string(),
                figures.weekly_resolved[week].to_string(),
            ];
            row.extend(
                charted
                    .iter()
                    .map(|scenario| scenario.weekly[week].to_string()),
            );
            row
        })
        .collect();
    Table {
        file: "weekly.csv",
        title: "Tickets by week",
        columns,
        rows,
    }
}

/// Resolved tickets by resolution time.
pub fn resolution(figures: &AuditFigures) -> Table {
    let measured: usize = figures.resolution_buckets.iter().map(|b| b.2).sum();
    Table {
        file: "resolution.csv",
        title: "Resolution time",
        columns: ["resolution time", "tickets", "share %"]
            .map(str::to_owned)
            .to_vec(),
        rows: figures
            .resolution_buckets
            .iter()
            .map(|(label, _, count)| {
                vec![
                    (*label).to_owned(),
                    count.to_string(),
                    percent(*count, measured),
                ]
            })
            .collect(),
    }
}

/// Hand-overs between teams.
pub fn transfers(figures: &AuditFigures) -> Table {
    Table {
        file: "transfers.csv",
        title: "Hand-overs between teams",
        columns: ["from team", "to team", "times"]
            .map(str::to_owned)
            .to_vec(),
        rows: figures
            .transfers
            .iter()
            .map(|transfer| {
                vec![
                    transfer.from.clone(),
                    transfer.to.clone(),
                    transfer.count.to_string(),
                ]
            })
            .collect(),
    }
}

/// Teams: tickets held, handed on, come back.
pub fn teams(figures: &AuditFigures) -> Table {
    Table {
        file: "teams.csv",
        title: "Teams",
        columns: ["team", "tickets held", "handed on", "came back"]
            .map(str::to_owned)
            .to_vec(),
        rows: figures
            .teams
            .iter()
            .map(|team| {
                vec![
                    team.team.clone(),
                    team.tickets.to_string(),
                    team.handed_on.to_string(),
                    team.returned.to_string(),
                ]
            })
            .collect(),
    }
}

/// Records left out of the audit, with why.
pub fn skipped(reports: &[AuditReadReport]) -> Table {
    Table {
        file: "skipped.csv",
        title: "Skipped records",
        columns: ["file", "position", "id", "reason"]
            .map(str::to_owned)
            .to_vec(),
        rows: reports
            .iter()
            .flat_map(|report| {
                report.skipped.iter().map(|skipped| {
                    vec![
                        report.source.clone(),
                        skipped.position.to_string(),
                        skipped.id.clone().unwrap_or_default(),
                        skipped.reason.to_string(),
                    ]
                })
            })
            .collect(),
    }
}

/// Every audited ticket with its figures and scenario (CSV only: too long for the page).
pub fn tickets(figures: &AuditFigures, tickets: &[AuditTicket]) -> Table {
    let mut scenario_of = vec![""; tickets.len()];
    for scenario in &figures.scenarios {
        for &member in &scenario.members {
            scenario_of[member] = &scenario.name;
        }
    }
    Table {
        file: "tickets.csv",
        title: "Tickets",
        columns: [
            "id",
            "subject",
            "status",
            "created",
            "resolved",
            "resolution (h)",
            "teams",
            "reassignments",
            "escalated",
            "scenario",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: tickets
            .iter()
            .zip(scenario_of)
            .map(|(ticket, scenario)| {
                vec![
                    ticket.id.clone(),
                    ticket.subject.clone(),
                    ticket.status.clone(),
                    date_label(ticket.created_at_ms),
                    ticket
                        .resolved_at_ms
                        .filter(|_| ticket.resolved)
                        .map(date_label)
                        .unwrap_or_default(),
                    hours(ticket.resolution_ms()),
                    ticket.teams.join(" > "),
                    ticket.reassignments.to_string(),
                    if ticket.escalated { "yes" } else { "no" }.to_owned(),
                    scenario.to_owned(),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let table = Table {
            file: "t.csv",
            title: "t",
            columns: vec!["a".to_owned(), "b".to_owned()],
            rows: vec![vec![
                "say \"hi\", then".to_owned(),
                "=HYPERLINK(1)".to_owned(),
            ]],
        };
        assert_eq!(
            table.csv(),
            "a,b\r\n\"say \"\"hi\"\", then\",'=HYPERLINK(1)\r\n"
        );
        assert_eq!(csv_field("-12.5"), "-12.5");
        assert_eq!(csv_field("-cmd"), "'-cmd");
    }
}
