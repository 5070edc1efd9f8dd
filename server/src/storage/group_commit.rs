//! Group commit of event batches. Every ingest request hands its validated
//! batch to the store's one writer task, which commits the batches waiting at
//! that moment — from many concurrent requests — in one transaction: one durable
//! commit (one WAL fsync on SQLite, one WAL flush on PostgreSQL) for the group.
//! Each request is answered only once that commit returned, so an acknowledged
//! event is as durable as before; what changes is how many batches share it.
//!
//! - The queue is bounded in bytes ([`DEFAULT_QUEUE_BYTES`], `limits.ingest_queue_mib`):
//!   beyond it a batch is refused at once ([`StoreError::IngestQueueFull`], answered
//!   503 with `Retry-After`), so a burst cannot grow memory without bound.
//! - A group collects what is queued when the writer is free, and when batches
//!   arrived concurrently lately, what arrives within [`GROUP_WINDOW`]; a lone
//!   request is never delayed.
//! - Each batch keeps its own outcome: stored and duplicate counts, or a refusal of
//!   a session beyond the client's new-session cap (checked in the transaction,
//!   counting the sessions earlier batches of the group opened).
//! - A group the database refuses as a whole (one batch's row it will not take)
//!   is retried batch by batch, each in its own transaction, so a bad batch fails
//!   alone and the others are stored.
//! - Statements: per batch, one session upsert and multi-row event inserts in a
//!   few fixed sizes (so prepared statements are reused), for both backends.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use sqlx::AnyPool;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};

use super::StoreError;
use super::events::{IngestOutcome, NewEvent};

/// How long a group waits for more batches once concurrent requests were seen.
pub const GROUP_WINDOW: Duration = Duration::from_millis(2);
/// Most events in one group (one transaction).
pub const MAX_GROUP_EVENTS: usize = 4_000;
/// Most batches in one group.
pub const MAX_GROUP_BATCHES: usize = 1_000;
/// Bytes of queued batches at most, by default (`limits.ingest_queue_mib`).
pub const DEFAULT_QUEUE_BYTES: usize = 16 * 1024 * 1024;
/// The smallest queue accepted: the largest batch the widget API takes fits.
pub const MIN_QUEUE_BYTES: usize = 1024 * 1024;
/// Sessions the writer remembers as stored before it starts over.
const KNOWN_SESSIONS: usize = 100_000;
/// Row counts of the multi-row insert statements (largest first).
const CHUNKS: [usize; 8] = [128, 64, 32, 16, 8, 4, 2, 1];

/// One session's events to store, with what the request knows about its client.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestBatch {
    /// The site.
    pub site_id: String,
    /// The session the events belong to.
    pub session_id: String,
    /// The events, validated and scrubbed.
    pub events: Vec<NewEvent>,
    /// The salted hash of the client's address (for new sessions).
    pub client_hash: Option<String>,
    /// When the server received the batch.
    pub received_ms: i64,
    /// The cap on new sessions of this client, checked when the session is new.
    pub new_sessions: Option<NewSessionLimit>,
}

/// A session new to the site is refused when its client already opened `max`
/// sessions first seen since `since_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewSessionLimit {
    /// Sessions a client may open in the window.
    pub max: u32,
    /// Start of the window (server clock, ms since the epoch).
    pub since_ms: i64,
}

impl IngestBatch {
    /// What the batch holds in memory while queued, roughly, in bytes.
    fn queued_bytes(&self) -> usize {
        let events: usize = self
            .events
            .iter()
            .map(|e| {
                e.body.len()
                    + e.client_id.len()
                    + e.kind.len()
                    + e.route.len()
                    + e.fingerprint.as_ref().map_or(0, String::len)
                    + 96
            })
            .sum();
        events + self.site_id.len() + self.session_id.len() + 128
    }
}

/// How many transactions stored how many batches, since the store opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IngestCounters {
    /// Transactions committed (one per group, or per batch when a group was retried).
    pub commits: u64,
    /// Batches answered with their outcome (stored, or refused by the session cap).
    pub batches: u64,
    /// Events newly stored.
    pub events: u64,
}

#[derive(Debug, Default)]
struct Counters {
    commits: AtomicU64,
    batches: AtomicU64,
    events: AtomicU64,
}

/// What the writer answers a batch: its outcome, or that its new session was refused.
type Answer = Result<IngestOutcome, StoreError>;

struct Job {
    batch: IngestBatch,
    reply: oneshot::Sender<Answer>,
    /// Its share of the queue budget, given back when the job is done.
    _budget: OwnedSemaphorePermit,
}

/// The queue in front of the writer task, shared by every clone of a store.
#[derive(Debug)]
pub(super) struct GroupCommit {
    sender: Mutex<Option<mpsc::UnboundedSender<Job>>>,
    budget: Arc<Semaphore>,
    queue_bytes: usize,
    counters: Arc<Counters>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("site_id", &self.batch.site_id)
            .field("events", &self.batch.events.len())
            .finish_non_exhaustive()
    }
}

impl GroupCommit {
    /// A queue of at most `queue_bytes` (at least [`MIN_QUEUE_BYTES`]).
    pub(super) fn new(queue_bytes: usize) -> Self {
        let queue_bytes = queue_bytes.clamp(MIN_QUEUE_BYTES, Semaphore::MAX_PERMITS);
        Self {
            sender: Mutex::new(None),
            budget: Arc::new(Semaphore::new(queue_bytes)),
            queue_bytes,
            counters: Arc::default(),
        }
    }

    /// The counters so far.
    pub(super) fn counters(&self) -> IngestCounters {
        IngestCounters {
            commits: self.counters.commits.load(Ordering::Relaxed),
            batches: self.counters.batches.load(Ordering::Relaxed),
            events: self.counters.events.load(Ordering::Relaxed),
        }
    }

    /// Queues `batch` and waits until the transaction holding it committed.
    pub(super) async fn submit(&self, pool: &AnyPool, batch: IngestBatch) -> Answer {
        let cost = batch.queued_bytes().min(self.queue_bytes);
        let budget = self
            .budget
            .clone()
            .try_acquire_many_owned(u32::try_from(cost).unwrap_or(u32::MAX))
            .map_err(|_| StoreError::IngestQueueFull)?;
        let (reply, answer) = oneshot::channel();
        let job = Job {
            batch,
            reply,
            _budget: budget,
        };
        if let Err(mpsc::error::SendError(job)) = self.sender(pool, false).send(job) {
            // The writer ended with the runtime it was started on: start another.
            self.sender(pool, true)
                .send(job)
                .map_err(|_| StoreError::WriterStopped)?;
        }
        answer.await.map_err(|_| StoreError::WriterStopped)?
    }

    /// The writer's queue, starting the writer on the current runtime when there
    /// is none (or `restart`).
    fn sender(&self, pool: &AnyPool, restart: bool) -> mpsc::UnboundedSender<Job> {
        let mut sender = self
            .sender
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(existing) = sender.as_ref().filter(|s| !restart && !s.is_closed()) {
            return existing.clone();
        }
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(run_writer(pool.clone(), rx, self.counters.clone()));
        *sender = Some(tx.clone());
        tx
    }
}

/// The writer: takes a group off the queue, commits it, answers, again — until
/// every sender is gone.
async fn run_writer(
    pool: AnyPool,
    mut queue: mpsc::UnboundedReceiver<Job>,
    counters: Arc<Counters>,
) {
    let mut known = KnownSessions::default();
    let mut concurrent = false;
    while let Some(first) = queue.recv().await {
        let mut events = first.batch.events.len();
        let mut group = vec![first];
        let deadline = tokio::time::Instant::now() + GROUP_WINDOW;
        while events < MAX_GROUP_EVENTS && group.len() < MAX_GROUP_BATCHES {
            let next = match queue.try_recv() {
                Ok(job) => job,
                Err(TryRecvError::Empty) if concurrent => {
                    match tokio::time::timeout_at(deadline, queue.recv()).await {
                        Ok(Some(job)) => job,
                        Ok(None) | Err(_) => break,
                    }
                }
                Err(_) => break,
            };
            events += next.batch.events.len();
            group.push(next);
        }
        concurrent = group.len() > 1;
        commit_group(&pool, group, &mut known, &counters).await;
    }
}

/// Commits a group in one transaction and answers every batch; a group refused
/// as a whole is retried batch by batch.
async fn commit_group(
    pool: &AnyPool,
    group: Vec<Job>,
    known: &mut KnownSessions,
    counters: &Counters,
) {
    let batches: Vec<&IngestBatch> = group.iter().map(|job| &job.batch).collect();
    match commit(pool, &batches, known).await {
        Ok(outcomes) => {
            counters.commits.fetch_add(1, Ordering::Relaxed);
            for (job, outcome) in group.into_iter().zip(outcomes) {
                answer(job, Ok(outcome), known, counters);
            }
        }
        Err(err) if group.len() == 1 => {
            if let Some(job) = group.into_iter().next() {
                answer(job, Err(err.into()), known, counters);
            }
        }
        Err(err) => {
            tracing::warn!(error = %err, batches = group.len(), "group commit refused; storing its batches one by one");
            for job in group {
                let outcome = commit(pool, &[&job.batch], known).await;
                if outcome.is_ok() {
                    counters.commits.fetch_add(1, Ordering::Relaxed);
                }
                let outcome = outcome
                    .map_err(StoreError::from)
                    .and_then(|mut outcomes| outcomes.pop().ok_or(StoreError::WriterStopped));
                answer(job, outcome, known, counters);
            }
        }
    }
}

/// Answers one job (after its transaction ended) and remembers its session.
fn answer(
    job: Job,
    outcome: Result<BatchOutcome, StoreError>,
    known: &mut KnownSessions,
    counters: &Counters,
) {
    let answer = match outcome {
        Ok(BatchOutcome::Stored(outcome)) => {
            known.insert(&job.batch.site_id, &job.batch.session_id);
            counters.batches.fetch_add(1, Ordering::Relaxed);
            counters
                .events
                .fetch_add(u64::from(outcome.stored), Ordering::Relaxed);
            Ok(outcome)
        }
        Ok(BatchOutcome::TooManyNewSessions { opened }) => {
            counters.batches.fetch_add(1, Ordering::Relaxed);
            Err(StoreError::TooManyNewSessions { opened })
        }
        Err(err) => Err(err),
    };
    // The request may have gone (client closed, timeout): nothing to tell then.
    let _ = job.reply.send(answer);
}

/// What one batch of a committed group came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BatchOutcome {
    Stored(IngestOutcome),
    /// The session was new and its client had opened this many sessions already.
    TooManyNewSessions {
        opened: i64,
    },
}

/// Stores `batches` in one transaction, in order.
async fn commit(
    pool: &AnyPool,
    batches: &[&IngestBatch],
    known: &KnownSessions,
) -> Result<Vec<BatchOutcome>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let mut outcomes = Vec::with_capacity(batches.len());
    for batch in batches {
        outcomes.push(store_batch(&mut tx, batch, known).await?);
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// One batch inside the group's transaction. The first statement of every batch
/// writes, so a SQLite transaction takes the write lock before it reads.
async fn store_batch(
    tx: &mut sqlx::AnyConnection,
    batch: &IngestBatch,
    known: &KnownSessions,
) -> Result<BatchOutcome, sqlx::Error> {
    let first_seen = batch
        .events
        .iter()
        .map(|e| e.at_ms)
        .min()
        .unwrap_or(batch.received_ms);
    let session_is_stored = known.contains(&batch.site_id, &batch.session_id);
    if session_is_stored {
        sqlx::query(
            "INSERT INTO sessions (site_id, id, first_seen_ms, last_seen_ms, client_hash)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (site_id, id) DO UPDATE SET last_seen_ms = excluded.last_seen_ms",
        )
        .bind(&batch.site_id)
        .bind(&batch.session_id)
        .bind(first_seen)
        .bind(batch.received_ms)
        .bind(batch.client_hash.clone())
        .execute(&mut *tx)
        .await?;
    } else {
        let created = sqlx::query(
            "INSERT INTO sessions (site_id, id, first_seen_ms, last_seen_ms, client_hash)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(&batch.site_id)
        .bind(&batch.session_id)
        .bind(first_seen)
        .bind(batch.received_ms)
        .bind(batch.client_hash.clone())
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !created {
            sqlx::query("UPDATE sessions SET last_seen_ms = $1 WHERE site_id = $2 AND id = $3")
                .bind(batch.received_ms)
                .bind(&batch.site_id)
                .bind(&batch.session_id)
                .execute(&mut *tx)
                .await?;
        } else if let (Some(limit), Some(client)) = (batch.new_sessions, &batch.client_hash) {
            // The client's other sessions in the window (earlier batches of this
            // group included): refused once `max` are open.
            let opened: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM sessions
                 WHERE site_id = $1 AND client_hash = $2 AND first_seen_ms >= $3 AND id <> $4",
            )
            .bind(&batch.site_id)
            .bind(client)
            .bind(limit.since_ms)
            .bind(&batch.session_id)
            .fetch_one(&mut *tx)
            .await?;
            if opened >= i64::from(limit.max) {
                sqlx::query("DELETE FROM sessions WHERE site_id = $1 AND id = $2")
                    .bind(&batch.site_id)
                    .bind(&batch.session_id)
                    .execute(&mut *tx)
                    .await?;
                return Ok(BatchOutcome::TooManyNewSessions { opened });
            }
        }
    }
    let mut stored: u64 = 0;
    let mut rest = batch.events.as_slice();
    while !rest.is_empty() {
        let size = CHUNKS
            .iter()
            .copied()
            .find(|&size| size <= rest.len())
            .unwrap_or(1);
        let (chunk, after) = rest.split_at(size);
        stored += insert_events(batch, chunk)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        rest = after;
    }
    let stored = u32::try_from(stored).unwrap_or(u32::MAX);
    let total = u32::try_from(batch.events.len()).unwrap_or(u32::MAX);
    Ok(BatchOutcome::Stored(IngestOutcome {
        stored,
        duplicates: total.saturating_sub(stored),
    }))
}

/// The statement inserting `chunk` (whose length is one of [`CHUNKS`]).
fn insert_events<'q>(
    batch: &'q IngestBatch,
    chunk: &'q [NewEvent],
) -> Query<'q, sqlx::Any, AnyArguments<'q>> {
    let mut query = sqlx::query(insert_sql(chunk.len()));
    for event in chunk {
        query = query
            .bind(&batch.site_id)
            .bind(&batch.session_id)
            .bind(&event.client_id)
            .bind(event.at_ms)
            .bind(batch.received_ms)
            .bind(&event.kind)
            .bind(&event.route)
            .bind(&event.body)
            .bind(event.fingerprint.clone());
    }
    query
}

/// `INSERT … VALUES (…), (…) ON CONFLICT DO NOTHING` for `rows` rows, built once
/// per size.
fn insert_sql(rows: usize) -> &'static str {
    static SQL: OnceLock<Vec<(usize, String)>> = OnceLock::new();
    let all = SQL.get_or_init(|| {
        CHUNKS
            .iter()
            .map(|&size| {
                let values: Vec<String> = (0..size)
                    .map(|row| {
                        let params: Vec<String> =
                            (1..=9).map(|col| format!("${}", row * 9 + col)).collect();
                        format!("({})", params.join(", "))
                    })
                    .collect();
                (
                    size,
                    format!(
                        "INSERT INTO events (site_id, session_id, client_id, at_ms, received_ms, kind, route, body, fingerprint) \
                         VALUES {} ON CONFLICT DO NOTHING",
                        values.join(", ")
                    ),
                )
            })
            .collect()
    });
    all.iter()
        .find(|(size, _)| *size == rows)
        .map_or("", |(_, sql)| sql.as_str())
}

/// Sessions this writer stored (sessions are never deleted, so a remembered one
/// exists); bounded, forgotten all at once when full.
#[derive(Debug, Default)]
struct KnownSessions {
    by_site: HashMap<String, HashSet<String>>,
    len: usize,
}

impl KnownSessions {
    fn contains(&self, site_id: &str, session_id: &str) -> bool {
        self.by_site
            .get(site_id)
            .is_some_and(|sessions| sessions.contains(session_id))
    }

    fn insert(&mut self, site_id: &str, session_id: &str) {
        if self.contains(site_id, session_id) {
            return;
        }
        if self.len >= KNOWN_SESSIONS {
            self.by_site.clear();
            self.len = 0;
        }
        self.by_site
            .entry(site_id.to_owned())
            .or_default()
            .insert(session_id.to_owned());
        self.len += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chunk_size_has_its_statement_with_nine_parameters_a_row() {
        for size in CHUNKS {
            let sql = insert_sql(size);
            assert_eq!(sql.matches('(').count(), size + 1, "{sql}");
            assert!(sql.contains(&format!("${}", size * 9)));
            assert!(!sql.contains(&format!("${}", size * 9 + 1)));
        }
        assert_eq!(insert_sql(3), "");
    }
}
