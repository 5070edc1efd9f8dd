//! Fake receivers on loopback for the job runner's deliveries: an SMTP sink (a
//! tiny tokio SMTP server) and an HTTP receiver that checks webhook signatures,
//! answers Slack/Jira/Linear-shaped requests, can fail its first requests and can
//! redirect. Both stop when dropped.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One email the sink accepted.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub data: String,
}

/// An SMTP server that accepts every message.
pub struct SmtpSink {
    pub port: u16,
    pub mails: Arc<Mutex<Vec<Mail>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let sink = mails.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let sink = sink.clone();
                tokio::spawn(async move {
                    let _ = session(stream, sink).await;
                });
            }
        });
        Self { port, mails, task }
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}

async fn session(
    stream: tokio::net::TcpStream,
    sink: Arc<Mutex<Vec<Mail>>>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 sink ESMTP\r\n").await?;
    let mut to = Vec::new();
    while let Some(line) = lines.next_line().await? {
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            write.write_all(b"250-sink\r\n250 8BITMIME\r\n").await?;
        } else if upper.starts_with("MAIL FROM") {
            to.clear();
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO") {
            to.push(
                line[8..]
                    .trim()
                    .trim_matches(|c| c == '<' || c == '>')
                    .to_owned(),
            );
            write.write_all(b"250 OK\r\n").await?;
        } else if upper == "DATA" {
            write.write_all(b"354 go on\r\n").await?;
            let mut data = String::new();
            while let Some(line) = lines.next_line().await? {
                if line == "." {
                    break;
                }
                data.push_str(&line);
                data.push('\n');
            }
            sink.lock().unwrap().push(Mail {
                to: to.clone(),
                data,
            });
            write.write_all(b"250 queued\r\n").await?;
        } else if upper == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            break;
        } else {
            write.write_all(b"250 OK\r\n").await?;
        }
    }
    Ok(())
}

/// One request the HTTP receiver accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Value,
}

#[derive(Clone)]
struct ReceiverState {
    secret: String,
    fail_first: Arc<Mutex<u32>>,
    accepted: Arc<Mutex<Vec<Received>>>,
    attempts: Arc<Mutex<u32>>,
}

/// A webhook / Slack / Jira / Linear receiver.
pub struct Receiver {
    pub base: String,
    accepted: Arc<Mutex<Vec<Received>>>,
    attempts: Arc<Mutex<u32>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    /// Starts a receiver checking signatures with `secret` that answers 500 to
    /// its first `fail_first` requests.
    pub async fn start(secret: &str, fail_first: u32) -> Self {
        let state = ReceiverState {
            secret: secret.to_owned(),
            fail_first: Arc::new(Mutex::new(fail_first)),
            accepted: Arc::new(Mutex::new(Vec::new())),
            attempts: Arc::new(Mutex::new(0)),
        };
        let accepted = state.accepted.clone();
        let attempts = state.attempts.clone();
        let router = Router::new()
            .route("/hook", post(hook))
            .route("/slack", post(plain))
            .route("/rest/api/2/issue", post(jira))
            .route("/graphql", post(linear))
            .route("/redirect", post(redirect))
            .with_state(state);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self {
            base,
            accepted,
            attempts,
            task,
        }
    }

    pub fn accepted(&self) -> Vec<Received> {
        self.accepted.lock().unwrap().clone()
    }

    pub fn attempts(&self) -> u32 {
        *self.attempts.lock().unwrap()
    }
}

fn gate(state: &ReceiverState) -> Option<Response> {
    *state.attempts.lock().unwrap() += 1;
    let mut fail = state.fail_first.lock().unwrap();
    if *fail > 0 {
        *fail -= 1;
        return Some(StatusCode::INTERNAL_SERVER_ERROR.into_response());
    }
    None
}

fn accept(state: &ReceiverState, path: &str, headers: HeaderMap, body: &Bytes) {
    state.accepted.lock().unwrap().push(Received {
        path: path.to_owned(),
        headers,
        body: serde_json::from_slice(body).unwrap_or(Value::Null),
    });
}

async fn hook(State(state): State<ReceiverState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(failure) = gate(&state) {
        return failure;
    }
    let signature = headers
        .get(waymark_server::notify::sign::HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let now = waymark_server::storage::now_ms() / 1000;
    if waymark_server::notify::sign::verify(&state.secret, &signature, &body, now).is_err() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    accept(&state, "/hook", headers, &body);
    StatusCode::OK.into_response()
}

async fn plain(State(state): State<ReceiverState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(failure) = gate(&state) {
        return failure;
    }
    accept(&state, "/slack", headers, &body);
    "ok".into_response()
}

async fn jira(State(state): State<ReceiverState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(failure) = gate(&state) {
        return failure;
    }
    accept(&state, "/jira", headers, &body);
    (
        StatusCode::CREATED,
        axum::Json(serde_json::json!({"id": "10001", "key": "OPS-7"})),
    )
        .into_response()
}

async fn linear(State(state): State<ReceiverState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(failure) = gate(&state) {
        return failure;
    }
    accept(&state, "/linear", headers, &body);
    axum::Json(serde_json::json!({"data": {"issueCreate": {"success": true,
        "issue": {"id": "x", "identifier": "ENG-12", "url": "https://linear.test/ENG-12"}}}}))
    .into_response()
}

async fn redirect(State(state): State<ReceiverState>) -> Response {
    *state.attempts.lock().unwrap() += 1;
    (
        StatusCode::TEMPORARY_REDIRECT,
        [("location", "http://10.0.0.1/hook")],
    )
        .into_response()
}
