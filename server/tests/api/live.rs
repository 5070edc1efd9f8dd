//! Live updates pushed through the site's hub: the widget's conversation stream
//! carries an agent's reply without polling, the console's site stream announces
//! new tickets and messages, and streams beyond the caps are refused with 429.

use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;
use serde_json::json;
use tower::ServiceExt;

use crate::harness::{TestApp, error_code, on_every_backend};

type Stream = UnsyncBoxBody<axum::body::Bytes, axum::Error>;

async fn open(app: &TestApp, uri: &str, auth: Option<&str>) -> Stream {
    let mut request = Request::get(uri);
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    let response = app
        .router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{uri}");
    response.into_body().boxed_unsync()
}

/// Reads frames until one contains every needle, or fails after the deadline.
async fn wait_for_frame(stream: &mut Stream, needles: &[&str]) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let frame = tokio::time::timeout(left, stream.frame())
            .await
            .unwrap_or_else(|_| panic!("no event with {needles:?} in time"))
            .expect("the stream stays open")
            .expect("no error");
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let text = String::from_utf8(data.to_vec()).unwrap();
        if needles.iter().all(|n| text.contains(n)) {
            return text;
        }
    }
}

async fn start(app: &TestApp, session: &str) -> (String, String) {
    let body = json!({"session_id": session, "idempotency_key": format!("k-{session}"),
        "message": "My payment keeps failing", "intent": "talk_to_person"});
    let started = app
        .json(
            "POST",
            "/api/widget/v1/conversations?site=pk_demo",
            &[],
            &body,
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    (
        started.body["conversation_id"].as_str().unwrap().to_owned(),
        started.body["conversation_token"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

#[tokio::test]
async fn changes_are_pushed_to_the_console_and_the_widget() {
    on_every_backend(pushed).await;
}

async fn pushed(app: TestApp) {
    let auth = format!("Bearer {}", app.token);
    let mut site = open(&app, "/api/v1/sites/demo/stream", Some(&auth)).await;
    wait_for_frame(&mut site, &["event: ready"]).await;

    let (id, token) = start(&app, "s-live").await;
    let ticket_event = wait_for_frame(&mut site, &["event: ticket", &id]).await;
    assert!(ticket_event.contains("ticket_id"), "{ticket_event}");

    let uri = format!("/api/widget/v1/conversations/{id}/events?site=pk_demo&token={token}");
    let mut widget = open(&app, &uri, None).await;
    wait_for_frame(
        &mut widget,
        &["event: messages", "My payment keeps failing"],
    )
    .await;

    let queue = app.agent("GET", "/tickets", None).await;
    let ticket_id = queue.body[0]["ticket"]["id"].as_str().unwrap().to_owned();
    let reply = json!({"text": "Looking at your payment now"});
    let sent = app
        .agent("POST", &format!("/tickets/{ticket_id}/reply"), Some(&reply))
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let pushed = wait_for_frame(&mut widget, &["Looking at your payment now"]).await;
    assert!(
        pushed.starts_with("event: messages\n") && !pushed.contains("My payment keeps failing"),
        "only the new message, in the widget's format: {pushed}"
    );
    wait_for_frame(&mut site, &["event: message", &id]).await;
}

#[tokio::test]
async fn streams_beyond_the_cap_are_refused() {
    on_every_backend(capped).await;
}

async fn capped(app: TestApp) {
    let (id, token) = start(&app, "s-cap").await;
    let uri = format!("/api/widget/v1/conversations/{id}/events?site=pk_demo&token={token}");
    let mut open_streams = Vec::new();
    for _ in 0..waymark_server::live::MAX_STREAMS_PER_CONVERSATION {
        open_streams.push(open(&app, &uri, None).await);
    }
    let refused = app.raw("GET", &uri, &[], "").await;
    assert_eq!(refused.status, 429);
    assert_eq!(error_code(&refused), "too_many_streams");
    open_streams.pop();
    // The freed place is available again once the stream is dropped.
    let mut again = open(&app, &uri, None).await;
    wait_for_frame(&mut again, &["event: messages"]).await;
}
