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

#[tokio::test]
async fn verdicts_are_kept_with_their_question_for_later_suggestions() {
    on_every_backend(verdicts_with_questions).await;
}

async fn verdicts_with_questions(app: TestApp) {
    let site = "site=pk_demo";
    let mut query_ids = Vec::new();
    for (session, query) in [("s-v1", "payment failed 502"), ("s-v2", "")] {
        let suggest = app
            .json(
                "POST",
                &format!("/api/widget/v1/suggest?{site}"),
                &[],
                &json!({"session_id": session, "query": query,
                    "page": {"url": "https://acme.test/demo/billing", "route": "/demo/billing",
                             "title": "Billing"}}),
            )
            .await;
        assert_eq!(suggest.status, 200, "{}", suggest.body);
        let first = &suggest.body["answers"][0];
        assert!(first["likely_fix"].is_boolean(), "{}", suggest.body);
        query_ids.push((
            session,
            suggest.body["query_id"].as_str().unwrap().to_owned(),
        ));
    }
    // Visitors see the answer under its opaque id; the verdicts name the document.
    let visible = app.visible_id("retry-payment").await;
    for (number, (session, query_id)) in query_ids.iter().enumerate() {
        let outcome = if number == 0 { "solved" } else { "not_helpful" };
        let feedback = app
            .json(
                "POST",
                &format!("/api/widget/v1/suggest/feedback?{site}"),
                &[],
                &json!({"session_id": session, "idempotency_key": format!("v{number}"),
                    "query_id": query_id, "answer_id": visible, "outcome": outcome}),
            )
            .await;
        assert_eq!(feedback.status, 204, "{}", feedback.body);
    }
    // Only the verdict on a typed question is remembered (a context-only set has no words
    // to compare later questions with).
    let verdicts = app.store.feedback_verdicts("demo", 10).await.unwrap();
    assert_eq!(verdicts.len(), 1, "{verdicts:?}");
    assert_eq!(verdicts[0].query, "payment failed 502");
    assert_eq!(verdicts[0].doc_id, "retry-payment");
    assert_eq!(
        verdicts[0].outcome,
        waymark_knowledge::feedback::Outcome::Helped
    );
    // A later similar question is still answered, with the verdict applied.
    let later = app
        .json(
            "POST",
            &format!("/api/widget/v1/suggest?{site}"),
            &[],
            &json!({"session_id": "s-v3", "query": "my payment failed with 502"}),
        )
        .await;
    assert_eq!(later.status, 200, "{}", later.body);
    assert_eq!(later.body["answers"][0]["id"], visible.as_str());
}
