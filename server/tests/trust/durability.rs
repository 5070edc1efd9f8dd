//! Durability under `kill -9`: the real `waymark serve` binary takes concurrent
//! event batches and messages (each with its client event id or idempotency key)
//! and is SIGKILLed mid-flight, several times, then restarted; the clients retry
//! everything that was not acknowledged. Every acknowledged event and message is
//! there afterwards, and nothing is there twice. On SQLite, and on PostgreSQL
//! when `WAYMARK_TEST_POSTGRES` is set.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sqlx::Connection;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use waymark_server::Store;
use waymark_server::storage::TrailQuery;

const CLIENTS: usize = 4;
const ITEMS: usize = 30;
const KILLS: usize = 3;
const SITE: &str = "trust";

/// What a run saw.
#[derive(Debug, Default)]
pub struct Figures {
    pub kills: usize,
    pub acked_events: usize,
    pub acked_messages: usize,
    pub lost: usize,
    pub duplicates: usize,
}

struct Server {
    data_dir: std::path::PathBuf,
    database_url: Option<String>,
    addr: SocketAddr,
    child: Option<Child>,
}

impl Server {
    fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_waymark"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "warn")
            .env("WAYMARK_LISTEN", self.addr.to_string())
            .env("WAYMARK_DATA_DIR", &self.data_dir)
            .env("WAYMARK_WIDGET_DIR", &self.data_dir)
            .env("WAYMARK_WIDGET_BURST", "1000000")
            .env("WAYMARK_WIDGET_PER_SECOND", "1000000")
            .env("WAYMARK_NEW_SESSIONS_PER_CLIENT_PER_HOUR", "1000000")
            .stdin(Stdio::null());
        if let Some(url) = &self.database_url {
            command.env("DATABASE_URL", url);
        }
        command
    }

    fn add_site(&self) -> String {
        let output = self
            .command()
            .args(["site", "add", SITE, "--name", "Trust"])
            .output()
            .expect("waymark site add");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        text.split_whitespace()
            .find(|word| word.starts_with("pk_"))
            .expect("a widget key")
            .to_owned()
    }

    async fn start(&mut self) {
        let child = self
            .command()
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("waymark serve");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok((200, _)) = http(self.addr, "GET", "/readyz", None, "").await {
                return;
            }
            assert!(Instant::now() < deadline, "the server did not become ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            // `Child::kill` is SIGKILL on Unix: no shutdown code runs.
            child.kill().expect("SIGKILL");
            child.wait().expect("reaped");
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One HTTP/1.1 request with `Connection: close`; (status, body).
async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    auth: Option<&str>,
    body: &str,
) -> std::io::Result<(u16, String)> {
    let io = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        let auth = auth
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await?;
        Ok::<_, std::io::Error>(answer)
    };
    let answer = tokio::time::timeout(Duration::from_secs(20), io)
        .await
        .map_err(|_| std::io::Error::other("timed out"))??;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status line"))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

#[derive(Default)]
struct Acks {
    events: BTreeMap<String, BTreeSet<String>>,
    messages: BTreeMap<String, BTreeSet<String>>,
}

/// One client: starts its conversation, then sends ITEMS event batches and
/// messages; returns what was never acknowledged.
async fn client(
    addr: SocketAddr,
    key: String,
    n: usize,
    acks: Arc<Mutex<Acks>>,
    retry_until_done: bool,
) -> (String, String) {
    let session = format!("s-dur-{n}");
    let start = json!({"session_id": session, "idempotency_key": format!("{session}.conv"),
                       "message": "Durability check"})
    .to_string();
    let (id, token) = loop {
        if let Ok((201, body)) = http(
            addr,
            "POST",
            &format!("/api/widget/v1/conversations?site={key}"),
            None,
            &start,
        )
        .await
        {
            let body: Value = serde_json::from_str(&body).unwrap();
            break (
                body["conversation_id"].as_str().unwrap().to_owned(),
                body["conversation_token"].as_str().unwrap().to_owned(),
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let mut pending: Vec<usize> = (0..ITEMS).collect();
    loop {
        let mut failed = Vec::new();
        for item in pending {
            let event_id = format!("{n}-{item}");
            let batch = json!({"session_id": session, "events": [{"id": event_id, "at_ms": waymark_server::storage::now_ms(),
                               "type": "page_view", "url": "https://acme.test/", "route": "/"}]})
            .to_string();
            let event_ok = matches!(
                http(
                    addr,
                    "POST",
                    &format!("/api/widget/v1/events?site={key}"),
                    None,
                    &batch
                )
                .await,
                Ok((200, _))
            );
            let message =
                json!({"idempotency_key": event_id, "text": format!("message {item}")}).to_string();
            let message_ok = matches!(
                http(
                    addr,
                    "POST",
                    &format!("/api/widget/v1/conversations/{id}/messages?site={key}"),
                    Some(&token),
                    &message
                )
                .await,
                Ok((200, _))
            );
            let mut acks = acks.lock().unwrap();
            if event_ok {
                acks.events
                    .entry(session.clone())
                    .or_default()
                    .insert(event_id.clone());
            }
            if message_ok {
                acks.messages
                    .entry(id.clone())
                    .or_default()
                    .insert(event_id.clone());
            }
            if !(event_ok && message_ok) {
                failed.push(item);
            }
        }
        pending = failed;
        if pending.is_empty() || !retry_until_done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (session, id)
}

/// Runs the kill test against a fresh database (`database_url`, else SQLite in `dir`).
pub async fn run(dir: &Path, database_url: Option<String>) -> Figures {
    let addr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap()
    };
    let mut server = Server {
        data_dir: dir.to_owned(),
        database_url: database_url.clone(),
        addr,
        child: None,
    };
    let key = server.add_site();
    server.start().await;
    let acks = Arc::new(Mutex::new(Acks::default()));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|n| tokio::spawn(client(addr, key.clone(), n, acks.clone(), true)))
        .collect();
    let mut figures = Figures::default();
    for round in 0..KILLS {
        // Kill once the clients are well into their work.
        let target = (round + 1) * CLIENTS * ITEMS / (KILLS + 2);
        let deadline = Instant::now() + Duration::from_secs(120);
        while acks
            .lock()
            .unwrap()
            .events
            .values()
            .map(BTreeSet::len)
            .sum::<usize>()
            < target
            && Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        server.kill();
        figures.kills += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
        server.start().await;
    }
    let mut ids = Vec::new();
    for client in clients {
        ids.push(client.await.unwrap());
    }
    server.kill();
    let store = Store::open(dir, database_url.as_deref()).await.unwrap();
    let acks = std::mem::take(&mut *acks.lock().unwrap());
    for (session, conversation) in ids {
        let stored = store
            .trail(&TrailQuery {
                site_id: SITE,
                session_id: &session,
                limit: 100_000,
            })
            .await
            .unwrap();
        let event_ids: Vec<String> = stored.iter().map(|e| e.client_id.clone()).collect();
        let unique: BTreeSet<&String> = event_ids.iter().collect();
        figures.duplicates += event_ids.len() - unique.len();
        let acked = acks.events.get(&session).cloned().unwrap_or_default();
        figures.acked_events += acked.len();
        figures.lost += acked.iter().filter(|id| !unique.contains(id)).count();
        let messages = store.messages_after(SITE, &conversation, 0).await.unwrap();
        let keys: Vec<String> = messages
            .iter()
            .filter_map(|m| m.idempotency_key.clone())
            .collect();
        let unique: BTreeSet<&String> = keys.iter().collect();
        figures.duplicates += keys.len() - unique.len();
        // The text is the item: a message stored twice under two keys would show here.
        let texts: Vec<&str> = messages
            .iter()
            .filter(|m| m.idempotency_key.is_some())
            .map(|m| m.text.as_str())
            .collect();
        let unique_texts: BTreeSet<&&str> = texts.iter().collect();
        figures.duplicates += texts.len() - unique_texts.len();
        let acked = acks
            .messages
            .get(&conversation)
            .cloned()
            .unwrap_or_default();
        figures.acked_messages += acked.len();
        figures.lost += acked.iter().filter(|key| !unique.contains(key)).count();
    }
    store.close().await;
    figures
}

/// A fresh PostgreSQL database under `admin_url`, dropped by the returned guard.
pub async fn postgres_database(admin_url: &str, name: &str) -> (String, impl Drop + use<>) {
    struct Guard(String, String);
    impl Drop for Guard {
        fn drop(&mut self) {
            let (admin, name) = (self.0.clone(), self.1.clone());
            let _ = std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap()
                    .block_on(async {
                        if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                            let _ = sqlx::query(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .execute(&mut conn)
                            .await;
                        }
                    });
            })
            .join();
        }
    }
    let mut admin = sqlx::PgConnection::connect(admin_url).await.unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url, |(base, _)| base);
    (
        format!("{base}/{name}"),
        Guard(admin_url.to_owned(), name.to_owned()),
    )
}

fn check(backend: &str, figures: &Figures) {
    println!(
        "figure: kill -9 ({backend}): {} kills, {} events and {} messages acknowledged, {} lost, {} duplicated",
        figures.kills,
        figures.acked_events,
        figures.acked_messages,
        figures.lost,
        figures.duplicates
    );
    assert_eq!(figures.kills, KILLS);
    assert_eq!(
        figures.acked_events,
        CLIENTS * ITEMS,
        "{backend}: every event was acknowledged in the end"
    );
    assert_eq!(figures.acked_messages, CLIENTS * ITEMS, "{backend}");
    assert_eq!(figures.lost, 0, "{backend}: {figures:?}");
    assert_eq!(figures.duplicates, 0, "{backend}: {figures:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn figure_kill_nine_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let figures = run(dir.path(), None).await;
    check("sqlite", &figures);
    match std::env::var("WAYMARK_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => {
            let (db, _guard) =
                postgres_database(&url, &format!("waymark_kill_{}", std::process::id())).await;
            let dir = tempfile::tempdir().unwrap();
            let figures = run(dir.path(), Some(db)).await;
            check("postgres", &figures);
        }
        _ => eprintln!("PostgreSQL half skipped: WAYMARK_TEST_POSTGRES is not set"),
    }
}
