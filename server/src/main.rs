//! `waymark`: the Waymark server and its operator commands.

mod cli;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use waymark_server::auth::AuthState;
use waymark_server::config::LogFormat;
use waymark_server::{AppState, Config, Store, demo};

/// Waymark: page-aware, self-hosted support.
#[derive(Debug, Parser)]
#[command(name = "waymark", version, about)]
struct Cli {
    /// Configuration file (TOML). Environment variables override it.
    #[arg(long, global = true, env = "WAYMARK_CONFIG")]
    config: Option<PathBuf>,
    /// Log lines as `text` or `json` (one object a line); default: the config's
    /// `log.format`, else text.
    #[arg(
        long,
        global = true,
        env = "WAYMARK_LOG_FORMAT",
        value_name = "text|json"
    )]
    log_format: Option<LogFormat>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server.
    Serve,
    /// Run the server with the demo site and the sample product page.
    Demo(DemoArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Create and list sites (the products the widget is embedded in).
    Site(cli::site::Args),
    /// Users (agents, knowledge managers, admins), their passwords and API tokens.
    User(cli::user::Args),
    /// Validate and replay escalation matrices.
    Rules(cli::rules::Args),
    /// Measure retrieval quality and latency against baselines.
    Eval(cli::eval::Args),
    /// Import resolved tickets from a helpdesk export.
    Import(cli::import::Args),
    /// Audit historical tickets from helpdesk exports: scenarios, trends, resolution time,
    /// reassignments, escalations and knowledge-base coverage, as a summary and an HTML report.
    Audit(cli::audit::Args),
    /// Article drafts and knowledge gaps.
    Knowledge(cli::knowledge::Args),
}

#[derive(Debug, clap::Args)]
struct DemoArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Data directory of the demo (SQLite database and index).
    #[arg(long, default_value = "data/demo")]
    data_dir: PathBuf,
    /// Directory with the built widget (`cargo xtask dist` output).
    #[arg(long)]
    widget_dir: Option<PathBuf>,
    /// Directory with the built console (`cargo xtask dist` output).
    #[arg(long)]
    console_dir: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // The command loads (and reports errors of) the config itself; here only its log format.
    let log_format = cli.log_format.unwrap_or_else(|| {
        cli.config
            .as_deref()
            .and_then(|path| std::fs::read_to_string(path).ok())
            .and_then(|text| Config::parse(&text).ok())
            .map(|config| config.log.format)
            .unwrap_or_default()
    });
    waymark_server::logging::init(log_format);
    let env: BTreeMap<String, String> = std::env::vars().collect();
    match cli.command {
        Command::Serve => {
            let config = Config::load(cli.config.as_deref(), &env)?;
            if config.auth.api_token.is_some() {
                anyhow::bail!(
                    "auth.api_token (WAYMARK_API_TOKEN) is accepted only by `waymark demo`: \
                     give each agent their own account (`waymark user add`) and token \
                     (`waymark user token EMAIL`)"
                );
            }
            serve(config, ServeMode::Product).await
        }
        Command::Demo(args) => {
            let mut config = Config::load(cli.config.as_deref(), &env)?;
            config.server.listen = args.listen;
            config.storage.data_dir = args.data_dir;
            if let Some(dir) = args.widget_dir {
                config.widget.assets_dir = dir;
            }
            if let Some(dir) = args.console_dir {
                config.console.assets_dir = dir;
            }
            if config.auth.api_token.is_none() {
                config.auth.api_token = Some(random_token());
            }
            serve(config, ServeMode::Demo).await
        }
        Command::Migrate => {
            let config = Config::load(cli.config.as_deref(), &env)?;
            let store = open_store(&config).await?;
            store.close().await;
            println!("database is at the latest schema version");
            Ok(())
        }
        Command::Site(args) => {
            let config = Config::load(cli.config.as_deref(), &env)?;
            cli::site::run(args, &config).await
        }
        Command::User(args) => {
            let config = Config::load(cli.config.as_deref(), &env)?;
            cli::user::run(args, &config).await
        }
        Command::Rules(args) => cli::rules::run(args).await,
        Command::Eval(args) => cli::eval::run(args).await,
        Command::Import(args) => {
            cli::import::run(args, || Ok(Config::load(cli.config.as_deref(), &env)?)).await
        }
        Command::Audit(args) => cli::audit::run(args),
        Command::Knowledge(args) => {
            cli::knowledge::run(args, || Ok(Config::load(cli.config.as_deref(), &env)?)).await
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ServeMode {
    Product,
    Demo,
}

async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let queue_bytes = usize::try_from(config.limits.ingest_queue_mib)
        .unwrap_or(usize::MAX)
        .saturating_mul(1024 * 1024);
    Store::open(
        &config.storage.data_dir,
        config.storage.database_url.as_deref(),
    )
    .await
    .map(|store| store.with_ingest_queue_bytes(queue_bytes))
    .with_context(|| match &config.storage.database_url {
        Some(_) => {
            "cannot open the PostgreSQL database (storage.database_url / DATABASE_URL)".to_owned()
        }
        None => format!(
            "cannot open the SQLite database in {}",
            config.storage.data_dir.display()
        ),
    })
}

async fn serve(config: Config, mode: ServeMode) -> anyhow::Result<()> {
    if config.metrics.enabled
        && config.metrics.bearer_token.is_none()
        && !config.server.listen.ip().is_loopback()
    {
        tracing::warn!(
            listen = %config.server.listen,
            "/metrics is open to anyone who reaches this address: set metrics.bearer_token \
             (WAYMARK_METRICS_TOKEN) or keep the listener on a private network"
        );
    }
    let store = open_store(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.server.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} (server.listen / WAYMARK_LISTEN)",
                config.server.listen
            )
        })?;
    let addr = listener.local_addr()?;
    let base = config
        .server
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let config = Arc::new(config);
    let knowledge = open_knowledge(&config);
    let mut auth = AuthState::new(&config.auth, config.server.public_url.as_deref());
    if mode == ServeMode::Demo {
        demo::seed(&store, knowledge.as_deref()).await?;
        demo::sla::use_short_sla(&store).await?;
        let admin = demo::seed_accounts(&store).await?;
        demo::history::seed_demo_history(&store, waymark_server::storage::now_ms()).await?;
        if let Some(token) = &config.auth.api_token {
            auth = auth.with_shared_token(token, admin);
        }
    }
    let mut router = waymark_server::app(AppState {
        store: store.clone(),
        config: config.clone(),
        knowledge: knowledge.clone(),
        auth: Arc::new(auth),
        metrics: Arc::default(),
    });
    if mode == ServeMode::Demo {
        router = router.merge(demo::routes());
        if !config.widget.assets_dir.join("loader.js").exists() {
            tracing::warn!(dir = %config.widget.assets_dir.display(), "widget files not found: run `cargo xtask dist`");
        }
        let token = config.auth.api_token.as_deref().unwrap_or_default();
        println!("Waymark demo is running.");
        println!("  Sample product page : {base}/demo/");
        println!("  Same, strict CSP    : {base}/demo/csp");
        println!("  Same, ES module     : {base}/demo/module");
        if !config.console.assets_dir.join("index.html").exists() {
            tracing::warn!(dir = %config.console.assets_dir.display(), "console files not found: run `cargo xtask dist`");
        }
        println!("  Agents' console     : {base}/console/");
        println!("  Widget loader       : {base}/widget/loader.js");
        println!("  OpenAPI document    : {base}/api/openapi.json");
        println!(
            "  Agent API           : {base}/api/v1/sites/{}/sessions",
            demo::DEMO_SITE_ID
        );
        println!(
            "  Ticket queue        : {base}/api/v1/sites/{}/tickets",
            demo::DEMO_SITE_ID
        );
        println!(
            "  API token           : {token}  (acts as {})",
            demo::DEMO_USERS[0].0
        );
        for (email, _, role) in demo::DEMO_USERS {
            let label = format!("Login as {}", role.as_str());
            println!("  {label:<20}: {email} / {}", demo::DEMO_PASSWORD);
        }
        println!(
            "  Try: curl -H 'Authorization: Bearer {token}' {base}/api/v1/sites/{}/sessions",
            demo::DEMO_SITE_ID
        );
        println!(
            "  Demo SLA            : tier 1 acknowledges within {}, a ticket left alone escalates after {} (job runner every {})",
            demo::sla::DEMO_ACK_SLA,
            demo::sla::DEMO_TIER1_LIMIT,
            config.jobs.tick
        );
        println!(
            "  To see the widget offer help: open \"Old reports\" three times, or press \"Pay outstanding balance\" on Billing three times."
        );
    }
    println!("listening on {addr}");
    tracing::info!(%addr, backend = ?store.backend(), "waymark listening");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    // Replicas on one PostgreSQL database: live events across replicas, and a wake-up
    // for the knowledge follower when another replica appends to the knowledge log.
    let knowledge_wake = Arc::new(tokio::sync::Notify::new());
    let mut background = match &config.storage.database_url {
        Some(url) => {
            waymark_server::replicas::start(&store, url, knowledge_wake.clone(), stopped.clone())
        }
        None => Vec::new(),
    };
    if let Some(index) = knowledge.clone() {
        let mut stopped = stopped.clone();
        background.push(tokio::spawn(waymark_server::flow::knowledge_log::follow(
            store.clone(),
            index,
            knowledge_wake,
            async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            },
        )));
    }
    let runner = if config.jobs.enabled {
        let runner = Arc::new(
            waymark_server::jobs::Runner::new(
                store.clone(),
                config.clone(),
                Arc::new(waymark_server::jobs::SystemClock),
            )
            .context("cannot start the job runner (notifications / integrations)")?
            .with_knowledge(knowledge.clone()),
        );
        let mut stopped = stopped.clone();
        Some(tokio::spawn(runner.run(async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        })))
    } else {
        None
    };
    let purge = tokio::spawn(purge_expired_keys(store.clone()));
    waymark_server::serve::serve(listener, router, &config.limits, shutdown_signal()).await?;
    purge.abort();
    let _ = stop.send(true);
    if let Some(runner) = runner {
        let _ = runner.await;
    }
    for task in background {
        let _ = task.await;
    }
    store.close().await;
    Ok(())
}

/// How often expired idempotency keys are purged (also once at start).
const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Purges expired idempotency keys now and then every [`PURGE_EVERY`].
async fn purge_expired_keys(store: Store) {
    let mut every = tokio::time::interval(PURGE_EVERY);
    loop {
        every.tick().await;
        let now = waymark_server::storage::now_ms();
        if let Err(err) = waymark_server::flow::replay::purge_expired(&store, now).await {
            tracing::warn!(error = %err, "idempotency key purge failed");
        }
    }
}

/// The knowledge index in the data directory; without it, suggest answers nothing.
fn open_knowledge(config: &Config) -> Option<Arc<waymark_knowledge::KnowledgeIndex>> {
    let directory = config.storage.data_dir.join("knowledge");
    match waymark_knowledge::KnowledgeIndex::open_or_create(&directory, Default::default()) {
        Ok(index) => Some(Arc::new(index)),
        Err(err) => {
            tracing::warn!(error = %err, dir = %directory.display(), "knowledge index unavailable: suggest is off");
            None
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// A random token from the operating system's hash seeds (demo use only).
fn random_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    (0..2)
        .map(|i| {
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u32(i);
            format!("{:016x}", hasher.finish())
        })
        .collect()
}
