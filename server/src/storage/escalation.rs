//! Alerts (early warnings an agent confirms, adjusts or dismisses) and incidents
//! (one per error fingerprint in a volume anomaly, linking every affected session,
//! conversation and customer). Each change is written with its trail entries and
//! outbox rows in one transaction.

use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::jobs::{OutboxItem, write_outbox};
use super::tickets::{TicketChange, write_change};
use super::{Store, StoreError, enum_text, parse_enum};

/// Where an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// Nobody decided yet.
    Open,
    /// An agent agreed with the recommended next step.
    Confirmed,
    /// An agent agreed something is wrong but chose another next step.
    Adjusted,
    /// An agent found it a false alarm.
    Dismissed,
}

/// An early warning raised on a ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRecord {
    /// Its id.
    pub id: String,
    /// The ticket it is about.
    pub ticket_id: String,
    /// What raised it (`sentiment_shift`, `sla_proximity`, `rule:<id>`, …); one per ticket.
    pub kind: String,
    /// Why, in words, with the values seen.
    pub reason: String,
    /// The recommended next step (or the agent's adjusted one).
    pub next_step: String,
    /// Decision state.
    pub state: AlertState,
    /// Who decided.
    pub decided_by: Option<String>,
    /// The decision's note.
    pub decision_note: Option<String>,
    /// When it was decided.
    pub decided_at_ms: Option<i64>,
    /// Raised.
    pub created_at_ms: i64,
}

/// Where an incident is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentState {
    /// Being worked; new affected customers join it.
    Open,
    /// Fixed; every linked customer was told.
    Resolved,
}

/// One incident.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentRecord {
    /// Its id.
    pub id: String,
    /// The error fingerprint (or `route:<path>`) it is about.
    pub fingerprint: String,
    /// A short title (the error's message).
    pub title: String,
    /// Open or resolved.
    pub state: IncidentState,
    /// Opened.
    pub opened_at_ms: i64,
    /// Resolved.
    pub resolved_at_ms: Option<i64>,
    /// Who resolved it.
    pub resolved_by: Option<String>,
    /// What the fix was, as told to customers.
    pub resolution_note: Option<String>,
}

/// A session (customer) affected by an incident.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentLink {
    /// The session that hit the error.
    pub session_id: String,
    /// Its conversation, once there is one.
    pub conversation_id: Option<String>,
    /// Who the customer is (user id or email), when known.
    pub customer: Option<String>,
    /// When it joined the incident.
    pub linked_at_ms: i64,
}

const ALERT_COLUMNS: &str = "SELECT id, ticket_id, kind, reason, next_step, state, decided_by,
    decision_note, decided_at_ms, created_at_ms FROM alerts";
const INCIDENT_COLUMNS: &str = "SELECT id, fingerprint, title, state, opened_at_ms, resolved_at_ms,
    resolved_by, resolution_note FROM incidents";

impl Store {
    /// Raises an alert once per ticket and kind, with its ticket change (trail
    /// entry, outbox); returns whether it was new.
    pub async fn raise_alert(
        &self,
        site_id: &str,
        conversation_id: &str,
        alert: &AlertRecord,
        change: &TicketChange,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let fresh = sqlx::query(
            "INSERT INTO alerts (site_id, id, ticket_id, kind, reason, next_step, state,
                created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        )
        .bind(site_id)
        .bind(&alert.id)
        .bind(&alert.ticket_id)
        .bind(&alert.kind)
        .bind(&alert.reason)
        .bind(&alert.next_step)
        .bind(enum_text(&alert.state))
        .bind(alert.created_at_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !fresh {
            tx.rollback().await?;
            return Ok(false);
        }
        write_change(
            &mut tx,
            site_id,
            conversation_id,
            change,
            alert.created_at_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The kinds of alert a ticket already has.
    pub async fn alert_kinds(
        &self,
        site_id: &str,
        ticket_id: &str,
    ) -> Result<Vec<String>, StoreError> {
        let kinds =
            sqlx::query_scalar("SELECT kind FROM alerts WHERE site_id = $1 AND ticket_id = $2")
                .bind(site_id)
                .bind(ticket_id)
                .fetch_all(self.pool())
                .await?;
        Ok(kinds)
    }

    /// The site's alerts, newest first, optionally in one state.
    pub async fn alerts(
        &self,
        site_id: &str,
        state: Option<AlertState>,
    ) -> Result<Vec<AlertRecord>, StoreError> {
        let rows = match state {
            Some(state) => {
                sqlx::query(&format!(
                    "{ALERT_COLUMNS} WHERE site_id = $1 AND state = $2 ORDER BY created_at_ms DESC, id LIMIT 500"
                ))
                .bind(site_id)
                .bind(enum_text(&state))
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "{ALERT_COLUMNS} WHERE site_id = $1 ORDER BY created_at_ms DESC, id LIMIT 500"
                ))
                .bind(site_id)
                .fetch_all(self.pool())
                .await?
            }
        };
        rows.iter().map(alert_from_row).collect()
    }

    /// One alert.
    pub async fn alert(&self, site_id: &str, id: &str) -> Result<Option<AlertRecord>, StoreError> {
        let row = sqlx::query(&format!("{ALERT_COLUMNS} WHERE site_id = $1 AND id = $2"))
            .bind(site_id)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| alert_from_row(&row)).transpose()
    }

    /// Records an agent's decision on an open alert with its ticket change;
    /// returns false when the alert was already decided.
    pub async fn decide_alert(
        &self,
        site_id: &str,
        conversation_id: &str,
        decided: &AlertRecord,
        change: &TicketChange,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let updated = sqlx::query(
            "UPDATE alerts SET state = $3, next_step = $4, decided_by = $5, decision_note = $6,
                decided_at_ms = $7 WHERE site_id = $1 AND id = $2 AND state = 'open'",
        )
        .bind(site_id)
        .bind(&decided.id)
        .bind(enum_text(&decided.state))
        .bind(&decided.next_step)
        .bind(decided.decided_by.clone())
        .bind(decided.decision_note.clone())
        .bind(decided.decided_at_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let now = decided.decided_at_ms.unwrap_or_else(super::now_ms);
        write_change(&mut tx, site_id, conversation_id, change, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The open incident of a fingerprint, if any.
    pub async fn open_incident(
        &self,
        site_id: &str,
        fingerprint: &str,
    ) -> Result<Option<IncidentRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "{INCIDENT_COLUMNS} WHERE site_id = $1 AND fingerprint = $2 AND state = 'open'"
        ))
        .bind(site_id)
        .bind(fingerprint)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| incident_from_row(&row)).transpose()
    }

    /// When the latest resolved incident of a fingerprint was resolved.
    pub async fn last_resolved_at(
        &self,
        site_id: &str,
        fingerprint: &str,
    ) -> Result<Option<i64>, StoreError> {
        let at: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(resolved_at_ms) FROM incidents
             WHERE site_id = $1 AND fingerprint = $2 AND state = 'resolved'",
        )
        .bind(site_id)
        .bind(fingerprint)
        .fetch_one(self.pool())
        .await?;
        Ok(at)
    }

    /// Opens an incident with its first links and outbox rows.
    pub async fn open_incident_with(
        &self,
        site_id: &str,
        incident: &IncidentRecord,
        links: &[IncidentLink],
        outbox: &[OutboxItem],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO incidents (site_id, id, fingerprint, title, state, opened_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(site_id)
        .bind(&incident.id)
        .bind(&incident.fingerprint)
        .bind(&incident.title)
        .bind(enum_text(&incident.state))
        .bind(incident.opened_at_ms)
        .execute(&mut *tx)
        .await?;
        for link in links {
            upsert_link(&mut tx, site_id, &incident.id, link).await?;
        }
        write_outbox(&mut tx, site_id, outbox, incident.opened_at_ms).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Links sessions to an incident; a known session gains its conversation.
    pub async fn link_incident(
        &self,
        site_id: &str,
        incident_id: &str,
        links: &[IncidentLink],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        for link in links {
            upsert_link(&mut tx, site_id, incident_id, link).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The newest conversation of a session: its id and who the customer is.
    pub async fn session_conversation(
        &self,
        site_id: &str,
        session_id: &str,
    ) -> Result<Option<(String, Option<String>)>, StoreError> {
        let row = sqlx::query(
            "SELECT id, customer_id, customer_email FROM conversations
             WHERE site_id = $1 AND session_id = $2 ORDER BY created_at_ms DESC LIMIT 1",
        )
        .bind(site_id)
        .bind(session_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            let customer: Option<String> = row.try_get("customer_id")?;
            let email: Option<String> = row.try_get("customer_email")?;
            Ok((row.try_get("id")?, customer.or(email)))
        })
        .transpose()
    }

    /// The site's incidents, newest first.
    pub async fn incidents(&self, site_id: &str) -> Result<Vec<IncidentRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "{INCIDENT_COLUMNS} WHERE site_id = $1 ORDER BY opened_at_ms DESC, id LIMIT 500"
        ))
        .bind(site_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(incident_from_row).collect()
    }

    /// One incident.
    pub async fn incident(
        &self,
        site_id: &str,
        id: &str,
    ) -> Result<Option<IncidentRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "{INCIDENT_COLUMNS} WHERE site_id = $1 AND id = $2"
        ))
        .bind(site_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| incident_from_row(&row)).transpose()
    }

    /// Everyone an incident affects, oldest first.
    pub async fn incident_links(
        &self,
        site_id: &str,
        incident_id: &str,
    ) -> Result<Vec<IncidentLink>, StoreError> {
        let rows = sqlx::query(
            "SELECT session_id, conversation_id, customer, linked_at_ms FROM incident_links
             WHERE site_id = $1 AND incident_id = $2 ORDER BY linked_at_ms, session_id",
        )
        .bind(site_id)
        .bind(incident_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(IncidentLink {
                    session_id: row.try_get("session_id")?,
                    conversation_id: row.try_get("conversation_id")?,
                    customer: row.try_get("customer")?,
                    linked_at_ms: row.try_get("linked_at_ms")?,
                })
            })
            .collect()
    }

    /// Resolves an open incident and writes every linked conversation's change
    /// (message, ticket, trail, outbox) in one transaction; false when it was
    /// not open.
    pub async fn resolve_incident(
        &self,
        site_id: &str,
        resolved: &IncidentRecord,
        changes: &[(String, TicketChange)],
        outbox: &[OutboxItem],
    ) -> Result<bool, StoreError> {
        let now = resolved.resolved_at_ms.unwrap_or_else(super::now_ms);
        let mut tx = self.pool().begin().await?;
        let updated = sqlx::query(
            "UPDATE incidents SET state = 'resolved', resolved_at_ms = $3, resolved_by = $4,
                resolution_note = $5 WHERE site_id = $1 AND id = $2 AND state = 'open'",
        )
        .bind(site_id)
        .bind(&resolved.id)
        .bind(now)
        .bind(resolved.resolved_by.clone())
        .bind(resolved.resolution_note.clone())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        for (conversation_id, change) in changes {
            write_change(&mut tx, site_id, conversation_id, change, now).await?;
        }
        write_outbox(&mut tx, site_id, outbox, now).await?;
        tx.commit().await?;
        Ok(true)
    }
}

async fn upsert_link(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    site_id: &str,
    incident_id: &str,
    link: &IncidentLink,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO incident_links (site_id, incident_id, session_id, conversation_id, customer,
            linked_at_ms) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (site_id, incident_id, session_id) DO UPDATE SET
            conversation_id = COALESCE(incident_links.conversation_id, excluded.conversation_id),
            customer = COALESCE(incident_links.customer, excluded.customer)",
    )
    .bind(site_id)
    .bind(incident_id)
    .bind(&link.session_id)
    .bind(link.conversation_id.clone())
    .bind(link.customer.clone())
    .bind(link.linked_at_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn alert_from_row(row: &AnyRow) -> Result<AlertRecord, StoreError> {
    let state: String = row.try_get("state")?;
    Ok(AlertRecord {
        id: row.try_get("id")?,
        ticket_id: row.try_get("ticket_id")?,
        kind: row.try_get("kind")?,
        reason: row.try_get("reason")?,
        next_step: row.try_get("next_step")?,
        state: parse_enum("alerts", "state", &state)?,
        decided_by: row.try_get("decided_by")?,
        decision_note: row.try_get("decision_note")?,
        decided_at_ms: row.try_get("decided_at_ms")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

fn incident_from_row(row: &AnyRow) -> Result<IncidentRecord, StoreError> {
    let state: String = row.try_get("state")?;
    Ok(IncidentRecord {
        id: row.try_get("id")?,
        fingerprint: row.try_get("fingerprint")?,
        title: row.try_get("title")?,
        state: parse_enum("incidents", "state", &state)?,
        opened_at_ms: row.try_get("opened_at_ms")?,
        resolved_at_ms: row.try_get("resolved_at_ms")?,
        resolved_by: row.try_get("resolved_by")?,
        resolution_note: row.try_get("resolution_note")?,
    })
}
