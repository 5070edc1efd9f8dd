//! What keeps the widget API trustworthy, as stored: a site's identity secret and
//! mode and the sources its visitors may see, the installation's own secrets,
//! opaque answer ids, idempotency-key expiry and the clients behind sessions.

use sqlx::Row;

use super::{Store, StoreError};

/// A site's trust settings, as stored (text values are parsed by the flow).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteTrust {
    /// The identity-verification secret; `None` until `waymark site secret` made one.
    pub identity_secret: Option<String>,
    /// `off`, `optional` or `enforced`.
    pub identity_mode: String,
    /// `articles` or `articles_and_fixes`.
    pub visitor_sources: String,
}

impl Store {
    /// The site's trust settings, if the site exists.
    pub async fn site_trust(&self, site_id: &str) -> Result<Option<SiteTrust>, StoreError> {
        let row = sqlx::query(
            "SELECT identity_secret, identity_mode, visitor_sources FROM sites WHERE site_id = $1",
        )
        .bind(site_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(SiteTrust {
                identity_secret: row.try_get("identity_secret")?,
                identity_mode: row.try_get("identity_mode")?,
                visitor_sources: row.try_get("visitor_sources")?,
            })
        })
        .transpose()
    }

    /// Replaces the site's identity secret; returns whether the site exists.
    pub async fn set_identity_secret(
        &self,
        site_id: &str,
        secret: &str,
    ) -> Result<bool, StoreError> {
        self.set_site_text(site_id, "identity_secret", secret).await
    }

    /// Sets the site's identity mode (already validated); returns whether the site exists.
    pub async fn set_identity_mode(&self, site_id: &str, mode: &str) -> Result<bool, StoreError> {
        self.set_site_text(site_id, "identity_mode", mode).await
    }

    /// Sets which sources the site's visitors may see (already validated); returns
    /// whether the site exists.
    pub async fn set_visitor_sources(
        &self,
        site_id: &str,
        sources: &str,
    ) -> Result<bool, StoreError> {
        self.set_site_text(site_id, "visitor_sources", sources)
            .await
    }

    async fn set_site_text(
        &self,
        site_id: &str,
        column: &'static str,
        value: &str,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(&format!(
            "UPDATE sites SET {column} = $1 WHERE site_id = $2"
        ))
        .bind(value)
        .bind(site_id)
        .execute(self.pool())
        .await?;
        self.site_cache().forget();
        Ok(result.rows_affected() == 1)
    }

    /// The installation's secret named `name`, made from `fresh` the first time
    /// (concurrent first calls agree: the first insert wins).
    pub async fn install_secret(&self, name: &str, fresh: &str) -> Result<String, StoreError> {
        sqlx::query(
            "INSERT INTO install_secrets (name, secret, created_at_ms) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(name)
        .bind(fresh)
        .bind(super::now_ms())
        .execute(self.pool())
        .await?;
        let secret: String =
            sqlx::query_scalar("SELECT secret FROM install_secrets WHERE name = $1")
                .bind(name)
                .fetch_one(self.pool())
                .await?;
        Ok(secret)
    }

    /// Remembers which document an opaque answer id stands for.
    pub async fn remember_visitor_answers(
        &self,
        site_id: &str,
        pairs: &[(String, String)],
    ) -> Result<(), StoreError> {
        if pairs.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool().begin().await?;
        for (public_id, doc_id) in pairs {
            sqlx::query(
                "INSERT INTO visitor_answers (site_id, public_id, doc_id) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
            )
            .bind(site_id)
            .bind(public_id)
            .bind(doc_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The document an opaque answer id was given for, if it was given.
    pub async fn visitor_answer(
        &self,
        site_id: &str,
        public_id: &str,
    ) -> Result<Option<String>, StoreError> {
        let doc: Option<String> = sqlx::query_scalar(
            "SELECT doc_id FROM visitor_answers WHERE site_id = $1 AND public_id = $2",
        )
        .bind(site_id)
        .bind(public_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(doc)
    }

    /// Deletes idempotency keys stored before `before_ms`; returns how many.
    pub async fn purge_idempotency_keys(&self, before_ms: i64) -> Result<u64, StoreError> {
        let result = sqlx::query("DELETE FROM idempotency_keys WHERE at_ms < $1")
            .bind(before_ms)
            .execute(self.pool())
            .await?;
        Ok(result.rows_affected())
    }

    /// The stored idempotency row of a key: its answer and when it was stored.
    pub async fn idempotency_row(
        &self,
        site_id: &str,
        scope: &str,
        key: &str,
    ) -> Result<Option<(String, i64)>, StoreError> {
        let row = sqlx::query(
            "SELECT response, at_ms FROM idempotency_keys WHERE site_id = $1 AND scope = $2 AND key = $3",
        )
        .bind(site_id)
        .bind(scope)
        .bind(key)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| Ok((row.try_get("response")?, row.try_get("at_ms")?)))
            .transpose()
    }

    /// Whether a conversation of the site was started with idempotency key `key`.
    pub async fn conversation_key_used(
        &self,
        site_id: &str,
        key: &str,
    ) -> Result<bool, StoreError> {
        let found: Option<String> = sqlx::query_scalar(
            "SELECT id FROM conversations WHERE site_id = $1 AND idempotency_key = $2",
        )
        .bind(site_id)
        .bind(key)
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }

    /// Who reported each of `fingerprints` since `since_ms`: one row per
    /// (fingerprint, customer) with the latest time. A customer is the verified
    /// user of a conversation of the session, else the session's client-address
    /// hash, else the session. At most `limit` rows.
    pub async fn error_reporters(
        &self,
        site_id: &str,
        fingerprints: &[String],
        since_ms: i64,
        limit: i64,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        let mut rows = Vec::new();
        for fingerprint in fingerprints {
            let found = sqlx::query(
                "SELECT customer, MAX(at_ms) AS at_ms FROM (
                     SELECT e.at_ms AS at_ms, COALESCE(
                         (SELECT 'user:' || c.customer_id FROM conversations c
                          WHERE c.site_id = e.site_id AND c.session_id = e.session_id
                            AND c.customer_id IS NOT NULL AND c.account LIKE '%\"verified\":true%'
                          LIMIT 1),
                         'client:' || s.client_hash,
                         'session:' || e.session_id) AS customer
                     FROM events e
                     LEFT JOIN sessions s ON s.site_id = e.site_id AND s.id = e.session_id
                     WHERE e.site_id = $1 AND e.fingerprint = $2 AND e.at_ms >= $3
                 ) reports GROUP BY customer ORDER BY MAX(at_ms) DESC LIMIT $4",
            )
            .bind(site_id)
            .bind(fingerprint)
            .bind(since_ms)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
            for row in found {
                rows.push((
                    fingerprint.clone(),
                    row.try_get("customer")?,
                    row.try_get("at_ms")?,
                ));
            }
        }
        Ok(rows)
    }
}
