//! Replaying the same event batch, conversation start or escalation request
//! (same ids and keys) creates nothing twice.

use serde_json::json;

use crate::flow::batch;
use crate::harness::{TestApp, now_ms, on_every_backend};

#[tokio::test]
async fn replays_create_nothing_twice() {
    on_every_backend(replays).await;
}

async fn replays(app: TestApp) {
    let site = "site=pk_demo";
    let now = now_ms();
    let events = batch("s-replay", now);
    let first = app
        .json(
            "POST",
            &format!("/api/widget/v1/events?{site}"),
            &[],
            &events,
        )
        .await;
    assert_eq!(first.body, json!({"stored": 4, "duplicates": 0}));
    let second = app
        .json(
            "POST",
            &format!("/api/widget/v1/events?{site}"),
            &[],
            &events,
        )
        .await;
    assert_eq!(second.body, json!({"stored": 0, "duplicates": 4}));

    let start = json!({"session_id": "s-replay", "idempotency_key": "k-start", "message": "Hello"});
    let a = app
        .json(
            "POST",
            &format!("/api/widget/v1/conversations?{site}"),
            &[],
            &start,
        )
        .await;
    let b = app
        .json(
            "POST",
            &format!("/api/widget/v1/conversations?{site}"),
            &[],
            &start,
        )
        .await;
    assert_eq!(a.status, 201);
    assert_eq!(
        a.body, b.body,
        "a retried start returns the first answer, token included"
    );
    let id = a.body["conversation_id"].as_str().unwrap();
    let auth = format!("Bearer {}", a.body["conversation_token"].as_str().unwrap());
    let conv = |path: &str| format!("/api/widget/v1/conversations/{id}{path}?{site}");

    let message = json!({"idempotency_key": "k-msg", "text": "Still there?"});
    let m1 = app
        .json(
            "POST",
            &conv("/messages"),
            &[("authorization", &auth)],
            &message,
        )
        .await;
    let m2 = app
        .json(
            "POST",
            &conv("/messages"),
            &[("authorization", &auth)],
            &message,
        )
        .await;
    assert_eq!(m1.body["message_id"], m2.body["message_id"]);
    assert_eq!(m2.body["duplicate"], true);

    let escalate = json!({"idempotency_key": "k-esc", "reason": "Please, a person"});
    let e1 = app
        .json(
            "POST",
            &conv("/escalate"),
            &[("authorization", &auth)],
            &escalate,
        )
        .await;
    let e2 = app
        .json(
            "POST",
            &conv("/escalate"),
            &[("authorization", &auth)],
            &escalate,
        )
        .await;
    assert_eq!(e1.status, 200, "{}", e1.body);
    assert_eq!(e1.body, e2.body);
    assert_eq!(e1.body["status"], "waiting_for_agent");

    let queue = app.agent("GET", "/tickets", None).await;
    assert_eq!(queue.body.as_array().unwrap().len(), 1, "one ticket");
    let ticket_id = queue.body[0]["ticket"]["id"].as_str().unwrap();
    let detail = app
        .agent("GET", &format!("/tickets/{ticket_id}"), None)
        .await;
    assert_eq!(detail.body["handoff_notes"].as_array().unwrap().len(), 1);
    let requested = detail.body["trail"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "human_requested")
        .count();
    assert_eq!(requested, 1);
    // first message, "Still there?", the reason, the notice.
    assert_eq!(detail.body["messages"].as_array().unwrap().len(), 4);
    let sessions = app.agent("GET", "/sessions/s-replay/events", None).await;
    assert_eq!(sessions.body.as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn regression_messages_with_and_without_sentiment_share_a_connection() {
    on_every_backend(mixed_sentiment).await;
}

/// PostgreSQL refused an 8-byte score after a statement was prepared with a
/// NULL score (bound as a 4-byte float by the `Any` driver).
async fn mixed_sentiment(app: TestApp) {
    use waymark_core::wire::MessageAuthor;
    use waymark_server::storage::MessageRecord;
    for n in 0..40 {
        let message = MessageRecord {
            seq: 0,
            id: format!("m-{n}"),
            conversation_id: "c-mixed".into(),
            idempotency_key: None,
            author: if n % 2 == 0 {
                MessageAuthor::System
            } else {
                MessageAuthor::Customer
            },
            author_name: None,
            text: "text".into(),
            sentiment: (n % 2 == 1).then_some(-0.25),
            at_ms: n,
        };
        let (_, stored) = app
            .store
            .add_message("demo", &message)
            .await
            .expect("stored");
        assert!(stored, "{}: message {n}", app.name);
    }
    let back = app
        .store
        .messages_after("demo", "c-mixed", 0)
        .await
        .unwrap();
    assert_eq!(back.len(), 40);
    assert_eq!(back[1].sentiment, Some(-0.25));
    assert_eq!(back[0].sentiment, None);
}
