//! Messages of one conversation commit in the order of their numbers on
//! PostgreSQL, so a stream that read up to message `n` — on any replica — never
//! misses an earlier message committed later: a message waits while another
//! transaction holds its conversation's order lock, and only that conversation's.
//! (SQLite has one writer: its commits are in order already.)

use std::time::Duration;

use serde_json::json;
use waymark_server::storage::conversations::{MESSAGE_ORDER_LOCK, message_order_key};

use crate::harness::{TestApp, on_every_backend};

async fn start(app: &TestApp, session: &str) -> (String, String) {
    let body = json!({"session_id": session, "idempotency_key": format!("k-{session}"),
        "message": "The export is empty"});
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

async fn write(app: &TestApp, (id, token): &(String, String), key: &str) -> u16 {
    app.json(
        "POST",
        &format!("/api/widget/v1/conversations/{id}/messages?site=pk_demo"),
        &[("authorization", &format!("Bearer {token}"))],
        &json!({"idempotency_key": key, "text": "Still empty"}),
    )
    .await
    .status
    .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_waits_for_an_earlier_one_of_its_conversation_only() {
    on_every_backend(ordered).await;
}

async fn ordered(app: TestApp) {
    if app.database_url.is_none() {
        return;
    }
    let held = start(&app, "s-order-held").await;
    let other = start(&app, "s-order-other").await;
    // A transaction of another replica that is storing a message of `held`.
    let mut earlier = app.store.raw_pool().begin().await.unwrap();
    sqlx::query(MESSAGE_ORDER_LOCK)
        .bind(message_order_key("demo", &held.0))
        .execute(&mut *earlier)
        .await
        .unwrap();

    assert_eq!(
        tokio::time::timeout(Duration::from_secs(5), write(&app, &other, "o1"))
            .await
            .expect("another conversation does not wait"),
        200
    );
    let waiting = write(&app, &held, "h1");
    tokio::pin!(waiting);
    assert!(
        tokio::time::timeout(Duration::from_millis(400), &mut waiting)
            .await
            .is_err(),
        "the later message waits for the earlier transaction"
    );
    earlier.commit().await.unwrap();
    assert_eq!(
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("stored once the earlier one committed"),
        200
    );
}
