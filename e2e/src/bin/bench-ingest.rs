//! `cargo xtask bench ingest`: event ingest throughput, acknowledgement latency
//! and durability of the release server, on loopback only.
//!
//! For SQLite (a fresh data directory) and then PostgreSQL (a fresh database
//! created under `--postgres URL` and dropped afterwards), it starts `waymark
//! serve` itself with a config file that raises the widget rate limits (the
//! product's defaults would answer 429 long before), then per batch size (50 and 5
//! events):
//!
//! 1. **sustained**: `--connections` clients send batches back to back for
//!    `--seconds` (after a one-second warm-up): events/s and requests/s acknowledged,
//!    the server's CPU (from `/proc/<pid>/stat`);
//! 2. **half load**: batches at a constant rate of half the sustained requests/s
//!    (open loop: each request is due at its time whether or not earlier ones
//!    were answered), latency from the due time to the acknowledgement (p50, p99).
//!
//! At the end the server is killed with SIGKILL and every acknowledged event is
//! looked up in the database: the table says how many are missing. Peak RSS is
//! the server's `VmHWM`. The numbers are printed as a Markdown table.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use sqlx::Connection;

const SITE: &str = "bench";
/// Batches a session sends before the next batch opens a new session.
const BATCHES_PER_SESSION: u64 = 20;
/// Warm-up before the sustained measurement.
const WARM_UP: Duration = Duration::from_secs(1);
/// Longest a request may take before it counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

struct Options {
    server: PathBuf,
    seconds: u64,
    connections: usize,
    postgres: Option<String>,
}

fn options() -> anyhow::Result<Options> {
    let server = std::env::var_os("WAYMARK_BIN").map(PathBuf::from).context(
        "WAYMARK_BIN must name the release `waymark` binary (cargo xtask bench ingest sets it)",
    )?;
    let mut options = Options {
        server,
        seconds: 10,
        connections: 64,
        postgres: Some("postgres://postgres@127.0.0.1:5432/test".to_owned()),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().with_context(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--seconds" => {
                options.seconds = value("--seconds")?.parse().context("--seconds: a number")?;
            }
            "--connections" => {
                options.connections = value("--connections")?
                    .parse()
                    .context("--connections: a number")?;
            }
            "--postgres" => options.postgres = Some(value("--postgres")?),
            "--no-postgres" => options.postgres = None,
            other => bail!(
                "unknown argument `{other}` (--seconds N, --connections N, --postgres URL, --no-postgres)"
            ),
        }
    }
    if options.seconds == 0 || options.connections == 0 {
        bail!("--seconds and --connections must be at least 1");
    }
    Ok(options)
}

/// One line of the table.
struct Row {
    backend: &'static str,
    batch: u64,
    events_per_s: f64,
    requests_per_s: f64,
    sustained_cpu: f64,
    half_rate: f64,
    p50_ms: f64,
    p99_ms: f64,
    half_cpu: f64,
    refused: u64,
}

/// What one backend came to.
struct BackendResult {
    rows: Vec<Row>,
    peak_rss_mib: f64,
    acknowledged: u64,
    missing: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = options()?;
    let mut results = Vec::new();
    results.push(run_backend(&options, Backend::Sqlite).await?);
    if let Some(admin) = &options.postgres {
        match FreshDatabase::create(admin).await {
            Ok(database) => {
                let result = run_backend(&options, Backend::Postgres(database.url.clone())).await;
                database.drop_it().await;
                results.push(result?);
            }
            Err(err) => eprintln!("PostgreSQL skipped: {err:#}"),
        }
    }
    print_table(&options, &results);
    let missing: u64 = results.iter().map(|r| r.missing).sum();
    if missing > 0 {
        bail!("{missing} acknowledged events are missing from the database");
    }
    Ok(())
}

fn print_table(options: &Options, results: &[BackendResult]) {
    println!(
        "\nEvent ingest, release build, loopback, {} connections, {} s per measurement (load generator on the same machine)\n",
        options.connections, options.seconds
    );
    println!(
        "| backend | batch | events/s | requests/s | server CPU | half load (req/s) | p50 ack | p99 ack | server CPU at half load | refused (503/429) |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for result in results {
        for row in &result.rows {
            println!(
                "| {} | {} | {:.0} | {:.0} | {:.0} % | {:.0} | {:.1} ms | {:.1} ms | {:.0} % | {} |",
                row.backend,
                row.batch,
                row.events_per_s,
                row.requests_per_s,
                row.sustained_cpu * 100.0,
                row.half_rate,
                row.p50_ms,
                row.p99_ms,
                row.half_cpu * 100.0,
                row.refused
            );
        }
    }
    println!();
    for result in results {
        let backend = result.rows.first().map_or("?", |r| r.backend);
        println!(
            "{backend}: peak RSS {:.0} MiB; after kill -9, {} of {} acknowledged events missing",
            result.peak_rss_mib, result.missing, result.acknowledged
        );
    }
    println!("\nserver CPU: share of one core (100 % = one core busy).");
}

#[derive(Debug, Clone)]
enum Backend {
    Sqlite,
    Postgres(String),
}

impl Backend {
    fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres(_) => "PostgreSQL",
        }
    }
}

async fn run_backend(options: &Options, backend: Backend) -> anyhow::Result<BackendResult> {
    let mut server = Server::start(&options.server, &backend).await?;
    let result = measure(options, &server, &backend).await;
    let peak_rss_mib = server.peak_rss_kib() as f64 / 1024.0;
    server.kill();
    let (rows, acks) = result?;
    let (acknowledged, missing) = check_durability(&server, &backend, &acks).await?;
    server.clean_up();
    Ok(BackendResult {
        rows,
        peak_rss_mib,
        acknowledged,
        missing,
    })
}

async fn measure(
    options: &Options,
    server: &Server,
    backend: &Backend,
) -> anyhow::Result<(Vec<Row>, Acks)> {
    let client = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .pool_idle_timeout(Duration::from_secs(30))
        .build()?;
    let target = Target {
        client,
        url: format!("{}/api/widget/v1/events?site={}", server.base, server.key),
    };
    let measured = Duration::from_secs(options.seconds);
    let mut rows = Vec::new();
    let mut acks = Acks::default();
    for batch in [50, 5] {
        eprintln!("{}: {batch}-event batches, sustained…", backend.name());
        let cpu_before = server.cpu_seconds();
        let sustained = closed_loop(&target, batch, options.connections, measured).await;
        let sustained_cpu =
            (server.cpu_seconds() - cpu_before) / (sustained.elapsed + WARM_UP).as_secs_f64();
        let requests_per_s = sustained.requests as f64 / sustained.elapsed.as_secs_f64();
        let half_rate = requests_per_s / 2.0;
        eprintln!(
            "{}: {batch}-event batches, {half_rate:.0} requests/s constant…",
            backend.name()
        );
        let cpu_before = server.cpu_seconds();
        let half = open_loop(&target, batch, half_rate, measured).await;
        let half_cpu = (server.cpu_seconds() - cpu_before) / half.elapsed.as_secs_f64();
        let mut latencies = half.latencies_ms.clone();
        latencies.sort_by(f64::total_cmp);
        rows.push(Row {
            backend: backend.name(),
            batch,
            events_per_s: (sustained.requests * batch) as f64 / sustained.elapsed.as_secs_f64(),
            requests_per_s,
            sustained_cpu,
            half_rate,
            p50_ms: percentile(&latencies, 0.50),
            p99_ms: percentile(&latencies, 0.99),
            half_cpu,
            refused: sustained.refused + half.refused,
        });
        if sustained.failed + half.failed > 0 {
            eprintln!(
                "{}: {} requests failed (transport errors or 5xx other than 503)",
                backend.name(),
                sustained.failed + half.failed
            );
        }
        acks.merge(sustained.acks);
        acks.merge(half.acks);
    }
    Ok((rows, acks))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Where batches go.
struct Target {
    client: reqwest::Client,
    url: String,
}

/// The acknowledged batches: per session, (first event number, events).
#[derive(Default)]
struct Acks(BTreeMap<String, Vec<(u64, u64)>>);

impl Acks {
    fn add(&mut self, session: String, first: u64, count: u64) {
        self.0.entry(session).or_default().push((first, count));
    }

    fn merge(&mut self, other: Acks) {
        for (session, batches) in other.0 {
            self.0.entry(session).or_default().extend(batches);
        }
    }
}

/// What a measurement saw.
#[derive(Default)]
struct Run {
    requests: u64,
    refused: u64,
    failed: u64,
    elapsed: Duration,
    latencies_ms: Vec<f64>,
    acks: Acks,
}

impl Run {
    fn absorb(&mut self, other: Run) {
        self.requests += other.requests;
        self.refused += other.refused;
        self.failed += other.failed;
        self.latencies_ms.extend(other.latencies_ms);
        self.acks.merge(other.acks);
    }
}

/// The `n`-th batch of a stream `prefix`: its session and first event number.
fn batch_identity(prefix: &str, n: u64, batch: u64) -> (String, u64) {
    (
        format!("{prefix}-{}", n / BATCHES_PER_SESSION),
        (n % BATCHES_PER_SESSION) * batch,
    )
}

/// A batch of `count` events of `session` numbered from `first`: a mix of what
/// the widget sends (page views, navigations, failed requests, errors, clicks,
/// dwell times).
fn batch_body(session: &str, first: u64, count: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let events: Vec<String> = (first..first + count)
        .map(|n| {
            let id = format!("e{n}");
            match n % 6 {
                0 => format!(
                    r#"{{"id":"{id}","at_ms":{now},"type":"page_view","url":"https://shop.example/orders/{n}","route":"/orders/:id","title":"Order {n} - Shop","viewport":{{"width":1280,"height":800}},"locale":"en-GB"}}"#
                ),
                1 => format!(
                    r#"{{"id":"{id}","at_ms":{now},"type":"navigation","url":"https://shop.example/checkout","route":"/checkout","title":"Checkout"}}"#
                ),
                2 => format!(
                    r#"{{"id":"{id}","at_ms":{now},"type":"failed_request","method":"POST","url":"https://api.shop.example/v1/payments","status":502,"duration_ms":840,"route":"/checkout"}}"#
                ),
                3 => format!(
                    r#"{{"id":"{id}","at_ms":{now},"type":"js_error","message":"TypeError: Cannot read properties of undefined (reading 'total')","source":"https://shop.example/assets/app.js","route":"/checkout","stack":"at renderTotal (app.js:120:14)\nat onPay (app.js:88:3)"}}"#
                ),
                4 => format!(
                    r#"{{"id":"{id}","at_ms":{now},"type":"dead_click","target":"button#pay","route":"/checkout"}}"#
                ),
                _ => format!(
                    r#"{{"id":"{id}","at_ms":{now},"type":"dwell","route":"/checkout","duration_ms":12500}}"#
                ),
            }
        })
        .collect();
    format!(
        r#"{{"session_id":"{session}","events":[{}]}}"#,
        events.join(",")
    )
}

/// How one request ended.
enum Outcome {
    Acknowledged,
    Refused,
    Failed,
}

async fn send(target: &Target, body: String) -> Outcome {
    let response = target
        .client
        .post(&target.url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await;
    match response {
        Ok(response) => {
            let status = response.status().as_u16();
            // Read the answer whole, as a client would.
            let read = response.bytes().await.is_ok();
            match status {
                200 if read => Outcome::Acknowledged,
                429 | 503 => Outcome::Refused,
                _ => Outcome::Failed,
            }
        }
        Err(_) => Outcome::Failed,
    }
}

/// `connections` clients, each sending its next batch when the last was answered.
async fn closed_loop(target: &Target, batch: u64, connections: usize, measured: Duration) -> Run {
    let target = Arc::new(Target {
        client: target.client.clone(),
        url: target.url.clone(),
    });
    let start = Instant::now();
    let measure_from = start + WARM_UP;
    let end = measure_from + measured;
    let tasks: Vec<_> = (0..connections)
        .map(|worker| {
            let target = target.clone();
            tokio::spawn(async move {
                let mut run = Run::default();
                let prefix = format!("s{batch}-w{worker}");
                let mut n = 0;
                loop {
                    let sent = Instant::now();
                    if sent >= end {
                        break;
                    }
                    let (session, first) = batch_identity(&prefix, n, batch);
                    n += 1;
                    let outcome = send(&target, batch_body(&session, first, batch)).await;
                    let counted = sent >= measure_from && Instant::now() <= end;
                    match outcome {
                        Outcome::Acknowledged => {
                            run.acks.add(session, first, batch);
                            if counted {
                                run.requests += 1;
                            }
                        }
                        Outcome::Refused => run.refused += 1,
                        Outcome::Failed => run.failed += 1,
                    }
                }
                run
            })
        })
        .collect();
    let mut total = Run::default();
    for task in tasks {
        if let Ok(run) = task.await {
            total.absorb(run);
        }
    }
    total.elapsed = measured;
    total
}

/// Batches due at a constant `rate` per second for `measured`; latency counted
/// from each batch's due time.
async fn open_loop(target: &Target, batch: u64, rate: f64, measured: Duration) -> Run {
    let target = Arc::new(Target {
        client: target.client.clone(),
        url: target.url.clone(),
    });
    let interval = Duration::from_secs_f64(1.0 / rate.max(1.0));
    let total_batches = (measured.as_secs_f64() * rate).ceil() as u64;
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(usize::try_from(total_batches).unwrap_or(0));
    let prefix = format!("h{batch}");
    for n in 0..total_batches {
        let due = start + interval.mul_f64(n as f64);
        tokio::time::sleep_until(due.into()).await;
        let target = target.clone();
        let (session, first) = batch_identity(&prefix, n, batch);
        tasks.push(tokio::spawn(async move {
            let outcome = send(&target, batch_body(&session, first, batch)).await;
            let latency = due.elapsed().as_secs_f64() * 1000.0;
            (session, first, outcome, latency)
        }));
    }
    let mut run = Run::default();
    for task in tasks {
        let Ok((session, first, outcome, latency)) = task.await else {
            run.failed += 1;
            continue;
        };
        match outcome {
            Outcome::Acknowledged => {
                run.requests += 1;
                run.latencies_ms.push(latency);
                run.acks.add(session, first, batch);
            }
            Outcome::Refused => run.refused += 1,
            Outcome::Failed => run.failed += 1,
        }
    }
    run.elapsed = start.elapsed();
    run
}

/// A `waymark serve` child on a free loopback port.
struct Server {
    child: Option<Child>,
    pid: u32,
    base: String,
    key: String,
    dir: PathBuf,
}

impl Server {
    async fn start(binary: &Path, backend: &Backend) -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!(
            "waymark-bench-ingest-{}-{}",
            std::process::id(),
            backend.name().to_lowercase()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let database = match backend {
            Backend::Sqlite => String::new(),
            Backend::Postgres(url) => format!("database_url = \"{url}\"\n"),
        };
        // The widget limits are per site key and client address: every batch
        // here comes from 127.0.0.1, so they are raised for the bench.
        let config = format!(
            "version = 1\n\
             [server]\nlisten = \"127.0.0.1:{port}\"\n\
             [storage]\ndata_dir = \"{data}\"\n{database}\
             [widget]\nassets_dir = \"{data}\"\n\
             [jobs]\nenabled = false\n\
             [limits]\nwidget_per_second = 1000000\nwidget_burst = 1000000\n\
             new_sessions_per_client_per_hour = 1000000\nmax_connections = 4096\n",
            data = dir.join("data").display()
        );
        let config_path = dir.join("bench.toml");
        std::fs::write(&config_path, config)?;
        let command = |args: &[&str]| {
            let mut command = Command::new(binary);
            command
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .env("RUST_LOG", "warn")
                .arg("--config")
                .arg(&config_path)
                .args(args)
                .stdin(Stdio::null());
            command
        };
        let output = command(&["site", "add", SITE, "--name", "Bench"])
            .output()
            .context("waymark site add")?;
        let text = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            bail!(
                "waymark site add failed: {text}{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let key = text
            .split_whitespace()
            .find(|word| word.starts_with("pk_"))
            .context("waymark site add printed no widget key")?
            .to_owned();
        let log = std::fs::File::create(dir.join("server.log"))?;
        let child = command(&["serve"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("waymark serve")?;
        let server = Self {
            pid: child.id(),
            child: Some(child),
            base: format!("http://127.0.0.1:{port}"),
            key,
            dir,
        };
        server.wait_ready().await?;
        Ok(server)
    }

    async fn wait_ready(&self) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let client = reqwest::Client::new();
        loop {
            if let Ok(response) = client.get(format!("{}/readyz", self.base)).send().await
                && response.status().is_success()
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "the server did not become ready; its log: {}",
                    self.dir.join("server.log").display()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// CPU time the server used so far (user + system), in seconds.
    fn cpu_seconds(&self) -> f64 {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)) else {
            return 0.0;
        };
        // Fields after the command name (which is in parentheses and may hold spaces).
        let Some((_, rest)) = stat.rsplit_once(')') else {
            return 0.0;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // utime and stime are fields 14 and 15 of the line; `rest` starts at field 3.
        let ticks: u64 = [11, 12]
            .iter()
            .filter_map(|&i| fields.get(i).and_then(|v| v.parse::<u64>().ok()))
            .sum();
        ticks as f64 / clock_ticks_per_second()
    }

    /// The server's peak resident memory (`VmHWM`), in KiB.
    fn peak_rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .ok()
            .and_then(|status| {
                status.lines().find_map(|line| {
                    line.strip_prefix("VmHWM:")
                        .and_then(|rest| rest.split_whitespace().next())
                        .and_then(|kib| kib.parse().ok())
                })
            })
            .unwrap_or(0)
    }

    /// SIGKILL: nothing of the server's shutdown runs.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn sqlite_url(&self) -> String {
        format!(
            "sqlite://{}?mode=ro",
            self.dir.join("data").join("waymark.db").display()
        )
    }

    fn clean_up(&self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `getconf CLK_TCK` (100 on Linux unless configured otherwise).
fn clock_ticks_per_second() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|out| String::from_utf8_lossy(&out.stdout).trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// After the kill: each acknowledged event looked up by session. Returns
/// (acknowledged, missing).
async fn check_durability(
    server: &Server,
    backend: &Backend,
    acks: &Acks,
) -> anyhow::Result<(u64, u64)> {
    let mut acknowledged = 0;
    let mut missing = 0;
    let query = "SELECT client_id FROM events WHERE site_id = $1 AND session_id = $2";
    let mut check = |stored: Vec<String>, batches: &[(u64, u64)]| {
        let stored: HashSet<String> = stored.into_iter().collect();
        for &(first, count) in batches {
            for n in first..first + count {
                acknowledged += 1;
                if !stored.contains(&format!("e{n}")) {
                    missing += 1;
                }
            }
        }
    };
    match backend {
        Backend::Sqlite => {
            let mut db = sqlx::SqliteConnection::connect(&server.sqlite_url()).await?;
            for (session, batches) in &acks.0 {
                let stored: Vec<String> = sqlx::query_scalar(query)
                    .bind(SITE)
                    .bind(session)
                    .fetch_all(&mut db)
                    .await?;
                check(stored, batches);
            }
        }
        Backend::Postgres(url) => {
            let mut db = sqlx::PgConnection::connect(url).await?;
            for (session, batches) in &acks.0 {
                let stored: Vec<String> = sqlx::query_scalar(query)
                    .bind(SITE)
                    .bind(session)
                    .fetch_all(&mut db)
                    .await?;
                check(stored, batches);
            }
        }
    }
    Ok((acknowledged, missing))
}

/// A PostgreSQL database made for the bench, dropped after.
struct FreshDatabase {
    admin: String,
    name: String,
    url: String,
}

impl FreshDatabase {
    async fn create(admin: &str) -> anyhow::Result<Self> {
        let name = format!("waymark_bench_ingest_{}", std::process::id());
        let mut conn = sqlx::PgConnection::connect(admin)
            .await
            .with_context(|| format!("cannot connect to {admin}"))?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await?;
        let base = admin.rsplit_once('/').map_or(admin, |(base, _)| base);
        Ok(Self {
            admin: admin.to_owned(),
            url: format!("{base}/{name}"),
            name,
        })
    }

    async fn drop_it(&self) {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&self.admin).await {
            let _ = sqlx::query(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn)
            .await;
        }
    }
}
