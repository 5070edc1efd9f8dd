//! The knowledge log: a resolved ticket is appended in its resolve, an index that
//! follows the log (another replica's) gets it, deletes and unchanged documents
//! behave, an emptied index is rebuilt from the log, and the follower applies
//! what is appended while it runs.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::Notify;
use waymark_knowledge::{DocKind, IndexChange, IndexConfig, KnowledgeDoc, KnowledgeIndex};
use waymark_server::flow::knowledge_log;

use crate::accounts::start_ticket;
use crate::harness::{TestApp, on_every_backend};

fn article(id: &str, title: &str) -> KnowledgeDoc {
    KnowledgeDoc {
        site: "demo".into(),
        id: id.into(),
        kind: DocKind::Article,
        title: title.into(),
        problem: format!("{title}: what to do."),
        ..KnowledgeDoc::default()
    }
}

fn other_replicas_index() -> KnowledgeIndex {
    KnowledgeIndex::in_memory(IndexConfig::default()).unwrap()
}

async fn log_rows(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM knowledge_log")
        .fetch_one(app.store.raw_pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_resolved_ticket_reaches_every_index_through_the_log() {
    on_every_backend(resolved_ticket_follows).await;
}

async fn resolved_ticket_follows(app: TestApp) {
    let backend = app.name;
    let ticket = start_ticket(&app, "s-log").await;
    assert_eq!(log_rows(&app).await, 0, "{backend}: nothing indexed yet");
    let acknowledged = app
        .agent(
            "POST",
            &format!("/tickets/{ticket}/acknowledge"),
            Some(&json!({})),
        )
        .await;
    assert_eq!(acknowledged.status, 200, "{backend}: {}", acknowledged.body);
    let resolved = app
        .agent(
            "POST",
            &format!("/tickets/{ticket}/resolve"),
            Some(&json!({"resolution": {
                "root_cause": "Export jobs ran out of memory on large ledgers.",
                "fix": "Split the export by quarter under Settings, then export again.",
                "environment": "Chrome 131", "version": "2.4.1"}})),
        )
        .await;
    assert_eq!(resolved.status, 200, "{backend}: {}", resolved.body);
    let entries = app.store.knowledge_log_after(0, 10).await.unwrap();
    assert_eq!(
        entries.len(),
        1,
        "{backend}: the resolve appended one entry"
    );
    let IndexChange::Upsert(doc) = &entries[0].change else {
        panic!("{backend}: an upsert, got {:?}", entries[0].change);
    };
    assert_eq!(
        (doc.site.as_str(), doc.id.as_str()),
        ("demo", ticket.as_str())
    );
    assert_eq!(
        doc.resolution.fix.as_deref(),
        Some("Split the export by quarter under Settings, then export again.")
    );

    // Another replica's index, empty, follows the log.
    let other = other_replicas_index();
    let caught = knowledge_log::catch_up(&app.store, &other).await.unwrap();
    assert_eq!((caught.applied, caught.position), (1, entries[0].seq));
    let found = other.document("demo", &ticket).unwrap().expect("indexed");
    assert_eq!(found.resolution.fix, doc.resolution.fix);
    // Nothing new: nothing applied.
    let again = knowledge_log::catch_up(&app.store, &other).await.unwrap();
    assert_eq!(again.applied, 0, "{backend}");

    // An article, its unchanged copy (not appended twice), then its removal.
    let changes = [IndexChange::upsert(article(
        "a-export",
        "Exports by quarter",
    ))];
    assert_eq!(
        knowledge_log::append(&app.store, &changes).await.unwrap(),
        1
    );
    assert_eq!(
        knowledge_log::append(&app.store, &changes).await.unwrap(),
        0
    );
    knowledge_log::catch_up(&app.store, &other).await.unwrap();
    assert!(
        other.document("demo", "a-export").unwrap().is_some(),
        "{backend}"
    );
    let removal = [IndexChange::Delete {
        site: "demo".into(),
        id: "a-export".into(),
    }];
    knowledge_log::append(&app.store, &removal).await.unwrap();
    knowledge_log::catch_up(&app.store, &other).await.unwrap();
    assert!(
        other.document("demo", "a-export").unwrap().is_none(),
        "{backend}"
    );
    assert_eq!(
        app.store.knowledge_doc_ids("demo").await.unwrap(),
        vec![ticket.clone()],
        "{backend}: the log's current documents"
    );

    // An emptied index is rebuilt from the log, deletes included.
    let rebuilt = knowledge_log::rebuild(&app.store, &other).await.unwrap();
    assert_eq!(rebuilt.applied, 3, "{backend}: upsert, upsert, delete");
    assert!(other.document("demo", &ticket).unwrap().is_some());
    assert!(other.document("demo", "a-export").unwrap().is_none());
    assert_eq!(other.num_docs(), 1, "{backend}");
}

#[tokio::test]
async fn a_document_the_index_would_refuse_is_refused_before_the_log() {
    on_every_backend(refused_before_the_log).await;
}

async fn refused_before_the_log(app: TestApp) {
    let mut nothing_to_search = article("blank", "");
    nothing_to_search.problem.clear();
    let blank = [IndexChange::upsert(nothing_to_search)];
    let err = knowledge_log::append(&app.store, &blank)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("blank"),
        "{}: names the document: {err}",
        app.name
    );
    assert_eq!(log_rows(&app).await, 0, "{}", app.name);
}

#[tokio::test]
async fn the_follower_applies_what_is_appended_while_it_runs() {
    on_every_backend(follower_runs).await;
}

async fn follower_runs(app: TestApp) {
    let index = Arc::new(other_replicas_index());
    let wake = Arc::new(Notify::new());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let follower = tokio::spawn(knowledge_log::follow(
        app.store.clone(),
        index.clone(),
        wake.clone(),
        async move {
            let _ = stopped.await;
        },
    ));
    let changes = [IndexChange::upsert(article("a-live", "Live article"))];
    knowledge_log::append(&app.store, &changes).await.unwrap();
    wake.notify_one();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while index.document("demo", "a-live").unwrap().is_none() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{}: the follower did not apply the append",
            app.name
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop.send(());
    follower.await.unwrap();
}

#[tokio::test]
async fn waymark_import_writes_to_the_servers_knowledge_log() {
    on_every_backend(import_to_the_log).await;
}

/// Runs `waymark import --format jsonl FILE --site demo [extra]` on the app's database.
fn import(app: &TestApp, lines: &[serde_json::Value], extra: &[&str]) -> String {
    let file = app.data_dir.join("export.jsonl");
    let text: Vec<String> = lines.iter().map(|line| line.to_string()).collect();
    std::fs::write(&file, text.join("\n")).unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_waymark"));
    command
        .args(["import", "--format", "jsonl", "--site", "demo"])
        .arg(&file)
        .args(extra)
        .env("WAYMARK_DATA_DIR", &app.data_dir)
        .env("RUST_LOG", "warn")
        .env_remove("WAYMARK_INDEX_DIR")
        .env_remove("WAYMARK_CONFIG");
    match &app.database_url {
        Some(url) => command.env("DATABASE_URL", url),
        None => command.env_remove("DATABASE_URL"),
    };
    let output = command.output().expect("run waymark import");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{}: {stdout}{}",
        app.name,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

async fn import_to_the_log(app: TestApp) {
    let backend = app.name;
    let first = import(
        &app,
        &[
            json!({"id": "kb-1", "title": "Invoices fail to download", "body": "Clear the folder limit."}),
            json!({"id": "kb-2", "title": "Two-factor codes rejected", "body": "Sync the phone's clock."}),
        ],
        &[],
    );
    assert!(first.contains("2 entries appended"), "{backend}: {first}");
    assert_eq!(
        app.store.knowledge_doc_ids("demo").await.unwrap(),
        ["kb-1", "kb-2"],
        "{backend}"
    );
    // A running server's index follows: here, a fresh one catches up.
    let index = other_replicas_index();
    knowledge_log::catch_up(&app.store, &index).await.unwrap();
    assert!(
        index.document("demo", "kb-2").unwrap().is_some(),
        "{backend}"
    );

    // `--replace`: what the export no longer has is deleted from the log.
    let replaced = import(
        &app,
        &[
            json!({"id": "kb-1", "title": "Invoices fail to download", "body": "Clear the folder limit."}),
        ],
        &["--replace"],
    );
    assert!(
        replaced.contains("1 entries appended, 1 of them deletions"),
        "{backend}: the unchanged document is not appended again: {replaced}"
    );
    assert_eq!(app.store.knowledge_doc_ids("demo").await.unwrap(), ["kb-1"]);
    knowledge_log::catch_up(&app.store, &index).await.unwrap();
    assert!(
        index.document("demo", "kb-2").unwrap().is_none(),
        "{backend}"
    );
}

#[tokio::test]
async fn a_migration_missing_below_the_newest_one_is_applied_at_start() {
    on_every_backend(missing_migration_applied).await;
}

/// Migrations numbered apart land in either order: a database that recorded a
/// higher version still gets a lower one it has not recorded.
async fn missing_migration_applied(app: TestApp) {
    let pool = app.store.raw_pool();
    sqlx::query("DROP TABLE knowledge_log")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM schema_migrations WHERE version = 14")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (99, 'later', 0)",
    )
    .execute(pool)
    .await
    .unwrap();
    let reopened = app.reopen_store().await;
    assert_eq!(
        reopened.knowledge_log_head().await.unwrap(),
        0,
        "{}: the knowledge log is there again",
        app.name
    );
    reopened.close().await;
}
