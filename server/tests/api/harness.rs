//! The test harness: one in-process app per backend (SQLite in a temp dir
//! always; PostgreSQL when `WAYMARK_TEST_POSTGRES` is set, in a database of its
//! own that is dropped afterwards, even when the test fails).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use sqlx::Connection;
use tower::ServiceExt;
use waymark_knowledge::{DocKind, IndexConfig, KnowledgeDoc, KnowledgeIndex};
use waymark_server::auth::{AuthState, NewUser, Role, accounts};
use waymark_server::{AppState, Config, Store};

/// The password of every user the harness creates.
pub const PASSWORD: &str = "test-password-0123";

static DATABASES: AtomicU32 = AtomicU32::new(0);

/// One app under test.
pub struct TestApp {
    pub name: &'static str,
    pub router: Router,
    pub store: Store,
    pub _knowledge: Arc<KnowledgeIndex>,
    /// An API token of an admin of the demo site (`admin@test.example`).
    pub token: String,
    /// That admin's user id: the actor the audit trail records for [`TestApp::agent`].
    pub admin_id: String,
    /// The data directory (the SQLite database and its WAL, the index when on disk).
    pub data_dir: PathBuf,
    /// The PostgreSQL database, when this app runs on it.
    pub database_url: Option<String>,
    _dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
}

/// A PostgreSQL database created for one test app, dropped on drop.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
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

/// Where the app's knowledge index lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexPlace {
    /// In memory (fast; most tests).
    Memory,
    /// In `data_dir/index`, for tests that read the files.
    Disk,
}

/// Runs `scenario` against every available backend.
pub async fn on_every_backend<F, Fut>(scenario: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    on_every_backend_with(IndexPlace::Memory, scenario).await;
}

/// Runs `scenario` against every available backend, the index where asked.
pub async fn on_every_backend_with<F, Fut>(index: IndexPlace, scenario: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    scenario(sqlite(index).await).await;
    match std::env::var("WAYMARK_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => scenario(postgres(&url, index).await).await,
        _ => eprintln!("PostgreSQL half skipped: WAYMARK_TEST_POSTGRES is not set"),
    }
}

async fn sqlite(index: IndexPlace) -> TestApp {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("warn")
        .try_init();
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path(), None).await.expect("sqlite store");
    build("sqlite", store, dir, None, index).await
}

async fn postgres(admin_url: &str, index: IndexPlace) -> TestApp {
    let n = DATABASES.fetch_add(1, Ordering::SeqCst);
    let name = format!("waymark_test_{}_{n}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("connect to WAYMARK_TEST_POSTGRES");
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut admin)
        .await
        .expect("drop old database");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create database");
    let guard = PgDatabase {
        admin_url: admin_url.to_owned(),
        name: name.clone(),
    };
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url, |(base, _)| base);
    let url = format!("{base}/{name}");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path(), Some(&url))
        .await
        .expect("postgres store");
    build("postgres", store, dir, Some((guard, url)), index).await
}

async fn build(
    name: &'static str,
    store: Store,
    dir: tempfile::TempDir,
    pg: Option<(PgDatabase, String)>,
    index: IndexPlace,
) -> TestApp {
    waymark_server::demo::seed(&store, None)
        .await
        .expect("seed");
    let config = Config::load(None, &BTreeMap::new()).expect("config");
    let auth = AuthState::new(&config.auth, None);
    let token = create_user(&store, "admin@test.example", Role::Admin, &["demo"]).await;
    let admin_id = store
        .user_by_email("admin@test.example")
        .await
        .expect("lookup")
        .expect("admin")
        .id
        .to_string();
    let knowledge = Arc::new(match index {
        IndexPlace::Memory => KnowledgeIndex::in_memory(IndexConfig::default()).expect("index"),
        IndexPlace::Disk => {
            KnowledgeIndex::open_or_create(&dir.path().join("index"), IndexConfig::default())
                .expect("index")
        }
    });
    knowledge
        .upsert(&KnowledgeDoc {
            site: "demo".into(),
            id: "retry-payment".into(),
            kind: DocKind::Article,
            title: "Payment failed with error 502".into(),
            problem: "When you pay an invoice and the payment provider does not answer, the \
                      payment fails with 502. Wait a minute and retry the payment."
                .into(),
            routes: vec!["/demo/billing".into()],
            ..KnowledgeDoc::default()
        })
        .expect("upsert");
    knowledge.commit().expect("commit");
    let router = waymark_server::app(AppState {
        store: store.clone(),
        config: Arc::new(config),
        knowledge: Some(knowledge.clone()),
        auth: Arc::new(auth),
        metrics: Arc::default(),
    });
    let (pg, database_url) = match pg {
        Some((guard, url)) => (Some(guard), Some(url)),
        None => (None, None),
    };
    TestApp {
        name,
        router,
        store,
        _knowledge: knowledge,
        token,
        admin_id,
        data_dir: dir.path().to_owned(),
        database_url,
        _dir: dir,
        _pg: pg,
    }
}

/// An answer: status and JSON body (`Null` when empty or not JSON).
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl TestApp {
    /// Sends a request with a raw body.
    pub async fn raw(
        &self,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(body.into()).expect("request")).await
    }

    /// The opaque id visitors of the demo site see for document `doc_id`.
    pub async fn visible_id(&self, doc_id: &str) -> String {
        let secret = waymark_server::flow::secrets::install_secret(&self.store)
            .await
            .expect("install secret");
        waymark_server::flow::secrets::answer_id(&secret, "demo", doc_id)
    }

    /// Sends a request with a raw body from client address `from`.
    pub async fn raw_from(
        &self,
        from: std::net::SocketAddr,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut request = request.body(body.into()).expect("request");
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(from));
        self.send(request).await
    }

    /// Sends JSON from client address `from`.
    pub async fn json_from(
        &self,
        from: std::net::SocketAddr,
        method: &str,
        uri: &str,
        body: &Value,
    ) -> Answer {
        self.raw_from(
            from,
            method,
            uri,
            &[("content-type", "application/json")],
            body.to_string(),
        )
        .await
    }

    async fn send(&self, request: Request<Body>) -> Answer {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
        }
    }

    /// Sends JSON.
    pub async fn json(
        &self,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> Answer {
        let mut all = vec![("content-type", "application/json")];
        all.extend_from_slice(headers);
        self.raw(method, uri, &all, body.to_string()).await
    }

    /// A second store over the same database, as a restarted server opens it.
    pub async fn reopen_store(&self) -> Store {
        let url = self._pg.as_ref().map(|pg| {
            let base = pg
                .admin_url
                .rsplit_once('/')
                .map_or(pg.admin_url.as_str(), |(base, _)| base);
            format!("{base}/{}", pg.name)
        });
        Store::open(self._dir.path(), url.as_deref())
            .await
            .expect("reopen store")
    }

    /// Agent API call with the bearer token.
    pub async fn agent(&self, method: &str, path: &str, body: Option<&Value>) -> Answer {
        let auth = format!("Bearer {}", self.token);
        let uri = format!("/api/v1/sites/demo{path}");
        match body {
            Some(body) => {
                self.json(method, &uri, &[("authorization", &auth)], body)
                    .await
            }
            None => {
                self.raw(method, &uri, &[("authorization", &auth)], Body::empty())
                    .await
            }
        }
    }
}

/// Creates a user with [`PASSWORD`] on `sites` and returns an API token of theirs.
pub async fn create_user(store: &Store, email: &str, role: Role, sites: &[&str]) -> String {
    let new = NewUser {
        email: email.into(),
        name: email.split('@').next().unwrap_or(email).into(),
        role,
        password: PASSWORD.into(),
        sites: sites.iter().map(|s| s.to_string()).collect(),
    };
    let now = now_ms();
    accounts::add_user(store, new, now).await.expect("user");
    accounts::mint_token(store, email, "test", now)
        .await
        .expect("token")
        .1
}

/// Asserts the stable error shape and returns the code.
pub fn error_code(answer: &Answer) -> String {
    let code = answer.body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error shape in {:?} {}", answer.status, answer.body));
    assert!(
        answer.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "error without message: {}",
        answer.body
    );
    code.to_owned()
}

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    waymark_server::storage::now_ms()
}
