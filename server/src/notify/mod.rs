//! Notifications and integrations: how one outbox job is delivered.
//!
//! - [`guard`]: outbound targets on internal networks are refused (SSRF).
//! - [`sign`]: the `Waymark-Signature` header of webhooks.
//! - [`email`]: email over SMTP with an unsubscribe link.
//! - [`shapes`]: the bodies of webhooks, Slack messages and Jira/Linear issues.
//!
//! A handler is idempotent towards its receiver: every delivery carries the job's
//! id (`Waymark-Delivery`, the email's `Message-ID`), so a receiver that sees a
//! retry after a lost answer can drop it.

pub mod email;
pub mod guard;
pub mod shapes;
pub mod sign;

use std::sync::Arc;
use std::time::Duration;

use crate::config::Config;
use crate::storage::jobs::{EndpointRecord, JobKind, JobRecord};
use crate::storage::{Store, StoreError};

/// Why a delivery did not happen.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// Worth trying again later (network, 5xx, SMTP temporary failure).
    #[error("{0}")]
    Retry(String),
    /// Will never work as written (refused target, bad address): a dead letter now.
    #[error("{0}")]
    Permanent(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A delivered job's note (what the receiver answered, or why nothing was sent).
pub type Delivered = Option<String>;

/// Delivers jobs: one HTTP client (guarded) and one SMTP transport.
#[derive(Clone)]
pub struct Notifier {
    config: Arc<Config>,
    http: reqwest::Client,
    guard: Arc<guard::TargetGuard>,
    mailer: Option<email::Mailer>,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier")
            .field("guard", &self.guard)
            .field("smtp", &self.mailer.is_some())
            .finish()
    }
}

/// The notifier could not be built from the configuration.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NotifierError(String);

impl Notifier {
    /// Builds the HTTP client and the SMTP transport from the configuration.
    pub fn new(config: Arc<Config>) -> Result<Self, NotifierError> {
        let guard = Arc::new(guard::TargetGuard::new(&config.integrations.allow_targets));
        let redirect_guard = guard.clone();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(
                u64::try_from(config.integrations.timeout.0).unwrap_or(10_000),
            ))
            .no_proxy()
            .dns_resolver(Arc::new(guard::GuardedResolver {
                guard: guard.clone(),
            }))
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() >= 5 {
                    return attempt.error("too many redirects");
                }
                match redirect_guard.check_url(attempt.url()) {
                    Ok(()) => attempt.follow(),
                    Err(why) => attempt.error(why),
                }
            }))
            .user_agent(concat!("Waymark/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| NotifierError(format!("cannot build the HTTP client: {err}")))?;
        let mailer = match &config.notifications.smtp {
            Some(smtp) => Some(email::Mailer::new(smtp).map_err(NotifierError)?),
            None => None,
        };
        Ok(Self {
            config,
            http,
            guard,
            mailer,
        })
    }

    /// Delivers one claimed job.
    pub async fn deliver(
        &self,
        store: &Store,
        job: &JobRecord,
    ) -> Result<Delivered, DeliveryError> {
        match job.kind {
            JobKind::Email => {
                let Some(mailer) = &self.mailer else {
                    return Ok(Some(
                        "not sent: email is not configured (notifications.smtp)".into(),
                    ));
                };
                mailer.send(store, &self.config, job).await
            }
            JobKind::Webhook | JobKind::Slack | JobKind::Jira | JobKind::Linear => {
                let endpoint_id = job
                    .payload
                    .get("endpoint")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default();
                let Some(endpoint) = store.endpoint(&job.site_id, endpoint_id).await? else {
                    return Ok(Some(format!(
                        "not sent: endpoint `{endpoint_id}` was removed"
                    )));
                };
                if !endpoint.active {
                    return Ok(Some(format!(
                        "not sent: endpoint `{endpoint_id}` is inactive"
                    )));
                }
                self.post(job, &endpoint).await
            }
        }
    }

    async fn post(
        &self,
        job: &JobRecord,
        endpoint: &EndpointRecord,
    ) -> Result<Delivered, DeliveryError> {
        let url: reqwest::Url = endpoint
            .url
            .parse()
            .map_err(|err| DeliveryError::Permanent(format!("invalid URL: {err}")))?;
        self.guard
            .check_url(&url)
            .map_err(DeliveryError::Permanent)?;
        let request = shapes::request(job, endpoint, crate::storage::now_ms() / 1000);
        let mut builder = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("Waymark-Delivery", job.id.0.to_string())
            .body(request.body);
        for (name, value) in request.headers {
            builder = builder.header(name, value);
        }
        let response = builder.send().await.map_err(|err| {
            let described = describe(&err);
            if described.contains("refused target") {
                DeliveryError::Permanent(described)
            } else {
                DeliveryError::Retry(described)
            }
        })?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(DeliveryError::Retry(format!(
                "the receiver answered {status}"
            )));
        }
        Ok(shapes::receipt(endpoint.kind, &text).or(Some(format!("answered {status}"))))
    }
}

fn describe(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// When a job that failed on its `attempts`-th attempt runs again: 30 s doubling
/// per attempt, at most 6 h apart (about 20 attempts over the 3-day window).
pub fn retry_at(now_ms: i64, attempts: i64) -> i64 {
    let exponent = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    let delay = 30_000_i64
        .saturating_mul(1_i64 << exponent)
        .min(6 * 3_600_000);
    now_ms.saturating_add(delay)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_then_caps_at_six_hours() {
        assert_eq!(retry_at(0, 1), 30_000);
        assert_eq!(retry_at(0, 2), 60_000);
        assert_eq!(retry_at(0, 3), 120_000);
        assert_eq!(retry_at(0, 15), 6 * 3_600_000);
        // The 3-day window holds a bounded number of attempts.
        let (mut at, mut attempts) = (0, 0);
        while at <= crate::storage::jobs::RETRY_WINDOW_MS {
            attempts += 1;
            at = retry_at(at, attempts);
        }
        assert!((15..=30).contains(&attempts), "{attempts}");
    }
}
