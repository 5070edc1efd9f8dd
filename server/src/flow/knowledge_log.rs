//! The knowledge log as the one way into the knowledge index: every write
//! (a resolved ticket, an article, the demo's documents, an import) is appended
//! to the database's log — in the transaction of the change that causes it where
//! there is one ([`crate::storage::TicketChange::knowledge`]) — and each replica's
//! index follows the log. So every replica suggests what any replica learnt, and
//! an empty index (a new replica, a deleted directory) is rebuilt from the log.
//!
//! - [`append`]: validates and appends changes in a transaction of their own.
//! - [`catch_up`]: applies the entries this index has not applied yet, now.
//! - [`publish`]: both, for a write whose caller wants to read it back at once.
//! - [`follow`]: the replica's follower: catches up on a wake-up (PostgreSQL
//!   `NOTIFY` from another replica, see [`crate::replicas`]) and at least every
//!   [`POLL`], until shutdown.
//! - [`rebuild`]: empties the index and applies the whole log.
//!
//! Documents enter the log scrubbed (the callers scrub with the site's settings
//! first), so the log holds nothing the index would not.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use waymark_knowledge::{IndexChange, KnowledgeIndex};

use super::FlowError;
use crate::storage::Store;

/// How often a follower looks at the log without being woken.
pub const POLL: Duration = Duration::from_secs(1);

/// Log entries read and applied per index commit.
const PAGE: i64 = 500;

/// What a catch-up applied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CatchUp {
    /// Entries applied to the index.
    pub applied: usize,
    /// Upserts the index refused (their documents are invalid); skipped.
    pub refused: usize,
    /// The index's log position afterwards (0: nothing applied ever).
    pub position: i64,
}

/// Appends `changes` to the knowledge log in a transaction of their own, after
/// checking each upserted document is one the index takes. Returns how many
/// entries were appended (a change identical to the document's latest entry is
/// not appended twice).
pub async fn append(store: &Store, changes: &[IndexChange]) -> Result<usize, FlowError> {
    check(changes)?;
    Ok(store
        .append_knowledge(changes, crate::storage::now_ms())
        .await?)
}

/// Refuses a change the index would refuse, naming the document and why.
pub fn check(changes: &[IndexChange]) -> Result<(), FlowError> {
    for change in changes {
        if let IndexChange::Upsert(doc) = change {
            doc.validate()
                .map_err(|err| FlowError::Invalid(err.to_string()))?;
        }
        if change.site().is_empty() {
            return Err(FlowError::Invalid(format!(
                "knowledge document `{}` names no site",
                change.doc_id()
            )));
        }
    }
    Ok(())
}

/// Appends `changes`, then brings `index` (when there is one) up to the log, so
/// the caller's next search sees them. Other replicas follow on their own.
pub async fn publish(
    store: &Store,
    index: Option<&KnowledgeIndex>,
    changes: &[IndexChange],
) -> Result<usize, FlowError> {
    let appended = append(store, changes).await?;
    if let Some(index) = index {
        catch_up(store, index).await?;
    }
    Ok(appended)
}

/// Applies to `index` every log entry after its position, page by page, each page
/// one index commit that also records the position. Safe to run concurrently
/// with itself: the index skips what another call applied first.
pub async fn catch_up(store: &Store, index: &KnowledgeIndex) -> Result<CatchUp, FlowError> {
    let mut report = CatchUp {
        position: position(index)?,
        ..CatchUp::default()
    };
    loop {
        let entries = store.knowledge_log_after(report.position, PAGE).await?;
        let Some(last) = entries.last().map(|entry| entry.seq) else {
            return Ok(report);
        };
        let full_page = entries.len() as i64 == PAGE;
        let applied =
            index
                .apply_feed(entries.into_iter().filter_map(|entry| {
                    u64::try_from(entry.seq).ok().map(|seq| (seq, entry.change))
                }))
                .map_err(|err| FlowError::Knowledge(err.to_string()))?;
        for refused in &applied.refused {
            tracing::warn!(error = %refused, "knowledge log entry not indexed");
        }
        report.applied += applied.applied;
        report.refused += applied.refused.len();
        report.position = position(index)?.max(last);
        if !full_page {
            return Ok(report);
        }
    }
}

/// Empties `index` and applies the whole log (an operator's repair; a new
/// replica's empty index needs only [`catch_up`]).
pub async fn rebuild(store: &Store, index: &KnowledgeIndex) -> Result<CatchUp, FlowError> {
    index
        .clear()
        .map_err(|err| FlowError::Knowledge(err.to_string()))?;
    catch_up(store, index).await
}

/// The replica's follower: catches up at start (an empty index is rebuilt from
/// the log), then whenever `wake` is notified and at least every [`POLL`], until
/// `shutdown` resolves. Failures are logged and retried at the next turn.
pub async fn follow(
    store: Store,
    index: Arc<KnowledgeIndex>,
    wake: Arc<Notify>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut first = true;
    loop {
        match catch_up(&store, &index).await {
            Ok(report) if report.applied > 0 || first => tracing::info!(
                applied = report.applied,
                refused = report.refused,
                position = report.position,
                documents = index.num_docs(),
                "knowledge index follows the log"
            ),
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "knowledge log catch-up failed"),
        }
        first = false;
        tokio::select! {
            () = &mut shutdown => return,
            () = wake.notified() => {}
            () = tokio::time::sleep(POLL) => {}
        }
    }
}

fn position(index: &KnowledgeIndex) -> Result<i64, FlowError> {
    let position = index
        .feed_position()
        .map_err(|err| FlowError::Knowledge(err.to_string()))?;
    Ok(position.and_then(|p| i64::try_from(p).ok()).unwrap_or(0))
}
