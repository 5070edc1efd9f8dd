//! The job runner inside `waymark serve`: at every tick it evaluates SLA clocks
//! and time conditions, raises early-warning alerts, detects incidents, then
//! delivers the due outbox jobs; every `jobs.drafts` it rebuilds the knowledge
//! drafts of every site from their resolved tickets (`flow::knowledge`).
//!
//! - [`sla`]: SLA clocks (paused while waiting on the customer), breaches, time rules.
//! - [`alerts`]: early warnings with thresholds per account tier and product area.
//! - [`incidents`]: volume anomalies per error fingerprint; resolving notifies everyone.
//! - [`notices`]: the emails and events a change writes to the outbox.
//!
//! Jobs are at-least-once: a claim is a lease, a crashed runner's jobs come back
//! when it ends, and every handler is idempotent (dedupe keys in the outbox,
//! the delivery id towards receivers). One runner works at a time: on
//! PostgreSQL it holds an advisory lock on a connection of its own (a replica
//! that dies releases it with its connection); SQLite is one process. Time comes
//! from a [`Clock`], so tests drive it.

pub mod alerts;
pub mod incidents;
pub mod notices;
pub mod sla;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use sqlx::Connection;
use tokio::sync::Mutex;

use crate::config::Config;
use crate::flow::FlowError;
use crate::notify::{DeliveryError, Notifier, NotifierError};
use crate::storage::{Backend, Store, StoreError};

/// Where the runner reads the time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
}

/// The server's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        crate::storage::now_ms()
    }
}

/// A clock that moves only when told to (tests, replays).
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    /// A clock showing `now_ms`.
    pub fn new(now_ms: i64) -> Self {
        Self(AtomicI64::new(now_ms))
    }

    /// Moves the clock forward by `ms`.
    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }

    /// Sets the clock.
    pub fn set(&self, now_ms: i64) {
        self.0.store(now_ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Why a tick failed.
#[derive(Debug, thiserror::Error)]
pub enum JobsError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A flow step failed.
    #[error(transparent)]
    Flow(#[from] FlowError),
    /// The notifier could not be built.
    #[error(transparent)]
    Notifier(#[from] NotifierError),
}

/// What one tick did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Whether this runner held the lock (nothing else happens without it).
    pub leader: bool,
    /// SLA breaches recorded.
    pub breaches: usize,
    /// Tickets moved by time rules.
    pub escalations: usize,
    /// Alerts raised.
    pub alerts: usize,
    /// Incidents opened.
    pub incidents: usize,
    /// Knowledge drafts created or updated by the scheduled build.
    pub drafts: usize,
    /// Jobs delivered.
    pub delivered: usize,
    /// Jobs that failed and will be retried.
    pub retried: usize,
    /// Jobs that became dead letters.
    pub dead: usize,
}

/// How many jobs one tick claims at most.
const BATCH: i64 = 50;

/// Same key for every Waymark runner: "waymark-jobs".
const ADVISORY_LOCK_KEY: i64 = 0x7761_796d_6a6f_6273;

/// The runner.
#[derive(Debug)]
pub struct Runner {
    store: Store,
    config: Arc<Config>,
    clock: Arc<dyn Clock>,
    notifier: Notifier,
    lock: Mutex<Option<sqlx::AnyConnection>>,
    /// When incidents were last looked for (runner clock).
    incidents_checked_at: Mutex<Option<i64>>,
    knowledge: Option<Arc<waymark_knowledge::KnowledgeIndex>>,
    drafts_built_at: Mutex<Option<i64>>,
}

impl Runner {
    /// A runner over `store` reading time from `clock`.
    pub fn new(
        store: Store,
        config: Arc<Config>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, JobsError> {
        let notifier = Notifier::new(config.clone())?;
        Ok(Self {
            store,
            config,
            clock,
            notifier,
            lock: Mutex::new(None),
            incidents_checked_at: Mutex::new(None),
            knowledge: None,
            drafts_built_at: Mutex::new(None),
        })
    }

    /// The knowledge index: the scheduled draft build also reads the site's imported
    /// tickets and articles from it.
    #[must_use]
    pub fn with_knowledge(mut self, index: Option<Arc<waymark_knowledge::KnowledgeIndex>>) -> Self {
        self.knowledge = index;
        self
    }

    /// Whether this runner holds (or just took) the one-runner lock.
    pub async fn hold_lock(&self) -> Result<bool, StoreError> {
        if self.store.backend() == Backend::Sqlite {
            return Ok(true);
        }
        let mut held = self.lock.lock().await;
        if let Some(connection) = held.as_mut() {
            if connection.ping().await.is_ok() {
                return Ok(true);
            }
            tracing::warn!("the job runner lost its lock connection");
            *held = None;
        }
        let mut connection = self.store.pool().acquire().await?.detach();
        let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(ADVISORY_LOCK_KEY)
            .fetch_one(&mut connection)
            .await?;
        if taken {
            tracing::info!("this replica runs the jobs");
            *held = Some(connection);
        } else {
            let _ = connection.close().await;
        }
        Ok(taken)
    }

    /// Gives the lock up (at shutdown), so another replica takes over at once.
    pub async fn release(&self) {
        if let Some(mut connection) = self.lock.lock().await.take() {
            // Unlock before closing: the server ends a closed session's locks
            // only when it notices, and the next replica should not wait for that.
            let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(ADVISORY_LOCK_KEY)
                .execute(&mut connection)
                .await;
            let _ = connection.close().await;
        }
    }

    /// One pass: clocks, alerts and incidents of every site, then due jobs.
    pub async fn tick(&self) -> Result<TickReport, JobsError> {
        let mut report = TickReport {
            leader: self.hold_lock().await?,
            ..TickReport::default()
        };
        if !report.leader {
            return Ok(report);
        }
        let now = self.clock.now_ms();
        let look_for_incidents = {
            let mut checked = self.incidents_checked_at.lock().await;
            let due = checked.is_none_or(|at| now - at >= self.config.incidents.interval.0);
            if due {
                *checked = Some(now);
            }
            due
        };
        let build_drafts = {
            let mut built = self.drafts_built_at.lock().await;
            let due = built.is_none_or(|at| now - at >= self.config.jobs.drafts.0);
            if due {
                *built = Some(now);
            }
            due
        };
        for site in self.store.sites().await? {
            if build_drafts {
                // A failed build is logged and tried again at the next period;
                // clocks and deliveries go on.
                match crate::flow::knowledge::build_site_drafts(
                    &self.store,
                    self.knowledge.as_deref(),
                    &site.id,
                    &waymark_knowledge::drafts::DraftConfig::default(),
                    now,
                )
                .await
                {
                    Ok(built) => report.drafts += built.created + built.updated,
                    Err(error) => {
                        tracing::warn!(site = %site.id, %error, "knowledge drafts not built");
                    }
                }
            }
            let swept = sla::sweep(&self.store, &self.config, &site.id, now).await?;
            report.breaches += swept.breaches;
            report.escalations += swept.escalations;
            report.alerts += swept.alerts;
            if look_for_incidents {
                report.incidents +=
                    incidents::detect(&self.store, &self.config, &site.id, now).await?;
            }
        }
        self.deliver_due(now, &mut report).await?;
        Ok(report)
    }

    async fn deliver_due(&self, now: i64, report: &mut TickReport) -> Result<(), JobsError> {
        let lease = self.config.jobs.lease.0;
        for job in self.store.claim_jobs(now, lease, BATCH).await? {
            match self.notifier.deliver(&self.store, &job).await {
                Ok(note) => {
                    self.store
                        .complete_job(job.id, note.as_deref(), now)
                        .await?;
                    report.delivered += 1;
                    tracing::info!(job = job.id.0, kind = ?job.kind, site = %job.site_id, "job delivered");
                }
                Err(DeliveryError::Store(err)) => return Err(err.into()),
                Err(err) => {
                    let retry = match &err {
                        DeliveryError::Permanent(_) => i64::MAX,
                        _ => crate::notify::retry_at(now, job.attempts),
                    };
                    let state = self
                        .store
                        .fail_job(&job, &err.to_string(), retry, now)
                        .await?;
                    if state == crate::storage::jobs::JobState::Dead {
                        report.dead += 1;
                        tracing::warn!(job = job.id.0, kind = ?job.kind, error = %err, "job is a dead letter");
                    } else {
                        report.retried += 1;
                        tracing::info!(job = job.id.0, kind = ?job.kind, error = %err, "job will be retried");
                    }
                }
            }
        }
        Ok(())
    }

    /// Runs ticks every `jobs.tick` until `shutdown` resolves, then releases the lock.
    pub async fn run(self: Arc<Self>, shutdown: impl std::future::Future<Output = ()>) {
        let period = std::time::Duration::from_millis(
            u64::try_from(self.config.jobs.tick.0).unwrap_or(5_000),
        );
        let mut interval = tokio::time::interval(period);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                _ = interval.tick() => {
                    if let Err(err) = self.tick().await {
                        tracing::error!(error = %err, "job runner tick failed");
                    }
                }
            }
        }
        self.release().await;
    }
}
