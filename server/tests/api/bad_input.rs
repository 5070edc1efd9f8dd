//! Malformed JSON, unknown fields in strict places, oversized payloads and wrong
//! types get a 4xx in the stable error shape, and nothing stored changes.

use serde_json::json;

use crate::flow::batch;
use crate::harness::{TestApp, error_code, now_ms, on_every_backend};

#[tokio::test]
async fn bad_input_is_refused_in_the_error_shape_and_changes_nothing() {
    on_every_backend(bad_input).await;
}

async fn bad_input(app: TestApp) {
    let events_uri = "/api/widget/v1/events?site=pk_demo";
    let stored = app
        .json("POST", events_uri, &[], &batch("s-bad", now_ms()))
        .await;
    assert_eq!(stored.body["stored"], 4);
    let json_header = [("content-type", "application/json")];

    let malformed = app
        .raw("POST", events_uri, &json_header, "{\"session_id\": ")
        .await;
    assert_eq!(malformed.status, 400);
    assert_eq!(error_code(&malformed), "invalid_body");

    let wrong_type = app
        .json(
            "POST",
            events_uri,
            &[],
            &json!({"session_id": 5, "events": []}),
        )
        .await;
    assert_eq!(wrong_type.status.as_u16() / 100, 4);
    assert_eq!(error_code(&wrong_type), "invalid_body");

    let beacon = app
        .raw(
            "POST",
            events_uri,
            &[("content-type", "text/plain")],
            "not json",
        )
        .await;
    assert_eq!(error_code(&beacon), "invalid_body");

    let huge = json!({"session_id": "s-bad", "events": [{"id": "x", "at_ms": 1, "type": "page_view",
        "url": "u", "route": "/", "title": "t".repeat(300 * 1024)}]});
    let oversized = app.json("POST", events_uri, &[], &huge).await;
    assert_eq!(oversized.status, 413);
    assert_eq!(error_code(&oversized), "payload_too_large");

    let bad_event = json!({"session_id": "s-bad", "events": [
        {"id": "ok-1", "at_ms": 1, "type": "page_view", "url": "u", "route": "/"},
        {"id": "", "at_ms": 1, "type": "page_view", "url": "u", "route": "/"}]});
    let refused = app.json("POST", events_uri, &[], &bad_event).await;
    assert_eq!(error_code(&refused), "invalid_value");
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("events[1]")
    );

    let no_site = app
        .json("POST", "/api/widget/v1/events", &[], &batch("s-bad", 1))
        .await;
    assert_eq!(error_code(&no_site), "unknown_site");

    // Strict agent bodies: an unknown field is refused.
    let start = json!({"session_id": "s-bad", "idempotency_key": "k", "message": "help", "intent": "talk_to_person"});
    let started = app
        .json(
            "POST",
            "/api/widget/v1/conversations?site=pk_demo",
            &[],
            &start,
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let queue = app.agent("GET", "/tickets", None).await;
    let ticket_id = queue.body[0]["ticket"]["id"].as_str().unwrap().to_owned();
    let unknown = app
        .agent(
            "POST",
            &format!("/tickets/{ticket_id}/acknowledge"),
            Some(&json!({"force": true})),
        )
        .await;
    assert_eq!(unknown.status, 400);
    assert_eq!(error_code(&unknown), "invalid_body");
    let wrong = app
        .agent(
            "POST",
            &format!("/tickets/{ticket_id}/acknowledge"),
            Some(&json!({"agent": 7})),
        )
        .await;
    assert_eq!(error_code(&wrong), "invalid_body");
    let no_token = app
        .raw(
            "GET",
            &format!("/api/v1/sites/demo/tickets/{ticket_id}"),
            &[],
            "",
        )
        .await;
    assert_eq!(error_code(&no_token), "unauthorized");

    let id = started.body["conversation_id"].as_str().unwrap();
    let auth = format!(
        "Bearer {}",
        started.body["conversation_token"].as_str().unwrap()
    );
    let csat = app
        .json(
            "POST",
            &format!("/api/widget/v1/conversations/{id}/csat?site=pk_demo"),
            &[("authorization", &auth)],
            &json!({"idempotency_key": "c", "score": 9}),
        )
        .await;
    assert_eq!(error_code(&csat), "invalid_value");

    // Nothing changed: the trail has the first 4 events, the ticket is untouched.
    let trail = app.agent("GET", "/sessions/s-bad/events", None).await;
    assert_eq!(trail.body.as_array().unwrap().len(), 4);
    let detail = app
        .agent("GET", &format!("/tickets/{ticket_id}"), None)
        .await;
    assert_eq!(detail.body["ticket"]["state"], "new");
    assert!(detail.body["ticket"]["owner"].is_null());
    assert!(detail.body["csat"].is_null());
}
