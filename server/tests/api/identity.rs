//! Identity continuity: a visitor who started a conversation anonymously and then
//! signed in is the same customer; a conversation is never handed to another user.

use serde_json::json;

use crate::harness::{TestApp, error_code, on_every_backend};

#[tokio::test]
async fn an_anonymous_conversation_becomes_the_identified_users() {
    on_every_backend(continuity).await;
}

async fn continuity(app: TestApp) {
    let backend = app.name;
    let site = "site=pk_demo";
    let started = app
        .json(
            "POST",
            &format!("/api/widget/v1/conversations?{site}"),
            &[],
            &json!({"session_id": "s-anon", "idempotency_key": "start-anon",
                    "message": "Where do I change the billing email?",
                    "identity": {"user_id": "anonymous:s-anon", "email": "visitor@example.com"}}),
        )
        .await;
    assert_eq!(started.status, 201, "{backend}: {}", started.body);
    let id = started.body["conversation_id"].as_str().unwrap().to_owned();
    let auth = format!(
        "Bearer {}",
        started.body["conversation_token"].as_str().unwrap()
    );
    let uri = format!("/api/widget/v1/conversations/{id}/identify?{site}");
    let before = app.store.conversation("demo", &id).await.unwrap().unwrap();
    assert_eq!(
        before.customer_id.as_deref(),
        Some("anonymous:s-anon"),
        "{backend}"
    );

    let identified = app
        .json(
            "POST",
            &uri,
            &[("authorization", &auth)],
            &json!({"user_id": "u-7", "plan": "enterprise"}),
        )
        .await;
    assert_eq!(identified.status, 204, "{backend}: {}", identified.body);
    let after = app.store.conversation("demo", &id).await.unwrap().unwrap();
    assert_eq!(after.customer_id.as_deref(), Some("u-7"), "{backend}");
    assert_eq!(
        after.customer_email.as_deref(),
        Some("visitor@example.com"),
        "the email the visitor gave is kept"
    );
    assert_eq!(after.plan.as_deref(), Some("enterprise"));

    // The same user adds a name: the rest is kept.
    let named = app
        .json(
            "POST",
            &uri,
            &[("authorization", &auth)],
            &json!({"user_id": "u-7", "name": "Dana"}),
        )
        .await;
    assert_eq!(named.status, 204, "{backend}: {}", named.body);
    let kept = app.store.conversation("demo", &id).await.unwrap().unwrap();
    assert_eq!(kept.customer_name.as_deref(), Some("Dana"));
    assert_eq!(kept.customer_email.as_deref(), Some("visitor@example.com"));

    // Another user, or no token: refused, nothing changes.
    let other = app
        .json(
            "POST",
            &uri,
            &[("authorization", &auth)],
            &json!({"user_id": "u-8"}),
        )
        .await;
    assert_eq!(other.status, 409, "{backend}: {}", other.body);
    assert_eq!(error_code(&other), "conflict");
    let anonymous = app
        .json("POST", &uri, &[], &json!({"user_id": "u-9"}))
        .await;
    assert_eq!(anonymous.status, 401, "{backend}: {}", anonymous.body);
    let unchanged = app.store.conversation("demo", &id).await.unwrap().unwrap();
    assert_eq!(unchanged.customer_id.as_deref(), Some("u-7"), "{backend}");
}
