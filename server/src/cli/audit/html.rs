//! The self-contained HTML report: inline CSS, inline SVG charts, no script; every text from
//! an export is escaped; every table links its CSV as a `data:` URL.

use std::fmt::Write;

use waymark_knowledge::audit::time::{date_label, duration_label};
use waymark_knowledge::audit::{AuditFigures, AuditReadReport, AuditTicket};

use super::svg;
use super::tables::{self, CHARTED_SCENARIOS, Table};

/// Scenario rows shown on the page (the CSV holds all).
const SHOWN_SCENARIOS: usize = 25;
/// Scenarios in the bar chart.
const BARRED_SCENARIOS: usize = 12;
/// Rows of the other tables shown on the page.
const SHOWN_ROWS: usize = 20;

/// Escapes text for HTML content and quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// A `data:` URL holding a CSV file.
fn csv_data_url(csv: &str) -> String {
    let mut url = String::from("data:text/csv;charset=utf-8,");
    for byte in csv.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            url.push(byte as char);
        } else {
            let _ = write!(url, "%{byte:02X}");
        }
    }
    url
}

/// What the page is made of.
pub struct ReportInput<'a> {
    /// The figures.
    pub figures: &'a AuditFigures,
    /// The audited tickets, in the order the figures index them.
    pub tickets: &'a [AuditTicket],
    /// One reading report per export.
    pub reports: &'a [AuditReadReport],
}

/// The whole page.
pub fn page(input: &ReportInput<'_>) -> String {
    let figures = input.figures;
    let mut html = String::with_capacity(64 * 1024);
    html.push_str(concat!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        "<title>Waymark ticket audit</title><style>",
        include_str!("report.css"),
        "</style></head><body><main>"
    ));
    let period = match (figures.weeks.first(), figures.weeks.last()) {
        (Some(first), Some(last)) => format!(
            "weeks of {} to {} ({} weeks)",
            date_label(*first),
            date_label(*last),
            figures.weeks.len()
        ),
        _ => "no tickets".to_owned(),
    };
    let sources: Vec<String> = input
        .reports
        .iter()
        .map(|report| format!("{} ({})", report.source, report.format.name()))
        .collect();
    let _ = write!(
        html,
        "<header><h1>Ticket audit</h1><p class=\"sub\">{} · {}</p></header>",
        escape(&sources.join(", ")),
        escape(&period)
    );
    tiles(&mut html, figures);
    weekly_section(&mut html, figures);
    scenario_section(&mut html, input);
    resolution_section(&mut html, figures);
    teams_section(&mut html, figures);
    skipped_section(&mut html, input.reports);
    html.push_str(DEFINITIONS);
    html.push_str("</main></body></html>\n");
    html
}

fn share(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "—".to_owned();
    }
    format!("{:.0}%", part as f64 * 100.0 / whole as f64)
}

fn tiles(html: &mut String, figures: &AuditFigures) {
    let open = figures.tickets - figures.resolved;
    html.push_str("<section class=\"tiles\">");
    let mut tile = |label: &str, value: String, note: String| {
        let _ = write!(
            html,
            "<div class=\"tile\"><div class=\"label\">{}</div><div class=\"value\">{}</div><div class=\"note\">{}</div></div>",
            escape(label),
            escape(&value),
            escape(&note)
        );
    };
    tile(
        "Tickets",
        figures.tickets.to_string(),
        format!("{} resolved, {open} open", figures.resolved),
    );
    let (median, p90, measured) = match figures.resolution {
        Some(durations) => (
            duration_label(durations.median_ms),
            duration_label(durations.p90_ms),
            format!("over {} resolved tickets", durations.count),
        ),
        None => (
            "—".to_owned(),
            "—".to_owned(),
            "no resolution times".to_owned(),
        ),
    };
    tile("Median resolution", median, measured);
    tile("90th percentile", p90, "of resolution time".to_owned());
    tile(
        "Escalated",
        share(figures.escalated, figures.tickets),
        format!("{} tickets", figures.escalated),
    );
    tile(
        "Reassigned",
        share(figures.reassigned, figures.with_history),
        format!(
            "{} of {} with history",
            figures.reassigned, figures.with_history
        ),
    );
    tile(
        "Bounced between teams",
        share(figures.bounced, figures.tickets),
        format!("{} came back to a team", figures.bounced),
    );
    match figures.coverage {
        Some(coverage) => tile(
            "Answered by the knowledge base",
            share(coverage.tickets_answered, figures.tickets),
            format!(
                "{} of {} scenarios",
                coverage.scenarios_answered, coverage.scenarios_checked
            ),
        ),
        None => tile(
            "Answered by the knowledge base",
            "—".to_owned(),
            "not checked (--index or --articles)".to_owned(),
        ),
    }
    html.push_str("</section>");
}

fn table_html(html: &mut String, table: &Table, shown: usize, note: &str) {
    let _ = write!(
        html,
        "<div class=\"table-head\"><h3>{}</h3><a class=\"csv\" download=\"{}\" href=\"{}\">CSV ({} rows)</a></div>",
        escape(table.title),
        escape(table.file),
        csv_data_url(&table.csv()),
        table.rows.len()
    );
    if table.rows.is_empty() {
        let _ = write!(html, "<p class=\"empty\">{}</p>", escape(note));
        return;
    }
    html.push_str("<div class=\"scroll\"><table><thead><tr>");
    for column in &table.columns {
        let _ = write!(html, "<th>{}</th>", escape(column));
    }
    html.push_str("</tr></thead><tbody>");
    for row in table.rows.iter().take(shown) {
        html.push_str("<tr>");
        for cell in row {
            let _ = write!(html, "<td>{}</td>", escape(cell));
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></div>");
    if table.rows.len() > shown {
        let _ = write!(
            html,
            "<p class=\"more\">{} more rows in {}.</p>",
            table.rows.len() - shown,
            escape(table.file)
        );
    }
}

fn weekly_section(html: &mut String, figures: &AuditFigures) {
    html.push_str("<section><h2>Volume by week</h2><p class=\"hint\">Tickets created each week, the largest scenarios stacked; the dashed line is tickets resolved that week.</p>");
    let charted = &figures.scenarios[..figures.scenarios.len().min(CHARTED_SCENARIOS)];
    let mut layers: Vec<(String, Vec<usize>)> = charted
        .iter()
        .map(|scenario| (scenario.name.clone(), scenario.weekly.clone()))
        .collect();
    let other: Vec<usize> = (0..figures.weeks.len())
        .map(|week| {
            figures.weekly_created[week] - charted.iter().map(|s| s.weekly[week]).sum::<usize>()
        })
        .collect();
    if other.iter().any(|count| *count > 0) {
        layers.push(("other scenarios".to_owned(), other));
    }
    let labels: Vec<String> = figures.weeks.iter().map(|week| date_label(*week)).collect();
    html.push_str(&svg::weekly_stacked(
        &labels,
        &layers,
        Some(("resolved", &figures.weekly_resolved)),
        "Tickets created per week by scenario",
    ));
    table_html(html, &tables::weekly(figures), SHOWN_ROWS, "No tickets.");
    html.push_str("</section>");
}

fn scenario_section(html: &mut String, input: &ReportInput<'_>) {
    let figures = input.figures;
    html.push_str("<section><h2>Top scenarios</h2><p class=\"hint\">Tickets grouped by what they are about, named after their most representative ticket. Green bars: the knowledge base already has a confident answer.</p>");
    let bars: Vec<(String, usize, bool)> = figures
        .scenarios
        .iter()
        .take(BARRED_SCENARIOS)
        .map(|scenario| {
            (
                scenario.name.clone(),
                scenario.members.len(),
                scenario.answer.is_some(),
            )
        })
        .collect();
    html.push_str(&svg::horizontal_bars(&bars, "Tickets per scenario"));
    let table = tables::scenarios(figures, input.tickets);
    let _ = write!(
        html,
        "<div class=\"table-head\"><h3>Scenarios</h3><a class=\"csv\" download=\"scenarios.csv\" href=\"{}\">CSV ({} rows)</a></div>",
        csv_data_url(&table.csv()),
        table.rows.len()
    );
    html.push_str("<div class=\"scroll\"><table><thead><tr><th>#</th><th>Scenario</th><th>Tickets</th><th>Weekly</th><th>Trend</th><th>Resolved</th><th>Median</th><th>p90</th><th>Escalated</th><th>Reassigned</th><th>Bounced</th><th>Knowledge base</th></tr></thead><tbody>");
    for (rank, scenario) in figures.scenarios.iter().take(SHOWN_SCENARIOS).enumerate() {
        let tickets = scenario.members.len();
        let (median, p90) = scenario
            .resolution
            .map(|r| (duration_label(r.median_ms), duration_label(r.p90_ms)))
            .unwrap_or_else(|| ("—".to_owned(), "—".to_owned()));
        let answer = match (&scenario.answer, figures.coverage.is_some()) {
            (Some(answer), _) => format!(
                "<span class=\"yes\">{}</span> <span class=\"muted\">{:.2}</span>",
                escape(&answer.title),
                answer.confidence
            ),
            (None, true) => "<span class=\"no\">none</span>".to_owned(),
            (None, false) => "<span class=\"muted\">not checked</span>".to_owned(),
        };
        let examples: Vec<String> = scenario
            .members
            .iter()
            .take(3)
            .map(|&index| escape(&input.tickets[index].id))
            .collect();
        let _ = write!(
            html,
            "<tr><td>{}</td><td><strong>{}</strong><div class=\"muted\">e.g. {}</div></td><td>{tickets} <span class=\"muted\">{}</span></td><td>{}</td><td>{}</td><td>{}</td><td>{median}</td><td>{p90}</td><td>{}</td><td>{}</td><td>{}</td><td>{answer}</td></tr>",
            rank + 1,
            escape(&scenario.name),
            examples.join(", "),
            share(tickets, figures.tickets),
            svg::sparkline(&scenario.weekly),
            escape(&scenario.trend.label()),
            scenario.resolved,
            scenario.escalated,
            scenario.reassigned,
            scenario.bounced,
        );
    }
    html.push_str("</tbody></table></div>");
    if figures.scenarios.len() > SHOWN_SCENARIOS {
        let _ = write!(
            html,
            "<p class=\"more\">{} more scenarios in scenarios.csv.</p>",
            figures.scenarios.len() - SHOWN_SCENARIOS
        );
    }
    html.push_str("</section>");
}

fn resolution_section(html: &mut String, figures: &AuditFigures) {
    html.push_str("<section><h2>Resolution time</h2>");
    let rows: Vec<(String, usize)> = figures
        .resolution_buckets
        .iter()
        .map(|(label, _, count)| ((*label).to_owned(), *count))
        .collect();
    html.push_str(&svg::columns(&rows, "Resolved tickets by resolution time"));
    table_html(
        html,
        &tables::resolution(figures),
        SHOWN_ROWS,
        "No resolved ticket has both times.",
    );
    html.push_str("</section>");
}

fn teams_section(html: &mut String, figures: &AuditFigures) {
    let _ = write!(
        html,
        "<section><h2>Reassignments and bounces</h2><p class=\"hint\">{} of {} tickets with assignment history were reassigned ({} reassignments); {} changed team; {} came back to a team they had left.</p>",
        figures.reassigned,
        figures.with_history,
        figures.reassignments,
        figures.changed_team,
        figures.bounced
    );
    let bars: Vec<(String, usize, bool)> = figures
        .transfers
        .iter()
        .take(BARRED_SCENARIOS)
        .map(|transfer| {
            (
                format!("{} → {}", transfer.from, transfer.to),
                transfer.count,
                false,
            )
        })
        .collect();
    if !bars.is_empty() {
        html.push_str(&svg::horizontal_bars(&bars, "Hand-overs between teams"));
    }
    table_html(
        html,
        &tables::transfers(figures),
        SHOWN_ROWS,
        "No ticket moved between teams (or the exports hold no assignment history).",
    );
    table_html(
        html,
        &tables::teams(figures),
        SHOWN_ROWS,
        "The exports name no teams.",
    );
    html.push_str("</section>");
}

fn skipped_section(html: &mut String, reports: &[AuditReadReport]) {
    html.push_str("<section><h2>Records left out</h2><ul class=\"reports\">");
    for report in reports {
        let reasons: Vec<String> = report
            .skipped_by_reason()
            .into_iter()
            .map(|(reason, count)| format!("{reason}: {count}"))
            .collect();
        let _ = write!(
            html,
            "<li><strong>{}</strong> ({}): {} records, {} audited, {} skipped{}</li>",
            escape(&report.source),
            report.format.name(),
            report.records,
            report.read,
            report.skipped.len(),
            if reasons.is_empty() {
                String::new()
            } else {
                escape(&format!(" — {}", reasons.join(", ")))
            }
        );
    }
    html.push_str("</ul>");
    table_html(
        html,
        &tables::skipped(reports),
        SHOWN_ROWS,
        "Every record was audited.",
    );
    html.push_str("</section>");
}

const DEFINITIONS: &str = r#"<section class="definitions"><h2>How the figures are computed</h2><dl>
<dt>Scenario</dt><dd>Tickets grouped by near-duplicate text and similarity of subject and description (the clustering Waymark's article drafts use), named after the most representative ticket.</dd>
<dt>Trend</dt><dd>Tickets in the second half of the weeks against the first half (the middle week of an odd number left out): rising above +25%, falling below −25%.</dd>
<dt>Resolution time</dt><dd>From creation to resolution (Zendesk <code>metric_set.solved_at</code>, Freshdesk <code>stats.resolved_at</code>, Intercom <code>statistics.last_close_at</code>, else the last update of a resolved ticket). Median and 90th percentile by nearest rank.</dd>
<dt>Reassigned</dt><dd>Moved from one assignee to another at least once, over the tickets whose export carries assignment history (Zendesk audits, Intercom assignment parts; Freshdesk exports carry none).</dd>
<dt>Bounced</dt><dd>Came back to a team (group) it had left: A → B → A.</dd>
<dt>Escalated</dt><dd>A tag containing “escalat”, or Freshdesk's <code>is_escalated</code> / <code>fr_escalated</code>.</dd>
<dt>Answered by the knowledge base</dt><dd>The scenario's name (its representative ticket's problem statement), asked of suggest, gets a first answer with a calibrated confidence of at least 0.5 by default (more likely right than wrong; <code>--min-confidence</code>), audited tickets themselves not counting; the share counts every ticket of those scenarios.</dd>
</dl></section>"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<img src=x onerror="a('b')"> & co"#),
            "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt; &amp; co"
        );
    }

    #[test]
    fn csv_urls_hold_no_raw_markup() {
        let url = csv_data_url("a,b\r\n\"<x>\",1\r\n");
        assert_eq!(
            url,
            "data:text/csv;charset=utf-8,a%2Cb%0D%0A%22%3Cx%3E%22%2C1%0D%0A"
        );
    }
}
