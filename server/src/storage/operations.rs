//! What `/metrics` reads from the database at each scrape: open tickets per tier and the
//! outbox (`jobs`) per state with the lag of its oldest due delivery. Counted over every site.

use sqlx::Row;

use super::{Store, StoreError};

/// Queue and outbox figures at one instant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperationsSnapshot {
    /// Tickets not resolved or closed, by tier (sorted by tier).
    pub open_tickets_by_tier: Vec<(String, i64)>,
    /// Outbox jobs by state (`pending`, `running`, `done`, `dead`; sorted by state).
    pub jobs_by_state: Vec<(String, i64)>,
    /// How long the oldest pending job has been due, in milliseconds (0 when none is due).
    pub oldest_due_job_lag_ms: i64,
}

impl Store {
    /// The queue and outbox figures as of `now_ms`.
    pub async fn operations_snapshot(&self, now_ms: i64) -> Result<OperationsSnapshot, StoreError> {
        let tiers = sqlx::query(
            "SELECT tier, COUNT(*) AS n FROM tickets
             WHERE state NOT IN ('resolved', 'closed') GROUP BY tier ORDER BY tier",
        )
        .fetch_all(self.pool())
        .await?;
        let open_tickets_by_tier = tiers
            .iter()
            .map(|row| {
                Ok((
                    row.try_get::<String, _>("tier")?,
                    row.try_get::<i64, _>("n")?,
                ))
            })
            .collect::<Result<_, StoreError>>()?;
        let states =
            sqlx::query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state ORDER BY state")
                .fetch_all(self.pool())
                .await?;
        let jobs_by_state = states
            .iter()
            .map(|row| {
                Ok((
                    row.try_get::<String, _>("state")?,
                    row.try_get::<i64, _>("n")?,
                ))
            })
            .collect::<Result<_, StoreError>>()?;
        let oldest: Option<i64> = sqlx::query(
            "SELECT MIN(run_at_ms) AS oldest FROM jobs WHERE state = 'pending' AND run_at_ms <= $1",
        )
        .bind(now_ms)
        .fetch_one(self.pool())
        .await?
        .try_get("oldest")?;
        Ok(OperationsSnapshot {
            open_tickets_by_tier,
            jobs_by_state,
            oldest_due_job_lag_ms: oldest.map_or(0, |oldest| (now_ms - oldest).max(0)),
        })
    }
}
