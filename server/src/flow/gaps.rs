//! Knowledge gaps from the server's own records: the suggestion sets of a site that
//! had no good answer and whose session then asked for a person, grouped by page
//! and error (`waymark_knowledge::gaps`).

use waymark_knowledge::gaps::{Gap, GapConfig, SuggestLogEntry, find_gaps};

use super::FlowError;
use crate::storage::Store;

const DAY_MS: i64 = 86_400_000;

/// The open gaps of `site_id` from the last `days` days, most pressing first.
pub async fn recent_gaps(
    store: &Store,
    site_id: &str,
    days: u32,
    config: &GapConfig,
    now_ms: i64,
) -> Result<Vec<Gap>, FlowError> {
    let entries = suggest_log(store, site_id, days, now_ms).await?;
    Ok(find_gaps(&entries, &[], config, now_ms))
}

/// The suggestion sets of the last `days` days as gap detection reads them.
pub async fn suggest_log(
    store: &Store,
    site_id: &str,
    days: u32,
    now_ms: i64,
) -> Result<Vec<SuggestLogEntry>, FlowError> {
    let since_ms = now_ms.saturating_sub(i64::from(days) * DAY_MS);
    Ok(store.suggestion_outcomes(site_id, since_ms).await?)
}
