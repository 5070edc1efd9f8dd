//! Volume rules one client cannot forge: "3 customers with the same error" counts
//! client addresses (hashed) or verified users, not sessions; a client's future
//! timestamps do not keep its errors in the window.

use std::net::SocketAddr;

use serde_json::json;
use sqlx::Row;

use crate::harness::{TestApp, now_ms, on_every_backend};

async fn report(app: &TestApp, session: &str, from: SocketAddr, at_ms: i64) {
    let batch = json!({"session_id": session, "events": [
        {"id": "err", "at_ms": at_ms, "type": "js_error", "message": "TypeError: total is undefined",
         "source": "https://acme.test/demo/app.js", "route": "/demo/invoices"}]});
    let stored = app
        .json_from(from, "POST", "/api/widget/v1/events?site=pk_demo", &batch)
        .await;
    assert_eq!(stored.status, 200, "{}", stored.body);
}

async fn start(app: &TestApp, session: &str, from: SocketAddr) -> String {
    let started = app
        .json_from(
            from,
            "POST",
            "/api/widget/v1/conversations?site=pk_demo",
            &json!({"session_id": session, "idempotency_key": format!("{session}.conv"),
                    "message": "The invoices page is blank"}),
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    started.body["status"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn one_client_with_many_sessions_is_one_customer() {
    on_every_backend(one_client).await;
}

async fn one_client(app: TestApp) {
    let backend = app.name;
    let attacker = SocketAddr::from(([203, 0, 113, 66], 1));
    // Sessions from one address, one with a far-future time.
    for (n, at) in [now_ms(), now_ms(), now_ms() + 365 * 24 * 3_600_000]
        .into_iter()
        .enumerate()
    {
        report(&app, &format!("s-forge-{n}"), attacker, at).await;
    }
    assert_eq!(
        start(&app, "s-forge-2", attacker).await,
        "open",
        "{backend}: forged volume"
    );

    // No address is stored, only a salted hash.
    let rows = sqlx::query("SELECT client_hash FROM sessions WHERE client_hash IS NOT NULL")
        .fetch_all(app.store.raw_pool())
        .await
        .unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        let hash: String = row.get("client_hash");
        assert!(!hash.contains("203.0.113"), "{backend}: {hash}");
    }

    // Two more clients: three customers, the incident opens.
    for (n, last) in [2u8, 3].into_iter().enumerate() {
        report(
            &app,
            &format!("s-real-{n}"),
            SocketAddr::from(([203, 0, 113, last], 1)),
            now_ms(),
        )
        .await;
    }
    assert_eq!(
        start(&app, "s-real-1", SocketAddr::from(([203, 0, 113, 3], 1))).await,
        "escalated",
        "{backend}"
    );
}
