//! What the assistant suggested and what the user said about it: the record
//! behind deflection (answered by suggestions, no human needed).

use sqlx::Row;
use waymark_knowledge::feedback::{Outcome, Verdict};
use waymark_knowledge::gaps::SuggestLogEntry;

use super::{Store, StoreError};

/// A suggestion set shown to a user.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownSuggestions {
    /// The id the widget quotes in its feedback.
    pub query_id: String,
    /// The widget session.
    pub session_id: String,
    /// What the user typed (scrubbed), empty for a proactive nudge.
    pub query: String,
    /// Answer ids, best first.
    pub answer_ids: Vec<String>,
    /// The page route the set was asked from, if known.
    pub route: Option<String>,
    /// The error fingerprint (or message) in the page context, if any.
    pub fingerprint: Option<String>,
    /// The confidence of the best answer, 0 when there was none.
    pub best_score: f32,
    /// When.
    pub at_ms: i64,
}

/// A user's verdict on one suggestion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuggestionVerdict {
    /// The widget's key for the request.
    pub idempotency_key: String,
    /// The widget session.
    pub session_id: String,
    /// The suggestion set.
    pub query_id: String,
    /// The answer concerned.
    pub answer_id: String,
    /// `solved` or `not_helpful`.
    pub outcome: String,
    /// When.
    pub at_ms: i64,
}

/// At most this many suggestion sets (the newest) feed one gap computation.
pub const MAX_OUTCOMES: i64 = 50_000;

impl Store {
    /// Records a suggestion set as shown.
    pub async fn record_suggestions(
        &self,
        site_id: &str,
        shown: &ShownSuggestions,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO suggestions (site_id, query_id, session_id, query, answers, route, fingerprint, best_score, at_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
        )
        .bind(site_id)
        .bind(&shown.query_id)
        .bind(&shown.session_id)
        .bind(&shown.query)
        .bind(super::to_json(&shown.answer_ids))
        .bind(shown.route.as_deref())
        .bind(shown.fingerprint.as_deref())
        .bind(f64::from(shown.best_score))
        .bind(shown.at_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records a verdict once per idempotency key; returns whether it was new.
    pub async fn record_suggestion_verdict(
        &self,
        site_id: &str,
        verdict: &SuggestionVerdict,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "INSERT INTO suggestion_feedback (site_id, idempotency_key, session_id, query_id, answer_id, outcome, at_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(site_id)
        .bind(&verdict.idempotency_key)
        .bind(&verdict.session_id)
        .bind(&verdict.query_id)
        .bind(&verdict.answer_id)
        .bind(&verdict.outcome)
        .bind(verdict.at_ms)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// The verdicts given in a session, oldest first.
    pub async fn session_verdicts(
        &self,
        site_id: &str,
        session_id: &str,
    ) -> Result<Vec<SuggestionVerdict>, StoreError> {
        let rows = sqlx::query(
            "SELECT idempotency_key, session_id, query_id, answer_id, outcome, at_ms
             FROM suggestion_feedback WHERE site_id = $1 AND session_id = $2 ORDER BY at_ms",
        )
        .bind(site_id)
        .bind(session_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SuggestionVerdict {
                    idempotency_key: row.try_get("idempotency_key")?,
                    session_id: row.try_get("session_id")?,
                    query_id: row.try_get("query_id")?,
                    answer_id: row.try_get("answer_id")?,
                    outcome: row.try_get("outcome")?,
                    at_ms: row.try_get("at_ms")?,
                })
            })
            .collect()
    }

    /// The suggestion sets shown since `since_ms`, oldest first, each with whether
    /// its session then asked for a person. Sets recorded before scores were kept
    /// are left out.
    pub async fn suggestion_outcomes(
        &self,
        site_id: &str,
        since_ms: i64,
    ) -> Result<Vec<SuggestLogEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.query, s.route, s.fingerprint, s.best_score, s.at_ms,
                    CASE WHEN EXISTS (SELECT 1 FROM conversations c
                            WHERE c.site_id = s.site_id AND c.session_id = s.session_id
                              AND c.created_at_ms >= s.at_ms) THEN 1 ELSE 0 END AS escalated
             FROM suggestions s
             WHERE s.site_id = $1 AND s.at_ms >= $2 AND s.best_score IS NOT NULL
             ORDER BY s.at_ms DESC, s.query_id DESC LIMIT $3",
        )
        .bind(site_id)
        .bind(since_ms)
        .bind(MAX_OUTCOMES)
        .fetch_all(self.pool())
        .await?;
        // Newest first from the database (so the cap keeps the newest), oldest first here.
        rows.iter()
            .rev()
            .map(|row| {
                let best_score: f64 = row.try_get("best_score")?;
                let escalated: i32 = row.try_get("escalated")?;
                Ok(SuggestLogEntry {
                    query: row.try_get("query")?,
                    route: row.try_get("route")?,
                    fingerprint: row.try_get("fingerprint")?,
                    #[allow(clippy::cast_possible_truncation)]
                    best_score: best_score as f32,
                    escalated: escalated != 0,
                    at_ms: row.try_get("at_ms")?,
                })
            })
            .collect()
    }

    /// The suggestion sets a session was shown, oldest first.
    pub async fn session_suggestions(
        &self,
        site_id: &str,
        session_id: &str,
    ) -> Result<Vec<ShownSuggestions>, StoreError> {
        let rows = sqlx::query(
            "SELECT query_id, session_id, query, answers, route, fingerprint, best_score, at_ms
             FROM suggestions WHERE site_id = $1 AND session_id = $2 ORDER BY at_ms, query_id",
        )
        .bind(site_id)
        .bind(session_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let answers: String = row.try_get("answers")?;
                let best_score: Option<f64> = row.try_get("best_score")?;
                Ok(ShownSuggestions {
                    query_id: row.try_get("query_id")?,
                    session_id: row.try_get("session_id")?,
                    query: row.try_get("query")?,
                    answer_ids: super::parse_json("suggestions", "answers", &answers)?,
                    route: row.try_get("route")?,
                    fingerprint: row.try_get("fingerprint")?,
                    #[allow(clippy::cast_possible_truncation)]
                    best_score: best_score.unwrap_or(0.0) as f32,
                    at_ms: row.try_get("at_ms")?,
                })
            })
            .collect()
    }

    /// How many suggestion sets a session was shown.
    pub async fn session_suggestion_count(
        &self,
        site_id: &str,
        session_id: &str,
    ) -> Result<i64, StoreError> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM suggestions WHERE site_id = $1 AND session_id = $2",
        )
        .bind(site_id)
        .bind(session_id)
        .fetch_one(self.pool())
        .await?;
        Ok(count)
    }

    /// The most recent verdicts of a site on answers shown for a typed question, newest
    /// first, with that question: what makes suggest learn from use.
    pub async fn feedback_verdicts(
        &self,
        site_id: &str,
        limit: i64,
    ) -> Result<Vec<Verdict>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.query, f.answer_id, f.outcome
             FROM suggestion_feedback f
             JOIN suggestions s ON s.site_id = f.site_id AND s.query_id = f.query_id
             WHERE f.site_id = $1 AND s.query <> ''
             ORDER BY f.at_ms DESC, f.idempotency_key LIMIT $2",
        )
        .bind(site_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let outcome: String = row.try_get("outcome")?;
                Ok(Verdict {
                    query: row.try_get("query")?,
                    doc_id: row.try_get("answer_id")?,
                    outcome: if outcome == "solved" {
                        Outcome::Helped
                    } else {
                        Outcome::NotHelpful
                    },
                })
            })
            .collect()
    }
}
