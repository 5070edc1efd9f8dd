//! Storage: one data layer over two real backends, the embedded SQLite database
//! (default: a file in the data directory, WAL, durable commits) and PostgreSQL.
//!
//! Queries are written once in the SQL both dialects accept (`$1` placeholders,
//! `ON CONFLICT DO NOTHING`, integers for times in ms since the epoch, JSON as
//! text); where the dialects differ, [`Backend`] picks the statement. Every table
//! carries its site id.
//!
//! - [`migrations`]: the schema, versioned, for both backends.
//! - [`events`]: the page-event trail per session.
//! - [`group_commit`]: event batches of concurrent requests committed together by one writer.
//! - [`sites`]: sites, their widget keys and their versioned escalation matrices.
//! - [`conversations`]: conversations, messages and idempotency keys.
//! - [`tickets`]: tickets, their audit trail, handoff notes and CSAT.
//! - [`suggestions`]: suggestions shown and the verdicts on them (deflection).
//! - [`jobs`]: durable jobs and the transactional outbox, webhook endpoints, unsubscribes.
//! - [`escalation`]: alerts and incidents.
//! - [`knowledge_log`]: every write to the knowledge index, which each replica's index follows.
//! - [`users`]: users, site membership, API tokens, console sessions, agent request keys.
//! - [`trust`]: identity settings, install secrets, opaque answer ids, key expiry.
//! - [`knowledge`]: article drafts, their review history, articles, answers opened.

pub mod conversations;
pub mod escalation;
pub mod events;
pub mod group_commit;
pub mod jobs;
pub mod knowledge;
pub mod knowledge_log;
pub mod migrations;
pub mod operations;
pub mod sites;
pub mod suggestions;
pub mod tickets;
pub mod trust;
pub mod users;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::live::LiveHub;

pub use conversations::{ConversationRecord, MessageRecord};
pub use events::{StoredEvent, TrailQuery};
pub use group_commit::{IngestBatch, IngestCounters, NewSessionLimit};
pub use sites::Site;
pub use tickets::{NoteVersion, TicketChange, TicketRecord, TrailEntry};
pub use users::{AgentRequestRecord, SessionRecord, UserRecord};

/// Which database is behind a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded SQLite database.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// A storage failure. The message is for logs; the HTTP edge answers 5xx with a
/// generic body.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database reported an error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The data directory could not be created.
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The ticket changed since it was read (optimistic concurrency).
    #[error("{0}")]
    VersionConflict(String),
    /// An agent request's `Idempotency-Key` was stored by a concurrent request.
    #[error("{0}")]
    AlreadyApplied(String),
    /// The ingest queue is full: the batch was not taken (try again shortly).
    #[error("the ingest queue is full")]
    IngestQueueFull,
    /// The ingest writer stopped before it answered (the server is stopping).
    #[error("the ingest writer stopped")]
    WriterStopped,
    /// A batch opened a session new to the site while its client had already
    /// opened the most sessions allowed in the window.
    #[error("the client opened {opened} sessions in the window")]
    TooManyNewSessions {
        /// Sessions the client had opened.
        opened: i64,
    },
    /// Stored data could not be decoded.
    #[error("corrupt stored value in {table}.{column}: {message}")]
    Corrupt {
        /// Table.
        table: &'static str,
        /// Column.
        column: &'static str,
        /// Decoder message.
        message: String,
    },
}

/// The data layer handed to every request.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    secret: SecretCache,
    live: LiveHub,
    ingest: Arc<group_commit::GroupCommit>,
    sites: Arc<sites::SiteCache>,
}

/// The installation secret once read (never printed by `Debug`).
#[derive(Clone, Default)]
struct SecretCache(std::sync::Arc<std::sync::OnceLock<String>>);

impl std::fmt::Debug for SecretCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretCache(..)")
    }
}

impl Store {
    /// Opens the database named by `database_url`, or the SQLite file
    /// `waymark.db` in `data_dir` when there is none, and applies migrations.
    pub async fn open(data_dir: &Path, database_url: Option<&str>) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let store = match database_url {
            Some(url) => Self::open_postgres(url).await?,
            None => Self::open_sqlite(data_dir).await?,
        };
        migrations::apply(&store).await?;
        Ok(store)
    }

    async fn open_sqlite(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        let url = format!(
            "sqlite://{}?mode=rwc",
            data_dir.join("waymark.db").display()
        );
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL lets readers run beside the writer; FULL makes every
                    // commit durable before the request is answered.
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                         PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
                    )
                    .await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Self {
            pool,
            backend: Backend::Sqlite,
            secret: SecretCache::default(),
            live: LiveHub::default(),
            ingest: Arc::new(group_commit::GroupCommit::new(
                group_commit::DEFAULT_QUEUE_BYTES,
            )),
            sites: Arc::default(),
        })
    }

    async fn open_postgres(url: &str) -> Result<Self, StoreError> {
        let pool = AnyPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(Self {
            pool,
            backend: Backend::Postgres,
            secret: SecretCache::default(),
            live: LiveHub::default(),
            ingest: Arc::new(group_commit::GroupCommit::new(
                group_commit::DEFAULT_QUEUE_BYTES,
            )),
            sites: Arc::default(),
        })
    }

    /// The same store with an ingest queue of at most `bytes` (see
    /// [`group_commit`]); call before the first ingest.
    #[must_use]
    pub fn with_ingest_queue_bytes(mut self, bytes: usize) -> Self {
        self.ingest = Arc::new(group_commit::GroupCommit::new(bytes));
        self
    }

    /// How many transactions stored how many event batches so far.
    pub fn ingest_counters(&self) -> IngestCounters {
        self.ingest.counters()
    }

    /// The database behind this store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The installation secret, once read.
    pub(crate) fn cached_secret(&self) -> Option<String> {
        self.secret.0.get().cloned()
    }

    /// Keeps the installation secret for later calls.
    pub(crate) fn cache_secret(&self, secret: &str) {
        let _ = self.secret.0.set(secret.to_owned());
    }

    /// The connection pool, for reading rows directly (the trust suite checks what
    /// is stored, and what is not).
    pub fn raw_pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The live-update hub this store publishes every committed change to.
    pub fn live(&self) -> &LiveHub {
        &self.live
    }

    /// Sites and widget settings as recently read.
    pub(crate) fn site_cache(&self) -> &sites::SiteCache {
        &self.sites
    }

    /// The connection pool, for modules of this crate.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Answers once the database answers a trivial query (readiness).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection (SQLite checkpoints its WAL on the last close).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Encodes a unit-like enum as its serde name (`"in_progress"` → `in_progress`).
pub(crate) fn enum_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// Decodes a unit-like enum stored with [`enum_text`].
pub(crate) fn parse_enum<T: serde::de::DeserializeOwned>(
    table: &'static str,
    column: &'static str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|err| {
        StoreError::Corrupt {
            table,
            column,
            message: err.to_string(),
        }
    })
}

/// Decodes a JSON column.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    table: &'static str,
    column: &'static str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|err| StoreError::Corrupt {
        table,
        column,
        message: err.to_string(),
    })
}

/// Encodes a JSON column (the value types here always serialise).
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// Milliseconds since the Unix epoch, from the server's clock.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
