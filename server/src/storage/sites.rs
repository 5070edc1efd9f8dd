//! Sites (one per customer product) and the public widget keys that name them;
//! the cache every widget request reads them through (`SiteCache`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
        self.site_cache().forget();
        Ok(result.rows_affected() == 1)
    }

    /// The site whose widget key is `public_key` (every widget request asks: read
    /// through the site cache: changes made by another process apply within
    /// [`SITE_CACHE_TTL`]).
    pub async fn site_by_key(&self, public_key: &str) -> Result<Option<Site>, StoreError> {
        let (cached, generation) = self.site_cache().site(public_key);
        if let Some(site) = cached {
            return Ok(Some(site));
        }
        let row = sqlx::query(
            "SELECT site_id, public_key, name, allowed_origins FROM sites WHERE public_key = $1",
        )
        .bind(public_key)
        .fetch_optional(self.pool())
        .await?;
        let site = row.map(|row| site_from_row(&row)).transpose()?;
        if let Some(site) = &site {
            self.site_cache().keep_site(generation, site);
        }
        Ok(site)
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
    /// The site's widget settings as stored (JSON), if any were put (read through
    /// the site cache: every widget request scrubs with them).
    pub async fn site_widget_settings(&self, site_id: &str) -> Result<Option<String>, StoreError> {
        let (cached, generation) = self.site_cache().settings(site_id);
        if let Some(settings) = cached {
            return Ok(settings);
        }
        let settings: Option<Option<String>> =
            sqlx::query_scalar("SELECT widget_settings FROM sites WHERE site_id = $1")
                .bind(site_id)
                .fetch_optional(self.pool())
                .await?;
        if let Some(settings) = &settings {
            self.site_cache()
                .keep_settings(generation, site_id, settings.clone());
        }
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
        self.site_cache().forget();
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
        self.site_cache().forget();
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

/// How long a site read for a widget request is used again.
pub const SITE_CACHE_TTL: Duration = Duration::from_secs(1);
/// Entries kept at most (sites by key, settings by site) before starting over.
const SITE_CACHE_ENTRIES: usize = 10_000;

/// Sites by widget key and widget settings by site, as recently read: every
/// widget request needs both, and they change rarely. An entry is used for
/// [`SITE_CACHE_TTL`]; any change this store makes to a site forgets every entry
/// at once (a read that raced the change is not kept), so a change made through
/// this process applies at once and one made by another process (the CLI,
/// another replica) within the TTL. Unknown keys are never kept.
#[derive(Debug, Default)]
pub(crate) struct SiteCache(Mutex<SiteCacheEntries>);

#[derive(Debug, Default)]
struct SiteCacheEntries {
    generation: u64,
    by_key: HashMap<String, (Instant, Site)>,
    settings: HashMap<String, (Instant, Option<String>)>,
}

impl SiteCache {
    fn entries(&self) -> std::sync::MutexGuard<'_, SiteCacheEntries> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The site of `public_key` if read lately, and the generation to keep a
    /// fresh read under.
    fn site(&self, public_key: &str) -> (Option<Site>, u64) {
        let entries = self.entries();
        let site = entries
            .by_key
            .get(public_key)
            .filter(|(at, _)| at.elapsed() < SITE_CACHE_TTL)
            .map(|(_, site)| site.clone());
        (site, entries.generation)
    }

    fn keep_site(&self, generation: u64, site: &Site) {
        let mut entries = self.entries();
        if entries.generation != generation {
            return;
        }
        if entries.by_key.len() >= SITE_CACHE_ENTRIES {
            entries.by_key.clear();
        }
        entries
            .by_key
            .insert(site.public_key.clone(), (Instant::now(), site.clone()));
    }

    /// The site's widget settings if read lately (`Some(None)`: it has none).
    fn settings(&self, site_id: &str) -> (Option<Option<String>>, u64) {
        let entries = self.entries();
        let settings = entries
            .settings
            .get(site_id)
            .filter(|(at, _)| at.elapsed() < SITE_CACHE_TTL)
            .map(|(_, settings)| settings.clone());
        (settings, entries.generation)
    }

    fn keep_settings(&self, generation: u64, site_id: &str, settings: Option<String>) {
        let mut entries = self.entries();
        if entries.generation != generation {
            return;
        }
        if entries.settings.len() >= SITE_CACHE_ENTRIES {
            entries.settings.clear();
        }
        entries
            .settings
            .insert(site_id.to_owned(), (Instant::now(), settings));
    }

    /// Forgets everything (a site changed).
    pub(super) fn forget(&self) {
        let mut entries = self.entries();
        entries.generation += 1;
        entries.by_key.clear();
        entries.settings.clear();
    }
}
