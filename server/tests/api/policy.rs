//! The matrix's policy applied live: ticket types with the assistant's autonomy
//! (a person at once, or the assistant answering and a person reviewing), and the
//! information a lifecycle stage requires before a ticket may enter it.

use serde_json::{Value, json};

use crate::harness::{TestApp, error_code, on_every_backend};

const POLICY: &str = r#"
[[ticket_types]]
id = "billing_dispute"
name = "Billing dispute"
autonomy = "human_now"
when.any = [{ mentions = { any = ["charged twice", "duplicate charge"] } }]

[[ticket_types]]
id = "how_to"
name = "How-to question"
autonomy = "answer_then_review"
when.any = [{ mentions = { any = ["how do i"] } }]

[[stage_requirements]]
stage = "investigation"
requires = ["goal", "account"]
"#;

async fn store_policy(app: &TestApp) {
    let auth = format!("Bearer {}", app.token);
    let current = app.agent("GET", "/matrix", None).await;
    let source = format!("{}{POLICY}", current.body["source"].as_str().unwrap());
    let stored = app
        .raw(
            "PUT",
            "/api/v1/sites/demo/matrix",
            &[("authorization", &auth)],
            source,
        )
        .await;
    assert_eq!(stored.status, 200, "{}", stored.body);
}

async fn start(app: &TestApp, session: &str, message: &str, email: Option<&str>) -> Value {
    let mut body = json!({"session_id": session, "idempotency_key": format!("k-{session}"),
        "message": message});
    if let Some(email) = email {
        body["identity"] = json!({"user_id": format!("u-{session}"), "email": email});
    }
    let started = app
        .json(
            "POST",
            "/api/widget/v1/conversations?site=pk_demo",
            &[],
            &body,
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    started.body
}

async fn ticket_of(app: &TestApp, conversation: &str) -> Option<Value> {
    let queue = app.agent("GET", "/tickets?limit=200", None).await;
    queue
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ticket"]["conversation_id"] == conversation)
        .map(|e| e["ticket"].clone())
}

#[tokio::test]
async fn ticket_types_set_the_assistants_autonomy() {
    on_every_backend(autonomy).await;
}

async fn autonomy(app: TestApp) {
    store_policy(&app).await;

    // A billing dispute goes to a person with the first message.
    let dispute = start(&app, "s-dispute", "I was charged twice this month", None).await;
    assert_eq!(dispute["status"], "waiting_for_agent", "{dispute}");
    assert!(dispute["notice"]["text"].as_str().is_some(), "{dispute}");
    let conversation = dispute["conversation_id"].as_str().unwrap();
    let ticket = ticket_of(&app, conversation)
        .await
        .expect("a ticket at once");
    let detail = app
        .agent(
            "GET",
            &format!("/tickets/{}", ticket["id"].as_str().unwrap()),
            None,
        )
        .await;
    let trail = detail.body["trail"].to_string();
    assert!(trail.contains("routed_by_type"), "{trail}");
    assert!(trail.contains("billing_dispute"), "{trail}");

    // A how-to question stays with the assistant; a person reviews it.
    let how_to = start(&app, "s-howto", "How do I export my invoices?", None).await;
    assert_eq!(how_to["status"], "open", "{how_to}");
    assert!(how_to["notice"].is_null(), "{how_to}");
    let conversation = how_to["conversation_id"].as_str().unwrap();
    let review = ticket_of(&app, conversation)
        .await
        .expect("a review ticket");
    assert_eq!(review["priority"], "low");
    let detail = app
        .agent(
            "GET",
            &format!("/tickets/{}", review["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert!(
        detail.body["trail"]
            .to_string()
            .contains("review_requested")
    );
    let messages = detail.body["messages"].as_array().unwrap();
    assert!(
        messages.iter().all(|m| m["author"] == "customer"),
        "the customer is told nothing: {messages:?}"
    );

    // Anything else: the assistant resolves alone, no ticket.
    let other = start(&app, "s-other", "The dashboard is blank", None).await;
    assert_eq!(other["status"], "open");
    let conversation = other["conversation_id"].as_str().unwrap();
    assert!(ticket_of(&app, conversation).await.is_none());
}

#[tokio::test]
async fn a_stage_cannot_be_entered_without_what_it_requires() {
    on_every_backend(requirements).await;
}

async fn requirements(app: TestApp) {
    store_policy(&app).await;
    let anonymous = start(&app, "s-anon", "I was charged twice", None).await;
    let ticket = ticket_of(&app, anonymous["conversation_id"].as_str().unwrap())
        .await
        .unwrap();
    let id = ticket["id"].as_str().unwrap();
    let detail = app.agent("GET", &format!("/tickets/{id}"), None).await;
    let needs = &detail.body["needs"];
    assert_eq!(needs[0]["stage"], "investigation", "{needs}");
    let missing: Vec<&str> = needs[0]["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["info"].as_str().unwrap())
        .collect();
    assert_eq!(missing, ["account"], "the note has the goal: {needs}");

    let refused = app
        .agent(
            "POST",
            &format!("/tickets/{id}/acknowledge"),
            Some(&json!({})),
        )
        .await;
    assert_eq!(
        error_code(&refused),
        "missing_information",
        "{}",
        refused.body
    );
    assert_eq!(refused.status, 422);
    assert_eq!(refused.body["error"]["missing"][0]["info"], "account");
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("investigation"),
        "{}",
        refused.body
    );
    let unchanged = app.agent("GET", &format!("/tickets/{id}"), None).await;
    assert_eq!(unchanged.body["ticket"]["state"], "new");

    // With an email the customer left, the same action goes through.
    let known = start(
        &app,
        "s-known",
        "I was charged twice",
        Some("ana@example.com"),
    )
    .await;
    let ticket = ticket_of(&app, known["conversation_id"].as_str().unwrap())
        .await
        .unwrap();
    let id = ticket["id"].as_str().unwrap();
    let detail = app.agent("GET", &format!("/tickets/{id}"), None).await;
    assert_eq!(detail.body["needs"], json!([]), "{}", detail.body["needs"]);
    let acknowledged = app
        .agent(
            "POST",
            &format!("/tickets/{id}/acknowledge"),
            Some(&json!({})),
        )
        .await;
    assert_eq!(acknowledged.status, 200, "{}", acknowledged.body);
}
