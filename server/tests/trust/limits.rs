//! Limits: every widget field has a length limit named in the error; token
//! buckets answer 429 with `Retry-After`; one client cannot open sessions by the
//! hundred; event times are clamped to the server's clock; a client that trickles
//! its headers is disconnected.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

use crate::harness::{TestApp, error_code, now_ms, on_every_backend};

/// (what, path, body with the field at `n` characters).
type Case = (&'static str, &'static str, fn(usize) -> Value, usize);

fn cases() -> Vec<Case> {
    vec![
        (
            "message",
            "/api/widget/v1/conversations",
            |n| json!({"session_id": format!("s-lim-{n}"), "idempotency_key": format!("k-{n}"), "message": "x".repeat(n)}),
            8192,
        ),
        (
            "identity.email",
            "/api/widget/v1/conversations",
            |n| {
                json!({"session_id": format!("s-mail-{n}"), "idempotency_key": format!("m-{n}"), "message": "hi",
                       "identity": {"user_id": "anonymous:x", "email": "e".repeat(n)}})
            },
            254,
        ),
        (
            "query",
            "/api/widget/v1/suggest",
            |n| json!({"session_id": "s-q", "query": "q".repeat(n)}),
            2048,
        ),
        (
            "session_id",
            "/api/widget/v1/suggest",
            |n| json!({"session_id": "s".repeat(n)}),
            128,
        ),
        (
            "events[0].message",
            "/api/widget/v1/events",
            |n| {
                json!({"session_id": "s-ev", "events": [{"id": format!("e{n}"), "at_ms": 1, "type": "js_error",
                       "message": "m".repeat(n), "route": "/"}]})
            },
            2048,
        ),
        (
            "events[0].stack",
            "/api/widget/v1/events",
            |n| {
                json!({"session_id": "s-ev", "events": [{"id": format!("st{n}"), "at_ms": 1, "type": "js_error",
                       "message": "m", "stack": "s".repeat(n), "route": "/"}]})
            },
            8192,
        ),
    ]
}

/// Status at each size limit −1, at it and +1: (field, [statuses]).
pub async fn statuses_at_limits(app: &TestApp) -> Vec<(&'static str, usize, [u16; 3])> {
    let mut seen = Vec::new();
    for (field, path, body, max) in cases() {
        let mut statuses = [0; 3];
        for (slot, n) in [max - 1, max, max + 1].into_iter().enumerate() {
            let answer = app
                .json("POST", &format!("{path}?site=pk_demo"), &[], &body(n))
                .await;
            statuses[slot] = answer.status.as_u16();
            if n > max {
                assert_eq!(error_code(&answer), "invalid_value");
                let message = answer.body["error"]["message"].as_str().unwrap();
                assert!(message.contains(field), "{field}: {message}");
            }
        }
        seen.push((field, max, statuses));
    }
    seen
}

#[tokio::test]
async fn every_field_has_a_limit_and_the_error_names_it() {
    on_every_backend(fields).await;
}

async fn fields(app: TestApp) {
    for (field, max, statuses) in statuses_at_limits(&app).await {
        assert!(
            statuses[0] < 300 && statuses[1] < 300 && statuses[2] == 400,
            "{} {field} at {max} ±1: {statuses:?}",
            app.name
        );
    }
}

async fn get(
    router: &axum::Router,
    uri: &str,
    from: SocketAddr,
    auth: Option<&str>,
) -> (u16, Option<String>, Value) {
    let mut request = Request::builder().uri(uri);
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    let mut request = request.body(Body::empty()).unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(from));
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (
        status,
        retry,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Requests a client sends before the first 429 (widget and agent routes).
pub async fn requests_before_429(app: &TestApp, burst: u32) -> (u32, u32) {
    let burst_text = burst.to_string();
    let router = crate::configured(
        app,
        &[
            ("WAYMARK_WIDGET_BURST", &burst_text),
            ("WAYMARK_WIDGET_PER_SECOND", "1"),
            ("WAYMARK_AGENT_BURST", &burst_text),
            ("WAYMARK_AGENT_PER_SECOND", "1"),
        ],
    );
    let client = SocketAddr::from(([198, 51, 100, 7], 5000));
    let mut widget = 0;
    loop {
        let (status, retry, body) =
            get(&router, "/api/widget/v1/config?site=pk_demo", client, None).await;
        if status == 429 {
            assert!(retry.is_some_and(|r| r.parse::<u64>().is_ok_and(|s| s >= 1)));
            assert_eq!(body["error"]["code"], "rate_limited");
            break;
        }
        assert_eq!(status, 200, "{body}");
        widget += 1;
        assert!(widget <= burst + 1000, "no 429 after {widget} requests");
    }
    // Another client of the same site is not affected.
    let neighbour = SocketAddr::from(([198, 51, 100, 8], 5000));
    let (status, _, _) = get(
        &router,
        "/api/widget/v1/config?site=pk_demo",
        neighbour,
        None,
    )
    .await;
    assert_eq!(status, 200);
    let auth = format!("Bearer {}", app.token);
    let mut agent = 0;
    loop {
        let (status, retry, _) =
            get(&router, "/api/v1/sites/demo/tickets", client, Some(&auth)).await;
        if status == 429 {
            assert!(retry.is_some());
            break;
        }
        agent += 1;
        assert!(agent <= burst + 1000, "no agent 429 after {agent} requests");
    }
    (widget, agent)
}

#[tokio::test]
async fn buckets_answer_429_with_retry_after() {
    on_every_backend(|app| async move {
        let begun = Instant::now();
        let (widget, agent) = requests_before_429(&app, 5).await;
        // The bucket refills one a second: a slow run may see a few more.
        let refilled = u32::try_from(begun.elapsed().as_secs()).unwrap_or(u32::MAX);
        assert!(
            (5..=6 + refilled).contains(&widget),
            "{}: {widget}",
            app.name
        );
        assert!((5..=6 + refilled).contains(&agent), "{}: {agent}", app.name);
    })
    .await;
}

#[tokio::test]
async fn one_client_cannot_open_sessions_by_the_hundred() {
    on_every_backend(sessions).await;
}

async fn sessions(app: TestApp) {
    let backend = app.name;
    let router = crate::configured(&app, &[("WAYMARK_NEW_SESSIONS_PER_CLIENT_PER_HOUR", "3")]);
    let send = |session: String, from: SocketAddr| {
        let router = router.clone();
        async move {
            let body = json!({"session_id": session, "events": [{"id": "e1", "at_ms": now_ms(), "type": "page_view",
                              "url": "https://acme.test/", "route": "/"}]});
            let mut request = Request::builder()
                .method("POST")
                .uri("/api/widget/v1/events?site=pk_demo")
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap();
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(from));
            let response = router.oneshot(request).await.unwrap();
            (
                response.status().as_u16(),
                response.headers().contains_key("retry-after"),
            )
        }
    };
    let bot = SocketAddr::from(([192, 0, 2, 1], 1));
    for n in 0..3 {
        assert_eq!(send(format!("s-bot-{n}"), bot).await.0, 200, "{backend}");
    }
    assert_eq!(send("s-bot-3".into(), bot).await, (429, true), "{backend}");
    // Known sessions keep working; other clients are not affected.
    assert_eq!(send("s-bot-0".into(), bot).await.0, 200, "{backend}");
    assert_eq!(
        send("s-human".into(), SocketAddr::from(([192, 0, 2, 2], 1)))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn event_times_are_clamped_to_the_servers_clock() {
    on_every_backend(clamp).await;
}

async fn clamp(app: TestApp) {
    let now = now_ms();
    let far = now + 30 * 24 * 3_600_000;
    let batch = json!({"session_id": "s-future", "events": [
        {"id": "f", "at_ms": far, "type": "js_error", "message": "E", "route": "/"},
        {"id": "p", "at_ms": 0, "type": "js_error", "message": "E", "route": "/"}]});
    let stored = app
        .json("POST", "/api/widget/v1/events?site=pk_demo", &[], &batch)
        .await;
    assert_eq!(stored.body["stored"], 2, "{}", stored.body);
    let trail = app
        .store
        .trail(&waymark_server::storage::TrailQuery {
            site_id: "demo",
            session_id: "s-future",
            limit: 10,
        })
        .await
        .unwrap();
    let after = now_ms();
    for event in trail {
        assert!(
            event.at_ms >= now - 5 * 60_000 && event.at_ms <= after + 5 * 60_000,
            "{}: {} not clamped",
            app.name,
            event.at_ms
        );
    }
}

/// Serves the demo app on a free loopback port with a 1 s header timeout; sends
/// half a header and returns how long the server kept the connection open.
pub async fn slowloris_lifetime(app: &TestApp) -> Duration {
    let router = crate::configured(app, &[("WAYMARK_HEADER_READ_TIMEOUT_SECS", "1")]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = waymark_server::config::LimitsConfig {
        header_read_timeout_secs: 1,
        ..Default::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        waymark_server::serve::serve(listener, router, &limits, async {
            let _ = stopped.await;
        })
        .await
    });
    // A whole request is answered.
    let mut whole = tokio::net::TcpStream::connect(addr).await.unwrap();
    whole
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    whole.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let started = Instant::now();
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let mut buffer = [0u8; 256];
    // Generous bound: only a server that never closes fails it.
    let read = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match slow.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
    let lifetime = started.elapsed();
    assert!(read.is_ok(), "the half-sent request was never closed");
    let _ = stop.send(());
    server.await.unwrap().unwrap();
    lifetime
}

#[tokio::test]
async fn a_client_that_trickles_its_headers_is_disconnected() {
    on_every_backend(|app| async move {
        let lifetime = slowloris_lifetime(&app).await;
        assert!(lifetime >= Duration::from_millis(900), "{lifetime:?}");
    })
    .await;
}
