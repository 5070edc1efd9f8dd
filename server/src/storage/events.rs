//! The page-event trail: what the widget saw, per site and session, stored once
//! per client event id so a retried batch never duplicates anything. Batches
//! are written by [`super::group_commit`].

use sqlx::Row;

use super::group_commit::IngestBatch;
use super::{Store, StoreError};

/// An event ready to store (already validated and scrubbed).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// The widget's id for the event.
    pub client_id: String,
    /// When it happened (browser clock, ms since the epoch).
    pub at_ms: i64,
    /// The wire `type` (`page_view`, `js_error`, …).
    pub kind: String,
    /// The route it happened on.
    pub route: String,
    /// The whole event as wire JSON.
    pub body: String,
    /// The error fingerprint of a JavaScript error (volume rules count by it).
    pub fingerprint: Option<String>,
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Server-assigned sequence number (arrival order).
    pub seq: i64,
    /// The session it belongs to.
    pub session_id: String,
    /// The widget's id for the event.
    pub client_id: String,
    /// When it happened (browser clock).
    pub at_ms: i64,
    /// When the server received it.
    pub received_ms: i64,
    /// The wire `type`.
    pub kind: String,
    /// The route.
    pub route: String,
    /// The event as wire JSON.
    pub body: String,
}

/// What an ingest stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IngestOutcome {
    /// Newly stored events.
    pub stored: u32,
    /// Events skipped because their client id was already stored.
    pub duplicates: u32,
}

/// Which part of a trail to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailQuery<'a> {
    /// The site.
    pub site_id: &'a str,
    /// The session.
    pub session_id: &'a str,
    /// At most this many events: the most recent ones, returned oldest first.
    pub limit: i64,
}

impl Store {
    /// Stores a batch of one session's events (no new-session cap): committed
    /// with the batches of concurrent requests in one durable transaction, answered
    /// once that committed (see [`super::group_commit`]).
    pub async fn ingest_events(
        &self,
        site_id: &str,
        session_id: &str,
        events: &[NewEvent],
        client_hash: Option<&str>,
        received_ms: i64,
    ) -> Result<IngestOutcome, StoreError> {
        self.ingest(IngestBatch {
            site_id: site_id.to_owned(),
            session_id: session_id.to_owned(),
            events: events.to_vec(),
            client_hash: client_hash.map(str::to_owned),
            received_ms,
            new_sessions: None,
        })
        .await
    }

    /// Stores `batch` once its group committed; a batch opening a session beyond
    /// its client's cap is refused ([`StoreError::TooManyNewSessions`]), a full
    /// queue refuses at once ([`StoreError::IngestQueueFull`]).
    pub async fn ingest(&self, batch: IngestBatch) -> Result<IngestOutcome, StoreError> {
        self.ingest.submit(self.pool(), batch).await
    }

    /// The most recent part of a session's trail, in the order things happened
    /// (ties by arrival): a long session keeps its latest signals in view.
    pub async fn trail(&self, query: &TrailQuery<'_>) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, session_id, client_id, at_ms, received_ms, kind, route, body FROM (
                 SELECT seq, session_id, client_id, at_ms, received_ms, kind, route, body FROM events
                 WHERE site_id = $1 AND session_id = $2 ORDER BY at_ms DESC, seq DESC LIMIT $3
             ) recent ORDER BY at_ms, seq",
        )
        .bind(query.site_id)
        .bind(query.session_id)
        .bind(query.limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(stored_event).collect()
    }

    /// A page of a session's trail: the `limit` most recent events strictly before
    /// `before` (`(at_ms, seq)` of the oldest event of the previous page; `None`
    /// for the newest page), in the order things happened.
    pub async fn trail_page(
        &self,
        query: &TrailQuery<'_>,
        before: Option<(i64, i64)>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let Some((at_ms, seq)) = before else {
            return self.trail(query).await;
        };
        let rows = sqlx::query(
            "SELECT seq, session_id, client_id, at_ms, received_ms, kind, route, body FROM (
                 SELECT seq, session_id, client_id, at_ms, received_ms, kind, route, body FROM events
                 WHERE site_id = $1 AND session_id = $2 AND (at_ms < $3 OR (at_ms = $3 AND seq < $4))
                 ORDER BY at_ms DESC, seq DESC LIMIT $5
             ) recent ORDER BY at_ms, seq",
        )
        .bind(query.site_id)
        .bind(query.session_id)
        .bind(at_ms)
        .bind(seq)
        .bind(query.limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(stored_event).collect()
    }

    /// What went wrong lately on one page of a session: its JavaScript errors and
    /// failed requests on `route` received since `since_ms` (server clock), oldest
    /// first (the last `limit`).
    pub async fn page_problems(
        &self,
        site_id: &str,
        session_id: &str,
        route: &str,
        since_ms: i64,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, session_id, client_id, at_ms, received_ms, kind, route, body FROM (
                 SELECT seq, session_id, client_id, at_ms, received_ms, kind, route, body FROM events
                 WHERE site_id = $1 AND session_id = $2 AND route = $3 AND received_ms >= $4
                   AND kind IN ('js_error', 'failed_request')
                 ORDER BY at_ms DESC, seq DESC LIMIT $5
             ) recent ORDER BY at_ms, seq",
        )
        .bind(site_id)
        .bind(session_id)
        .bind(route)
        .bind(since_ms)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(stored_event).collect()
    }

    /// A site's events of one kind since `since_ms`, across sessions, newest first
    /// (at most `limit`): what volume rules compare customers by.
    pub async fn recent_events_of_kind(
        &self,
        site_id: &str,
        kind: &str,
        since_ms: i64,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, session_id, client_id, at_ms, received_ms, kind, route, body FROM events
             WHERE site_id = $1 AND kind = $2 AND at_ms >= $3 ORDER BY at_ms DESC LIMIT $4",
        )
        .bind(site_id)
        .bind(kind)
        .bind(since_ms)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(stored_event).collect()
    }

    /// The most recently active sessions of a site, newest first.
    pub async fn recent_sessions(
        &self,
        site_id: &str,
        limit: i64,
    ) -> Result<Vec<SessionSummary>, StoreError> {
        self.sessions_page(site_id, limit, None).await
    }

    /// A page of a site's sessions, most recently active first, strictly after
    /// `before` (`(last_seen_ms, id)` of the last session of the previous page).
    pub async fn sessions_page(
        &self,
        site_id: &str,
        limit: i64,
        before: Option<(i64, &str)>,
    ) -> Result<Vec<SessionSummary>, StoreError> {
        let (last_seen, id) = before.unwrap_or((i64::MAX, ""));
        let rows = sqlx::query(
            "SELECT s.id, s.first_seen_ms, s.last_seen_ms,
                    (SELECT COUNT(*) FROM events e WHERE e.site_id = s.site_id AND e.session_id = s.id) AS events
             FROM sessions s WHERE s.site_id = $1
               AND (s.last_seen_ms < $2 OR (s.last_seen_ms = $2 AND s.id < $3) OR $4 = 0)
             ORDER BY s.last_seen_ms DESC, s.id DESC LIMIT $5",
        )
        .bind(site_id)
        .bind(last_seen)
        .bind(id)
        .bind(i64::from(before.is_some()))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SessionSummary {
                    id: row.try_get("id")?,
                    first_seen_ms: row.try_get("first_seen_ms")?,
                    last_seen_ms: row.try_get("last_seen_ms")?,
                    events: row.try_get("events")?,
                })
            })
            .collect()
    }
}

/// A session in a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    /// Session id.
    pub id: String,
    /// First event time.
    pub first_seen_ms: i64,
    /// Last batch received.
    pub last_seen_ms: i64,
    /// Number of stored events.
    pub events: i64,
}

fn stored_event(row: &sqlx::any::AnyRow) -> Result<StoredEvent, StoreError> {
    Ok(StoredEvent {
        seq: row.try_get("seq")?,
        session_id: row.try_get("session_id")?,
        client_id: row.try_get("client_id")?,
        at_ms: row.try_get("at_ms")?,
        received_ms: row.try_get("received_ms")?,
        kind: row.try_get("kind")?,
        route: row.try_get("route")?,
        body: row.try_get("body")?,
    })
}
