//! `/metrics`: off by default, behind its bearer token when one is set, and every series an
//! operator watches moves with the traffic that should move it — requests by route template,
//! accepted events, open tickets per tier, the outbox backlog and its lag, index size and
//! live streams.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use serde_json::json;
use tower::ServiceExt;
use waymark_server::auth::AuthState;
use waymark_server::storage::jobs::{JobKind, NewJob, OutboxItem};
use waymark_server::{AppState, Config};

use crate::harness::{TestApp, now_ms, on_every_backend};

const TOKEN: &str = "scrape-token-0123456789";

/// The app again, with `/metrics` on behind [`TOKEN`].
fn with_metrics(app: &mut TestApp) {
    let mut config = Config::default();
    config.metrics.enabled = true;
    config.metrics.bearer_token = Some(TOKEN.to_owned());
    let auth = AuthState::new(&config.auth, None);
    app.router = waymark_server::app(AppState {
        store: app.store.clone(),
        config: Arc::new(config),
        knowledge: Some(app._knowledge.clone()),
        auth: Arc::new(auth),
        metrics: Arc::default(),
    });
}

async fn scrape(app: &TestApp) -> String {
    let response = app
        .router
        .clone()
        .oneshot(
            Request::get("/metrics")
                .header("authorization", format!("Bearer {TOKEN}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The value of the sample `series` (name with labels, as written), 0 when absent.
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |value| value.parse().unwrap())
}

#[tokio::test]
async fn metrics_are_off_unless_enabled_and_need_their_token() {
    on_every_backend(access).await;
}

async fn access(mut app: TestApp) {
    let off = app.raw("GET", "/metrics", &[], Body::empty()).await;
    assert_eq!(off.status, 404, "off by default");
    with_metrics(&mut app);
    let anonymous = app.raw("GET", "/metrics", &[], Body::empty()).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.body["error"]["code"], "unauthorized");
    let wrong = app
        .raw(
            "GET",
            "/metrics",
            &[("authorization", "Bearer scrape-token-wrong-456")],
            Body::empty(),
        )
        .await;
    assert_eq!(wrong.status, 401);
    let agent_token = format!("Bearer {}", app.token);
    let agent = app
        .raw(
            "GET",
            "/metrics",
            &[("authorization", &agent_token)],
            Body::empty(),
        )
        .await;
    assert_eq!(
        agent.status, 401,
        "an agent's API token is not the scrape token"
    );
}

#[tokio::test]
async fn the_series_move_with_traffic() {
    on_every_backend(traffic).await;
}

async fn traffic(mut app: TestApp) {
    with_metrics(&mut app);
    let before = scrape(&app).await;
    assert_eq!(value(&before, "waymark_events_accepted_total"), 0.0);
    assert_eq!(
        value(&before, "waymark_index_documents"),
        1.0,
        "the harness's article"
    );
    assert_eq!(value(&before, "waymark_outbox_backlog"), 0.0);
    assert_eq!(value(&before, "waymark_live_streams"), 0.0);

    // Three events, one of them sent twice.
    let now = now_ms();
    let batch = json!({"session_id": "s-metrics", "events": [
        {"id": "e1", "at_ms": now - 3_000, "type": "page_view", "url": "https://acme.test/demo/billing", "route": "/demo/billing"},
        {"id": "e2", "at_ms": now - 2_000, "type": "page_view", "url": "https://acme.test/demo/invoices", "route": "/demo/invoices"},
        {"id": "e3", "at_ms": now - 1_000, "type": "page_view", "url": "https://acme.test/demo/settings", "route": "/demo/settings"}]});
    for _ in 0..2 {
        let stored = app
            .json("POST", "/api/widget/v1/events?site=pk_demo", &[], &batch)
            .await;
        assert_eq!(stored.status, 200, "{}", stored.body);
    }
    // A visitor asks for a person: one more open ticket.
    let body = json!({"session_id": "s-metrics", "idempotency_key": "k-metrics",
        "message": "My payment keeps failing", "intent": "talk_to_person"});
    let started = app
        .json(
            "POST",
            "/api/widget/v1/conversations?site=pk_demo",
            &[],
            &body,
        )
        .await;
    assert!(started.status.is_success(), "{}", started.body);
    // Two agent reads of the queue.
    for _ in 0..2 {
        assert_eq!(app.agent("GET", "/tickets", None).await.status, 200);
    }
    // A delivery due a minute ago that nobody ran.
    let job = OutboxItem::Job(NewJob {
        kind: JobKind::Webhook,
        dedupe_key: "metrics-lag".to_owned(),
        payload: json!({"endpoint": "none"}),
    });
    app.store
        .enqueue("demo", &[job], now - 60_000)
        .await
        .unwrap();

    let after = scrape(&app).await;
    assert_eq!(value(&after, "waymark_events_accepted_total"), 3.0);
    assert_eq!(value(&after, "waymark_events_duplicate_total"), 3.0);
    let open_after: f64 = after
        .lines()
        .filter(|line| line.starts_with("waymark_tickets_open{"))
        .map(|line| line.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
        .sum();
    let open_total_before: f64 = before
        .lines()
        .filter(|line| line.starts_with("waymark_tickets_open{"))
        .map(|line| line.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert_eq!(open_after, open_total_before + 1.0, "{after}");
    let tickets_route = r#"method="GET",route="/api/v1/sites/{site_id}/tickets""#;
    assert_eq!(
        value(
            &after,
            &format!("waymark_http_request_duration_seconds_count{{{tickets_route}}}")
        ),
        2.0,
        "{after}"
    );
    assert_eq!(
        value(
            &after,
            &format!("waymark_http_requests_total{{{tickets_route},status=\"200\"}}")
        ),
        2.0
    );
    assert!(
        !after.contains("route=\"/api/v1/sites/demo/tickets\""),
        "raw paths are never labels"
    );
    assert_eq!(
        value(
            &after,
            r#"waymark_http_request_duration_seconds_count{method="POST",route="/api/widget/v1/events"}"#
        ),
        2.0
    );
    assert_eq!(value(&after, "waymark_outbox_backlog"), 1.0);
    assert_eq!(value(&after, r#"waymark_jobs{state="pending"}"#), 1.0);
    let lag = value(&after, "waymark_job_lag_seconds");
    assert!((59.0..600.0).contains(&lag), "lag {lag}");

    // A console stream open: one live stream, none once it is dropped.
    let auth = format!("Bearer {}", app.token);
    let stream = app
        .router
        .clone()
        .oneshot(
            Request::get("/api/v1/sites/demo/stream")
                .header("authorization", &auth)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert_eq!(value(&scrape(&app).await, "waymark_live_streams"), 1.0);
    drop(stream);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while value(&scrape(&app).await, "waymark_live_streams") != 0.0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the stream stays counted"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
