//! Reports on a fixture whose every metric is computed by hand below: six tickets
//! and four suggestion sets in a two-day period (plus one of each outside it),
//! written as the flow stores them; the metrics, the review, the replay of a
//! proposed matrix and the CSV tables, on both backends.

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use waymark_server::auth::Role;
use waymark_server::demo::history::{
    PastActor, PastStep, PastSuggestionSet, PastTicket, write_past_suggestions, write_past_ticket,
};
use waymark_server::storage::escalation::AlertState;

use crate::harness::{TestApp, create_user, error_code, on_every_backend};

/// 2023-11-14T00:00:00Z.
const D: i64 = 1_699_920_000_000;
const H: i64 = 3_600_000;
const M: i64 = 60_000;

fn rule(id: &str) -> PastActor {
    PastActor::Rule(id.into())
}

fn agent(id: &str) -> PastActor {
    PastActor::Agent(id.into())
}

fn ticket(
    id: &str,
    route: Option<&str>,
    created: i64,
    said: &[&str],
    steps: Vec<PastStep>,
    csat: Option<i64>,
) -> PastTicket {
    PastTicket {
        id: id.into(),
        session_id: format!("sess-{id}"),
        subject: format!("Ticket {id}"),
        route: route.map(str::to_owned),
        created_at_ms: created,
        customer_messages: said.iter().map(|s| (*s).to_owned()).collect(),
        steps,
        csat,
    }
}

fn ack(at_ms: i64, who: &str) -> PastStep {
    PastStep::Acknowledge {
        at_ms,
        agent: who.into(),
    }
}

fn resolve(at_ms: i64, who: &str) -> PastStep {
    PastStep::Resolve {
        at_ms,
        agent: who.into(),
    }
}

fn escalate(at_ms: i64, by: PastActor) -> PastStep {
    PastStep::Escalate {
        at_ms,
        by,
        to_tier: "tier2".into(),
    }
}

fn alert(at_ms: i64, kind: &str, decision: AlertState) -> PastStep {
    PastStep::Alert {
        at_ms,
        kind: kind.into(),
        decision,
    }
}

/// The fixture (period `[D, D + 48 h)`):
///
/// | ticket | route | created | turns | what happened | CSAT |
/// | --- | --- | --- | --- | --- | --- |
/// | A | /billing | 09:00 | 3 | rule cancel-language → tier2 at 09:10, sam acks 09:30, resolves 11:10 | 2 |
/// | B | /billing | 10:00 | 1 | rule cancel-language → tier2 at 10:00, ann transfers to billing 10:20, acks 10:25 | – |
/// | C | /reports | 14:00 | 2 | sam acks 14:05, resolves 14:45 | 5 |
/// | D | /reports | 14:30 | 4 | ack breach 15:00, ann acks 15:10, escalates by hand 16:00, resolves 20:00; sentiment_shift dismissed | 3 |
/// | E | – | +1 d 02:00 | 2 | sam acks 02:10, resolves 04:00, reopens 05:00, resolves 06:00; multi_turn_depth confirmed | 4 |
/// | F | /billing | +1 d 03:00 | 1 | resolution breach +1 d 16:00; sla_proximity open | – |
/// | G | /billing | −1 h | 1 | outside the period | – |
async fn write_fixture(app: &TestApp) {
    let cancel = ["I want to cancel my subscription", "Please", "Now"];
    let tickets = [
        ticket(
            "A",
            Some("/billing"),
            D + 9 * H,
            &cancel,
            vec![
                escalate(D + 9 * H + 10 * M, rule("cancel-language")),
                ack(D + 9 * H + 30 * M, "sam"),
                resolve(D + 11 * H + 10 * M, "sam"),
            ],
            Some(2),
        ),
        ticket(
            "B",
            Some("/billing"),
            D + 10 * H,
            &["Refund me or I cancel"],
            vec![
                escalate(D + 10 * H, rule("cancel-language")),
                PastStep::Transfer {
                    at_ms: D + 10 * H + 20 * M,
                    by: agent("ann"),
                    to_team: "billing".into(),
                },
                ack(D + 10 * H + 25 * M, "ann"),
            ],
            None,
        ),
        ticket(
            "C",
            Some("/reports"),
            D + 14 * H,
            &["The export is slow", "Thanks"],
            vec![
                ack(D + 14 * H + 5 * M, "sam"),
                resolve(D + 14 * H + 45 * M, "sam"),
            ],
            Some(5),
        ),
        ticket(
            "D",
            Some("/reports"),
            D + 14 * H + 30 * M,
            &["Export broken", "Still", "Hello?", "Any news"],
            vec![
                PastStep::Breach {
                    at_ms: D + 15 * H,
                    sla: "acknowledgement",
                },
                ack(D + 15 * H + 10 * M, "ann"),
                alert(
                    D + 15 * H + 20 * M,
                    "sentiment_shift",
                    AlertState::Dismissed,
                ),
                escalate(D + 16 * H, agent("ann")),
                resolve(D + 20 * H, "ann"),
            ],
            Some(3),
        ),
        ticket(
            "E",
            None,
            D + 26 * H,
            &["Invoice question", "Got it"],
            vec![
                ack(D + 26 * H + 10 * M, "sam"),
                alert(
                    D + 26 * H + 20 * M,
                    "multi_turn_depth",
                    AlertState::Confirmed,
                ),
                resolve(D + 28 * H, "sam"),
                PastStep::Reopen {
                    at_ms: D + 29 * H,
                    agent: "sam".into(),
                },
                resolve(D + 30 * H, "sam"),
            ],
            Some(4),
        ),
        ticket(
            "F",
            Some("/billing"),
            D + 27 * H,
            &["Where is my invoice"],
            vec![
                alert(D + 27 * H + 30 * M, "sla_proximity", AlertState::Open),
                PastStep::Breach {
                    at_ms: D + 40 * H,
                    sla: "resolution",
                },
            ],
            None,
        ),
        ticket(
            "G",
            Some("/billing"),
            D - H,
            &["cancel"],
            vec![escalate(D - H + M, rule("cancel-language"))],
            Some(1),
        ),
    ];
    for past in &tickets {
        write_past_ticket(&app.store, "demo", "tier1", past)
            .await
            .expect("past ticket");
    }
    let sets = [
        ("S1", "sess-A", "/billing", D + 8 * H + 50 * M, false),
        ("S2", "s-x", "/billing", D + 12 * H, true),
        ("S3", "s-y", "/reports", D + 13 * H, true),
        ("S4", "sess-C", "/reports", D + 15 * H, false),
        ("S5", "s-z", "/billing", D + 50 * H, true),
    ];
    for (id, session, route, at_ms, solved) in sets {
        write_past_suggestions(
            &app.store,
            "demo",
            &PastSuggestionSet {
                query_id: id.into(),
                session_id: session.into(),
                route: Some(route.into()),
                at_ms,
                answer_id: "retry-payment".into(),
                solved,
            },
        )
        .await
        .expect("past set");
    }
}

fn period() -> String {
    format!("from_ms={D}&to_ms={}", D + 48 * H)
}

fn close(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-9)
}

#[tokio::test]
async fn every_metric_matches_the_hand_computed_fixture() {
    on_every_backend(metrics).await;
}

async fn metrics(app: TestApp) {
    let backend = app.name;
    write_fixture(&app).await;
    let answer = app
        .agent(
            "GET",
            &format!("/reports/metrics?{}&slice=tier", period()),
            None,
        )
        .await;
    assert_eq!(answer.status, 200, "{backend}: {}", answer.body);
    let report = &answer.body;
    let t = &report["totals"];
    assert_eq!(report["truncated"], false, "{backend}");
    // A–F: A, B and D escalated.
    assert_eq!(t["tickets"], 6, "{backend}: {t}");
    assert_eq!(t["escalated"], 3, "{backend}");
    assert!(close(&t["escalation_rate"], 0.5), "{backend}: {t}");
    // First escalation − creation: A 10 min, B 0, D 90 min → median 10 min.
    assert_eq!(t["time_to_escalation_ms"], 10 * M, "{backend}");
    // Acknowledgement decided on A–E, breached on D: 4 of 5.
    assert_eq!(t["ack_sla_decided"], 5, "{backend}");
    assert!(close(&t["ack_sla_met"], 0.8), "{backend}: {t}");
    // Resolution decided on A, C, D, E (resolved) and F (breached): 4 of 5.
    assert_eq!(t["resolution_sla_decided"], 5, "{backend}");
    assert!(close(&t["resolution_sla_met"], 0.8), "{backend}: {t}");
    // Resolution − first escalation: A 2 h, D 4 h → 3 h.
    assert_eq!(t["post_escalation_resolution_ms"], 3 * H, "{backend}");
    // Resolved A, C, D, E; only C never escalated, transferred or reopened.
    assert_eq!(t["resolved"], 4, "{backend}");
    assert!(
        close(&t["first_contact_resolution"], 0.25),
        "{backend}: {t}"
    );
    // 3 + 1 + 2 + 4 + 2 + 1 customer messages over 6 tickets.
    assert!(close(&t["multi_turn_depth"], 13.0 / 6.0), "{backend}: {t}");
    // S1–S4: S2 and S3 solved it; only S1's session opened a ticket afterwards
    // (C's ticket came before S4).
    assert_eq!(t["suggestion_sets"], 4, "{backend}");
    assert_eq!(t["deflections"], 2, "{backend}");
    assert!(close(&t["deflection_rate"], 0.5), "{backend}: {t}");
    assert_eq!(t["escalated_after_suggestion"], 1, "{backend}");
    assert!(
        close(&t["escalated_after_suggestion_rate"], 0.25),
        "{backend}: {t}"
    );
    // CSAT: escalated A 2, D 3; not escalated C 5, E 4.
    assert!(close(&t["csat_escalated"], 2.5), "{backend}: {t}");
    assert_eq!(t["csat_escalated_answers"], 2, "{backend}");
    assert!(close(&t["csat_not_escalated"], 4.5), "{backend}: {t}");
    // Handle time of resolved, never-escalated tickets: C 45 min, E 4 h → 2 h 22.5 min;
    // capacity reclaimed: 2 deflections × that.
    assert_eq!(t["median_handle_time_ms"], 8_550_000, "{backend}");
    assert_eq!(t["capacity_reclaimed_ms"], 17_100_000, "{backend}");
    // Alerts: D dismissed, E confirmed, F open.
    assert_eq!(t["alerts_raised"], 3, "{backend}");
    assert_eq!(t["alerts_confirmed"], 1, "{backend}");
    assert_eq!(t["alerts_dismissed"], 1, "{backend}");
    assert_eq!(t["alerts_open"], 1, "{backend}");
    assert!(close(&t["alerts_confirmed_rate"], 0.5), "{backend}: {t}");
    assert_eq!(
        report["funnel"],
        json!({"suggestion_sets": 4, "deflected": 2, "escalated": 1, "escalated_above_first_tier": 3}),
        "{backend}"
    );
    // Tier slices: tier1 (C, E, F) and tier2 (A, B, D), equal size, by name.
    let slices = report["slices"].as_array().expect("slices");
    let keys: Vec<&str> = slices
        .iter()
        .map(|s| s["key"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(keys, ["tier1", "tier2"], "{backend}");
    assert!(
        close(&slices[0]["metrics"]["escalation_rate"], 0.0),
        "{backend}"
    );
    assert!(
        close(&slices[1]["metrics"]["escalation_rate"], 1.0),
        "{backend}"
    );
    assert_eq!(
        slices[1]["metrics"]["suggestion_sets"],
        Value::Null,
        "{backend}: sets have no tier"
    );
    // Hourly buckets over two days; 14:00 holds C and D.
    assert_eq!(report["bucket_ms"], H, "{backend}");
    assert_eq!(
        report["series"].as_array().map(Vec::len),
        Some(48),
        "{backend}"
    );
    assert_eq!(report["series"][14]["tickets"], 2, "{backend}");
    assert_eq!(report["series"][14]["escalated"], 1, "{backend}");
    assert_eq!(report["series"][12]["deflections"], 1, "{backend}");

    let slice = |dimension: &'static str| {
        let app = &app;
        async move {
            let answer = app
                .agent(
                    "GET",
                    &format!("/reports/metrics?{}&slice={dimension}", period()),
                    None,
                )
                .await;
            assert_eq!(answer.status, 200, "{}", answer.body);
            answer.body["slices"]
                .as_array()
                .expect("slices")
                .iter()
                .map(|s| {
                    (
                        s["key"].as_str().unwrap_or_default().to_owned(),
                        s["metrics"].clone(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let by_route = slice("route").await;
    let route = |key: &str| {
        by_route
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, m)| m.clone())
            .expect(key)
    };
    assert!(
        close(&route("/billing")["escalation_rate"], 2.0 / 3.0),
        "{backend}"
    );
    assert_eq!(route("/billing")["suggestion_sets"], 2, "{backend}");
    assert_eq!(route("/billing")["deflections"], 1, "{backend}");
    assert_eq!(route("/reports")["tickets"], 2, "{backend}");
    assert_eq!(route("none")["tickets"], 1, "{backend}");
    let by_rule = slice("rule").await;
    assert_eq!(by_rule[0].0, "none", "{backend}");
    assert_eq!(by_rule[0].1["tickets"], 4, "{backend}");
    assert_eq!(by_rule[1].0, "cancel-language", "{backend}");
    assert_eq!(by_rule[1].1["escalated"], 2, "{backend}");
    let by_stage = slice("stage").await;
    let stages: Vec<(&str, u64)> = by_stage
        .iter()
        .map(|(k, m)| (k.as_str(), m["tickets"].as_u64().unwrap_or(0)))
        .collect();
    assert_eq!(
        stages,
        [("intake", 3), ("documentation", 2), ("investigation", 1)],
        "{backend}"
    );
    let by_team = slice("team").await;
    assert_eq!(by_team[1].0, "billing", "{backend}");
    assert_eq!(by_team[1].1["tickets"], 1, "{backend}");
    let by_agent = slice("agent").await;
    let agents: Vec<(&str, u64)> = by_agent
        .iter()
        .map(|(k, m)| (k.as_str(), m["tickets"].as_u64().unwrap_or(0)))
        .collect();
    assert_eq!(
        agents,
        [("sam", 3), ("ann", 2), ("unassigned", 1)],
        "{backend}"
    );
    let by_hour = slice("hour").await;
    let hours: Vec<&str> = by_hour.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        hours,
        ["2", "3", "8", "9", "10", "12", "13", "14", "15"],
        "{backend}"
    );
    assert_eq!(by_hour[7].1["tickets"], 2, "{backend}");
    assert_eq!(by_hour[8].1["suggestion_sets"], 1, "{backend}");

    // The CSV of the slices: one row per slice and the totals.
    let csv = csv_text(
        &app,
        &format!("/reports/metrics?{}&slice=tier&format=csv", period()),
    )
    .await;
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("tier,tickets,escalated,escalation_rate,"),
        "{backend}: {csv}"
    );
    assert!(
        lines[1].starts_with("tier1,3,0,0.0000,"),
        "{backend}: {csv}"
    );
    assert!(
        lines[3].starts_with("all,6,3,0.5000,600000,5,0.8000,"),
        "{backend}: {csv}"
    );
    let series = csv_text(
        &app,
        &format!("/reports/metrics?{}&format=csv&table=series", period()),
    )
    .await;
    assert_eq!(series.lines().count(), 49, "{backend}");
}

#[tokio::test]
async fn the_review_finds_over_and_under_triggering() {
    on_every_backend(review).await;
}

async fn review(app: TestApp) {
    let backend = app.name;
    write_fixture(&app).await;
    let answer = app
        .agent("GET", &format!("/reports/review?{}", period()), None)
        .await;
    assert_eq!(answer.status, 200, "{backend}: {}", answer.body);
    let report = &answer.body;
    let triggers: Vec<(String, u64, u64, f64)> = report["triggers"]
        .as_array()
        .expect("triggers")
        .iter()
        .map(|t| {
            (
                format!(
                    "{}:{}",
                    t["source"].as_str().unwrap_or_default(),
                    t["trigger"].as_str().unwrap_or_default()
                ),
                t["fired"].as_u64().unwrap_or(0),
                t["over"].as_u64().unwrap_or(0),
                t["over_rate"].as_f64().unwrap_or(-1.0),
            )
        })
        .collect();
    assert_eq!(
        triggers,
        [
            ("alert:sentiment_shift".to_owned(), 1, 1, 1.0),
            ("rule:cancel-language".to_owned(), 2, 1, 0.5),
            ("alert:multi_turn_depth".to_owned(), 1, 0, 0.0),
            ("alert:sla_proximity".to_owned(), 1, 0, 0.0),
        ],
        "{backend}"
    );
    let rule = &report["triggers"][1];
    assert_eq!(rule["rerouted"], 1, "{backend}");
    assert_eq!(rule["examples"][0]["ticket_id"], "B", "{backend}");
    assert_eq!(
        rule["examples"][0]["what"],
        "rule `cancel-language` escalated it to tier2; ann moved it to team `billing`",
        "{backend}"
    );
    // D was escalated by hand and breached before any rule; F breached with none.
    assert_eq!(report["tickets"], 6, "{backend}");
    assert_eq!(report["escalated_by_hand"], 1, "{backend}");
    assert_eq!(report["breached_without_rule"], 2, "{backend}");
    assert_eq!(report["under"], 2, "{backend}");
    assert!(close(&report["under_rate"], 2.0 / 6.0), "{backend}");
    let under: Vec<(&str, &str)> = report["under_examples"]
        .as_array()
        .expect("under")
        .iter()
        .map(|u| {
            (
                u["kind"].as_str().unwrap_or_default(),
                u["ticket_id"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        under,
        [
            ("escalated_by_hand", "D"),
            ("breached_without_rule", "F"),
            ("breached_without_rule", "D")
        ],
        "{backend}"
    );
    let csv = csv_text(
        &app,
        &format!("/reports/review?{}&format=csv&table=under", period()),
    )
    .await;
    assert!(
        csv.starts_with(
            "kind,ticket_id,subject,tier,at_ms,what\r\nescalated_by_hand,D,Ticket D,tier2,"
        ),
        "{backend}: {csv}"
    );
}

#[tokio::test]
async fn replaying_a_proposed_matrix_shows_what_would_change() {
    on_every_backend(replay).await;
}

async fn replay(app: TestApp) {
    let backend = app.name;
    write_fixture(&app).await;
    // The proposed matrix drops the cancel-language rule.
    let proposed: String = waymark_server::flow::DEFAULT_MATRIX
        .split("[[rules]]")
        .filter(|part| !part.contains("id = \"cancel-language\""))
        .collect::<Vec<_>>()
        .join("[[rules]]");
    let body = json!({"matrix": proposed, "from_ms": D, "to_ms": D + 48 * H});
    let answer = app.agent("POST", "/reports/replay", Some(&body)).await;
    assert_eq!(answer.status, 200, "{backend}: {}", answer.body);
    let report = &answer.body;
    assert_eq!(report["tickets"], 6, "{backend}");
    // The site's matrix: cancel language routes A and B (as agents kept them), the
    // 4-hour rule E (resolved after 4 h) and F (open 21 h at the period's end).
    assert_eq!(report["current"]["escalations"], 4, "{backend}: {report}");
    assert_eq!(
        report["current"]["per_rule"]["cancel-language"], 2,
        "{backend}"
    );
    assert_eq!(report["current"]["agrees"], 3, "{backend}");
    assert_eq!(report["current"]["over_triggered"], 2, "{backend}");
    assert_eq!(report["current"]["under_triggered"], 1, "{backend}");
    assert_eq!(report["proposed"]["escalations"], 2, "{backend}");
    assert_eq!(report["proposed"]["under_triggered"], 3, "{backend}");
    let changes: Vec<(&str, &str, &str, &str)> = report["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["ticket_id"].as_str().unwrap_or_default(),
                c["current_action"].as_str().unwrap_or_default(),
                c["proposed_action"].as_str().unwrap_or_default(),
                c["proposed_verdict"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("A", "escalate to tier2", "none", "under_triggered"),
            ("B", "escalate to tier2", "none", "under_triggered"),
        ],
        "{backend}"
    );
    let broken = app
        .agent(
            "POST",
            "/reports/replay",
            Some(&json!({"matrix": "[[tiers]]\nid = 3"})),
        )
        .await;
    assert_eq!(broken.status, 400, "{backend}");
    assert_eq!(error_code(&broken), "invalid_value", "{backend}");
    assert!(
        broken.body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("matrix:"),
        "{backend}"
    );
}

#[tokio::test]
async fn reports_refuse_bad_periods_and_replay_needs_a_knowledge_role() {
    on_every_backend(refusals).await;
}

async fn refusals(app: TestApp) {
    let backend = app.name;
    for (query, needle) in [
        (format!("from_ms={}&to_ms={D}", D + 1), "must be before"),
        (format!("from_ms=0&to_ms={D}"), "366 days"),
        ("slice=planet".to_owned(), "planet"),
        ("format=xml".to_owned(), "xml"),
        ("colour=red".to_owned(), "colour"),
    ] {
        let answer = app
            .agent("GET", &format!("/reports/metrics?{query}"), None)
            .await;
        assert_eq!(answer.status, 400, "{backend} {query}: {}", answer.body);
        assert_eq!(error_code(&answer), "invalid_value", "{backend} {query}");
        let message = answer.body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(needle), "{backend} {query}: {message}");
    }
    let token = create_user(&app.store, "agent-r@test.example", Role::Agent, &["demo"]).await;
    let auth = format!("Bearer {token}");
    let read = app
        .raw(
            "GET",
            "/api/v1/sites/demo/reports/review",
            &[("authorization", &auth)],
            Body::empty(),
        )
        .await;
    assert_eq!(read.status, 200, "{backend}: agents read the review");
    let replay = app
        .json(
            "POST",
            "/api/v1/sites/demo/reports/replay",
            &[("authorization", &auth)],
            &json!({"matrix": waymark_server::flow::DEFAULT_MATRIX}),
        )
        .await;
    assert_eq!(replay.status, 403, "{backend}: {}", replay.body);
}

async fn csv_text(app: &TestApp, path: &str) -> String {
    let request = Request::builder()
        .uri(format!("/api/v1/sites/demo{path}"))
        .header("authorization", format!("Bearer {}", app.token))
        .body(Body::empty())
        .expect("request");
    let response = app.router.clone().oneshot(request).await.expect("response");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"]
            .to_str()
            .unwrap_or_default(),
        "text/csv; charset=utf-8"
    );
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    String::from_utf8(bytes.to_vec()).expect("utf-8")
}
