//! SLA clocks and scheduled evaluation of time conditions. A ticket's clocks run
//! from its arrival at a tier (escalation restarts them) and pause while the ball
//! is in the customer's court: from an agent's message until the customer's next
//! one (or while the ticket waits on the customer). At every tick each open
//! ticket is evaluated against the matrix with its clocks shifted by the paused
//! time, so "open at tier 1 for 4 h" and "SLA remaining below 1 h" fire without
//! the customer writing; a passed due time is recorded once per tier arrival as a
//! breach in the trail, and the owner and the team are told.

use serde_json::json;
use waymark_core::domain::TicketState;
use waymark_core::wire::MessageAuthor;

use super::{alerts, notices};
use crate::config::Config;
use crate::flow::routing::{route, snapshot_at};
use crate::flow::{FlowError, site_matrix};
use crate::storage::jobs::EventName;
use crate::storage::{MessageRecord, Store, StoreError, TicketChange, TicketRecord, TrailEntry};

/// A ticket's clock state as of now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SlaClock {
    /// Time spent waiting on the customer since the ticket reached its tier.
    pub paused_ms: i64,
    /// Whether it is waiting on the customer now.
    pub paused: bool,
}

impl SlaClock {
    /// Measures the pauses of `ticket` from its conversation.
    pub fn measure(ticket: &TicketRecord, messages: &[MessageRecord], now_ms: i64) -> SlaClock {
        let mut clock = SlaClock::default();
        let mut paused_since: Option<i64> = None;
        for message in messages
            .iter()
            .filter(|m| m.at_ms >= ticket.at_tier_since_ms)
        {
            match message.author {
                MessageAuthor::Agent if paused_since.is_none() => {
                    paused_since = Some(message.at_ms)
                }
                MessageAuthor::Customer => {
                    if let Some(since) = paused_since.take() {
                        clock.paused_ms += (message.at_ms - since).max(0);
                    }
                }
                _ => {}
            }
        }
        if paused_since.is_none() && ticket.state == TicketState::WaitingOnCustomer {
            paused_since = Some(ticket.updated_at_ms.max(ticket.at_tier_since_ms));
        }
        if let Some(since) = paused_since {
            clock.paused_ms += (now_ms - since).max(0);
            clock.paused = true;
        }
        clock
    }

    /// The ticket as its clocks see it: arrival and due times moved by the pauses.
    pub fn shifted(&self, ticket: &TicketRecord) -> TicketRecord {
        let mut shifted = ticket.clone();
        shifted.at_tier_since_ms += self.paused_ms;
        shifted.ack_due_ms = ticket.ack_due_ms.map(|due| due + self.paused_ms);
        shifted.resolution_due_ms = ticket.resolution_due_ms.map(|due| due + self.paused_ms);
        shifted
    }
}

/// What a sweep of one site did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Breaches recorded.
    pub breaches: usize,
    /// Tickets moved by rules.
    pub escalations: usize,
    /// Alerts raised.
    pub alerts: usize,
}

/// Evaluates every open ticket of the site as of `now_ms`.
pub async fn sweep(
    store: &Store,
    config: &Config,
    site_id: &str,
    now_ms: i64,
) -> Result<Swept, FlowError> {
    let matrix = site_matrix(store, site_id).await?;
    let mut swept = Swept::default();
    let tickets = store.open_tickets(site_id).await?;
    if tickets.is_empty() {
        return Ok(swept);
    }
    for ticket in tickets {
        let Some(conversation) = store.conversation(site_id, &ticket.conversation_id).await? else {
            continue;
        };
        let mut snap = snapshot_at(store, site_id, &conversation, now_ms).await?;
        let clock = SlaClock::measure(&ticket, &snap.messages, now_ms);
        let shifted = clock.shifted(&ticket);
        snap.ticket = Some(shifted.clone());
        snap.product_areas = alerts::product_areas(config, &alerts::session_routes(&snap.events));
        let mut change = TicketChange {
            ticket: Some(ticket.clone()),
            // An agent's change since the read wins; this ticket is looked at next tick.
            expected_version: Some(ticket.version),
            ..TicketChange::default()
        };
        let (mut breaches, mut moves) = (0, 0);
        if !clock.paused {
            let trail = store.ticket_trail(site_id, &ticket.id).await?;
            for (sla, due) in [
                ("acknowledgement", shifted.ack_due_ms),
                ("resolution", shifted.resolution_due_ms),
            ] {
                let Some(due) = due.filter(|due| *due <= now_ms) else {
                    continue;
                };
                let recorded = trail.iter().any(|entry| {
                    entry.action == "sla_breached"
                        && entry.detail["sla"] == sla
                        && entry.detail["tier"] == ticket.tier.as_str()
                        && entry.detail["at_tier_since_ms"] == ticket.at_tier_since_ms
                });
                if recorded {
                    continue;
                }
                change.merge(breach(config, &ticket, sla, due, clock, now_ms));
                breaches += 1;
            }
        }
        if let Some(routed) = route(&matrix, &snap, None, now_ms)? {
            let mut moved = routed.change;
            if let Some(after) = moved.ticket.as_mut()
                && after.tier == ticket.tier
            {
                // Sideways moves keep the stored clocks; the shift is recomputed each tick.
                after.at_tier_since_ms = ticket.at_tier_since_ms;
                after.ack_due_ms = ticket.ack_due_ms;
                after.resolution_due_ms = ticket.resolution_due_ms;
            }
            moves += 1;
            change.merge(moved);
        }
        if change.trail.is_empty() {
            swept.alerts += alerts::raise(store, config, site_id, &snap, &shifted, now_ms).await?;
            continue;
        }
        match store
            .commit_ticket_change(site_id, &conversation.id, &change)
            .await
        {
            Ok(_) => {
                swept.breaches += breaches;
                swept.escalations += moves;
                tracing::info!(site = site_id, ticket = %ticket.id, entries = change.trail.len(), "time rules applied");
            }
            Err(StoreError::VersionConflict(why)) => {
                tracing::info!(site = site_id, ticket = %ticket.id, %why, "ticket changed meanwhile: next tick");
            }
            Err(err) => return Err(err.into()),
        }
    }
    Ok(swept)
}

fn breach(
    config: &Config,
    ticket: &TicketRecord,
    sla: &str,
    due_ms: i64,
    clock: SlaClock,
    now_ms: i64,
) -> TicketChange {
    let key = format!(
        "sla:{}:{}:{}:{sla}",
        ticket.id, ticket.tier, ticket.at_tier_since_ms
    );
    let summary = format!(
        "SLA breached: {sla} of ticket {} at {} was due {} ago",
        ticket.id,
        ticket.tier,
        waymark_core::time::DurationMs((now_ms - due_ms) / 1_000 * 1_000)
    );
    let body = format!(
        "{summary}.\n\nSubject: {}\nOwner: {}\nPriority: {:?}\n",
        ticket.subject,
        ticket.owner.as_deref().unwrap_or("nobody yet"),
        ticket.priority
    );
    let mut outbox = notices::agent_emails(config, ticket, &summary, &body, &key);
    outbox.push(notices::event(
        EventName::TicketSlaBreached,
        &key,
        notices::ticket_data(ticket, &summary),
    ));
    TicketChange {
        trail: vec![TrailEntry {
            at_ms: now_ms,
            actor: "system".into(),
            action: "sla_breached".into(),
            detail: json!({
                "sla": sla,
                "tier": ticket.tier,
                "due_ms": due_ms,
                "at_tier_since_ms": ticket.at_tier_since_ms,
                "paused_ms": clock.paused_ms,
                "notified": notices::agent_addresses(config, ticket),
            }),
        }],
        outbox,
        ..TicketChange::default()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn message(author: MessageAuthor, at_ms: i64) -> MessageRecord {
        MessageRecord {
            seq: 0,
            id: "m".into(),
            conversation_id: "c".into(),
            idempotency_key: None,
            author,
            author_name: None,
            text: "x".into(),
            sentiment: None,
            at_ms,
        }
    }

    #[test]
    fn clock_pauses_from_agent_message_until_customer_answers() {
        let matrix = waymark_core::matrix::load_toml(crate::flow::DEFAULT_MATRIX).unwrap();
        let tier = matrix.tiers[0].clone();
        let ticket = crate::flow::ticket::new_ticket("t".into(), "c".into(), &tier, "s".into(), 0);
        let messages = [
            message(MessageAuthor::Customer, 0),
            message(MessageAuthor::Agent, 100),
            message(MessageAuthor::Agent, 150),
            message(MessageAuthor::Customer, 400),
            message(MessageAuthor::Agent, 1_000),
        ];
        let running = SlaClock::measure(&ticket, &messages[..4], 2_000);
        assert_eq!(
            running,
            SlaClock {
                paused_ms: 300,
                paused: false
            }
        );
        let waiting = SlaClock::measure(&ticket, &messages, 2_000);
        assert_eq!(
            waiting,
            SlaClock {
                paused_ms: 1_300,
                paused: true
            }
        );
        let shifted = waiting.shifted(&ticket);
        assert_eq!(shifted.at_tier_since_ms, 1_300);
        assert_eq!(
            shifted.resolution_due_ms,
            ticket.resolution_due_ms.map(|d| d + 1_300)
        );
    }
}
