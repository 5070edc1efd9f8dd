//! Email over SMTP (lettre, rustls): plain-text messages to customers (agent
//! reply, ticket resolved, incident fixed) and agents (assigned, breached,
//! alert). Every message carries an unsubscribe link (and `List-Unsubscribe`);
//! an address that used it gets nothing more from the site.

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde_json::Value;

use super::{Delivered, DeliveryError};
use crate::config::{Config, SmtpConfig, SmtpSecurity};
use crate::storage::Store;
use crate::storage::jobs::{JobKind, JobRecord, NewJob, OutboxItem};

/// Who an email is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The end user.
    Customer,
    /// An agent or team.
    Agent,
}

/// An email to write to the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct EmailJob {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body (the unsubscribe footer is added when sent).
    pub body: String,
    /// Who it is for.
    pub audience: Audience,
    /// Unique per site for this message.
    pub dedupe_key: String,
}

impl EmailJob {
    /// The outbox item.
    pub fn into_item(self) -> OutboxItem {
        OutboxItem::Job(NewJob {
            kind: JobKind::Email,
            dedupe_key: self.dedupe_key,
            payload: serde_json::json!({
                "to": self.to,
                "subject": self.subject,
                "body": self.body,
                "audience": match self.audience {
                    Audience::Customer => "customer",
                    Audience::Agent => "agent",
                },
            }),
        })
    }
}

/// The SMTP transport and sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// Builds the transport (no connection is made until the first send).
    pub fn new(smtp: &SmtpConfig) -> Result<Self, String> {
        let builder = match smtp.security {
            SmtpSecurity::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
                    .map_err(|err| format!("notifications.smtp.host: {err}"))?
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)
                .map_err(|err| format!("notifications.smtp.host: {err}"))?,
            SmtpSecurity::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
            }
        };
        let mut builder = builder
            .port(smtp.port)
            .timeout(Some(std::time::Duration::from_secs(20)));
        if let Some(username) = &smtp.username {
            builder = builder.credentials(Credentials::new(
                username.clone(),
                smtp.password.clone().unwrap_or_default(),
            ));
        }
        let from = smtp
            .from
            .parse()
            .map_err(|err| format!("notifications.smtp.from: {err}"))?;
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }

    /// Sends the job's email unless its address unsubscribed.
    pub async fn send(
        &self,
        store: &Store,
        config: &Config,
        job: &JobRecord,
    ) -> Result<Delivered, DeliveryError> {
        let field = |name: &str| {
            job.payload
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let mut to_text = field("to");
        if let Some(agent) = to_text.strip_prefix(crate::jobs::notices::AGENT_PREFIX) {
            match config.notifications.agents.get(agent) {
                Some(address) => to_text = address.clone(),
                None => {
                    return Ok(Some(format!(
                        "not sent: no address for agent `{agent}` (notifications.agents)"
                    )));
                }
            }
        }
        let to: Mailbox = to_text.parse().map_err(|err| {
            DeliveryError::Permanent(format!("invalid address `{to_text}`: {err}"))
        })?;
        if store
            .is_unsubscribed(&job.site_id, to.email.as_ref())
            .await?
        {
            return Ok(Some("not sent: the address unsubscribed".into()));
        }
        let token =
            crate::flow::new_token().map_err(|err| DeliveryError::Retry(err.to_string()))?;
        store
            .add_unsubscribe_token(
                &job.site_id,
                to.email.as_ref(),
                &crate::flow::hash_token(&token),
            )
            .await?;
        let base = config
            .server
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", config.server.listen));
        let link = format!("{}/api/v1/unsubscribe/{token}", base.trim_end_matches('/'));
        let body = format!(
            "{}\n\n--\nTo stop these emails: {link}\n",
            field("body").trim_end()
        );
        let domain = self.from.email.domain().to_owned();
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(field("subject"))
            .message_id(Some(format!("<job-{}.{}@{domain}>", job.id.0, job.site_id)))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{link}>"),
            ))
            .body(body)
            .map_err(|err| DeliveryError::Permanent(format!("cannot build the email: {err}")))?;
        let response = self.transport.send(message).await.map_err(|err| {
            if err.is_permanent() {
                DeliveryError::Permanent(format!("SMTP refused: {err}"))
            } else {
                DeliveryError::Retry(format!("SMTP: {err}"))
            }
        })?;
        Ok(Some(format!("sent: {}", response.code())))
    }
}
