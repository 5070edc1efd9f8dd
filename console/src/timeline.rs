//! The page trail as a timeline: one row per page, error, failed request,
//! frustrated click and dwell, problems marked, built from the session's events
//! (the agent API's session events) or, without them, from the note's trail.

use waymark_core::wire::{ClientEvent, EventKind};

use crate::model::TrailItem;
use crate::sla::countdown;

/// How a row is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A page or a dwell.
    Page,
    /// Something broke: an error, a failed request, an error page.
    Problem,
    /// The customer got frustrated: a rage or a dead click.
    Frustration,
}

impl Mark {
    /// The row's CSS class.
    pub fn class(self) -> &'static str {
        match self {
            Mark::Page => "trail-row page",
            Mark::Problem => "trail-row problem",
            Mark::Frustration => "trail-row frustration",
        }
    }
}

/// One timeline row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// When (browser clock).
    pub at_ms: i64,
    /// `Page`, `Failed request`, …
    pub label: &'static str,
    /// The main line: a page title, an error message, `POST /api/pay → 502`.
    pub headline: String,
    /// The route.
    pub route: String,
    /// How it is marked.
    pub mark: Mark,
}

/// The rows of a session's events, oldest first.
pub fn from_events(events: &[ClientEvent]) -> Vec<Row> {
    let mut rows: Vec<Row> = events.iter().filter_map(row_of_event).collect();
    rows.sort_by_key(|row| row.at_ms);
    rows
}

fn row_of_event(event: &ClientEvent) -> Option<Row> {
    let row = |label, headline: String, route: &str, mark| Row {
        at_ms: event.at_ms,
        label,
        headline,
        route: route.to_owned(),
        mark,
    };
    Some(match &event.kind {
        EventKind::PageView(page) | EventKind::Navigation(page) => {
            let title = if page.title.is_empty() {
                page.route.clone()
            } else {
                page.title.clone()
            };
            row("Page", title, &page.route, Mark::Page)
        }
        EventKind::ErrorPage(page) => row(
            "Error page",
            if page.title.is_empty() {
                page.route.clone()
            } else {
                page.title.clone()
            },
            &page.route,
            Mark::Problem,
        ),
        EventKind::JsError(error) => row(
            "Script error",
            error.message.clone(),
            &error.route,
            Mark::Problem,
        ),
        EventKind::FailedRequest(request) => {
            let status = request
                .status
                .map_or_else(|| "network error".to_owned(), |s| s.to_string());
            row(
                "Failed request",
                format!("{} {} → {status}", request.method, request.url),
                &request.route,
                Mark::Problem,
            )
        }
        EventKind::RageClick(click) => row(
            "Rage click",
            match click.clicks {
                Some(n) => format!("{n} clicks on {}", click.target),
                None => format!("clicks on {}", click.target),
            },
            &click.route,
            Mark::Frustration,
        ),
        EventKind::DeadClick(click) => row(
            "Dead click",
            format!("nothing happened after a click on {}", click.target),
            &click.route,
            Mark::Frustration,
        ),
        EventKind::Dwell(dwell) => row(
            "Dwell",
            format!("{} on the page", countdown(dwell.duration_ms)),
            &dwell.route,
            Mark::Page,
        ),
        EventKind::Unknown => return None,
    })
}

/// The rows of a handoff note's page trail (when the session's events are gone).
pub fn from_note(items: &[TrailItem]) -> Vec<Row> {
    items
        .iter()
        .map(|item| {
            let (label, mark) = match item.kind.as_str() {
                "page_view" | "navigation" => ("Page", Mark::Page),
                "error_page" => ("Error page", Mark::Problem),
                "js_error" => ("Script error", Mark::Problem),
                "failed_request" => ("Failed request", Mark::Problem),
                "rage_click" => ("Rage click", Mark::Frustration),
                "dead_click" => ("Dead click", Mark::Frustration),
                "dwell" => ("Dwell", Mark::Page),
                _ => ("Event", Mark::Page),
            };
            Row {
                at_ms: item.at_ms,
                label,
                headline: if item.detail.is_empty() {
                    item.route.clone()
                } else {
                    item.detail.clone()
                },
                route: item.route.clone(),
                mark,
            }
        })
        .collect()
}

/// How many rows show a problem.
pub fn problems(rows: &[Row]) -> usize {
    rows.iter().filter(|r| r.mark == Mark::Problem).count()
}

/// `5 events · 1 problem`.
pub fn summary(rows: &[Row]) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{} · {}",
        plural(rows.len(), "event"),
        plural(problems(rows), "problem")
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn events() -> Vec<ClientEvent> {
        serde_json::from_value(serde_json::json!([
            {"id": "3", "at_ms": 30, "type": "failed_request", "method": "POST",
             "url": "/api/pay", "status": 502, "route": "/billing", "seq": 3, "received_ms": 1},
            {"id": "1", "at_ms": 10, "type": "page_view", "url": "https://x/billing",
             "route": "/billing", "title": "Billing"},
            {"id": "4", "at_ms": 40, "type": "rage_click", "target": "button#pay",
             "route": "/billing", "clicks": 5},
            {"id": "5", "at_ms": 50, "type": "dwell", "route": "/billing", "duration_ms": 95000},
            {"id": "6", "at_ms": 60, "type": "something_new"}
        ]))
        .unwrap()
    }

    #[test]
    fn the_failed_payment_is_a_marked_row_in_time_order() {
        let rows = from_events(&events());
        let labels: Vec<&str> = rows.iter().map(|r| r.label).collect();
        assert_eq!(labels, ["Page", "Failed request", "Rage click", "Dwell"]);
        assert_eq!(rows[0].headline, "Billing");
        assert_eq!(rows[1].headline, "POST /api/pay → 502");
        assert_eq!(rows[1].mark, Mark::Problem);
        assert_eq!(rows[2].headline, "5 clicks on button#pay");
        assert_eq!(rows[2].mark, Mark::Frustration);
        assert_eq!(rows[3].headline, "1m 35s on the page");
        assert_eq!(problems(&rows), 1);
        assert_eq!(summary(&rows), "4 events · 1 problem");
    }

    #[test]
    fn a_notes_trail_gives_the_same_marks() {
        let rows = from_note(&[TrailItem {
            at_ms: 1,
            kind: "failed_request".into(),
            route: "/billing".into(),
            detail: "POST /api/pay → 502".into(),
        }]);
        assert_eq!(rows[0].mark, Mark::Problem);
        assert_eq!(rows[0].label, "Failed request");
    }
}
