//! The knowledge log: every write to the knowledge index, numbered in commit order,
//! with the scrubbed document as JSON. Each replica's index follows it
//! (`flow::knowledge_log`), and an empty index is rebuilt from it.
//!
//! Entries are numbered in the order their transactions commit: on PostgreSQL
//! an appending transaction takes a transaction-level advisory lock before it
//! numbers its entries (appends are few: resolved tickets, articles, imports),
//! on SQLite the one writer does the same. So a follower that has read up to
//! `seq` never finds an earlier entry committed later.

use sqlx::Row;
use waymark_knowledge::{IndexChange, KnowledgeDoc};

use super::{Backend, Store, StoreError, parse_json, to_json};

/// The PostgreSQL channel an append notifies (payload: the last sequence number).
pub const NOTIFY_CHANNEL: &str = "waymark_knowledge";

/// Same key for every Waymark replica: "wmknowlg".
const APPEND_LOCK_KEY: i64 = 0x776d_6b6e_6f77_6c67;

/// One entry of the log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    /// Its number: entries are applied in this order.
    pub seq: i64,
    /// The write.
    pub change: IndexChange,
    /// When it was appended.
    pub at_ms: i64,
}

fn op_name(change: &IndexChange) -> &'static str {
    match change {
        IndexChange::Upsert(_) => "upsert",
        IndexChange::Delete { .. } => "delete",
    }
}

/// Appends `changes` inside `tx` (call it last in the transaction: it holds the
/// append lock until the commit). A change identical to the document's latest
/// entry is not appended again. Returns how many entries were appended.
pub(crate) async fn append_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    changes: &[IndexChange],
    now_ms: i64,
) -> Result<usize, StoreError> {
    if changes.is_empty() {
        return Ok(0);
    }
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(APPEND_LOCK_KEY)
            .execute(&mut **tx)
            .await?;
    }
    let mut appended = 0;
    let mut last_seq = None;
    for change in changes {
        let document = match change {
            IndexChange::Upsert(doc) => Some(to_json(doc)),
            IndexChange::Delete { .. } => None,
        };
        let latest = sqlx::query(
            "SELECT op, document FROM knowledge_log WHERE site_id = $1 AND doc_id = $2
             ORDER BY seq DESC LIMIT 1",
        )
        .bind(change.site())
        .bind(change.doc_id())
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(row) = latest {
            let op: String = row.try_get("op")?;
            let stored: Option<String> = row.try_get("document")?;
            if op == op_name(change) && stored == document {
                continue;
            }
        }
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO knowledge_log (site_id, doc_id, op, document, at_ms)
             VALUES ($1, $2, $3, $4, $5) RETURNING seq",
        )
        .bind(change.site())
        .bind(change.doc_id())
        .bind(op_name(change))
        .bind(document)
        .bind(now_ms)
        .fetch_one(&mut **tx)
        .await?;
        appended += 1;
        last_seq = Some(seq);
    }
    if backend == Backend::Postgres
        && let Some(seq) = last_seq
    {
        // Delivered at commit, to every replica listening.
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(NOTIFY_CHANNEL)
            .bind(seq.to_string())
            .execute(&mut **tx)
            .await?;
    }
    Ok(appended)
}

impl Store {
    /// Appends `changes` to the knowledge log in a transaction of their own.
    pub async fn append_knowledge(
        &self,
        changes: &[IndexChange],
        now_ms: i64,
    ) -> Result<usize, StoreError> {
        let mut tx = self.pool().begin().await?;
        let appended = append_in(&mut tx, self.backend(), changes, now_ms).await?;
        tx.commit().await?;
        Ok(appended)
    }

    /// Up to `limit` log entries after `after` (0: from the start), in order.
    pub async fn knowledge_log_after(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<LogEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, site_id, doc_id, op, document, at_ms FROM knowledge_log
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let op: String = row.try_get("op")?;
                let change = match op.as_str() {
                    "upsert" => {
                        let document: Option<String> = row.try_get("document")?;
                        let doc: KnowledgeDoc = parse_json(
                            "knowledge_log",
                            "document",
                            document.as_deref().unwrap_or("null"),
                        )?;
                        IndexChange::upsert(doc)
                    }
                    "delete" => IndexChange::Delete {
                        site: row.try_get("site_id")?,
                        id: row.try_get("doc_id")?,
                    },
                    other => {
                        return Err(StoreError::Corrupt {
                            table: "knowledge_log",
                            column: "op",
                            message: format!("`{other}` is not upsert or delete"),
                        });
                    }
                };
                Ok(LogEntry {
                    seq: row.try_get("seq")?,
                    change,
                    at_ms: row.try_get("at_ms")?,
                })
            })
            .collect()
    }

    /// The ids of the site's documents the log holds now (latest entry an upsert).
    pub async fn knowledge_doc_ids(&self, site_id: &str) -> Result<Vec<String>, StoreError> {
        let ids = sqlx::query_scalar(
            "SELECT l.doc_id FROM knowledge_log l
             WHERE l.site_id = $1 AND l.op = 'upsert'
               AND l.seq = (SELECT MAX(seq) FROM knowledge_log
                            WHERE site_id = l.site_id AND doc_id = l.doc_id)
             ORDER BY l.doc_id",
        )
        .bind(site_id)
        .fetch_all(self.pool())
        .await?;
        Ok(ids)
    }

    /// The number of the newest log entry (0 when the log is empty).
    pub async fn knowledge_log_head(&self) -> Result<i64, StoreError> {
        let head: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM knowledge_log")
            .fetch_one(self.pool())
            .await?;
        Ok(head.unwrap_or(0))
    }
}
