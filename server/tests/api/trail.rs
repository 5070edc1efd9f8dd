//! The session trail the server keeps: the most recent events come first into view,
//! and suggestions use what went wrong on the page even when the widget does not
//! repeat it.

use serde_json::json;
use waymark_knowledge::{DocKind, KnowledgeDoc};

use crate::flow::batch;
use crate::harness::{TestApp, now_ms, on_every_backend};

#[tokio::test]
async fn a_long_trail_shows_its_latest_events_and_feeds_suggestions() {
    on_every_backend(trail).await;
}

async fn trail(app: TestApp) {
    let backend = app.name;
    let now = now_ms();
    let site = "site=pk_demo";
    // A second billing answer, so the page alone does not decide.
    app._knowledge
        .upsert(&KnowledgeDoc {
            site: "demo".into(),
            id: "change-plan".into(),
            kind: DocKind::Article,
            title: "Change your plan on the Billing page".into(),
            problem: "Pick a plan on the Billing page; the price difference is prorated.".into(),
            routes: vec!["/demo/billing".into()],
            ..KnowledgeDoc::default()
        })
        .expect("upsert");
    app._knowledge.commit().expect("commit");

    let stored = app
        .json(
            "POST",
            &format!("/api/widget/v1/events?{site}"),
            &[],
            &batch("s-trail", now),
        )
        .await;
    assert_eq!(stored.status, 200, "{backend}: {}", stored.body);
    let last_two = app
        .agent("GET", "/sessions/s-trail/events?limit=2", None)
        .await;
    assert_eq!(last_two.status, 200, "{backend}: {}", last_two.body);
    let ids: Vec<&str> = last_two
        .body
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        ["e-fail-2", "e-fail-3"],
        "{backend}: the newest two, in order"
    );

    // The nudge asks with the page only; the failed payments come from the trail.
    let shown = app
        .json(
            "POST",
            &format!("/api/widget/v1/suggest?{site}"),
            &[],
            &json!({"session_id": "s-trail", "page": {"url": "https://acme.test/demo/billing",
                    "route": "/demo/billing", "title": "Billing"}}),
        )
        .await;
    assert_eq!(shown.status, 200, "{backend}: {}", shown.body);
    assert_eq!(
        shown.body["answers"][0]["id"],
        app.visible_id("retry-payment").await.as_str(),
        "{backend}: {}",
        shown.body
    );
    let sets = app
        .agent("GET", "/sessions/s-trail/suggestions", None)
        .await;
    let fingerprint = sets.body[0]["fingerprint"].as_str().unwrap_or_default();
    assert!(
        fingerprint.contains("/demo/api/payment") && fingerprint.contains("502"),
        "{backend}: {}",
        sets.body
    );
}
