//! Two `waymark serve` replicas (the real binary, free loopback ports) on one fresh
//! PostgreSQL database, as an operator runs them behind a load balancer:
//!
//! - a visitor's widget on A and an agent on B converse live (A's conversation
//!   stream carries B's reply), the agent signed in on A and writing on B with the
//!   session's CSRF token;
//! - a ticket resolved on B is suggested by A within 2 s (the knowledge log);
//! - killing the job runner's process (SIGKILL) lets the other replica take over
//!   within 10 s, and no job is delivered twice;
//! - a replica started with an empty index rebuilds it from the log.
//!
//! Runs only when `WAYMARK_TEST_POSTGRES` is set (the database server; each run
//! creates and drops a database of its own).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod replica;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use sqlx::Connection;
use waymark_server::Store;
use waymark_server::auth::{NewUser, Role, accounts};

use replica::{Replica, http};

const PASSWORD: &str = "replica-password-0123";
const HOOK_SECRET: &str = "whsec-replicas-0123456789";

/// A database of its own on the `WAYMARK_TEST_POSTGRES` server, dropped at the end.
struct Database {
    admin_url: String,
    name: String,
    url: String,
}

impl Database {
    async fn create(admin_url: &str) -> Self {
        let name = format!("waymark_replicas_{}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(admin_url)
            .await
            .expect("connect to WAYMARK_TEST_POSTGRES");
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await
            .expect("drop old database");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create database");
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url, |(base, _)| base);
        Self {
            admin_url: admin_url.to_owned(),
            url: format!("{base}/{name}"),
            name,
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

/// Webhook deliveries received, by `Waymark-Delivery` id.
#[derive(Clone, Default)]
struct Deliveries(Arc<Mutex<BTreeMap<String, Vec<Value>>>>);

impl Deliveries {
    fn snapshot(&self) -> BTreeMap<String, Vec<Value>> {
        self.0.lock().unwrap().clone()
    }

    /// The delivery ids of `ticket.resolved` events of `ticket`.
    fn for_ticket(&self, ticket: &str) -> Vec<String> {
        self.snapshot()
            .into_iter()
            .filter(|(_, bodies)| bodies.iter().any(|b| b.to_string().contains(ticket)))
            .map(|(id, _)| id)
            .collect()
    }
}

async fn start_receiver() -> (String, Deliveries) {
    let deliveries = Deliveries::default();
    let kept = deliveries.clone();
    let router = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let kept = kept.clone();
            async move {
                let signature = headers
                    .get(waymark_server::notify::sign::HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                let now = waymark_server::storage::now_ms() / 1000;
                if waymark_server::notify::sign::verify(HOOK_SECRET, signature, &body, now).is_err()
                {
                    return StatusCode::UNAUTHORIZED;
                }
                let id = headers
                    .get("waymark-delivery")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
                kept.0.lock().unwrap().entry(id).or_default().push(body);
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (base, deliveries)
}

/// Polls `check` every 50 ms until it gives a value or `limit` passes.
async fn within<T, F, Fut>(limit: Duration, what: &str, mut check: F) -> (T, Duration)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = check().await {
            return (value, started.elapsed());
        }
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A visitor's conversation with a person, started on `replica`: (id, token, ticket).
async fn visitor_asks_for_a_person(
    replica: &Replica,
    admin_token: &str,
    session: &str,
    message: &str,
) -> (String, String, String) {
    let (status, body) = http(
        replica,
        "POST",
        "/api/widget/v1/conversations?site=pk_demo",
        &[],
        Some(
            json!({"session_id": session, "idempotency_key": format!("k-{session}"),
            "message": message, "intent": "talk_to_person"}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["conversation_id"].as_str().unwrap().to_owned();
    let token = body["conversation_token"].as_str().unwrap().to_owned();
    let auth = format!("Bearer {admin_token}");
    let (_, queue) = http(
        replica,
        "GET",
        "/api/v1/sites/demo/tickets",
        &[("authorization", &auth)],
        None,
    )
    .await;
    let ticket = queue
        .as_array()
        .unwrap()
        .iter()
        .find_map(|entry| {
            (entry["ticket"]["conversation_id"] == id.as_str())
                .then(|| entry["ticket"]["id"].as_str().unwrap().to_owned())
        })
        .expect("the ticket is in the queue");
    (id, token, ticket)
}

/// A ticket action, tried again while the job runner changed the ticket since it
/// was read (`version_conflict`, as a console reloads and retries): (status, body).
async fn act(replica: &Replica, headers: &[(&str, &str)], path: &str, body: Value) -> (u16, Value) {
    for _ in 0..10 {
        let answer = http(replica, "POST", path, headers, Some(body.clone())).await;
        if answer.1["error"]["code"] != "version_conflict" {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{path}: the ticket kept changing");
}

async fn acknowledge(replica: &Replica, admin_token: &str, ticket: &str) {
    let auth = format!("Bearer {admin_token}");
    let (status, body) = act(
        replica,
        &[("authorization", &auth)],
        &format!("/api/v1/sites/demo/tickets/{ticket}/acknowledge"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

async fn resolve(replica: &Replica, admin_token: &str, ticket: &str, fix: &str) {
    let auth = format!("Bearer {admin_token}");
    let (status, body) = act(
        replica,
        &[("authorization", &auth)],
        &format!("/api/v1/sites/demo/tickets/{ticket}/resolve"),
        json!({"resolution": {
            "root_cause": "The ledger export cache held a stale schema.",
            "fix": fix,
            "environment": "Firefox 133, production EU",
            "version": "2.4.1"}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

/// The titles a visitor of the demo site is offered on `replica` for `query`.
async fn suggested_titles(replica: &Replica, query: &str) -> Vec<String> {
    let (status, body) = http(
        replica,
        "POST",
        "/api/widget/v1/suggest?site=pk_demo",
        &[],
        Some(json!({"session_id": "s-suggest", "query": query})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn offered(replica: &Replica, query: &str, title_part: &str) -> Option<()> {
    suggested_titles(replica, query)
        .await
        .iter()
        .any(|title| title.contains(title_part))
        .then_some(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_one_postgres_act_as_one_server() {
    let admin_url = match std::env::var("WAYMARK_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            eprintln!("skipped: WAYMARK_TEST_POSTGRES is not set");
            return;
        }
    };
    let test_started = Instant::now();
    let database = Database::create(&admin_url).await;
    let (receiver, deliveries) = start_receiver().await;
    // The demo site and its accounts, written as an operator's commands would.
    let root = tempfile::tempdir().unwrap();
    let store = Store::open(&root.path().join("setup"), Some(&database.url))
        .await
        .expect("open the database");
    waymark_server::demo::seed(&store, None).await.unwrap();
    let now = waymark_server::storage::now_ms();
    for (email, role) in [
        ("admin@replicas.test", Role::Admin),
        ("agent@replicas.test", Role::Agent),
    ] {
        accounts::add_user(
            &store,
            NewUser {
                email: email.into(),
                name: email.split('@').next().unwrap().into(),
                role,
                password: PASSWORD.into(),
                sites: vec!["demo".into()],
            },
            now,
        )
        .await
        .unwrap();
    }
    let admin_token = accounts::mint_token(&store, "admin@replicas.test", "test", now)
        .await
        .unwrap()
        .1;

    let mut a = Replica::start("a", root.path(), &database.url).await;
    let mut b = Replica::start("b", root.path(), &database.url).await;

    // 1. Live: the visitor writes on A and listens on A; the agent signs in on A
    //    and answers on B with the session's cookie and CSRF token.
    let (conversation, token, ticket) = visitor_asks_for_a_person(
        &a,
        &admin_token,
        "s-live",
        "The ledger export is empty since this morning",
    )
    .await;
    let mut stream = a
        .open_stream(&format!(
            "/api/widget/v1/conversations/{conversation}/events?site=pk_demo&token={token}"
        ))
        .await;
    stream
        .wait_for(&["event: messages", "ledger export is empty"])
        .await;
    let (cookie, csrf) = replica::login(&a, "agent@replicas.test", PASSWORD).await;
    acknowledge(&b, &admin_token, &ticket).await;
    let reply_path = format!("/api/v1/sites/demo/tickets/{ticket}/reply");
    let reply = json!({"text": "Rebuilding your export cache now"});
    let (status, body) = http(
        &b,
        "POST",
        &reply_path,
        &[("cookie", &cookie)],
        Some(reply.clone()),
    )
    .await;
    assert_eq!(
        status, 403,
        "B refuses a session write without its CSRF token: {body}"
    );
    assert_eq!(body["error"]["code"], "csrf_failed");
    let replied = Instant::now();
    let (status, body) = act(
        &b,
        &[("cookie", &cookie), ("x-csrf-token", &csrf)],
        &reply_path,
        reply,
    )
    .await;
    assert_eq!(status, 200, "B accepts the session signed in on A: {body}");
    stream.wait_for(&["Rebuilding your export cache now"]).await;
    println!(
        "figure: reply written on B reached the widget's stream on A in {} ms",
        replied.elapsed().as_millis()
    );

    // 2. Knowledge: the ticket resolved on B is suggested by A within 2 s.
    let (status, hook) = http(
        &b,
        "POST",
        "/api/v1/sites/demo/webhooks",
        &[("authorization", &format!("Bearer {admin_token}"))],
        Some(
            json!({"url": format!("{receiver}/hook"), "secret": HOOK_SECRET,
            "events": ["ticket.resolved"]}),
        ),
    )
    .await;
    assert_eq!(status, 200, "{hook}");
    let fix = "Rebuild the ledger export cache under Settings, then export again.";
    assert!(
        offered(&a, "ledger export cache empty", "ledger export cache")
            .await
            .is_none(),
        "nothing to offer before the resolve"
    );
    resolve(&b, &admin_token, &ticket, fix).await;
    let (_, took) = within(
        Duration::from_secs(2),
        "A suggests B's resolved ticket",
        || offered(&a, "ledger export cache empty", "ledger export cache"),
    )
    .await;
    println!(
        "figure: ticket resolved on B suggested by A after {} ms",
        took.as_millis()
    );

    // 3. One job runner; killing its process hands the jobs to the other.
    within(
        Duration::from_secs(10),
        "the first resolve is delivered",
        || async { (!deliveries.for_ticket(&ticket).is_empty()).then_some(()) },
    )
    .await;
    let (runner, survivor) = match (a.runs_jobs(), b.runs_jobs()) {
        (true, false) => (&mut a, &mut b),
        (false, true) => (&mut b, &mut a),
        other => panic!("exactly one replica runs the jobs, found {other:?}"),
    };
    println!("the job runner is replica {}", runner.name);
    runner.kill();
    let killed = Instant::now();
    let (_, _, second) = visitor_asks_for_a_person(
        survivor,
        &admin_token,
        "s-takeover",
        "Invoices do not download",
    )
    .await;
    acknowledge(survivor, &admin_token, &second).await;
    resolve(
        survivor,
        &admin_token,
        &second,
        "Clear the download folder limit and download again.",
    )
    .await;
    let (_, took_over) = within(
        Duration::from_secs(10),
        "the survivor delivers the next job",
        || async { (!deliveries.for_ticket(&second).is_empty()).then_some(()) },
    )
    .await;
    assert!(survivor.runs_jobs(), "the survivor says it runs the jobs");
    println!(
        "figure: job runner killed, next job delivered by replica {} after {} ms",
        survivor.name,
        (killed.elapsed().max(took_over)).as_millis()
    );
    // No job ran twice: one delivery per job, every job delivered once.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let received = deliveries.snapshot();
    for (id, bodies) in &received {
        assert_eq!(
            bodies.len(),
            1,
            "delivery {id} received {} times",
            bodies.len()
        );
    }
    let jobs: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT seq, state, attempts FROM jobs WHERE kind = 'webhook' ORDER BY seq")
            .fetch_all(&mut sqlx::PgConnection::connect(&database.url).await.unwrap())
            .await
            .unwrap();
    assert!(jobs.len() >= 2, "{jobs:?}");
    for (seq, state, attempts) in &jobs {
        assert_eq!(
            (state.as_str(), *attempts),
            ("done", 1),
            "job {seq} ran once"
        );
        assert!(
            received.contains_key(&seq.to_string()),
            "job {seq} delivered"
        );
    }

    // 4. A replica started with an empty index rebuilds it from the log.
    let fresh = Replica::start("c", root.path(), &database.url).await;
    let (_, rebuilt) = within(
        Duration::from_secs(5),
        "a new replica suggests from the log",
        || {
            offered(
                &fresh,
                "invoices do not download folder limit",
                "download folder limit",
            )
        },
    )
    .await;
    println!(
        "figure: a replica with an empty index suggested from the log {} ms after it was ready",
        rebuilt.as_millis()
    );
    store.close().await;
    assert!(
        test_started.elapsed() < Duration::from_secs(120),
        "bounded in time"
    );
}
