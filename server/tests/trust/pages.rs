//! Cursor pagination of sessions and trails: every item once, in order, and a
//! clear error for a cursor that was never given.

use serde_json::json;

use crate::harness::{TestApp, error_code, now_ms, on_every_backend};

#[tokio::test]
async fn sessions_and_trails_page_by_cursor() {
    on_every_backend(pages).await;
}

async fn pages(app: TestApp) {
    let backend = app.name;
    let now = now_ms();
    for n in 0..5 {
        let events: Vec<_> = (0..if n == 0 { 7 } else { 1 })
            .map(|i| {
                json!({"id": format!("e{i}"), "at_ms": now - 60_000 + i, "type": "page_view",
                            "url": "https://acme.test/", "route": format!("/p{i}")})
            })
            .collect();
        let stored = app
            .json(
                "POST",
                "/api/widget/v1/events?site=pk_demo",
                &[],
                &json!({"session_id": format!("s-page-{n}"), "events": events}),
            )
            .await;
        assert_eq!(stored.status, 200, "{backend}: {}", stored.body);
    }
    let auth = format!("Bearer {}", app.token);
    let page = |uri: String| {
        let auth = auth.clone();
        let router = app.router.clone();
        async move {
            use tower::ServiceExt;
            let request = axum::http::Request::builder()
                .uri(uri)
                .header("authorization", auth)
                .body(axum::body::Body::empty())
                .unwrap();
            let response = router.oneshot(request).await.unwrap();
            let cursor = response
                .headers()
                .get("next-cursor")
                .map(|v| v.to_str().unwrap().to_owned());
            let bytes = http_body_util::BodyExt::collect(response.into_body())
                .await
                .unwrap()
                .to_bytes();
            (
                serde_json::from_slice::<serde_json::Value>(&bytes).unwrap(),
                cursor,
            )
        }
    };

    let mut sessions = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let uri = match &cursor {
            None => "/api/v1/sites/demo/sessions?limit=2".to_owned(),
            Some(c) => format!("/api/v1/sites/demo/sessions?limit=2&before={c}"),
        };
        let (body, next) = page(uri).await;
        sessions.extend(
            body.as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].as_str().unwrap().to_owned()),
        );
        cursor = next;
        if cursor.is_none() {
            break;
        }
    }
    let mut unique = sessions.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), sessions.len(), "{backend}: {sessions:?}");
    assert_eq!(sessions.len(), 5, "{backend}: {sessions:?}");

    let mut routes: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let uri = match &cursor {
            None => "/api/v1/sites/demo/sessions/s-page-0/events?limit=3".to_owned(),
            Some(c) => format!("/api/v1/sites/demo/sessions/s-page-0/events?limit=3&before={c}"),
        };
        let (body, next) = page(uri).await;
        let mut older: Vec<String> = body
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["route"].as_str().unwrap().to_owned())
            .collect();
        older.append(&mut routes);
        routes = older;
        cursor = next;
        if cursor.is_none() {
            break;
        }
    }
    let expected: Vec<String> = (0..7).map(|i| format!("/p{i}")).collect();
    assert_eq!(routes, expected, "{backend}");

    let bad = app
        .agent("GET", "/sessions/s-page-0/events?before=yesterday", None)
        .await;
    assert_eq!(bad.status, 400, "{backend}: {}", bad.body);
    assert_eq!(error_code(&bad), "invalid_value");
}
