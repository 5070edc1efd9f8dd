//! Durable jobs and the transactional outbox: a change that must be told to
//! someone (an email, a webhook, a Slack message, an issue in Jira or Linear)
//! writes its job rows in the same transaction as the change itself, so a crash
//! loses neither. Jobs are claimed with a lease (a crashed runner's jobs come
//! back when it expires), retried with backoff until their deadline, then kept
//! as dead letters an agent can redeliver. Also: per-site webhook endpoints
//! (the fan-out targets of events) and email unsubscribes.

use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Store, StoreError, enum_text, parse_enum, parse_json, to_json};

/// How long a delivery is retried before it becomes a dead letter: 3 days.
pub const RETRY_WINDOW_MS: i64 = 3 * 24 * 3_600_000;

/// A job's id (its sequence number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JobId(pub i64);

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Send an email over SMTP.
    Email,
    /// POST a signed JSON event to a webhook endpoint.
    Webhook,
    /// POST a Slack incoming-webhook message.
    Slack,
    /// Create a Jira issue.
    Jira,
    /// Create a Linear issue.
    Linear,
}

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for its time.
    Pending,
    /// Claimed by the runner until its lease ends.
    Running,
    /// Delivered.
    Done,
    /// Gave up after its deadline: a dead letter, redeliverable by hand.
    Dead,
}

/// Events that integrations subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventName {
    /// A ticket moved up a tier.
    #[serde(rename = "ticket.escalated")]
    TicketEscalated,
    /// An SLA of a ticket passed its due time.
    #[serde(rename = "ticket.sla_breached")]
    TicketSlaBreached,
    /// A ticket was resolved.
    #[serde(rename = "ticket.resolved")]
    TicketResolved,
    /// An early warning became an alert.
    #[serde(rename = "alert.raised")]
    AlertRaised,
    /// A volume anomaly opened an incident.
    #[serde(rename = "incident.opened")]
    IncidentOpened,
    /// An incident was resolved.
    #[serde(rename = "incident.resolved")]
    IncidentResolved,
}

impl EventName {
    /// Every event, for validation and documentation.
    pub const ALL: [EventName; 6] = [
        EventName::TicketEscalated,
        EventName::TicketSlaBreached,
        EventName::TicketResolved,
        EventName::AlertRaised,
        EventName::IncidentOpened,
        EventName::IncidentResolved,
    ];

    /// The dotted name (`ticket.escalated`).
    pub fn as_str(self) -> String {
        enum_text(&self)
    }
}

/// A job to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// What it does.
    pub kind: JobKind,
    /// Unique per site: writing the same key twice writes one job.
    pub dedupe_key: String,
    /// What the handler needs, as JSON.
    pub payload: serde_json::Value,
}

/// An event fanned out to every active endpoint of the site subscribed to it,
/// one job per endpoint, in the same transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEvent {
    /// Which event.
    pub name: EventName,
    /// Unique per site and event occurrence (the endpoint id is appended).
    pub dedupe_key: String,
    /// The event's data.
    pub data: serde_json::Value,
}

/// One outbox row to write with a change.
#[derive(Debug, Clone, PartialEq)]
pub enum OutboxItem {
    /// A job as is.
    Job(NewJob),
    /// An event for the site's endpoints.
    Event(OutboxEvent),
}

/// A stored job.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    /// Its id.
    pub id: JobId,
    /// Its site.
    pub site_id: String,
    /// What it does.
    pub kind: JobKind,
    /// Its idempotency key.
    pub dedupe_key: String,
    /// Handler input.
    pub payload: serde_json::Value,
    /// Where it is.
    pub state: JobState,
    /// Attempts started so far.
    pub attempts: i64,
    /// When it may run next.
    pub run_at_ms: i64,
    /// While running: when the claim ends.
    pub lease_until_ms: Option<i64>,
    /// After this, a failure makes it a dead letter.
    pub deadline_ms: i64,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Written.
    pub created_at_ms: i64,
    /// Last change.
    pub updated_at_ms: i64,
}

/// A site's integration target.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointRecord {
    /// Its id.
    pub id: String,
    /// Which shape of delivery (`webhook`, `slack`, `jira`, `linear`).
    pub kind: JobKind,
    /// Where deliveries go.
    pub url: String,
    /// Signing secret (webhook) or API token (Jira, Linear); never shown back.
    pub secret: String,
    /// Subscribed events; empty means every event.
    pub events: Vec<EventName>,
    /// Kind-specific options (`project`, `team_id`, `issue_type`).
    pub options: serde_json::Map<String, serde_json::Value>,
    /// Whether deliveries are made.
    pub active: bool,
    /// Created.
    pub created_at_ms: i64,
}

/// Counts of jobs per state (for `/metrics` and the console).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JobCounts {
    /// Waiting.
    pub pending: i64,
    /// Claimed.
    pub running: i64,
    /// Delivered.
    pub done: i64,
    /// Dead letters.
    pub dead: i64,
}

const JOB_COLUMNS: &str =
    "SELECT seq, site_id, kind, dedupe_key, payload, state, attempts, run_at_ms,
    lease_until_ms, deadline_ms, last_error, created_at_ms, updated_at_ms FROM jobs";

/// Writes outbox items inside `tx` (jobs due at `now_ms`); duplicates by key are skipped.
pub(crate) async fn write_outbox(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    site_id: &str,
    items: &[OutboxItem],
    now_ms: i64,
) -> Result<(), StoreError> {
    if items.is_empty() {
        return Ok(());
    }
    let mut endpoints: Option<Vec<EndpointRecord>> = None;
    for item in items {
        match item {
            OutboxItem::Job(job) => insert_job(tx, site_id, job, now_ms).await?,
            OutboxItem::Event(event) => {
                if endpoints.is_none() {
                    let rows = sqlx::query(&format!(
                        "{ENDPOINT_COLUMNS} WHERE site_id = $1 AND active = 1 ORDER BY id"
                    ))
                    .bind(site_id)
                    .fetch_all(&mut **tx)
                    .await?;
                    endpoints = Some(
                        rows.iter()
                            .map(endpoint_from_row)
                            .collect::<Result<_, _>>()?,
                    );
                }
                for endpoint in endpoints.iter().flatten() {
                    if !endpoint.events.is_empty() && !endpoint.events.contains(&event.name) {
                        continue;
                    }
                    let job = NewJob {
                        kind: endpoint.kind,
                        dedupe_key: format!("{}:{}", event.dedupe_key, endpoint.id),
                        payload: serde_json::json!({
                            "endpoint": endpoint.id,
                            "event": event.name,
                            "data": event.data,
                        }),
                    };
                    insert_job(tx, site_id, &job, now_ms).await?;
                }
            }
        }
    }
    Ok(())
}

async fn insert_job(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    site_id: &str,
    job: &NewJob,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO jobs (site_id, kind, dedupe_key, payload, state, attempts, run_at_ms,
            deadline_ms, created_at_ms, updated_at_ms)
         VALUES ($1, $2, $3, $4, 'pending', 0, $5, $6, $5, $5) ON CONFLICT DO NOTHING",
    )
    .bind(site_id)
    .bind(enum_text(&job.kind))
    .bind(&job.dedupe_key)
    .bind(job.payload.to_string())
    .bind(now_ms)
    .bind(now_ms.saturating_add(RETRY_WINDOW_MS))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Writes outbox items in a transaction of their own (for changes that are
    /// not ticket changes); returns nothing new for keys already written.
    pub async fn enqueue(
        &self,
        site_id: &str,
        items: &[OutboxItem],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        write_outbox(&mut tx, site_id, items, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether a job with this key was ever written for the site.
    pub async fn job_key_exists(
        &self,
        site_id: &str,
        dedupe_key: &str,
    ) -> Result<bool, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT seq FROM jobs WHERE site_id = $1 AND dedupe_key = $2")
                .bind(site_id)
                .bind(dedupe_key)
                .fetch_optional(self.pool())
                .await?;
        Ok(found.is_some())
    }

    /// Claims up to `limit` due jobs (pending and due, or running with an expired
    /// lease) until `now_ms + lease_ms`; each claim counts an attempt.
    pub async fn claim_jobs(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<JobRecord>, StoreError> {
        const DUE: &str = "((state = 'pending' AND run_at_ms <= $1)
            OR (state = 'running' AND lease_until_ms < $1))";
        let candidates: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT seq FROM jobs WHERE {DUE} ORDER BY run_at_ms, seq LIMIT $2"
        ))
        .bind(now_ms)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut claimed = Vec::new();
        for seq in candidates {
            let updated = sqlx::query(&format!(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until_ms = $2,
                    updated_at_ms = $1 WHERE seq = $3 AND {DUE}"
            ))
            .bind(now_ms)
            .bind(now_ms.saturating_add(lease_ms))
            .bind(seq)
            .execute(self.pool())
            .await?
            .rows_affected();
            if updated == 1
                && let Some(job) = self.job_by_seq(seq).await?
            {
                claimed.push(job);
            }
        }
        Ok(claimed)
    }

    async fn job_by_seq(&self, seq: i64) -> Result<Option<JobRecord>, StoreError> {
        let row = sqlx::query(&format!("{JOB_COLUMNS} WHERE seq = $1"))
            .bind(seq)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| job_from_row(&row)).transpose()
    }

    /// The job `id` of the site.
    pub async fn job(&self, site_id: &str, id: JobId) -> Result<Option<JobRecord>, StoreError> {
        let row = sqlx::query(&format!("{JOB_COLUMNS} WHERE site_id = $1 AND seq = $2"))
            .bind(site_id)
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| job_from_row(&row)).transpose()
    }

    /// Marks a claimed job delivered, with a note (why nothing was sent, if so).
    pub async fn complete_job(
        &self,
        id: JobId,
        note: Option<&str>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE jobs SET state = 'done', lease_until_ms = NULL, last_error = $2,
                updated_at_ms = $3 WHERE seq = $1",
        )
        .bind(id.0)
        .bind(note)
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records a failed attempt: the job runs again at `retry_at_ms`, or becomes a
    /// dead letter when that is past its deadline. Returns the new state.
    pub async fn fail_job(
        &self,
        job: &JobRecord,
        error: &str,
        retry_at_ms: i64,
        now_ms: i64,
    ) -> Result<JobState, StoreError> {
        let state = if retry_at_ms > job.deadline_ms {
            JobState::Dead
        } else {
            JobState::Pending
        };
        sqlx::query(
            "UPDATE jobs SET state = $2, run_at_ms = $3, lease_until_ms = NULL, last_error = $4,
                updated_at_ms = $5 WHERE seq = $1",
        )
        .bind(job.id.0)
        .bind(enum_text(&state))
        .bind(retry_at_ms)
        .bind(error)
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        Ok(state)
    }

    /// A site's jobs, newest first, optionally in one state.
    pub async fn jobs(
        &self,
        site_id: &str,
        state: Option<JobState>,
        limit: i64,
    ) -> Result<Vec<JobRecord>, StoreError> {
        let rows = match state {
            Some(state) => {
                sqlx::query(&format!(
                    "{JOB_COLUMNS} WHERE site_id = $1 AND state = $2 ORDER BY seq DESC LIMIT $3"
                ))
                .bind(site_id)
                .bind(enum_text(&state))
                .bind(limit)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "{JOB_COLUMNS} WHERE site_id = $1 ORDER BY seq DESC LIMIT $2"
                ))
                .bind(site_id)
                .bind(limit)
                .fetch_all(self.pool())
                .await?
            }
        };
        rows.iter().map(job_from_row).collect()
    }

    /// Puts a dead (or delivered) job back in line now, with a fresh retry window.
    /// Returns whether it was found in such a state.
    pub async fn redeliver_job(
        &self,
        site_id: &str,
        id: JobId,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let updated = sqlx::query(
            "UPDATE jobs SET state = 'pending', run_at_ms = $3, deadline_ms = $4,
                lease_until_ms = NULL, updated_at_ms = $3
             WHERE site_id = $1 AND seq = $2 AND state IN ('dead', 'done')",
        )
        .bind(site_id)
        .bind(id.0)
        .bind(now_ms)
        .bind(now_ms.saturating_add(RETRY_WINDOW_MS))
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(updated == 1)
    }

    /// Jobs per state, over every site.
    pub async fn job_counts(&self) -> Result<JobCounts, StoreError> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state")
            .fetch_all(self.pool())
            .await?;
        let mut counts = JobCounts::default();
        for row in rows {
            let state: String = row.try_get("state")?;
            let n: i64 = row.try_get("n")?;
            match parse_enum::<JobState>("jobs", "state", &state)? {
                JobState::Pending => counts.pending = n,
                JobState::Running => counts.running = n,
                JobState::Done => counts.done = n,
                JobState::Dead => counts.dead = n,
            }
        }
        Ok(counts)
    }

    /// Adds an endpoint.
    pub async fn insert_endpoint(
        &self,
        site_id: &str,
        endpoint: &EndpointRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO webhook_endpoints (site_id, id, kind, url, secret, events, options, active,
                created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(site_id)
        .bind(&endpoint.id)
        .bind(enum_text(&endpoint.kind))
        .bind(&endpoint.url)
        .bind(&endpoint.secret)
        .bind(to_json(&endpoint.events))
        .bind(to_json(&endpoint.options))
        .bind(i64::from(endpoint.active))
        .bind(endpoint.created_at_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Replaces an endpoint's URL, events, options, secret and active flag.
    pub async fn update_endpoint(
        &self,
        site_id: &str,
        endpoint: &EndpointRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE webhook_endpoints SET url = $3, secret = $4, events = $5, options = $6,
                active = $7 WHERE site_id = $1 AND id = $2",
        )
        .bind(site_id)
        .bind(&endpoint.id)
        .bind(&endpoint.url)
        .bind(&endpoint.secret)
        .bind(to_json(&endpoint.events))
        .bind(to_json(&endpoint.options))
        .bind(i64::from(endpoint.active))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The site's endpoints, by id.
    pub async fn endpoints(&self, site_id: &str) -> Result<Vec<EndpointRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "{ENDPOINT_COLUMNS} WHERE site_id = $1 ORDER BY id"
        ))
        .bind(site_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(endpoint_from_row).collect()
    }

    /// One endpoint.
    pub async fn endpoint(
        &self,
        site_id: &str,
        id: &str,
    ) -> Result<Option<EndpointRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "{ENDPOINT_COLUMNS} WHERE site_id = $1 AND id = $2"
        ))
        .bind(site_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| endpoint_from_row(&row)).transpose()
    }

    /// Remembers an unsubscribe token (its hash) for an address.
    pub async fn add_unsubscribe_token(
        &self,
        site_id: &str,
        address: &str,
        token_hash: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO unsubscribes (site_id, address, token_hash) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(site_id)
        .bind(address.to_lowercase())
        .bind(token_hash)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Unsubscribes the address the token was sent to; returns it, or `None` for
    /// an unknown token.
    pub async fn unsubscribe(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        let address: Option<String> =
            sqlx::query_scalar("SELECT address FROM unsubscribes WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(self.pool())
                .await?;
        if address.is_some() {
            sqlx::query(
                "UPDATE unsubscribes SET unsubscribed_at_ms = $2
                 WHERE token_hash = $1 AND unsubscribed_at_ms IS NULL",
            )
            .bind(token_hash)
            .bind(now_ms)
            .execute(self.pool())
            .await?;
        }
        Ok(address)
    }

    /// Whether the address asked for no more email from the site.
    pub async fn is_unsubscribed(&self, site_id: &str, address: &str) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT unsubscribed_at_ms FROM unsubscribes
             WHERE site_id = $1 AND address = $2 AND unsubscribed_at_ms IS NOT NULL LIMIT 1",
        )
        .bind(site_id)
        .bind(address.to_lowercase())
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }

    /// When the session last sent a page event (whether the customer is online).
    pub async fn session_last_seen(
        &self,
        site_id: &str,
        session_id: &str,
    ) -> Result<Option<i64>, StoreError> {
        let seen: Option<i64> =
            sqlx::query_scalar("SELECT last_seen_ms FROM sessions WHERE site_id = $1 AND id = $2")
                .bind(site_id)
                .bind(session_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(seen)
    }
}

const ENDPOINT_COLUMNS: &str =
    "SELECT id, kind, url, secret, events, options, active, created_at_ms
    FROM webhook_endpoints";

fn endpoint_from_row(row: &AnyRow) -> Result<EndpointRecord, StoreError> {
    const T: &str = "webhook_endpoints";
    let kind: String = row.try_get("kind")?;
    let events: String = row.try_get("events")?;
    let options: String = row.try_get("options")?;
    let active: i64 = row.try_get("active")?;
    Ok(EndpointRecord {
        id: row.try_get("id")?,
        kind: parse_enum(T, "kind", &kind)?,
        url: row.try_get("url")?,
        secret: row.try_get("secret")?,
        events: parse_json(T, "events", &events)?,
        options: parse_json(T, "options", &options)?,
        active: active != 0,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

fn job_from_row(row: &AnyRow) -> Result<JobRecord, StoreError> {
    const T: &str = "jobs";
    let kind: String = row.try_get("kind")?;
    let state: String = row.try_get("state")?;
    let payload: String = row.try_get("payload")?;
    Ok(JobRecord {
        id: JobId(row.try_get("seq")?),
        site_id: row.try_get("site_id")?,
        kind: parse_enum(T, "kind", &kind)?,
        dedupe_key: row.try_get("dedupe_key")?,
        payload: parse_json(T, "payload", &payload)?,
        state: parse_enum(T, "state", &state)?,
        attempts: row.try_get("attempts")?,
        run_at_ms: row.try_get("run_at_ms")?,
        lease_until_ms: row.try_get("lease_until_ms")?,
        deadline_ms: row.try_get("deadline_ms")?,
        last_error: row.try_get("last_error")?,
        created_at_ms: row.try_get("created_at_ms")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
    })
}
