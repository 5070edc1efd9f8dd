//! Account operations, outside HTTP: adding users, logging in (with lockout and a
//! per-address rate limit), authenticating API tokens and console sessions,
//! changing and resetting passwords, disabling users, minting tokens.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::password::{self, PasswordError};
use super::secret::{self, RandomnessError};
use super::{Role, UserId};
use crate::config::AuthConfig;
use crate::storage::{Site, Store, StoreError, UserRecord};

/// Wrong passwords in a row that lock an account.
pub const LOCKOUT_FAILURES: i64 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT_MS: i64 = 15 * 60 * 1000;
/// Client addresses the login limiter keeps before forgetting the idle ones.
const TRACKED_ADDRESSES: usize = 10_000;
/// A session's last use is written at most this often.
const TOUCH_EVERY_MS: i64 = 60 * 1000;

/// Why an account operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Unknown email, wrong password or disabled user: one answer for all three.
    #[error("the email or the password is wrong")]
    InvalidCredentials,
    /// Too many wrong passwords: logins are refused for a while.
    #[error("too many wrong passwords: try again in {retry_after_secs} s")]
    Locked {
        /// Seconds until the lock ends.
        retry_after_secs: u64,
    },
    /// Too many login attempts from one client address.
    #[error("too many login attempts from this address: try again in {retry_after_secs} s")]
    RateLimited {
        /// Seconds until the next attempt is accepted.
        retry_after_secs: u64,
    },
    /// The token or session is missing, unknown, expired or its user disabled.
    #[error("{0}")]
    Unauthorized(String),
    /// The input is not acceptable; the message names the field.
    #[error("{0}")]
    Invalid(String),
    /// No such user or site.
    #[error("{0}")]
    NotFound(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Hashing or randomness failed.
    #[error("{0}")]
    Internal(String),
}

impl From<PasswordError> for AccountError {
    fn from(err: PasswordError) -> Self {
        match err {
            PasswordError::Policy { .. } => AccountError::Invalid(err.to_string()),
            PasswordError::Hashing(message) => AccountError::Internal(message),
        }
    }
}

impl From<RandomnessError> for AccountError {
    fn from(err: RandomnessError) -> Self {
        AccountError::Internal(err.to_string())
    }
}

/// What the server keeps about authentication besides the database: the demo's
/// shared token (only `waymark demo` sets one), the per-address login limiter and
/// the session lifetimes.
#[derive(Debug)]
pub struct AuthState {
    shared_token: Option<SharedToken>,
    login_limiter: DefaultKeyedRateLimiter<IpAddr>,
    /// Idle expiry of a console session.
    pub session_idle_ms: i64,
    /// Absolute expiry of a console session.
    pub session_max_age_ms: i64,
    /// Whether session cookies are `Secure` (the public URL is https).
    pub secure_cookies: bool,
}

#[derive(Debug)]
struct SharedToken {
    hash: String,
    user: UserId,
}

impl AuthState {
    /// The state for `config` (no shared token).
    pub fn new(config: &AuthConfig, public_url: Option<&str>) -> Self {
        let per_minute =
            NonZeroU32::new(config.login_attempts_per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            shared_token: None,
            login_limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            session_idle_ms: i64::from(config.session_idle_minutes) * 60 * 1000,
            session_max_age_ms: i64::from(config.session_max_age_hours) * 3600 * 1000,
            secure_cookies: public_url.is_some_and(|url| url.starts_with("https://")),
        }
    }

    /// Lets `token` act as `user` (the demo's admin). Only `waymark demo` calls this.
    pub fn with_shared_token(mut self, token: &str, user: UserId) -> Self {
        self.shared_token = Some(SharedToken {
            hash: secret::hash_secret(token),
            user,
        });
        self
    }

    /// Counts a login attempt from `address`; refuses once the address is over its rate.
    pub fn check_login_rate(&self, address: Option<IpAddr>) -> Result<(), AccountError> {
        let key = address.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        if self.login_limiter.len() > TRACKED_ADDRESSES {
            // Addresses whose bucket is full again need no state: memory stays bounded
            // however many addresses try.
            self.login_limiter.retain_recent();
        }
        self.login_limiter.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AccountError::RateLimited {
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role on every site below.
    pub role: Role,
    /// Initial password.
    pub password: String,
    /// Sites the user is a member of.
    pub sites: Vec<String>,
}

/// Normalises an email for storage and lookup.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Creates a user with their memberships.
pub async fn add_user(
    store: &Store,
    new: NewUser,
    now_ms: i64,
) -> Result<UserRecord, AccountError> {
    let email = normalize_email(&new.email);
    let valid_email = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
        && !email.chars().any(char::is_whitespace);
    if !valid_email {
        return Err(AccountError::Invalid(format!(
            "email: `{}` is not an email address",
            new.email
        )));
    }
    let name = new.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 128 {
        return Err(AccountError::Invalid(
            "name: must be 1 to 128 characters".into(),
        ));
    }
    password::check_policy("password", &new.password)?;
    for site in &new.sites {
        if store.site(site).await?.is_none() {
            return Err(AccountError::NotFound(format!(
                "site: there is no site `{site}` (see `waymark site list`)"
            )));
        }
    }
    let password_hash = hash_blocking(new.password).await?;
    let user = UserRecord {
        id: UserId::new(secret::new_user_id()?),
        email,
        name,
        role: new.role,
        password_hash,
        disabled_at_ms: None,
        failed_logins: 0,
        locked_until_ms: None,
        created_at_ms: now_ms,
    };
    if !store.insert_user(&user).await? {
        return Err(AccountError::Invalid(format!(
            "email: a user with `{}` exists already",
            user.email
        )));
    }
    for site in &new.sites {
        store.add_site_member(site, &user.id, now_ms).await?;
    }
    Ok(user)
}

/// A successful login.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// Who logged in.
    pub user: UserRecord,
    /// The new session's cookie value (only its hash is stored).
    pub session_id: String,
}

/// Checks email and password; after [`LOCKOUT_FAILURES`] wrong passwords the
/// account is locked for [`LOCKOUT_MS`], whatever password is given.
pub async fn login(
    store: &Store,
    state: &AuthState,
    email: &str,
    password: &str,
    now_ms: i64,
) -> Result<LoginOutcome, AccountError> {
    let expired = store
        .delete_expired_sessions(
            now_ms - state.session_idle_ms,
            now_ms - state.session_max_age_ms,
        )
        .await?;
    if expired > 0 {
        tracing::debug!(expired, "expired console sessions removed");
    }
    let found = store.user_by_email(&normalize_email(email)).await?;
    let Some(user) = found.filter(|user| user.disabled_at_ms.is_none()) else {
        // The same work as for a known email: the answer time tells nothing.
        verify_blocking(password.to_owned(), password::decoy_hash().to_owned()).await?;
        return Err(AccountError::InvalidCredentials);
    };
    if let Some(until) = user.locked_until_ms.filter(|until| *until > now_ms) {
        return Err(AccountError::Locked {
            retry_after_secs: retry_secs(until - now_ms),
        });
    }
    if !verify_blocking(password.to_owned(), user.password_hash.clone()).await? {
        let lock = store
            .record_failed_login(&user.id, LOCKOUT_FAILURES, now_ms + LOCKOUT_MS)
            .await?;
        if lock.is_some() {
            tracing::warn!(user = %user.id, "account locked after wrong passwords");
        }
        return Err(AccountError::InvalidCredentials);
    }
    store.clear_failed_logins(&user.id).await?;
    let session_id = secret::new_session_id()?;
    store
        .insert_session(&secret::hash_secret(&session_id), &user.id, now_ms)
        .await?;
    tracing::info!(user = %user.id, "console login");
    Ok(LoginOutcome { user, session_id })
}

fn retry_secs(ms: i64) -> u64 {
    u64::try_from(ms.div_euclid(1000) + 1).unwrap_or(1)
}

/// The user an API token (or the demo's shared token) belongs to.
pub async fn authenticate_token(
    store: &Store,
    state: &AuthState,
    token: &str,
) -> Result<UserRecord, AccountError> {
    let hash = secret::hash_secret(token);
    let user_id = match &state.shared_token {
        Some(shared) if secret::constant_time_eq(hash.as_bytes(), shared.hash.as_bytes()) => {
            Some(shared.user.clone())
        }
        _ if token.starts_with(secret::TOKEN_PREFIX) => store
            .api_token(&hash)
            .await?
            .filter(|(stored, _)| secret::constant_time_eq(stored.as_bytes(), hash.as_bytes()))
            .map(|(_, user)| user),
        _ => None,
    };
    let Some(user_id) = user_id else {
        return Err(AccountError::Unauthorized(
            "the bearer token is not valid".into(),
        ));
    };
    active_user(store, &user_id).await
}

/// The user of a console session, if it is neither idle too long nor too old.
pub async fn authenticate_session(
    store: &Store,
    state: &AuthState,
    session_id: &str,
    now_ms: i64,
) -> Result<UserRecord, AccountError> {
    let hash = secret::hash_secret(session_id);
    let Some(session) = store.session(&hash).await? else {
        return Err(AccountError::Unauthorized(
            "the session is not valid; log in".into(),
        ));
    };
    let idle = now_ms - session.last_seen_ms > state.session_idle_ms;
    let too_old = now_ms - session.created_at_ms > state.session_max_age_ms;
    if idle || too_old {
        store.delete_session(&hash).await?;
        return Err(AccountError::Unauthorized(
            "the session has expired; log in again".into(),
        ));
    }
    let user = active_user(store, &session.user_id).await?;
    if now_ms - session.last_seen_ms > TOUCH_EVERY_MS {
        store.touch_session(&hash, now_ms).await?;
    }
    Ok(user)
}

async fn active_user(store: &Store, id: &UserId) -> Result<UserRecord, AccountError> {
    store
        .user(id)
        .await?
        .filter(|user| user.disabled_at_ms.is_none())
        .ok_or_else(|| AccountError::Unauthorized("the user is disabled".into()))
}

/// Ends a console session.
pub async fn logout(store: &Store, session_id: &str) -> Result<(), AccountError> {
    store
        .delete_session(&secret::hash_secret(session_id))
        .await?;
    Ok(())
}

/// Changes the user's own password; every other session of the user ends.
pub async fn change_password(
    store: &Store,
    user: &UserRecord,
    current_password: &str,
    new_password: &str,
    keep_session: Option<&str>,
    now_ms: i64,
) -> Result<(), AccountError> {
    password::check_policy("new_password", new_password)?;
    if !verify_blocking(current_password.to_owned(), user.password_hash.clone()).await? {
        return Err(AccountError::Invalid(
            "current_password: is not the current password".into(),
        ));
    }
    let hash = hash_blocking(new_password.to_owned()).await?;
    store.set_password_hash(&user.id, &hash, now_ms).await?;
    let keep = keep_session.map(secret::hash_secret);
    let ended = store
        .delete_other_sessions(&user.id, keep.as_deref())
        .await?;
    tracing::info!(user = %user.id, ended_sessions = ended, "password changed");
    Ok(())
}

/// Sets a new password for the user with `email` (operator command); every
/// session of the user ends and any lock is lifted.
pub async fn reset_password(
    store: &Store,
    email: &str,
    new_password: &str,
    now_ms: i64,
) -> Result<UserRecord, AccountError> {
    password::check_policy("password", new_password)?;
    let user = user_by_email(store, email).await?;
    let hash = hash_blocking(new_password.to_owned()).await?;
    store.set_password_hash(&user.id, &hash, now_ms).await?;
    store.delete_other_sessions(&user.id, None).await?;
    Ok(user)
}

/// Disables the user with `email`: their sessions and tokens end at once.
pub async fn disable(store: &Store, email: &str, now_ms: i64) -> Result<UserRecord, AccountError> {
    let user = user_by_email(store, email).await?;
    store.disable_user(&user.id, now_ms).await?;
    Ok(user)
}

/// Gives the user with `email` another role; it applies to their next request.
pub async fn set_role(
    store: &Store,
    email: &str,
    role: Role,
    now_ms: i64,
) -> Result<UserRecord, AccountError> {
    let user = user_by_email(store, email).await?;
    store.set_role(&user.id, role, now_ms).await?;
    Ok(UserRecord { role, ..user })
}

/// Mints an API token for the user with `email`; returns it (shown once).
pub async fn mint_token(
    store: &Store,
    email: &str,
    label: &str,
    now_ms: i64,
) -> Result<(UserRecord, String), AccountError> {
    let user = user_by_email(store, email).await?;
    if user.disabled_at_ms.is_some() {
        return Err(AccountError::Invalid(format!(
            "user `{}` is disabled",
            user.email
        )));
    }
    let token = secret::new_api_token()?;
    store
        .insert_api_token(&secret::hash_secret(&token), &user.id, label, now_ms)
        .await?;
    Ok((user, token))
}

/// Adds the user with `email` to `site`.
pub async fn add_to_site(
    store: &Store,
    email: &str,
    site: &str,
    now_ms: i64,
) -> Result<Site, AccountError> {
    let user = user_by_email(store, email).await?;
    let found = store
        .site(site)
        .await?
        .ok_or_else(|| AccountError::NotFound(format!("site: there is no site `{site}`")))?;
    store.add_site_member(site, &user.id, now_ms).await?;
    Ok(found)
}

async fn user_by_email(store: &Store, email: &str) -> Result<UserRecord, AccountError> {
    store
        .user_by_email(&normalize_email(email))
        .await?
        .ok_or_else(|| AccountError::NotFound(format!("there is no user `{email}`")))
}

async fn hash_blocking(password: String) -> Result<String, AccountError> {
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|err| AccountError::Internal(err.to_string()))?
        .map_err(Into::into)
}

async fn verify_blocking(password: String, hash: String) -> Result<bool, AccountError> {
    tokio::task::spawn_blocking(move || password::verify(&password, &hash))
        .await
        .map_err(|err| AccountError::Internal(err.to_string()))
}
