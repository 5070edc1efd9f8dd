//! Scrubbing at the edge: canaries (an email, a card number, an AWS key, a
//! password assignment and, because the site asks for it, an IP address) planted
//! in every free-text field of every wire request, every agent-written text and
//! an imported document are found nowhere afterwards — not in the database files
//! (the SQLite WAL included) or its rows, not in the index directory or its
//! documents, not in the log — while benign look-alikes are kept.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use sqlx::{Connection, Row};
use waymark_knowledge::import::{ImportFormat, import_str};

use crate::harness::{IndexPlace, TestApp, error_code, now_ms, on_every_backend_with};

const EMAIL: &str = "canary.person@example.org";
const CARD: &str = "4929 1357 2468 0131";
const CARD_DIGITS: &str = "4929135724680131";
const AWS_KEY: &str = "AKIACANARY0123456789";
const PASSWORD: &str = "CanaryPw0rd";
/// Scrubbed only because the site's settings turn IP addresses on.
const IP: &str = "203.0.113.77";
/// Look-alikes that must survive: an invoice id, an ISO date, a version.
const KEPT: [&str; 3] = ["INV-2024-000777", "2024-05-01", "v1.2.3"];

fn canaries() -> [&'static str; 6] {
    [EMAIL, CARD, CARD_DIGITS, AWS_KEY, PASSWORD, IP]
}

/// The planted text for one field.
fn planted(field: &str) -> String {
    format!(
        "{field}: mail {EMAIL} card {CARD} key {AWS_KEY} password = {PASSWORD} from {IP}; \
         order {} on {} app {}",
        KEPT[0], KEPT[1], KEPT[2]
    )
}

/// The planted text for a field that holds at most 64 characters (a plan, a tier,
/// an app version): a key and a card number.
fn planted_short() -> String {
    format!("{AWS_KEY} {CARD_DIGITS}")
}

/// The planted text for a field of at most 128 characters (a rule, an answer id).
fn planted_id() -> String {
    format!("id {AWS_KEY} password = {PASSWORD} {EMAIL}")
}

fn page(field: &str) -> Value {
    json!({"url": format!("https://shop.example/pay?note={}", planted(&format!("{field}.url"))),
        "route": format!("/pay/{}", planted(&format!("{field}.route"))),
        "title": planted(&format!("{field}.title")),
        "referrer": planted(&format!("{field}.referrer")),
        "locale": AWS_KEY,
        "app_version": planted_short()})
}

/// A page event: the page's fields sit in the event itself.
fn page_event(id: &str, at_ms: i64, kind: &str) -> Value {
    let mut event = page(kind);
    event["id"] = json!(id);
    event["at_ms"] = json!(at_ms);
    event["type"] = json!(kind);
    event
}

/// Collects what the app logs while the scenario runs (every level).
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn canaries_in_every_field_are_found_nowhere_and_look_alikes_are_kept() {
    on_every_backend_with(IndexPlace::Disk, canaries_everywhere).await;
}

async fn canaries_everywhere(app: TestApp) {
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    let (token, ticket) = plant_everything(&app).await;
    drop(guard);

    let mut sinks: Vec<(String, String)> = files(&app.data_dir);
    if let Some(url) = &app.database_url {
        sinks.push(("postgres rows".into(), postgres_rows(url).await));
    }
    sinks.push(("index documents".into(), index_documents(&app, &ticket)));
    let logged = String::from_utf8_lossy(&log.0.lock().unwrap()).into_owned();
    assert!(
        logged.contains("request") && logged.contains("/api/widget/v1/conversations"),
        "the log was not captured: {logged}"
    );
    sinks.push(("log".into(), logged));

    let mut leaks = Vec::new();
    for (sink, text) in &sinks {
        let lower = text.to_lowercase();
        for canary in canaries() {
            if lower.contains(&canary.to_lowercase()) {
                leaks.push(format!("{canary} in {sink}"));
            }
        }
    }
    // Tokens never reach a log line, not even from `?token=` in a request target.
    let logged = &sinks.last().unwrap().1;
    if logged.contains(&token) {
        leaks.push("the conversation token in the log".into());
    }
    assert!(leaks.is_empty(), "{}: {leaks:#?}", app.name);
    for kept in KEPT {
        let index = &sinks
            .iter()
            .find(|(name, _)| name == "index documents")
            .unwrap()
            .1;
        assert!(
            index.contains(kept),
            "{}: {kept} was removed from the index",
            app.name
        );
        let database = sinks
            .iter()
            .filter(|(name, _)| name.contains("waymark.db") || name == "postgres rows")
            .any(|(_, text)| text.contains(kept));
        assert!(
            database,
            "{}: {kept} was removed from the database",
            app.name
        );
    }
}

/// Every file under `dir` (the SQLite database, its WAL, the index), as text.
fn files(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.push((
                    path.display().to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                ));
            }
        }
    }
    assert!(
        out.iter().any(|(name, _)| name.ends_with("-wal")) || out.len() > 3,
        "no database files found in {}",
        dir.display()
    );
    out
}

/// Every row of every table, read back through SQL.
async fn postgres_rows(url: &str) -> String {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(tables.len() > 5, "tables: {tables:?}");
    let mut all = String::new();
    for table in tables {
        let rows = sqlx::query(&format!("SELECT t::text FROM \"{table}\" t"))
            .fetch_all(&mut conn)
            .await
            .unwrap();
        for row in rows {
            all.push_str(&row.get::<String, _>(0));
            all.push('\n');
        }
    }
    all
}

/// The stored documents of the index (the resolved ticket, the import), read back.
fn index_documents(app: &TestApp, ticket: &str) -> String {
    let index = &app._knowledge;
    let mut all = String::new();
    for id in ["imported-1", ticket] {
        let doc = index
            .document("demo", id)
            .unwrap()
            .unwrap_or_else(|| panic!("{}: document {id} not indexed", app.name));
        all.push_str(&serde_json::to_string(&doc).unwrap());
    }
    all
}

/// Plants canaries in every field of every request; returns the conversation
/// token and the ticket, resolved and indexed.
async fn plant_everything(app: &TestApp) -> (String, String) {
    let site = "site=pk_demo";
    let settings = app
        .agent(
            "PUT",
            "/widget-settings",
            Some(&json!({"privacy": {"scrub": {"redact_ip_addresses": true}}})),
        )
        .await;
    assert_eq!(settings.status, 200, "{}", settings.body);

    let now = now_ms();
    let batch = json!({"session_id": "s-canary", "events": [
        page_event("e1", now - 9_000, "page_view"),
        {"id": "e2", "at_ms": now - 8_000, "type": "js_error", "message": planted("js_error.message"),
         "source": planted("js_error.source"), "route": planted("js_error.route"),
         "fingerprint": planted("js_error.fingerprint"), "stack": planted("js_error.stack")},
        {"id": "e3", "at_ms": now - 7_000, "type": "failed_request", "method": "POST",
         "url": format!("https://api.shop.example/pay?{}", planted("failed_request.url")),
         "status": 502, "route": planted("failed_request.route")},
        {"id": "e4", "at_ms": now - 6_000, "type": "rage_click", "target": planted("rage_click.target"),
         "route": planted("rage_click.route"), "clicks": 5},
        page_event("e5", now - 5_000, "error_page"),
        {"id": "e6", "at_ms": now - 4_000, "type": "dwell", "route": planted("dwell.route"), "duration_ms": 60_000}
    ]});
    let stored = app
        .json(
            "POST",
            &format!("/api/widget/v1/events?{site}"),
            &[],
            &batch,
        )
        .await;
    assert_eq!(stored.body["stored"], 6, "{}", stored.body);

    let suggest = json!({"session_id": "s-canary", "query": planted("suggest.query"),
        "page": page("suggest.page"),
        "error": {"message": planted("suggest.error.message"), "fingerprint": planted("suggest.error.fingerprint")},
        "rule": planted_id()});
    let suggested = app
        .json(
            "POST",
            &format!("/api/widget/v1/suggest?{site}"),
            &[],
            &suggest,
        )
        .await;
    assert_eq!(suggested.status, 200, "{}", suggested.body);

    let user_id = planted("identity.user_id");
    let identity = json!({"user_id": user_id, "email": planted("identity.email"),
        "name": planted("identity.name"), "plan": planted_short(),
        "account_tier": planted_short()});
    let start = json!({"session_id": "s-canary", "idempotency_key": "k-canary",
        "message": planted("start.message"), "identity": identity, "page": page("start.page"),
        "rejected_answers": [planted_id()], "rule": planted_id()});
    let started = app
        .json(
            "POST",
            &format!("/api/widget/v1/conversations?{site}"),
            &[],
            &start,
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let id = started.body["conversation_id"].as_str().unwrap().to_owned();
    let token = started.body["conversation_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let auth = format!("Bearer {token}");
    let conversation = |path: &str| format!("/api/widget/v1/conversations/{id}{path}?{site}");
    let widget = |path: &'static str, body: Value| {
        let uri = conversation(path);
        let auth = auth.clone();
        async move {
            let answer = app
                .json("POST", &uri, &[("authorization", auth.as_str())], &body)
                .await;
            assert!(answer.status.is_success(), "{uri}: {}", answer.body);
        }
    };
    widget(
        "/messages",
        json!({"idempotency_key": "m1", "text": planted("message.text")}),
    )
    .await;
    widget(
        "/escalate",
        json!({"idempotency_key": "x1", "goal": planted("escalate.goal"),
            "tried": [planted("escalate.tried")], "reason": planted("escalate.reason")}),
    )
    .await;
    widget(
        "/identify",
        json!({"user_id": user_id, "email": planted("identify.email"), "name": planted("identify.name"),
            "plan": planted_short(), "account_tier": planted_short()}),
    )
    .await;

    // The query form of the token is for the event stream only.
    let in_query = app
        .raw(
            "GET",
            &format!("{}&token={token}", conversation("/messages")),
            &[],
            "",
        )
        .await;
    assert_eq!(error_code(&in_query), "unauthorized");

    let queue = app.agent("GET", "/tickets", None).await;
    let ticket = queue.body[0]["ticket"]["id"].as_str().unwrap().to_owned();
    let path = |p: &str| format!("/tickets/{ticket}{p}");
    let agent = |method: &'static str, p: String, body: Value| async move {
        let answer = app.agent(method, &p, Some(&body)).await;
        assert!(answer.status.is_success(), "{p}: {}", answer.body);
    };
    agent(
        "POST",
        path("/reply"),
        json!({"author_name": planted("reply.author_name"), "text": planted("reply.text")}),
    )
    .await;
    let note = json!({"goal": planted("note.goal"), "tried": [planted("note.tried")],
        "sentiment": planted("note.sentiment"), "commitments": [planted("note.commitments")],
        "reason": planted("note.reason"), "account": {"plan": planted("note.account")}});
    agent(
        "POST",
        path("/escalate"),
        json!({"to_tier": "tier3", "escalation_type": "functional",
            "reason": planted("agent_escalate.reason"), "note": note}),
    )
    .await;
    agent("PUT", path("/handoff-note"), json!({"note": note})).await;
    agent("POST", path("/acknowledge"), json!({})).await;
    let resolution = json!({"root_cause": planted("resolution.root_cause"), "fix": planted("resolution.fix"),
        "environment": planted("resolution.environment"), "version": planted("resolution.version")});
    agent("POST", path("/resolve"), json!({"resolution": resolution})).await;
    widget(
        "/csat",
        json!({"idempotency_key": "c1", "score": 2, "comment": planted("csat.comment")}),
    )
    .await;
    agent(
        "POST",
        path("/reopen"),
        json!({"reason": planted("reopen.reason")}),
    )
    .await;

    // `waymark import` reads an export, scrubs it with the site's settings, indexes it.
    let export = json!({"id": "imported-1", "title": planted("import.title"),
        "problem": planted("import.problem"), "answers": [planted("import.answers")],
        "routes": [planted("import.routes")], "tags": [planted("import.tags")]});
    let mut imported = import_str(
        &export.to_string(),
        ImportFormat::Jsonl,
        "demo",
        &mut |_| {},
    )
    .expect("import");
    assert_eq!(imported.docs.len(), 1, "{}", imported.report);
    waymark_server::flow::scrub::imported_docs(Some(&app.store), "demo", &mut imported.docs)
        .await
        .unwrap();
    for doc in &imported.docs {
        app._knowledge.upsert(doc).unwrap();
    }
    app._knowledge.commit().unwrap();
    (token, ticket)
}
