//! Users (agents, knowledge managers, admins), their site memberships, their API
//! tokens and their console sessions. Secrets are stored only as SHA-256 hashes;
//! passwords only as argon2id hashes.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Site, Store, StoreError, parse_enum};
use crate::auth::{Role, UserId};

/// A user as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// Stable id (`u_…`), the actor in the audit trail.
    pub id: UserId,
    /// Login name, lower case.
    pub email: String,
    /// Display name.
    pub name: String,
    /// What the user may do on their sites.
    pub role: Role,
    /// The argon2id hash (PHC string).
    pub password_hash: String,
    /// Set once the user is disabled: no login, no token, no session works.
    pub disabled_at_ms: Option<i64>,
    /// Wrong passwords since the last lock or successful login.
    pub failed_logins: i64,
    /// Logins are refused until then.
    pub locked_until_ms: Option<i64>,
    /// Created.
    pub created_at_ms: i64,
}

/// A console session as stored (keyed by the hash of the cookie value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// Whose session it is.
    pub user_id: UserId,
    /// When it was opened (absolute expiry counts from here).
    pub created_at_ms: i64,
    /// When it was last used (idle expiry counts from here).
    pub last_seen_ms: i64,
}

/// A stored request key of an agent action (`Idempotency-Key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRequestRecord {
    /// The user who sent it.
    pub user_id: UserId,
    /// The header's value.
    pub key: String,
    /// SHA-256 of the action, its path and its body.
    pub request_hash: String,
    /// The ticket acted on.
    pub ticket_id: String,
    /// What the action made (the message id of a reply, the note version), else empty.
    pub result: String,
    /// When.
    pub at_ms: i64,
}

const USER_COLUMNS: &str = "SELECT id, email, name, role, password_hash, disabled_at_ms,
    failed_logins, locked_until_ms, created_at_ms FROM users";

impl Store {
    /// Creates the user; returns `false` when the email is taken.
    pub async fn insert_user(&self, user: &UserRecord) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "INSERT INTO users (id, email, name, role, password_hash, disabled_at_ms,
                failed_logins, locked_until_ms, created_at_ms, updated_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6, 0, NULL, $7, $7) ON CONFLICT DO NOTHING",
        )
        .bind(user.id.as_str())
        .bind(&user.email)
        .bind(&user.name)
        .bind(user.role.as_str())
        .bind(&user.password_hash)
        .bind(user.disabled_at_ms)
        .bind(user.created_at_ms)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// The user with this (lower-case) email.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError> {
        let row = sqlx::query(&format!("{USER_COLUMNS} WHERE email = $1"))
            .bind(email)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| user_from_row(&row)).transpose()
    }

    /// The user with this id.
    pub async fn user(&self, id: &UserId) -> Result<Option<UserRecord>, StoreError> {
        let row = sqlx::query(&format!("{USER_COLUMNS} WHERE id = $1"))
            .bind(id.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| user_from_row(&row)).transpose()
    }

    /// Every user, by email.
    pub async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let rows = sqlx::query(&format!("{USER_COLUMNS} ORDER BY email"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(user_from_row).collect()
    }

    /// Replaces the password hash and clears any lock.
    pub async fn set_password_hash(
        &self,
        id: &UserId,
        password_hash: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until_ms = NULL,
                updated_at_ms = $2 WHERE id = $3",
        )
        .bind(password_hash)
        .bind(now_ms)
        .bind(id.as_str())
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Gives the user another role.
    pub async fn set_role(&self, id: &UserId, role: Role, now_ms: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET role = $1, updated_at_ms = $2 WHERE id = $3")
            .bind(role.as_str())
            .bind(now_ms)
            .bind(id.as_str())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Disables the user and ends their sessions and tokens, in one transaction.
    pub async fn disable_user(&self, id: &UserId, now_ms: i64) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let result = sqlx::query(
            "UPDATE users SET disabled_at_ms = $1, updated_at_ms = $1
             WHERE id = $2 AND disabled_at_ms IS NULL",
        )
        .bind(now_ms)
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
        for table in ["user_sessions", "api_tokens"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(result.rows_affected() == 1)
    }

    /// Counts a wrong password; at `max_failures` the account is locked until
    /// `lock_until_ms` and the count starts again. Returns the lock, if one is set.
    pub async fn record_failed_login(
        &self,
        id: &UserId,
        max_failures: i64,
        lock_until_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        let failures: i64 = sqlx::query_scalar("SELECT failed_logins FROM users WHERE id = $1")
            .bind(id.as_str())
            .fetch_one(&mut *tx)
            .await?;
        let locked = failures >= max_failures;
        if locked {
            sqlx::query("UPDATE users SET failed_logins = 0, locked_until_ms = $1 WHERE id = $2")
                .bind(lock_until_ms)
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(locked.then_some(lock_until_ms))
    }

    /// A successful login: the count of wrong passwords starts again.
    pub async fn clear_failed_logins(&self, id: &UserId) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until_ms = NULL WHERE id = $1")
            .bind(id.as_str())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Makes the user a member of the site (idempotent).
    pub async fn add_site_member(
        &self,
        site_id: &str,
        user_id: &UserId,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO site_members (site_id, user_id, created_at_ms) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(site_id)
        .bind(user_id.as_str())
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Whether the user is a member of the site.
    pub async fn is_site_member(
        &self,
        site_id: &str,
        user_id: &UserId,
    ) -> Result<bool, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM site_members WHERE site_id = $1 AND user_id = $2")
                .bind(site_id)
                .bind(user_id.as_str())
                .fetch_optional(self.pool())
                .await?;
        Ok(found.is_some())
    }

    /// The sites the user is a member of, by id.
    pub async fn user_sites(&self, user_id: &UserId) -> Result<Vec<Site>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.site_id, s.public_key, s.name, s.allowed_origins FROM sites s
             JOIN site_members m ON m.site_id = s.site_id WHERE m.user_id = $1 ORDER BY s.site_id",
        )
        .bind(user_id.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(super::sites::site_from_row).collect()
    }

    /// Stores an API token's hash for the user.
    pub async fn insert_api_token(
        &self,
        token_hash: &str,
        user_id: &UserId,
        label: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO api_tokens (token_hash, user_id, label, created_at_ms) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id.as_str())
        .bind(label)
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The stored hash and owner of the API token with this hash.
    pub async fn api_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<(String, UserId)>, StoreError> {
        let row = sqlx::query("SELECT token_hash, user_id FROM api_tokens WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| {
            Ok((
                row.try_get("token_hash")?,
                UserId::new(row.try_get::<String, _>("user_id")?),
            ))
        })
        .transpose()
    }

    /// Opens a console session.
    pub async fn insert_session(
        &self,
        session_hash: &str,
        user_id: &UserId,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO user_sessions (session_hash, user_id, created_at_ms, last_seen_ms)
             VALUES ($1, $2, $3, $3)",
        )
        .bind(session_hash)
        .bind(user_id.as_str())
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The session with this hash.
    pub async fn session(&self, session_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT user_id, created_at_ms, last_seen_ms FROM user_sessions WHERE session_hash = $1",
        )
        .bind(session_hash)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(SessionRecord {
                user_id: UserId::new(row.try_get::<String, _>("user_id")?),
                created_at_ms: row.try_get("created_at_ms")?,
                last_seen_ms: row.try_get("last_seen_ms")?,
            })
        })
        .transpose()
    }

    /// Marks the session used now (idle expiry starts again).
    pub async fn touch_session(&self, session_hash: &str, now_ms: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE user_sessions SET last_seen_ms = $1 WHERE session_hash = $2")
            .bind(now_ms)
            .bind(session_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Ends one session.
    pub async fn delete_session(&self, session_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM user_sessions WHERE session_hash = $1")
            .bind(session_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Ends every session of the user except `keep` (the hash of the caller's own).
    pub async fn delete_other_sessions(
        &self,
        user_id: &UserId,
        keep: Option<&str>,
    ) -> Result<u64, StoreError> {
        let result =
            sqlx::query("DELETE FROM user_sessions WHERE user_id = $1 AND session_hash <> $2")
                .bind(user_id.as_str())
                .bind(keep.unwrap_or_default())
                .execute(self.pool())
                .await?;
        Ok(result.rows_affected())
    }

    /// Ends every session idle since before `idle_before_ms` or opened before
    /// `opened_before_ms`; returns how many ended.
    pub async fn delete_expired_sessions(
        &self,
        idle_before_ms: i64,
        opened_before_ms: i64,
    ) -> Result<u64, StoreError> {
        let result =
            sqlx::query("DELETE FROM user_sessions WHERE last_seen_ms < $1 OR created_at_ms < $2")
                .bind(idle_before_ms)
                .bind(opened_before_ms)
                .execute(self.pool())
                .await?;
        Ok(result.rows_affected())
    }

    /// The members of a site, by name.
    pub async fn site_members(&self, site_id: &str) -> Result<Vec<UserRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT u.id, u.email, u.name, u.role, u.password_hash, u.disabled_at_ms,
                u.failed_logins, u.locked_until_ms, u.created_at_ms
             FROM users u JOIN site_members m ON m.user_id = u.id
             WHERE m.site_id = $1 ORDER BY u.name, u.email",
        )
        .bind(site_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(user_from_row).collect()
    }

    /// Forgets the user's agent request keys stored before `before_ms`.
    pub async fn purge_agent_requests(
        &self,
        site_id: &str,
        user_id: &UserId,
        before_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM agent_requests WHERE site_id = $1 AND user_id = $2 AND at_ms < $3",
        )
        .bind(site_id)
        .bind(user_id.as_str())
        .bind(before_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The stored request key of an agent action.
    pub async fn agent_request(
        &self,
        site_id: &str,
        user_id: &UserId,
        key: &str,
    ) -> Result<Option<AgentRequestRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT user_id, idempotency_key, request_hash, ticket_id, result, at_ms
             FROM agent_requests WHERE site_id = $1 AND user_id = $2 AND idempotency_key = $3",
        )
        .bind(site_id)
        .bind(user_id.as_str())
        .bind(key)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(AgentRequestRecord {
                user_id: UserId::new(row.try_get::<String, _>("user_id")?),
                key: row.try_get("idempotency_key")?,
                request_hash: row.try_get("request_hash")?,
                ticket_id: row.try_get("ticket_id")?,
                result: row.try_get("result")?,
                at_ms: row.try_get("at_ms")?,
            })
        })
        .transpose()
    }
}

fn user_from_row(row: &AnyRow) -> Result<UserRecord, StoreError> {
    let role: String = row.try_get("role")?;
    Ok(UserRecord {
        id: UserId::new(row.try_get::<String, _>("id")?),
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        role: parse_enum("users", "role", &role)?,
        password_hash: row.try_get("password_hash")?,
        disabled_at_ms: row.try_get("disabled_at_ms")?,
        failed_logins: row.try_get("failed_logins")?,
        locked_until_ms: row.try_get("locked_until_ms")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}
