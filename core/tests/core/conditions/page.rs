//! Conditions on volume across customers and on the session's page signals.

use super::{check, with_ticket, with_trail};
use crate::support::*;
use waymark_core::domain::SignalKind;
use waymark_core::ids::Fingerprint;
use waymark_core::rules::{CurrentPage, Facts};
use waymark_core::time::DurationMs;
#[test]
fn same_error_customers_counts_distinct_customers_inside_the_window() {
    let condition = "same_error_customers = { at_least = 3, within = \"2h\" }";
    let facts = |reports| {
        let mut facts = with_ticket(|t| t.error_fingerprints = vec![Fingerprint::new("fp-a")]);
        facts.error_reports = reports;
        facts
    };
    check(
        condition,
        facts(vec![
            report("fp-a", "c1", ago("2h")),
            report("fp-a", "c2", ago("1h")),
            report("fp-a", "c3", NOW),
        ]),
        true,
        "3 customers with fp-a",
    );
    check(
        condition,
        facts(vec![
            report("fp-a", "c1", ago("2h").minus(DurationMs(1))),
            report("fp-a", "c2", ago("1h")),
            report("fp-a", "c3", NOW),
        ]),
        false,
        "2 customers with fp-a",
    );
    check(
        condition,
        facts(vec![
            report("fp-a", "c1", ago("1h")),
            report("fp-a", "c1", ago("30m")),
            report("fp-a", "c2", NOW),
            report("fp-b", "c3", NOW),
        ]),
        false,
        "2 customers with fp-a",
    );
    check(condition, Facts::default(), false, "no error fingerprint");
    // Without a ticket, the session's JS errors name the fingerprints.
    let mut session = with_trail(vec![js_error(ago("1m"), "fp-a")]);
    session.error_reports = vec![
        report("fp-a", "c1", NOW),
        report("fp-a", "c2", NOW),
        report("fp-a", "c3", NOW),
    ];
    check(condition, session, true, "3 customers with fp-a");
}

#[test]
fn error_page_repeated_same_route_within_window() {
    let condition = "error_page_repeated = { at_least = 3, within = \"10m\" }";
    check(
        condition,
        with_trail(vec![
            error_page(ago("10m"), "/500"),
            error_page(ago("5m"), "/500"),
            error_page(NOW, "/500"),
        ]),
        true,
        "3× /500",
    );
    check(
        condition,
        with_trail(vec![
            error_page(ago("10m").minus(DurationMs(1)), "/500"),
            error_page(ago("5m"), "/500"),
            error_page(NOW, "/500"),
        ]),
        false,
        "2× /500",
    );
    check(
        condition,
        with_trail(vec![
            error_page(ago("3m"), "/500"),
            error_page(ago("2m"), "/404"),
            error_page(ago("1m"), "/500"),
        ]),
        false,
        "2× /500",
    );
    check(condition, Facts::default(), false, "no error page");
    let scoped =
        "error_page_repeated = { at_least = 2, within = \"10m\", route = \"/billing/**\" }";
    check(
        scoped,
        with_trail(vec![
            error_page(ago("2m"), "/500"),
            error_page(ago("1m"), "/500"),
        ]),
        false,
        "no error page",
    );
    check(
        scoped,
        with_trail(vec![
            error_page(ago("2m"), "/billing/x"),
            error_page(ago("1m"), "/billing/x"),
        ]),
        true,
        "2× /billing/x",
    );
}

#[test]
fn js_error_and_failed_request_repeated() {
    let js = "js_error_repeated = { at_least = 2, within = \"1m\" }";
    check(
        js,
        with_trail(vec![js_error(ago("1m"), "fp-a"), js_error(NOW, "fp-a")]),
        true,
        "2× fp-a",
    );
    check(
        js,
        with_trail(vec![js_error(ago("1m"), "fp-a"), js_error(NOW, "fp-b")]),
        false,
        "1× fp-a",
    );
    let failed =
        "failed_request_repeated = { at_least = 3, within = \"5m\", path = \"/api/pay/**\" }";
    let three = |path: &str| {
        with_trail(vec![
            failed_request(ago("5m"), path),
            failed_request(ago("4m"), path),
            failed_request(ago("1s"), path),
        ])
    };
    check(
        failed,
        three("/api/pay/intent"),
        true,
        "3× POST /api/pay/intent",
    );
    check(failed, three("/api/cart"), false, "no failed request");
}

#[test]
fn rage_and_dead_clicks_are_counted_in_window() {
    let rage = SignalKind::RageClick {
        target: "button#pay".into(),
        route: "/checkout".into(),
        clicks: 5,
    };
    let dead = SignalKind::DeadClick {
        target: "a.more".into(),
        route: "/docs".into(),
    };
    let rage_condition = "rage_clicks = { at_least = 2, within = \"1m\" }";
    check(
        rage_condition,
        with_trail(vec![
            signal(ago("1m"), rage.clone()),
            signal(NOW, rage.clone()),
        ]),
        true,
        "2 rage clicks",
    );
    check(
        rage_condition,
        with_trail(vec![signal(ago("61s"), rage.clone()), signal(NOW, rage)]),
        false,
        "1 rage click",
    );
    let dead_condition = "dead_clicks = { at_least = 1, within = \"1m\" }";
    check(
        dead_condition,
        with_trail(vec![signal(ago("30s"), dead)]),
        true,
        "1 dead click",
    );
    check(dead_condition, Facts::default(), false, "0 dead clicks");
}

#[test]
fn dwell_counts_the_current_page_up_to_now_and_past_pages() {
    let condition = "dwell = { route = \"/billing/**\", at_least = \"2m\" }";
    let current = |route: &str, since| Facts {
        current_page: Some(CurrentPage {
            route: route.into(),
            since,
        }),
        ..Facts::default()
    };
    check(
        condition,
        current("/billing/plans", ago("2m")),
        true,
        "2m on /billing/plans",
    );
    check(
        condition,
        current("/billing/plans", ago("119s")),
        false,
        "1m59s on /billing/plans",
    );
    check(
        condition,
        current("/settings", ago("1h")),
        false,
        "never on /billing/**",
    );
    let past = with_trail(vec![signal(
        ago("5m"),
        SignalKind::Dwell {
            route: "/billing".into(),
            duration: DurationMs::minutes(3),
        },
    )]);
    check(condition, past, true, "3m on /billing");
}

#[test]
fn signals_after_now_are_ignored() {
    let condition = "error_page_repeated = { at_least = 1, within = \"10m\" }";
    check(
        condition,
        with_trail(vec![error_page(NOW.plus(DurationMs(1)), "/500")]),
        false,
        "no error page",
    );
}
