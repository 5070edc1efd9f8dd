//! The console's actions beside the escalation flow: internal notes stay out of
//! the customer's conversation, assignment keeps one owner, collaborators can be
//! removed; the queue's views, counts and cursor pages.

use serde_json::json;

use crate::harness::{TestApp, error_code, on_every_backend};

async fn start(app: &TestApp, session: &str, message: &str) -> String {
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
    started.body["conversation_id"].as_str().unwrap().to_owned()
}

async fn ticket_of(app: &TestApp, conversation: &str) -> String {
    let queue = app.agent("GET", "/tickets?limit=200", None).await;
    queue
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ticket"]["conversation_id"] == conversation)
        .and_then(|e| e["ticket"]["id"].as_str())
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn notes_assignment_and_collaborators() {
    on_every_backend(workspace).await;
}

async fn workspace(app: TestApp) {
    let conversation = start(&app, "s-ws", "My invoice is wrong").await;
    let ticket = ticket_of(&app, &conversation).await;
    let path = |tail: &str| format!("/tickets/{ticket}{tail}");
    let note = json!({"text": "Customer is on the legacy plan"});
    let noted = app.agent("POST", &path("/notes"), Some(&note)).await;
    assert_eq!(noted.status, 200, "{}", noted.body);
    let detail = app.agent("GET", &path(""), None).await;
    let shown_to_customer = detail.body["messages"].to_string();
    assert!(
        !shown_to_customer.contains("legacy plan"),
        "{shown_to_customer}"
    );
    assert!(detail.body["trail"].to_string().contains("legacy plan"));

    let acknowledged = app
        .agent("POST", &path("/acknowledge"), Some(&json!({})))
        .await;
    let me = acknowledged.body["owner"].as_str().unwrap().to_owned();
    let assigned = app
        .agent("POST", &path("/assign"), Some(&json!({"assignee": "kim"})))
        .await;
    assert_eq!(assigned.body["owner"], "kim", "{}", assigned.body);
    assert_eq!(assigned.body["collaborators"], json!([me]));
    let again = app
        .agent("POST", &path("/assign"), Some(&json!({"assignee": "kim"})))
        .await;
    assert_eq!(error_code(&again), "conflict");

    let removed = app
        .agent("DELETE", &path(&format!("/collaborators/{me}")), None)
        .await;
    assert_eq!(removed.body["collaborators"], json!([]), "{}", removed.body);
    let missing = app
        .agent("DELETE", &path(&format!("/collaborators/{me}")), None)
        .await;
    assert_eq!(error_code(&missing), "not_found");
}

#[tokio::test]
async fn the_queue_filters_counts_and_pages() {
    on_every_backend(queue).await;
}

async fn queue(app: TestApp) {
    for n in 0..3 {
        start(&app, &format!("s-q{n}"), "I cannot log in").await;
    }
    let first = app.agent("GET", "/tickets?limit=2", None).await;
    assert_eq!(first.body.as_array().unwrap().len(), 2);
    let conversation = start(&app, "s-q-mine", "Where is my refund?").await;
    let mine = ticket_of(&app, &conversation).await;
    app.agent(
        "POST",
        &format!("/tickets/{mine}/acknowledge"),
        Some(&json!({})),
    )
    .await;
    let counts = app.agent("GET", "/tickets/counts", None).await;
    assert_eq!(counts.body["all"], 4, "{}", counts.body);
    assert_eq!(counts.body["mine"], 1);
    assert_eq!(counts.body["unassigned"], 3);
    let view = app.agent("GET", "/tickets?view=mine", None).await;
    assert_eq!(view.body[0]["ticket"]["id"], mine.as_str(), "{}", view.body);
    let unknown = app.agent("GET", "/tickets?view=everything", None).await;
    assert_eq!(error_code(&unknown), "invalid_value");
    let bad_cursor = app.agent("GET", "/tickets?cursor=zzz", None).await;
    assert_eq!(error_code(&bad_cursor), "invalid_value");
}
