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

fn site_from_row(row: &sqlx::any::AnyRow) -> Result<Site, StoreError> {
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
