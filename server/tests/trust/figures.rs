//! The trust figures `cargo xtask bench trust` prints (each test prints
//! `figure:` lines and asserts the figure it is about).

use serde_json::json;

use crate::harness::{TestApp, now_ms, on_every_backend};

/// Tries a conversation and an answer of the demo site with another site's key:
/// (requests tried, answered 2xx).
async fn cross_site(app: &TestApp) -> (usize, usize) {
    let started = app
        .json(
            "POST",
            "/api/widget/v1/conversations?site=pk_demo",
            &[],
            &json!({"session_id": "s-a", "idempotency_key": "s-a.conv", "message": "Payment failed 502"}),
        )
        .await;
    let id = started.body["conversation_id"].as_str().unwrap().to_owned();
    let token = started.body["conversation_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let suggested = app
        .json(
            "POST",
            "/api/widget/v1/suggest?site=pk_demo",
            &[],
            &json!({"session_id": "s-a", "query": "payment failed 502"}),
        )
        .await;
    let answer = suggested.body["answers"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = waymark_server::flow::sites::create_site(&app.store, "other", "Other", &[])
        .await
        .unwrap();
    let key = other.public_key;
    let auth = format!("Bearer {token}");
    let conv = |rest: &str| format!("/api/widget/v1/conversations/{id}{rest}?site={key}");
    let attempts: Vec<(&str, String, Option<serde_json::Value>)> = vec![
        ("GET", conv("/messages"), None),
        ("GET", conv("/events"), None),
        (
            "POST",
            conv("/messages"),
            Some(json!({"idempotency_key": "x1", "text": "hi"})),
        ),
        (
            "POST",
            conv("/escalate"),
            Some(json!({"idempotency_key": "x2"})),
        ),
        ("POST", conv("/identify"), Some(json!({"user_id": "u-x"}))),
        (
            "POST",
            conv("/csat"),
            Some(json!({"idempotency_key": "x3", "score": 1})),
        ),
        (
            "GET",
            format!("/api/widget/v1/answers/{answer}?site={key}"),
            None,
        ),
        (
            "POST",
            format!("/api/widget/v1/conversations?site={key}"),
            Some(
                json!({"session_id": "s-a", "idempotency_key": "s-a.conv", "message": "Payment failed 502"}),
            ),
        ),
    ];
    let mut answered = 0;
    for (method, uri, body) in &attempts {
        let result = match body {
            Some(body) => {
                app.json(method, uri, &[("authorization", &auth)], body)
                    .await
            }
            None => app.raw(method, uri, &[("authorization", &auth)], "").await,
        };
        // Starting a conversation on one's own site is fine unless it discloses
        // the demo's token; anything else answered 2xx crossed sites.
        let own_start = uri.ends_with(&format!("conversations?site={key}"));
        let crossed = if own_start {
            result.body.to_string().contains(&token)
        } else {
            result.status.is_success()
        };
        if crossed {
            answered += 1;
        }
    }
    (attempts.len(), answered)
}

#[tokio::test]
async fn figure_cross_site_requests_are_refused() {
    on_every_backend(|app| async move {
        let (tried, answered) = cross_site(&app).await;
        println!(
            "figure: cross-site requests ({}): {tried} tried, {answered} answered 2xx",
            app.name
        );
        assert_eq!(answered, 0, "{}", app.name);
    })
    .await;
}

#[tokio::test]
async fn figure_start_replays_disclose_no_token() {
    on_every_backend(|app| async move {
        let uri = "/api/widget/v1/conversations?site=pk_demo";
        let mut disclosed = 0;
        let tries = 20;
        for n in 0..tries {
            let victim = json!({"session_id": format!("s-v{n}"), "idempotency_key": format!("s-v{n}.conv"),
                                "message": format!("Invoice {n} is wrong")});
            let first = app.json("POST", uri, &[], &victim).await;
            let token = first.body["conversation_token"].as_str().unwrap().to_owned();
            // Another session with the same key, with and without the same message.
            for body in [
                json!({"session_id": format!("s-x{n}"), "idempotency_key": format!("s-v{n}.conv"), "message": format!("Invoice {n} is wrong")}),
                json!({"session_id": format!("s-x{n}"), "idempotency_key": format!("s-v{n}.conv"), "message": "guess"}),
            ] {
                let replay = app.json("POST", uri, &[], &body).await;
                if replay.body.to_string().contains(&token) {
                    disclosed += 1;
                }
            }
        }
        println!(
            "figure: start replays from another session ({}): {} tried, {disclosed} disclosed a token",
            app.name,
            tries * 2
        );
        assert_eq!(disclosed, 0);
    })
    .await;
}

#[tokio::test]
async fn figure_limits() {
    on_every_backend(|app| async move {
        for (field, max, statuses) in crate::limits::statuses_at_limits(&app).await {
            println!(
                "figure: size limit ({}) {field} = {max}: {} / {} / {} at {} / {} / {}",
                app.name,
                statuses[0],
                statuses[1],
                statuses[2],
                max - 1,
                max,
                max + 1
            );
        }
        let (widget, agent) = crate::limits::requests_before_429(&app, 200).await;
        println!(
            "figure: requests before the first 429 ({}, burst 200): widget {widget}, agent {agent}",
            app.name
        );
        let lifetime = crate::limits::slowloris_lifetime(&app).await;
        println!(
            "figure: slowloris connection lifetime ({}, header timeout 1 s): {} ms",
            app.name,
            lifetime.as_millis()
        );
    })
    .await;
}

/// A value of `/proc/self/status` (`VmHWM`, `VmRSS`), in KiB (Linux).
fn status_kib(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|rest| rest.trim_start_matches(':').split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
}

/// 100,000 JavaScript errors with one fingerprint and 1.5 KiB bodies, in 200
/// sessions from 200 clients, planted by the database itself (the test process
/// holds none of them).
async fn plant(app: &TestApp, now: i64) {
    for session in 0..200 {
        app.store
            .ingest_events(
                "demo",
                &format!("s-plant-{session}"),
                &[],
                Some(&format!("c{session}")),
                now,
            )
            .await
            .unwrap();
    }
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99999)
         INSERT INTO events (site_id, session_id, client_id, at_ms, received_ms, kind, route, body, fingerprint)
         SELECT 'demo', 's-plant-' || (i / 500), 'p' || i, $1, $1, 'js_error', '/demo/invoices',
                '{\"id\":\"p' || i || '\",\"at_ms\":' || $2 || ',\"type\":\"js_error\",\"message\":\"TypeError: total is undefined '
                    || $3 || '\",\"route\":\"/demo/invoices\"}',
                'TypeError: total is undefined'
         FROM n",
    )
    .bind(now - 60_000)
    .bind((now - 60_000).to_string())
    .bind("x".repeat(1500))
    .execute(app.store.raw_pool())
    .await
    .unwrap();
}

#[tokio::test]
async fn figure_one_message_on_a_site_with_100k_events() {
    on_every_backend(|app| async move {
        let now = now_ms();
        plant(&app, now).await;
        let started = app
            .json(
                "POST",
                "/api/widget/v1/conversations?site=pk_demo",
                &[],
                &json!({"session_id": "s-plant-0", "idempotency_key": "s-plant-0.conv", "message": "The page is blank"}),
            )
            .await;
        assert_eq!(started.status, 201, "{}", started.body);
        let id = started.body["conversation_id"].as_str().unwrap();
        let token = started.body["conversation_token"].as_str().unwrap();
        let before = status_kib("VmRSS");
        let begun = std::time::Instant::now();
        let sent = app
            .json(
                "POST",
                &format!("/api/widget/v1/conversations/{id}/messages?site=pk_demo"),
                &[("authorization", &format!("Bearer {token}"))],
                &json!({"idempotency_key": "m-1", "text": "Still blank after a reload"}),
            )
            .await;
        let took = begun.elapsed();
        assert_eq!(sent.status, 200, "{}", sent.body);
        if let (Some(before), Some(peak)) = (before, status_kib("VmHWM")) {
            println!(
                "figure: one message on a site with 100k events ({}): peak memory at most +{} KiB over the {} KiB before it, {} ms",
                app.name,
                peak.saturating_sub(before),
                before,
                took.as_millis()
            );
        }
    })
    .await;
}
