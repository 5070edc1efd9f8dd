//! One `waymark serve` process on a free loopback port, its log in a file, and
//! the HTTP calls the test makes to it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A running replica.
pub struct Replica {
    pub name: &'static str,
    pub addr: SocketAddr,
    log: PathBuf,
    child: Option<Child>,
}

impl Replica {
    /// Starts `waymark serve` with a data directory (and so an index) of its own under
    /// `root`, on `database_url`, and waits until it answers `/readyz`.
    pub async fn start(name: &'static str, root: &Path, database_url: &str) -> Self {
        let data_dir = root.join(name);
        std::fs::create_dir_all(&data_dir).unwrap();
        let config = data_dir.join("waymark.toml");
        // Ticks of half a second: a takeover is measured in ticks.
        std::fs::write(&config, "version = 1\n\n[jobs]\ntick = \"500ms\"\n").unwrap();
        let addr = free_port();
        let log = data_dir.join("serve.log");
        let child = Command::new(env!("CARGO_BIN_EXE_waymark"))
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "info,sqlx=warn")
            .env("NO_COLOR", "1")
            .env("WAYMARK_CONFIG", &config)
            .env("WAYMARK_LISTEN", addr.to_string())
            .env("WAYMARK_DATA_DIR", &data_dir)
            .env("WAYMARK_WIDGET_DIR", &data_dir)
            .env("WAYMARK_CONSOLE_DIR", &data_dir)
            .env("WAYMARK_ALLOW_TARGETS", "loopback")
            .env("DATABASE_URL", database_url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("waymark serve");
        let mut replica = Self {
            name,
            addr,
            log,
            child: Some(child),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(response) = client().get(format!("http://{addr}/readyz")).send().await
                && response.status() == 200
            {
                return replica;
            }
            let exited = replica
                .child
                .as_mut()
                .and_then(|child| child.try_wait().ok().flatten());
            assert!(
                exited.is_none() && Instant::now() < deadline,
                "replica {name} did not become ready ({exited:?}):\n{}",
                replica.log_text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// What the replica logged so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Whether the replica took the job runner's lock (it logs so once).
    pub fn runs_jobs(&self) -> bool {
        self.log_text().contains("this replica runs the jobs")
    }

    /// SIGKILL: no shutdown code runs, the lock goes with the process's connection.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL");
            child.wait().expect("reaped");
        }
    }

    /// Opens a Server-Sent Events stream.
    pub async fn open_stream(&self, path: &str) -> Stream {
        let response = stream_client()
            .get(format!("http://{}{path}", self.addr))
            .send()
            .await
            .expect("stream");
        assert_eq!(response.status(), 200, "{path}");
        Stream {
            response,
            seen: String::new(),
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An open event stream and what it carried so far.
pub struct Stream {
    response: reqwest::Response,
    seen: String,
}

impl Stream {
    /// Reads until one event holds every needle (10 s at most).
    pub async fn wait_for(&mut self, needles: &[&str]) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            for event in self.seen.split("\n\n") {
                if needles.iter().all(|needle| event.contains(needle)) {
                    // Keep only what follows, so the next wait sees new events.
                    if let Some(at) = self.seen.find(event) {
                        self.seen = self.seen[at + event.len()..].to_owned();
                    }
                    return;
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .unwrap_or_else(|_| panic!("no event with {needles:?} in time: {}", self.seen))
                .expect("the stream stays open")
                .expect("the stream stays open");
            self.seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

/// A stream's client: a stream stays open, so only connecting has a deadline.
fn stream_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

/// A loopback address nobody listens on right now.
fn free_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

/// One JSON request: (status, body; `Null` when empty).
pub async fn http(
    replica: &Replica,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, Value) {
    let (status, _, body) = request(replica, method, path, headers, body).await;
    (status, body)
}

async fn request(
    replica: &Replica,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = client().request(method, format!("http://{}{path}", replica.addr));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.expect("an answer");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

/// Signs in on `replica`: (the session's `Cookie` value, its CSRF token).
pub async fn login(replica: &Replica, email: &str, password: &str) -> (String, String) {
    let (status, headers, body) = request(
        replica,
        "POST",
        "/api/v1/auth/login",
        &[],
        Some(serde_json::json!({"email": email, "password": password})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let cookie = headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .trim()
        .to_owned();
    let csrf = body["csrf_token"]
        .as_str()
        .expect("a CSRF token")
        .to_owned();
    (cookie, csrf)
}
