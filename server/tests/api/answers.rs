//! Answers for an agent on a ticket: the documents that match the customer's words and
//! page, with why; refusals name the field; and verdicts on suggestions move the answers
//! for similar later questions.

use serde_json::json;

use crate::harness::{TestApp, error_code, on_every_backend};

#[tokio::test]
async fn a_ticket_gets_its_likely_answers_with_why() {
    on_every_backend(ticket_answers).await;
}

async fn ticket_answers(app: TestApp) {
    let body = json!({"session_id": "s-pay", "idempotency_key": "k-pay",
        "message": "My payment failed with error 502 when I paid the invoice",
        "intent": "talk_to_person"});
    let started = app
        .json(
            "POST",
            "/api/widget/v1/conversations?site=pk_demo",
            &[],
            &body,
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let queue = app.agent("GET", "/tickets", None).await;
    let ticket = queue.body[0]["ticket"]["id"].as_str().unwrap().to_owned();

    let found = app
        .agent("GET", &format!("/tickets/{ticket}/answers"), None)
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.body["ticket_id"], ticket.as_str());
    let first = &found.body["answers"][0];
    assert_eq!(first["id"], "retry-payment", "{}", found.body);
    assert_eq!(first["kind"], "article");
    assert!(first["why"].as_str().unwrap().contains("502"), "{first}");
    assert!(!first["matched"].as_array().unwrap().is_empty());
    let confidence = first["confidence"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&confidence));
    assert!(found.body["similar_tickets"].as_array().is_some());

    let bad = app
        .agent("GET", &format!("/tickets/{ticket}/answers?limit=0"), None)
        .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert_eq!(error_code(&bad), "invalid_value");
    assert!(
        bad.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("limit")
    );
    let missing = app.agent("GET", "/tickets/t-none/answers", None).await;
    assert_eq!(missing.status, 404, "{}", missing.body);
}
