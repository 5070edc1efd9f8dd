//! Identity verification: a visitor who claims `plan: enterprise` is routed as
//! one only with the host's `user_hash`; enforced sites refuse identities without
//! it; agents see which claims are verified.

use serde_json::{Value, json};
use waymark_server::flow::identity::{rotate_secret, user_hash};

use crate::harness::{TestApp, error_code, on_every_backend};

/// The demo matrix with a rule that sends enterprise accounts to tier 3.
fn enterprise_matrix() -> String {
    waymark_server::flow::DEFAULT_MATRIX
        .replace("  { product_area = { any = [\"data_loss\"] } },\n", "")
}

fn start(session: &str, identity: Value) -> Value {
    json!({"session_id": session, "idempotency_key": format!("{session}.conv"),
           "message": "Where is the export of last year?", "identity": identity})
}

#[tokio::test]
async fn claims_steer_routing_only_when_verified() {
    on_every_backend(claims).await;
}

async fn claims(app: TestApp) {
    let backend = app.name;
    app.store
        .put_site_matrix("demo", &enterprise_matrix())
        .await
        .unwrap();
    let secret = rotate_secret(&app.store, "demo").await.unwrap();
    let uri = "/api/widget/v1/conversations?site=pk_demo";

    // Optional mode (the default): a claim without a hash is stored, unverified,
    // and does not route.
    let forged = app
        .json(
            "POST",
            uri,
            &[],
            &start("s-forge", json!({"user_id": "u-1", "plan": "enterprise"})),
        )
        .await;
    assert_eq!(forged.status, 201, "{backend}: {}", forged.body);
    assert_eq!(forged.body["status"], "open", "{backend}: {}", forged.body);
    let id = forged.body["conversation_id"].as_str().unwrap();
    let stored = app.store.conversation("demo", id).await.unwrap().unwrap();
    assert_eq!(stored.plan.as_deref(), Some("enterprise"));
    assert!(!stored.identity_verified, "{backend}");

    // A wrong hash is no better.
    let wrong = app
        .json(
            "POST",
            uri,
            &[],
            &start(
                "s-wrong",
                json!({"user_id": "u-1", "plan": "enterprise", "user_hash": user_hash("guess", "u-1")}),
            ),
        )
        .await;
    assert_eq!(wrong.body["status"], "open", "{backend}: {}", wrong.body);

    // The host's hash verifies: the same claim routes to tier 3.
    let verified = app
        .json(
            "POST",
            uri,
            &[],
            &start(
                "s-real",
                json!({"user_id": "u-1", "plan": "enterprise", "user_hash": user_hash(&secret, "u-1")}),
            ),
        )
        .await;
    assert_eq!(verified.status, 201, "{backend}: {}", verified.body);
    assert_eq!(
        verified.body["status"], "escalated",
        "{backend}: {}",
        verified.body
    );
    let queue = app.agent("GET", "/tickets", None).await;
    let ticket = queue.body[0]["ticket"]["id"].as_str().unwrap().to_owned();
    let detail = app.agent("GET", &format!("/tickets/{ticket}"), None).await;
    assert_eq!(detail.body["customer"]["verified"], true, "{backend}");
    assert_eq!(detail.body["ticket"]["tier"], "tier3", "{backend}");

    // Agents see an unverified claim as such.
    let token = forged.body["conversation_token"].as_str().unwrap();
    let escalated = app
        .json(
            "POST",
            &format!("/api/widget/v1/conversations/{id}/escalate?site=pk_demo"),
            &[("authorization", &format!("Bearer {token}"))],
            &json!({"idempotency_key": "esc-forge", "reason": "Please call me"}),
        )
        .await;
    assert_eq!(escalated.status, 200, "{backend}: {}", escalated.body);
    let queue = app.agent("GET", "/tickets", None).await;
    let unverified = queue
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["ticket"]["id"].as_str().unwrap().to_owned())
        .find(|t| *t != ticket)
        .unwrap();
    let detail = app
        .agent("GET", &format!("/tickets/{unverified}"), None)
        .await;
    assert_eq!(detail.body["customer"]["verified"], false, "{backend}");
    assert_eq!(detail.body["customer"]["plan"], "enterprise", "{backend}");
    assert_eq!(
        detail.body["ticket"]["tier"], "tier1",
        "{backend}: not routed as enterprise"
    );

    // `identify` with a forged plan cannot overwrite a verified identity.
    let real_token = verified.body["conversation_token"].as_str().unwrap();
    let real_id = verified.body["conversation_id"].as_str().unwrap();
    let downgrade = app
        .json(
            "POST",
            &format!("/api/widget/v1/conversations/{real_id}/identify?site=pk_demo"),
            &[("authorization", &format!("Bearer {real_token}"))],
            &json!({"user_id": "u-1", "plan": "free"}),
        )
        .await;
    assert_eq!(downgrade.status, 401, "{backend}: {}", downgrade.body);
    assert_eq!(error_code(&downgrade), "identity_unverified");
}

#[tokio::test]
async fn enforced_sites_refuse_identities_without_the_hash() {
    on_every_backend(enforced).await;
}

async fn enforced(app: TestApp) {
    let backend = app.name;
    let secret = rotate_secret(&app.store, "demo").await.unwrap();
    assert!(
        app.store
            .set_identity_mode("demo", "enforced")
            .await
            .unwrap()
    );
    let uri = "/api/widget/v1/conversations?site=pk_demo";
    for (session, identity) in [
        ("s-none", json!({"user_id": "u-2"})),
        (
            "s-bad",
            json!({"user_id": "u-2", "user_hash": user_hash(&secret, "u-3")}),
        ),
        (
            "s-old",
            json!({"user_id": "u-2", "user_hash": user_hash("rotated-away", "u-2")}),
        ),
    ] {
        let refused = app.json("POST", uri, &[], &start(session, identity)).await;
        assert_eq!(refused.status, 401, "{backend} {session}: {}", refused.body);
        assert_eq!(error_code(&refused), "identity_unverified", "{backend}");
    }
    let good = app
        .json(
            "POST",
            uri,
            &[],
            &start(
                "s-good",
                json!({"user_id": "u-2", "user_hash": user_hash(&secret, "u-2")}),
            ),
        )
        .await;
    assert_eq!(good.status, 201, "{backend}: {}", good.body);
    // Anonymous visitors are still served.
    let anonymous = app
        .json(
            "POST",
            uri,
            &[],
            &json!({"session_id": "s-anon", "idempotency_key": "s-anon.conv", "message": "Hello"}),
        )
        .await;
    assert_eq!(anonymous.status, 201, "{backend}: {}", anonymous.body);
    // A rotated secret stops verifying at once.
    let rotated = rotate_secret(&app.store, "demo").await.unwrap();
    assert_ne!(rotated, secret);
    let stale = app
        .json(
            "POST",
            uri,
            &[],
            &start(
                "s-stale",
                json!({"user_id": "u-2", "user_hash": user_hash(&secret, "u-2")}),
            ),
        )
        .await;
    assert_eq!(stale.status, 401, "{backend}: {}", stale.body);
}
