//! Conversations between an end user and support, their messages, and the
//! idempotency keys that make widget retries safe.

use sqlx::Row;
use sqlx::any::AnyRow;
use waymark_core::wire::{ConversationStatus, CustomerNotice, MessageAuthor};

use super::{Store, StoreError, enum_text, parse_enum, parse_json, to_json};
use crate::live::{LiveEvent, LiveKind};

/// A conversation as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationRecord {
    /// Its id.
    pub id: String,
    /// The widget session it started in.
    pub session_id: String,
    /// SHA-256 of the per-conversation token, hex.
    pub token_hash: String,
    /// The widget's idempotency key for creating it.
    pub idempotency_key: String,
    /// Customer-facing status.
    pub status: ConversationStatus,
    /// The host's user id, if identified.
    pub customer_id: Option<String>,
    /// The user's name, if shared.
    pub customer_name: Option<String>,
    /// The user's email, if shared.
    pub customer_email: Option<String>,
    /// The page it started on (wire JSON).
    pub page: Option<String>,
    /// The proactive rule that opened the widget.
    pub rule: Option<String>,
    /// Answers shown and rejected before the conversation started.
    pub rejected_answers: Vec<String>,
    /// The current customer notice.
    pub notice: Option<CustomerNotice>,
    /// The account's plan, if the host shared it.
    pub plan: Option<String>,
    /// The account's tier, if the host shared it.
    pub account_tier: Option<String>,
    /// Whether the identity was verified (`user_hash`); unverified claims do not
    /// steer routing.
    pub identity_verified: bool,
    /// Created.
    pub created_at_ms: i64,
    /// Last change.
    pub updated_at_ms: i64,
}

/// A message as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageRecord {
    /// Arrival order (0 before it is stored).
    pub seq: i64,
    /// Its id.
    pub id: String,
    /// The conversation.
    pub conversation_id: String,
    /// The sender's key for retries, if any.
    pub idempotency_key: Option<String>,
    /// Who wrote it.
    pub author: MessageAuthor,
    /// Display name.
    pub author_name: Option<String>,
    /// The (scrubbed) text.
    pub text: String,
    /// Sentiment score (−1 … 1) of a customer message.
    pub sentiment: Option<f64>,
    /// When it was stored.
    pub at_ms: i64,
}

impl Store {
    /// The conversation `id` of the site.
    pub async fn conversation(
        &self,
        site_id: &str,
        id: &str,
    ) -> Result<Option<ConversationRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "{CONVERSATION_COLUMNS} WHERE site_id = $1 AND id = $2"
        ))
        .bind(site_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| conversation_from_row(&row)).transpose()
    }

    /// Stores a message unless one with the same idempotency key exists in the
    /// conversation; returns the stored message and whether it was stored now.
    pub async fn add_message(
        &self,
        site_id: &str,
        message: &MessageRecord,
    ) -> Result<(MessageRecord, bool), StoreError> {
        if let Some(key) = &message.idempotency_key
            && let Some(existing) = self
                .message_by_key(site_id, &message.conversation_id, key)
                .await?
        {
            return Ok((existing, false));
        }
        let mut tx = self.pool().begin().await?;
        let stored = insert_message(&mut tx, site_id, message).await?;
        tx.commit().await?;
        if stored {
            self.live().publish(
                site_id,
                LiveEvent {
                    kind: LiveKind::Message,
                    conversation_id: message.conversation_id.clone(),
                    ticket_id: None,
                },
            );
            return Ok((message.clone(), true));
        }
        let key = message.idempotency_key.as_deref().unwrap_or_default();
        match self
            .message_by_key(site_id, &message.conversation_id, key)
            .await?
        {
            Some(existing) => Ok((existing, false)),
            None => Ok((message.clone(), false)),
        }
    }

    async fn message_by_key(
        &self,
        site_id: &str,
        conversation_id: &str,
        key: &str,
    ) -> Result<Option<MessageRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "{MESSAGE_COLUMNS} WHERE site_id = $1 AND conversation_id = $2 AND idempotency_key = $3"
        ))
        .bind(site_id)
        .bind(conversation_id)
        .bind(key)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| message_from_row(&row)).transpose()
    }

    /// A conversation's messages with `seq` above `after`, oldest first.
    pub async fn messages_after(
        &self,
        site_id: &str,
        conversation_id: &str,
        after: i64,
    ) -> Result<Vec<MessageRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "{MESSAGE_COLUMNS} WHERE site_id = $1 AND conversation_id = $2 AND seq > $3 ORDER BY seq LIMIT 500"
        ))
        .bind(site_id)
        .bind(conversation_id)
        .bind(after)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(message_from_row).collect()
    }

    /// The response stored for an idempotency key, if the request was seen before.
    pub async fn idempotent_response(
        &self,
        site_id: &str,
        scope: &str,
        key: &str,
    ) -> Result<Option<String>, StoreError> {
        let response: Option<String> = sqlx::query_scalar(
            "SELECT response FROM idempotency_keys WHERE site_id = $1 AND scope = $2 AND key = $3",
        )
        .bind(site_id)
        .bind(scope)
        .bind(key)
        .fetch_optional(self.pool())
        .await?;
        Ok(response)
    }
}

const CONVERSATION_COLUMNS: &str = "SELECT id, session_id, token_hash, idempotency_key, status,
    customer_id, customer_name, customer_email, page, rule, rejected_answers, notice,
    created_at_ms, updated_at_ms, account FROM conversations";

const MESSAGE_COLUMNS: &str = "SELECT seq, id, conversation_id, idempotency_key, author,
    author_name, text, sentiment, at_ms FROM messages";

/// Inserts a new conversation in `tx`.
pub(crate) async fn insert_conversation(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    site_id: &str,
    conversation: &ConversationRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO conversations (site_id, id, session_id, token_hash, idempotency_key, status,
            customer_id, customer_name, customer_email, page, rule, rejected_answers, notice,
            created_at_ms, updated_at_ms, account)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(site_id)
    .bind(&conversation.id)
    .bind(&conversation.session_id)
    .bind(&conversation.token_hash)
    .bind(&conversation.idempotency_key)
    .bind(enum_text(&conversation.status))
    .bind(conversation.customer_id.clone())
    .bind(conversation.customer_name.clone())
    .bind(conversation.customer_email.clone())
    .bind(conversation.page.clone())
    .bind(conversation.rule.clone())
    .bind(to_json(&conversation.rejected_answers))
    .bind(conversation.notice.as_ref().map(to_json))
    .bind(conversation.created_at_ms)
    .bind(conversation.updated_at_ms)
    .bind(to_json(&serde_json::json!({
        "plan": conversation.plan,
        "tier": conversation.account_tier,
        "verified": conversation.identity_verified,
    })))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Inserts a message in `tx`; returns whether it was new.
/// The transaction-level lock that orders a conversation's messages on PostgreSQL.
pub const MESSAGE_ORDER_LOCK: &str = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))";

/// The key [`MESSAGE_ORDER_LOCK`] takes for a conversation.
pub fn message_order_key(site_id: &str, conversation_id: &str) -> String {
    format!("waymark-messages:{site_id}:{conversation_id}")
}

pub(crate) async fn insert_message(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    site_id: &str,
    message: &MessageRecord,
) -> Result<bool, StoreError> {
    // sqlx's `Any` driver binds a NULL double as a 4-byte float on PostgreSQL, and
    // the prepared statement then refuses 8-byte values: a message without a score
    // uses a statement that does not bind the column at all.
    const WITH_SENTIMENT: &str = "INSERT INTO messages (site_id, conversation_id, id,
            idempotency_key, author, author_name, text, at_ms, sentiment)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING";
    const WITHOUT_SENTIMENT: &str = "INSERT INTO messages (site_id, conversation_id, id,
            idempotency_key, author, author_name, text, at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING";
    let sql = if message.sentiment.is_some() {
        WITH_SENTIMENT
    } else {
        WITHOUT_SENTIMENT
    };
    if tx.backend_name() == "PostgreSQL" {
        // Messages of one conversation commit in the order of their `seq`: a
        // stream that read up to `seq` (on any replica) never misses an earlier
        // message committed later. Held until the commit.
        sqlx::query(MESSAGE_ORDER_LOCK)
            .bind(message_order_key(site_id, &message.conversation_id))
            .execute(&mut **tx)
            .await?;
    }
    let mut query = sqlx::query(sql)
        .bind(site_id)
        .bind(&message.conversation_id)
        .bind(&message.id)
        .bind(message.idempotency_key.clone())
        .bind(enum_text(&message.author))
        .bind(message.author_name.clone())
        .bind(&message.text)
        .bind(message.at_ms);
    if let Some(sentiment) = message.sentiment {
        query = query.bind(sentiment);
    }
    let result = query.execute(&mut **tx).await?;
    Ok(result.rows_affected() == 1)
}

impl Store {
    /// Sets who the conversation's customer is (an anonymous visitor who signed
    /// in, or details added later), with the plan and tier the rules read.
    pub async fn set_conversation_identity(
        &self,
        site_id: &str,
        conversation: &ConversationRecord,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE conversations SET customer_id = $1, customer_name = $2, customer_email = $3,
                 account = $4, updated_at_ms = $5
             WHERE site_id = $6 AND id = $7",
        )
        .bind(conversation.customer_id.clone())
        .bind(conversation.customer_name.clone())
        .bind(conversation.customer_email.clone())
        .bind(to_json(&serde_json::json!({
            "plan": conversation.plan,
            "tier": conversation.account_tier,
            "verified": conversation.identity_verified,
        })))
        .bind(at_ms)
        .bind(site_id)
        .bind(&conversation.id)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}

/// Updates a conversation's status and notice in `tx`.
pub(crate) async fn update_conversation_status(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    site_id: &str,
    conversation_id: &str,
    status: ConversationStatus,
    notice: Option<&CustomerNotice>,
    at_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE conversations SET status = $1, notice = COALESCE($2, notice), updated_at_ms = $3
         WHERE site_id = $4 AND id = $5",
    )
    .bind(enum_text(&status))
    .bind(notice.map(to_json))
    .bind(at_ms)
    .bind(site_id)
    .bind(conversation_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn conversation_from_row(row: &AnyRow) -> Result<ConversationRecord, StoreError> {
    let status: String = row.try_get("status")?;
    let rejected: String = row.try_get("rejected_answers")?;
    let notice: Option<String> = row.try_get("notice")?;
    let account: Option<String> = row.try_get("account")?;
    let account: serde_json::Value = account
        .map(|text| parse_json("conversations", "account", &text))
        .transpose()?
        .unwrap_or_default();
    let text_of = |key: &str| account.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    Ok(ConversationRecord {
        plan: text_of("plan"),
        account_tier: text_of("tier"),
        identity_verified: account
            .get("verified")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false),
        id: row.try_get("id")?,
        session_id: row.try_get("session_id")?,
        token_hash: row.try_get("token_hash")?,
        idempotency_key: row.try_get("idempotency_key")?,
        status: parse_enum("conversations", "status", &status)?,
        customer_id: row.try_get("customer_id")?,
        customer_name: row.try_get("customer_name")?,
        customer_email: row.try_get("customer_email")?,
        page: row.try_get("page")?,
        rule: row.try_get("rule")?,
        rejected_answers: parse_json("conversations", "rejected_answers", &rejected)?,
        notice: notice
            .map(|text| parse_json("conversations", "notice", &text))
            .transpose()?,
        created_at_ms: row.try_get("created_at_ms")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
    })
}

fn message_from_row(row: &AnyRow) -> Result<MessageRecord, StoreError> {
    let author: String = row.try_get("author")?;
    Ok(MessageRecord {
        seq: row.try_get("seq")?,
        id: row.try_get("id")?,
        conversation_id: row.try_get("conversation_id")?,
        idempotency_key: row.try_get("idempotency_key")?,
        author: parse_enum("messages", "author", &author)?,
        author_name: row.try_get("author_name")?,
        text: row.try_get("text")?,
        sentiment: row.try_get("sentiment")?,
        at_ms: row.try_get("at_ms")?,
    })
}
