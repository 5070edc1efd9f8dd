//! Agent actions beyond the main flow: the queue ordered by SLA risk, an agent's
//! escalation with an edited note (both versions kept), refusals that keep
//! escalation and transfer apart, reopen; and the live event stream.

use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

use crate::harness::{TestApp, error_code, on_every_backend};

#[tokio::test]
async fn agent_actions_and_queue_order() {
    on_every_backend(agent_actions).await;
}

async fn start(app: &TestApp, session: &str, message: &str) -> (String, String) {
    let body = json!({"session_id": session, "idempotency_key": format!("k-{session}"),
        "message": message, "intent": "talk_to_person"});
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

async fn agent_actions(app: TestApp) {
    // A tier-2 ticket (2 h to acknowledge) and a tier-1 ticket (15 min): tier 1 is more at risk.
    start(&app, "s-a", "I want to cancel my subscription").await;
    start(&app, "s-b", "How do I export invoices?").await;
    let queue = app.agent("GET", "/tickets", None).await;
    let tiers: Vec<&str> = queue
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["ticket"]["tier"].as_str().unwrap())
        .collect();
    assert_eq!(tiers, vec!["tier1", "tier2"]);
    let tier1 = queue.body[0]["ticket"]["id"].as_str().unwrap().to_owned();
    let path = |p: &str| format!("/tickets/{tier1}{p}");

    // Escalation goes up; a sideways move is a transfer, never an escalation.
    let sideways = app
        .agent(
            "POST",
            &path("/escalate"),
            Some(&json!({"to_tier": "tier1",
        "escalation_type": "functional", "reason": "same tier"})),
        )
        .await;
    assert_eq!(error_code(&sideways), "invalid_value");
    let note = json!({"goal": "Export invoices as CSV", "tried": ["Export button"], "sentiment": "neutral",
        "commitments": [], "reason": "Needs an engineer: export is broken for this account"});
    let up = app.agent("POST", &path("/escalate"), Some(&json!({"to_tier": "tier3",
        "escalation_type": "functional", "priority": "high", "reason": "Export broken", "note": note}))).await;
    assert_eq!(up.status, 200, "{}", up.body);
    assert_eq!(up.body["tier"], "tier3");
    assert_eq!(up.body["state"], "new");
    let detail = app.agent("GET", &path(""), None).await;
    let notes = detail.body["handoff_notes"].as_array().unwrap();
    let sources: Vec<&str> = notes
        .iter()
        .map(|n| n["source"].as_str().unwrap())
        .collect();
    // Generated at the request for a person, generated again at the escalation, then confirmed.
    assert_eq!(sources, vec!["generated", "generated", "confirmed"]);
    assert_eq!(notes[2]["note"]["goal"], "Export invoices as CSV");
    assert_eq!(notes[2]["author"], app.admin_id);
    let incomplete = app
        .agent(
            "PUT",
            &path("/handoff-note"),
            Some(&json!({
        "note": {"goal": "", "sentiment": "", "reason": ""}})),
        )
        .await;
    assert!(error_code(&incomplete) == "invalid_value");

    // A resolved ticket can be reopened; resolving it again needs the fields.
    app.agent("POST", &path("/acknowledge"), Some(&json!({})))
        .await;
    let full = json!({"root_cause": "Timeout", "fix": "Index added", "environment": "prod", "version": "2.4.1"});
    let resolved = app
        .agent(
            "POST",
            &path("/resolve"),
            Some(&json!({"resolution": full})),
        )
        .await;
    assert_eq!(resolved.body["state"], "resolved", "{}", resolved.body);
    let reopened = app
        .agent(
            "POST",
            &path("/reopen"),
            Some(&json!({"reason": "Came back"})),
        )
        .await;
    assert_eq!(reopened.body["state"], "in_progress");
    let missing = app.agent("GET", "/tickets/t_nope", None).await;
    assert_eq!(error_code(&missing), "not_found");
}

#[tokio::test]
async fn event_stream_sends_the_conversation_at_once() {
    on_every_backend(event_stream).await;
}

async fn event_stream(app: TestApp) {
    let (id, token) = start(&app, "s-sse", "Hello, anyone?").await;
    let uri = format!("/api/widget/v1/conversations/{id}/events?site=pk_demo&token={token}");
    let response = app
        .router
        .clone()
        .oneshot(Request::get(&uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.into_body();
    let frame = tokio::time::timeout(Duration::from_secs(5), body.frame())
        .await
        .expect("first event in time")
        .expect("a frame")
        .expect("no error");
    let text = String::from_utf8(frame.into_data().unwrap().to_vec()).unwrap();
    assert!(text.starts_with("event: messages\n"), "{text}");
    assert!(
        text.contains("Hello, anyone?") && text.contains("waiting_for_agent"),
        "{text}"
    );
    let refused = app
        .raw(
            "GET",
            &format!("/api/widget/v1/conversations/{id}/events?site=pk_demo&token=wrong"),
            &[],
            "",
        )
        .await;
    assert_eq!(error_code(&refused), "unauthorized");
}

#[tokio::test]
async fn site_matrix_is_versioned_and_validated() {
    on_every_backend(site_matrix).await;
}

async fn site_matrix(app: TestApp) {
    let auth = format!("Bearer {}", app.token);
    let current = app.agent("GET", "/matrix", None).await;
    assert_eq!(
        current.body["version"], 1,
        "the demo site stores the sample matrix"
    );
    let broken = app
        .raw(
            "PUT",
            "/api/v1/sites/demo/matrix",
            &[("authorization", &auth)],
            "version = 1\n[[rules]]\nid = 3\n",
        )
        .await;
    assert_eq!(error_code(&broken), "invalid_value");
    // Without the cancel rule, cancel language no longer escalates.
    let source = current.body["source"]
        .as_str()
        .unwrap()
        .replace("id = \"cancel-language\"", "id = \"cancel-words\"")
        .replace("\"cancel\", \"cancel my subscription\", ", "");
    let stored = app
        .raw(
            "PUT",
            "/api/v1/sites/demo/matrix",
            &[("authorization", &auth)],
            source.clone(),
        )
        .await;
    assert_eq!(stored.status, 200, "{}", stored.body);
    assert_eq!(stored.body["version"], 2);
    let same = app
        .raw(
            "PUT",
            "/api/v1/sites/demo/matrix",
            &[("authorization", &auth)],
            source,
        )
        .await;
    assert_eq!(
        same.body["version"], 2,
        "an unchanged matrix is not a new version"
    );
    let (_, _) = start(&app, "s-m", "I will cancel").await;
    let queue = app.agent("GET", "/tickets", None).await;
    assert_eq!(queue.body[0]["ticket"]["tier"], "tier1");
}

#[tokio::test]
async fn follow_ups_and_early_warnings_reach_the_trail() {
    on_every_backend(follow_ups).await;
}

async fn follow_ups(app: TestApp) {
    let auth = format!("Bearer {}", app.token);
    let current = app.agent("GET", "/matrix", None).await;
    let source = format!(
        "{}\n[[rules]]\nid = \"second-message\"\ndescription = \"Two customer messages\"\n\
         when.all = [{{ turns_at_least = {{ count = 2 }} }}]\nthen.action = \"early_warning\"\n\
         then.next_step = \"Answer before the customer asks again.\"\n",
        current.body["source"].as_str().unwrap()
    );
    let stored = app
        .raw(
            "PUT",
            "/api/v1/sites/demo/matrix",
            &[("authorization", &auth)],
            source,
        )
        .await;
    assert_eq!(stored.status, 200, "{}", stored.body);
    let (id, token) = start(&app, "s-f", "How do I export invoices?").await;
    let bearer = format!("Bearer {token}");
    let sent = app
        .json(
            "POST",
            &format!("/api/widget/v1/conversations/{id}/messages?site=pk_demo"),
            &[("authorization", &bearer)],
            &json!({"idempotency_key": "m1", "text": "Who has my ticket?"}),
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let queue = app.agent("GET", "/tickets", None).await;
    let ticket_id = queue.body[0]["ticket"]["id"].as_str().unwrap();
    let detail = app
        .agent("GET", &format!("/tickets/{ticket_id}"), None)
        .await;
    let actions: Vec<&str> = detail.body["trail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"status_follow_up"), "{actions:?}");
    let warning = detail.body["trail"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "early_warning")
        .expect("an early warning");
    assert_eq!(
        warning["detail"]["next_step"],
        "Answer before the customer asks again."
    );
}

#[tokio::test]
async fn three_customers_with_the_same_error_open_a_tier3_incident() {
    on_every_backend(same_error).await;
}

async fn same_error(app: TestApp) {
    let now = crate::harness::now_ms();
    for session in ["s-e1", "s-e2", "s-e3"] {
        let batch = json!({"session_id": session, "events": [
            {"id": "err", "at_ms": now - 5_000, "type": "js_error", "message": "TypeError: total is undefined",
             "source": "https://acme.test/demo/app.js", "route": "/demo/invoices"}]});
        let stored = app
            .json("POST", "/api/widget/v1/events?site=pk_demo", &[], &batch)
            .await;
        assert_eq!(stored.body["stored"], 1, "{}", stored.body);
    }
    let body = json!({"session_id": "s-e3", "idempotency_key": "k-e3", "message": "The invoices page is blank"});
    let started = app
        .json(
            "POST",
            "/api/widget/v1/conversations?site=pk_demo",
            &[],
            &body,
        )
        .await;
    assert_eq!(started.body["status"], "escalated", "{}", started.body);
    assert!(
        started.body["notice"]["text"]
            .as_str()
            .unwrap()
            .starts_with("We are aware of this problem")
    );
    let queue = app.agent("GET", "/tickets", None).await;
    assert_eq!(queue.body[0]["ticket"]["tier"], "tier3");
    assert_eq!(queue.body[0]["ticket"]["escalation_type"], "automated");
    assert_eq!(queue.body[0]["ticket"]["priority"], "urgent");
}
