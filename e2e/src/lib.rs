//! The harness for Waymark's browser journeys: a real `waymark demo` server on a
//! free loopback port, a real ChromeDriver, and headless Chromium, all started by
//! [`Harness::start`] and stopped when the harness is dropped.
//!
//! The journeys are black-box: they drive the sample product page in the
//! browser and read results back through the server's HTTP API, never its
//! internals. Paths come from the environment `cargo xtask test` sets
//! (`WAYMARK_BIN`, `WAYMARK_WIDGET_DIR`, `WAYMARK_CONSOLE_DIR`, `WAYMARK_CHROMIUM`,
//! `WAYMARK_CHROMEDRIVER`),
//! with fallbacks for a plain `cargo test -p waymark-e2e`.

pub mod console;
pub mod http;
pub mod knowledge;

use std::future::Future;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fantoccini::{Client, ClientBuilder};
use tokio::process::{Child, Command};

/// The agent API token the harness gives its server.
pub const API_TOKEN: &str = "e2e-agent-token-0123456789";
/// The demo site's id and widget key.
pub const DEMO_SITE: &str = "demo";

/// A running server, driver and browser for one journey.
pub struct Harness {
    /// The browser session.
    pub browser: Client,
    /// `http://127.0.0.1:PORT` of the server.
    pub base: String,
    server: Child,
    driver: Child,
    scratch: PathBuf,
}

static NEXT_SCRATCH: AtomicU32 = AtomicU32::new(0);

fn env_path(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `waymark` binary: `WAYMARK_BIN`, else next to this test executable's target dir.
fn server_binary() -> anyhow::Result<PathBuf> {
    if let Some(bin) = env_path("WAYMARK_BIN") {
        return Ok(bin);
    }
    let exe = std::env::current_exe()?;
    let candidate = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|debug| debug.join("waymark"));
    match candidate {
        Some(bin) if bin.is_file() => Ok(bin),
        _ => bail!(
            "the waymark binary was not found: build it (`cargo build -p waymark-server`) or set WAYMARK_BIN"
        ),
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Polls `probe` until it yields `Some`, or fails after `timeout` naming `what`.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<Option<T>>>,
{
    let deadline = Instant::now() + timeout;
    let mut last_error = None;
    loop {
        match probe().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(err) => last_error = Some(err),
        }
        if Instant::now() > deadline {
            let detail = last_error
                .map(|e| format!(" (last error: {e:#})"))
                .unwrap_or_default();
            bail!("timed out after {timeout:?} waiting for {what}{detail}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl Harness {
    /// Starts the demo server, ChromeDriver and a headless Chromium session.
    pub async fn start() -> anyhow::Result<Self> {
        let scratch = std::env::temp_dir().join(format!(
            "waymark-e2e-{}-{}",
            std::process::id(),
            NEXT_SCRATCH.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&scratch)?;
        let widget_dir =
            env_path("WAYMARK_WIDGET_DIR").unwrap_or_else(|| workspace_root().join("dist/widget"));
        if !widget_dir.join("loader.js").is_file() {
            bail!(
                "no built widget in {}: run `cargo xtask dist` or set WAYMARK_WIDGET_DIR",
                widget_dir.display()
            );
        }

        let console_dir = env_path("WAYMARK_CONSOLE_DIR")
            .unwrap_or_else(|| workspace_root().join("dist/console"));

        let port = free_port()?;
        let base = format!("http://127.0.0.1:{port}");
        let server = Command::new(server_binary()?)
            .args([
                "demo",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
            ])
            .arg(scratch.join("data"))
            .arg("--widget-dir")
            .arg(&widget_dir)
            .arg("--console-dir")
            .arg(&console_dir)
            .env("WAYMARK_API_TOKEN", API_TOKEN)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("cannot start the waymark server")?;

        let driver_port = free_port()?;
        let driver_bin =
            env_path("WAYMARK_CHROMEDRIVER").unwrap_or_else(|| PathBuf::from("chromedriver"));
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| {
                format!(
                    "cannot start {} (install chromium-driver)",
                    driver_bin.display()
                )
            })?;

        let health = format!("{base}/healthz");
        wait_for(
            "the server to answer /healthz",
            Duration::from_secs(30),
            || async {
                Ok(http::get(&health, None)
                    .await
                    .ok()
                    .filter(|r| r.status == 200))
            },
        )
        .await?;
        let driver_url = format!("http://127.0.0.1:{driver_port}");
        let driver_addr = format!("127.0.0.1:{driver_port}");
        wait_for(
            "chromedriver to accept connections",
            Duration::from_secs(30),
            || async {
                Ok(tokio::net::TcpStream::connect(&driver_addr)
                    .await
                    .ok()
                    .map(|_| ()))
            },
        )
        .await?;

        let browser = connect_browser(&driver_url, &scratch).await?;
        Ok(Self {
            browser,
            base,
            server,
            driver,
            scratch,
        })
    }

    /// `GET` on the agent API with the harness token; returns the JSON body.
    pub async fn agent_get(&self, path: &str) -> anyhow::Result<serde_json::Value> {
        let response = http::get(&format!("{}{path}", self.base), Some(API_TOKEN)).await?;
        if response.status != 200 {
            bail!("GET {path} answered {}: {}", response.status, response.body);
        }
        serde_json::from_str(&response.body)
            .with_context(|| format!("GET {path}: body is not JSON"))
    }

    /// Runs a `waymark` operator command (`site secret demo`) on the harness's
    /// data directory, next to the running server; returns what it printed.
    pub async fn waymark(&self, args: &[&str]) -> anyhow::Result<String> {
        let output = Command::new(server_binary()?)
            .args(args)
            .env("WAYMARK_DATA_DIR", self.scratch.join("data"))
            .env("RUST_LOG", "warn")
            .output()
            .await
            .with_context(|| format!("cannot run waymark {}", args.join(" ")))?;
        if !output.status.success() {
            bail!(
                "waymark {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Runs JavaScript in the page and returns its result.
    pub async fn js(&self, script: &str) -> anyhow::Result<serde_json::Value> {
        Ok(self.browser.execute(script, Vec::new()).await?)
    }

    /// Closes the browser session and stops the processes.
    pub async fn stop(mut self) {
        let _ = self.browser.clone().close().await;
        let _ = self.driver.kill().await;
        let _ = self.server.kill().await;
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = self.server.start_kill();
        let _ = self.driver.start_kill();
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

async fn connect_browser(driver_url: &str, scratch: &std::path::Path) -> anyhow::Result<Client> {
    let mut args = vec![
        "--headless=new".to_owned(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--window-size=1280,900".into(),
    ];
    args.push(format!(
        "--user-data-dir={}",
        scratch.join("chromium").display()
    ));
    let mut options = serde_json::json!({ "args": args });
    if let Some(binary) = env_path("WAYMARK_CHROMIUM") {
        options["binary"] = serde_json::Value::String(binary.display().to_string());
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(driver_url)
        .await
        .context("cannot open a Chromium session through chromedriver")
}
