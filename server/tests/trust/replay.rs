//! Replayed idempotency keys: only the same session with the same body gets the
//! first answer (its token derived again, never stored); another body is 422,
//! another session 404; keys expire after 24 hours and the purge removes them.

use serde_json::json;
use sqlx::Row;
use waymark_server::flow::replay::{KEY_LIFETIME_MS, purge_expired};

use crate::harness::{TestApp, error_code, now_ms, on_every_backend};

#[tokio::test]
async fn a_replayed_start_answers_only_its_session_and_body() {
    on_every_backend(replays).await;
}

async fn replays(app: TestApp) {
    let backend = app.name;
    let uri = "/api/widget/v1/conversations?site=pk_demo";
    let body = json!({"session_id": "s-victim", "idempotency_key": "s-victim.conv",
                      "message": "My invoice INV-1001 is wrong"});
    let first = app.json("POST", uri, &[], &body).await;
    assert_eq!(first.status, 201, "{backend}: {}", first.body);
    let token = first.body["conversation_token"]
        .as_str()
        .unwrap()
        .to_owned();

    // The same session retries: the same conversation and the same token.
    let again = app.json("POST", uri, &[], &body).await;
    assert_eq!(again.body["conversation_id"], first.body["conversation_id"]);
    assert_eq!(
        again.body["conversation_token"].as_str(),
        Some(token.as_str())
    );

    // Someone who guesses the key (`<session>.conv`) from another session: 404.
    let thief = app
        .json(
            "POST",
            uri,
            &[],
            &json!({"session_id": "s-thief", "idempotency_key": "s-victim.conv",
                    "message": "My invoice INV-1001 is wrong"}),
        )
        .await;
    assert_eq!(thief.status, 404, "{backend}: {}", thief.body);
    assert!(!thief.body.to_string().contains(&token), "{backend}");

    // The same session with another body: 422, no token.
    let other = app
        .json(
            "POST",
            uri,
            &[],
            &json!({"session_id": "s-victim", "idempotency_key": "s-victim.conv",
                    "message": "Something else"}),
        )
        .await;
    assert_eq!(other.status, 422, "{backend}: {}", other.body);
    assert_eq!(error_code(&other), "idempotency_conflict");
    assert!(!other.body.to_string().contains(&token));

    // No stored row holds the token.
    let rows = sqlx::query("SELECT response FROM idempotency_keys")
        .fetch_all(&pool(&app).await)
        .await
        .unwrap();
    assert!(!rows.is_empty(), "{backend}");
    for row in rows {
        let response: String = row.get("response");
        assert!(!response.contains(&token), "{backend}: {response}");
    }

    // A day later the key has expired; the purge deletes it, and a replay is
    // refused rather than answered.
    let later = now_ms() + KEY_LIFETIME_MS + 60_000;
    assert!(
        purge_expired(&app.store, later).await.unwrap() >= 1,
        "{backend}"
    );
    assert_eq!(
        purge_expired(&app.store, later).await.unwrap(),
        0,
        "{backend}"
    );
    let expired = app.json("POST", uri, &[], &body).await;
    assert_eq!(expired.status, 422, "{backend}: {}", expired.body);
    assert!(!expired.body.to_string().contains(&token));
    // The purge keeps keys younger than a day.
    let fresh = app
        .json(
            "POST",
            uri,
            &[],
            &json!({"session_id": "s-new", "idempotency_key": "s-new.conv", "message": "Hi"}),
        )
        .await;
    assert_eq!(fresh.status, 201, "{backend}: {}", fresh.body);
    assert_eq!(purge_expired(&app.store, now_ms()).await.unwrap(), 0);
    let replayed = app
        .json(
            "POST",
            uri,
            &[],
            &json!({"session_id": "s-new", "idempotency_key": "s-new.conv", "message": "Hi"}),
        )
        .await;
    assert_eq!(
        replayed.body["conversation_id"],
        fresh.body["conversation_id"]
    );
}

/// A second pool on the app's database, for reading rows directly.
pub async fn pool(app: &TestApp) -> sqlx::AnyPool {
    app.store.raw_pool().clone()
}
