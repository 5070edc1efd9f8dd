//! Sites (one per customer product) and the public widget keys that name them.

use sqlx::Row;

use super::{Store, StoreError};

/// A customer product the widget is embedded in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Stable id, used as the tenant key of every row.
    pub id: String,
    /// The public key in the embed snippet (`data-site="pk_…"`).
    pub public_key: String,
    /// Display name.
    pub name: String,
    /// Origins allowed to send widget traffic; empty allows any.
    pub allowed_origins: Vec<String>,
}

impl Store {
    /// Creates the site unless a site with that id exists; returns whether it was created.
    pub async fn ensure_site(&self, site: &Site) -> Result<bool, StoreError> {
        let origins = serde_json::to_string(&site.allowed_origins).unwrap_or_else(|_| "[]".into());
        let result = sqlx::query(
            "INSERT INTO sites (site_id, public_key, name, allowed_origins, created_at_ms)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(&site.id)
        .bind(&site.public_key)
        .bind(&site.name)
        .bind(origins)
        .bind(super::now_ms())
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// The site whose widget key is `public_key`.
    pub async fn site_by_key(&self, public_key: &str) -> Result<Option<Site>, StoreError> {
        let row = sqlx::query(
            "SELECT site_id, public_key, name, allowed_origins FROM sites WHERE public_key = $1",
        )
        .bind(public_key)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| site_from_row(&row)).transpose()
    }

    /// The site with id `site_id`.
    pub async fn site(&self, site_id: &str) -> Result<Option<Site>, StoreError> {
        let row = sqlx::query(
            "SELECT site_id, public_key, name, allowed_origins FROM sites WHERE site_id = $1",
        )
        .bind(site_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| site_from_row(&row)).transpose()
    }
}

/// One stored version of a site's escalation matrix (TOML text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMatrix {
    /// Increasing per site, from 1.
    pub version: i64,
    /// The matrix as TOML.
    pub source: String,
}

impl Store {
    /// Stores `source` as the site's newest matrix unless it equals the newest one;
    /// returns the version in force. Earlier versions are kept.
    pub async fn put_site_matrix(&self, site_id: &str, source: &str) -> Result<i64, StoreError> {
        if let Some(current) = self.site_matrix(site_id).await?
            && current.source == source
        {
            return Ok(current.version);
        }
        let mut tx = self.pool().begin().await?;
        let latest: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM site_matrices WHERE site_id = $1")
                .bind(site_id)
                .fetch_one(&mut *tx)
                .await?;
        let version = latest.unwrap_or(0) + 1;
        sqlx::query(
            "INSERT INTO site_matrices (site_id, version, source, created_at_ms) VALUES ($1, $2, $3, $4)",
        )
        .bind(site_id)
        .bind(version)
        .bind(source)
        .bind(super::now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// The site's newest escalation matrix, if it has one.
    pub async fn site_matrix(&self, site_id: &str) -> Result<Option<StoredMatrix>, StoreError> {
        let row = sqlx::query(
            "SELECT version, source FROM site_matrices WHERE site_id = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(site_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(StoredMatrix {
                version: row.try_get("version")?,
                source: row.try_get("source")?,
            })
        })
        .transpose()
    }
}

impl Store {
    /// The site's widget settings as stored (JSON), if any were put.
    pub async fn site_widget_settings(&self, site_id: &str) -> Result<Option<String>, StoreError> {
        let settings: Option<Option<String>> =
            sqlx::query_scalar("SELECT widget_settings FROM sites WHERE site_id = $1")
                .bind(site_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(settings.flatten())
    }

    /// Every site, by id.
    pub async fn sites(&self) -> Result<Vec<Site>, StoreError> {
        let rows = sqlx::query(
            "SELECT site_id, public_key, name, allowed_origins FROM sites ORDER BY site_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(site_from_row).collect()
    }

    /// Replaces the origins allowed to send widget traffic to the site (empty: any);
    /// returns whether the site exists.
    pub async fn set_site_origins(
        &self,
        site_id: &str,
        origins: &[String],
    ) -> Result<bool, StoreError> {
        let origins = serde_json::to_string(origins).unwrap_or_else(|_| "[]".into());
        let result = sqlx::query("UPDATE sites SET allowed_origins = $1 WHERE site_id = $2")
            .bind(origins)
            .bind(site_id)
            .execute(self.pool())
            .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Replaces the site's widget settings (JSON).
    pub async fn put_site_widget_settings(
        &self,
        site_id: &str,
        settings: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE sites SET widget_settings = $1 WHERE site_id = $2")
            .bind(settings)
            .bind(site_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

pub(super) fn site_from_row(row: &sqlx::any::AnyRow) -> Result<Site, StoreError> {
    let origins: String = row.try_get("allowed_origins")?;
    let allowed_origins = serde_json::from_str(&origins).map_err(|err| StoreError::Corrupt {
        table: "sites",
        column: "allowed_origins",
        message: err.to_string(),
    })?;
    Ok(Site {
        id: row.try_get("site_id")?,
        public_key: row.try_get("public_key")?,
        name: row.try_get("name")?,
        allowed_origins,
    })
}
