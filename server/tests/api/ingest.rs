//! Group commit of event batches: concurrent batches share transactions and each
//! is answered with its own outcome once stored; a batch the database refuses
//! fails alone; the new-session cap holds inside a group; a full queue refuses at
//! once instead of growing.

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use waymark_server::Store;
use waymark_server::storage::events::NewEvent;
use waymark_server::storage::group_commit::MIN_QUEUE_BYTES;
use waymark_server::storage::{IngestBatch, NewSessionLimit, StoreError};

use crate::harness::{TestApp, now_ms, on_every_backend};

const BATCHES: usize = 120;
const EVENTS: usize = 5;

#[tokio::test]
async fn concurrent_batches_are_committed_together_and_every_one_is_stored() {
    on_every_backend(concurrent).await;
}

async fn concurrent(app: TestApp) {
    let backend = app.name;
    let before = app.store.ingest_counters();
    let now = now_ms();
    let requests: Vec<_> = (0..BATCHES)
        .map(|n| {
            let router = app.router.clone();
            let events: Vec<Value> = (0..EVENTS)
                .map(|e| {
                    json!({"id": format!("e{e}"), "at_ms": now, "type": "page_view",
                                "url": "https://acme.test/demo/billing", "route": "/demo/billing"})
                })
                .collect();
            // Every third batch goes to a session an earlier batch opened.
            let body = json!({"session_id": format!("s-group-{}", n - n % 3), "events": events});
            let id = n;
            tokio::spawn(async move {
                let request = Request::builder()
                    .method("POST")
                    .uri("/api/widget/v1/events?site=pk_demo")
                    .header("content-type", "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap();
                let response = router.oneshot(request).await.unwrap();
                let status = response.status().as_u16();
                let bytes = response.into_body().collect().await.unwrap().to_bytes();
                (id, status, serde_json::from_slice::<Value>(&bytes).unwrap())
            })
        })
        .collect();
    let mut stored = 0;
    let mut duplicates = 0;
    for request in requests {
        let (n, status, body) = request.await.unwrap();
        assert_eq!(status, 200, "{backend}: batch {n}: {body}");
        stored += body["stored"].as_u64().unwrap();
        duplicates += body["duplicates"].as_u64().unwrap();
    }
    // Batches to one session carry the same event ids: stored once, the rest
    // answered as duplicates, whichever came first.
    assert_eq!(stored, (BATCHES / 3 * EVENTS) as u64, "{backend}");
    assert_eq!(duplicates, (BATCHES * EVENTS) as u64 - stored, "{backend}");

    let after = app.store.ingest_counters();
    let batches = after.batches - before.batches;
    let commits = after.commits - before.commits;
    assert_eq!(batches, BATCHES as u64, "{backend}");
    assert!(
        commits < batches,
        "{backend}: {batches} batches took {commits} commits: none were grouped"
    );

    // What a restarted server reads.
    let reopened = app.reopen_store().await;
    let rows: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE site_id = 'demo' AND session_id LIKE 's-group-%'",
    )
    .fetch_one(reopened.raw_pool())
    .await
    .unwrap();
    assert_eq!(rows, stored as i64, "{backend}");
    let sessions: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sessions WHERE site_id = 'demo' AND id LIKE 's-group-%'",
    )
    .fetch_one(reopened.raw_pool())
    .await
    .unwrap();
    assert_eq!(sessions, (BATCHES / 3) as i64, "{backend}");
    reopened.close().await;
}

fn event(id: &str, now: i64) -> NewEvent {
    NewEvent {
        client_id: id.to_owned(),
        at_ms: now,
        kind: "page_view".into(),
        route: "/".into(),
        body: format!(
            r#"{{"id":"{id}","at_ms":{now},"type":"page_view","url":"https://acme.test/","route":"/"}}"#
        ),
        fingerprint: None,
    }
}

fn batch(site: &str, session: &str, client: &str, limit: Option<NewSessionLimit>) -> IngestBatch {
    let now = now_ms();
    IngestBatch {
        site_id: site.into(),
        session_id: session.into(),
        events: vec![event("a", now), event("b", now)],
        client_hash: Some(client.into()),
        received_ms: now,
        new_sessions: limit,
    }
}

/// Submits every batch at once (each in its own task) and returns the answers in order.
async fn submit_together(
    store: &Store,
    batches: Vec<IngestBatch>,
) -> Vec<Result<waymark_server::storage::events::IngestOutcome, StoreError>> {
    let tasks: Vec<_> = batches
        .into_iter()
        .map(|batch| {
            let store = store.clone();
            tokio::spawn(async move { store.ingest(batch).await })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    answers
}

#[tokio::test]
async fn a_batch_the_database_refuses_fails_alone() {
    on_every_backend(refused_alone).await;
}

async fn refused_alone(app: TestApp) {
    let backend = app.name;
    let mut batches: Vec<IngestBatch> = (0..20)
        .map(|n| batch("demo", &format!("s-alone-{n}"), "c", None))
        .collect();
    // No such site: the session row breaks its foreign key.
    batches.insert(7, batch("no-such-site", "s-alone-x", "c", None));
    let answers = submit_together(&app.store, batches).await;
    for (n, answer) in answers.iter().enumerate() {
        if n == 7 {
            assert!(
                matches!(answer, Err(StoreError::Database(_))),
                "{backend}: {answer:?}"
            );
        } else {
            assert_eq!(answer.as_ref().unwrap().stored, 2, "{backend}: batch {n}");
        }
    }
    let rows: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE session_id LIKE 's-alone-%'")
            .fetch_one(app.store.raw_pool())
            .await
            .unwrap();
    assert_eq!(rows, 40, "{backend}");
}

#[tokio::test]
async fn the_new_session_cap_counts_the_sessions_of_the_same_group() {
    on_every_backend(cap_in_group).await;
}

async fn cap_in_group(app: TestApp) {
    let backend = app.name;
    let limit = Some(NewSessionLimit {
        max: 3,
        since_ms: now_ms() - 3_600_000,
    });
    let batches = (0..10)
        .map(|n| batch("demo", &format!("s-cap-{n}"), "bot", limit))
        .collect();
    let answers = submit_together(&app.store, batches).await;
    let accepted = answers.iter().filter(|a| a.is_ok()).count();
    let refused = answers
        .iter()
        .filter(|a| matches!(a, Err(StoreError::TooManyNewSessions { opened: 3 })))
        .count();
    assert_eq!((accepted, refused), (3, 7), "{backend}: {answers:?}");
    let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE id LIKE 's-cap-%'")
        .fetch_one(app.store.raw_pool())
        .await
        .unwrap();
    assert_eq!(sessions, 3, "{backend}: refused sessions leave no row");
    // An accepted session goes on; another client is not affected.
    let accepted_session = (0..10)
        .find(|&n| answers[n].is_ok())
        .map(|n| format!("s-cap-{n}"))
        .unwrap();
    let again = submit_together(
        &app.store,
        vec![
            batch("demo", &accepted_session, "bot", limit),
            batch("demo", "s-cap-human", "human", limit),
        ],
    )
    .await;
    assert!(again.iter().all(Result::is_ok), "{backend}: {again:?}");
}

#[tokio::test]
async fn a_full_queue_refuses_at_once_and_takes_batches_again_once_it_drained() {
    on_every_backend(full_queue).await;
}

async fn full_queue(app: TestApp) {
    let backend = app.name;
    let store = app
        .reopen_store()
        .await
        .with_ingest_queue_bytes(MIN_QUEUE_BYTES);
    let now = now_ms();
    // Ten batches of about 200 KiB each against a 1 MiB queue.
    let big = |n: usize| IngestBatch {
        events: (0..20)
            .map(|e| NewEvent {
                body: "x".repeat(10 * 1024),
                ..event(&format!("big-{e}"), now)
            })
            .collect(),
        ..batch("demo", &format!("s-big-{n}"), "c", None)
    };
    let answers = submit_together(&store, (0..10).map(big).collect()).await;
    let full = answers
        .iter()
        .filter(|a| matches!(a, Err(StoreError::IngestQueueFull)))
        .count();
    let stored = answers.iter().filter(|a| a.is_ok()).count();
    assert!(full > 0, "{backend}: {answers:?}");
    assert_eq!(full + stored, 10, "{backend}: {answers:?}");
    let later = submit_together(&store, vec![big(10)]).await;
    assert!(later[0].is_ok(), "{backend}: {later:?}");
    store.close().await;
}
