//! Versioned schema migrations for both backends, applied at start and by
//! `waymark migrate`. A migration is never edited once released: add a new one.

use sqlx::Executor;

use super::{Backend, Store, StoreError};

/// One schema change, written for each dialect.
struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "sites, sessions and the page-event trail",
        sqlite: include_str!("sql/0001_events.sqlite.sql"),
        postgres: include_str!("sql/0001_events.postgres.sql"),
    },
    Migration {
        version: 2,
        name: "matrices, conversations, tickets, audit trail, handoff notes, suggestions, CSAT",
        sqlite: include_str!("sql/0002_flow.sqlite.sql"),
        postgres: include_str!("sql/0002_flow.postgres.sql"),
    },
    Migration {
        version: 3,
        name: "events by kind, for volume rules across sessions",
        sqlite: include_str!("sql/0003_events_by_kind.sqlite.sql"),
        postgres: include_str!("sql/0003_events_by_kind.postgres.sql"),
    },
    Migration {
        version: 4,
        name: "account plan and tier on conversations",
        sqlite: include_str!("sql/0004_conversation_account.sqlite.sql"),
        postgres: include_str!("sql/0004_conversation_account.postgres.sql"),
    },
    Migration {
        version: 5,
        name: "page route, error fingerprint and best score of suggestion sets, for knowledge gaps",
        sqlite: include_str!("sql/0005_suggestion_context.sqlite.sql"),
        postgres: include_str!("sql/0005_suggestion_context.postgres.sql"),
    },
    Migration {
        version: 6,
        name: "widget settings of a site (theme, privacy, error pages, signals, strings)",
        sqlite: include_str!("sql/0006_site_widget_settings.sqlite.sql"),
        postgres: include_str!("sql/0006_site_widget_settings.postgres.sql"),
    },
    Migration {
        version: 7,
        name: "identity verification, visitor sources, install secrets, client hashes, fingerprints",
        sqlite: include_str!("sql/0007_trust.sqlite.sql"),
        postgres: include_str!("sql/0007_trust.postgres.sql"),
    },
    Migration {
        version: 8,
        name: "users, site membership, API tokens, sessions; ticket versions and agent request keys",
        sqlite: include_str!("sql/0008_accounts.sqlite.sql"),
        postgres: include_str!("sql/0008_accounts.postgres.sql"),
    },
    Migration {
        version: 9,
        name: "jobs and outbox, webhook endpoints, unsubscribes, alerts, incidents",
        sqlite: include_str!("sql/0009_jobs.sqlite.sql"),
        postgres: include_str!("sql/0009_jobs.postgres.sql"),
    },
    Migration {
        version: 10,
        name: "knowledge drafts, their history, articles, cluster assignments, answers opened",
        sqlite: include_str!("sql/0010_knowledge.sqlite.sql"),
        postgres: include_str!("sql/0010_knowledge.postgres.sql"),
    },
    Migration {
        version: 11,
        name: "indexes the reports scan by: tickets by creation, conversations by session, verdicts by set",
        sqlite: include_str!("sql/0011_reports.sqlite.sql"),
        postgres: include_str!("sql/0011_reports.postgres.sql"),
    },
    Migration {
        version: 14,
        name: "the knowledge log every replica's index follows",
        sqlite: include_str!("sql/0014_knowledge_log.sqlite.sql"),
        postgres: include_str!("sql/0014_knowledge_log.postgres.sql"),
    },
];

/// Applies every migration the database has not recorded yet, in version order, each
/// in its own transaction. Returns the versions applied.
pub async fn apply(store: &Store) -> Result<Vec<i64>, StoreError> {
    // Replicas starting together on one PostgreSQL database take turns: the second
    // finds everything recorded by the first.
    let mut turn = match store.backend() {
        Backend::Postgres => {
            let mut connection = store.pool().acquire().await?;
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(MIGRATION_LOCK_KEY)
                .execute(&mut *connection)
                .await?;
            Some(connection)
        }
        Backend::Sqlite => None,
    };
    let applied = apply_unrecorded(store).await;
    if let Some(connection) = turn.as_mut() {
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(MIGRATION_LOCK_KEY)
            .execute(&mut **connection)
            .await?;
    }
    applied
}

/// Same key for every Waymark replica: "wmmigrat".
const MIGRATION_LOCK_KEY: i64 = 0x776d_6d69_6772_6174;

async fn apply_unrecorded(store: &Store) -> Result<Vec<i64>, StoreError> {
    let pool = store.pool();
    pool.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at_ms BIGINT NOT NULL
        )",
    )
    .await?;
    // Every migration not yet recorded, not only those above the highest: migrations
    // numbered apart may land in either order.
    let recorded: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
        .fetch_all(pool)
        .await?;
    let mut applied = Vec::new();
    for migration in MIGRATIONS.iter().filter(|m| !recorded.contains(&m.version)) {
        let sql = match store.backend() {
            Backend::Sqlite => migration.sqlite,
            Backend::Postgres => migration.postgres,
        };
        let mut tx = pool.begin().await?;
        tx.execute(sql).await?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES ($1, $2, $3)",
        )
        .bind(migration.version)
        .bind(migration.name)
        .bind(crate::storage::now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "migration applied"
        );
        applied.push(migration.version);
    }
    Ok(applied)
}
