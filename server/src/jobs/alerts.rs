//! Early warnings as alerts: sentiment shift, multi-turn depth, message cadence,
//! SLA proximity, repeated "who has my ticket?" follow-ups (a handoff failure)
//! and the matrix's own `early_warning` rules each raise one alert per ticket,
//! with its reason and a recommended next step, for an agent to confirm, adjust
//! or dismiss. Thresholds come from `[alerts]`: defaults, then the account tier's,
//! then the product area's (areas are named by route patterns of the session's pages).

use serde_json::json;
use waymark_core::wire::MessageAuthor;

/// The recommended next step of a sentiment-shift alert.
pub const SENTIMENT_SHIFT_STEP: &str =
    "Reply personally now, acknowledge the frustration, and consider escalating with priority.";
/// The recommended next step of a multi-turn-depth alert.
pub const MULTI_TURN_DEPTH_STEP: &str = "Take over, summarise what was tried in the handoff note, and escalate if the tier cannot resolve it.";
/// The recommended next step of an SLA-proximity alert.
pub const SLA_PROXIMITY_STEP: &str =
    "Acknowledge or hand over to someone available before the SLA is breached.";

use super::notices;
use crate::config::{AlertThresholds, Config};
use crate::flow::routing::Snapshot;
use crate::flow::{FlowError, new_id};
use crate::storage::escalation::{AlertRecord, AlertState};
use crate::storage::jobs::EventName;
use crate::storage::{Store, TicketChange, TicketRecord, TrailEntry};

/// The thresholds in force when nothing is configured.
pub const DEFAULTS: AlertThresholds = AlertThresholds {
    sentiment_drop: Some(0.5),
    depth: Some(8),
    cadence_messages: Some(4),
    cadence_window: Some(waymark_core::time::DurationMs(10 * 60_000)),
    sla_remaining: Some(waymark_core::time::DurationMs(15 * 60_000)),
    follow_ups: Some(2),
};

/// An alert to raise.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// What raised it.
    pub kind: String,
    /// Why.
    pub reason: String,
    /// The recommended next step.
    pub next_step: String,
}

/// What the warnings look at.
#[derive(Debug, Clone)]
pub struct WarningInput<'a> {
    /// The ticket with its clocks shifted by pauses.
    pub ticket: &'a TicketRecord,
    /// `(at, sentiment)` of customer messages, oldest first.
    pub customer_messages: Vec<(i64, Option<f64>)>,
    /// How many times the customer asked who has their ticket.
    pub follow_ups: u32,
    /// `(rule, next_step, explanation)` of the matrix's early warnings in the trail.
    pub rule_warnings: Vec<(String, String, String)>,
    /// Now.
    pub now_ms: i64,
}

/// The thresholds for an account tier and the session's product areas.
pub fn thresholds(
    config: &Config,
    account_tier: Option<&str>,
    areas: &[String],
) -> AlertThresholds {
    let mut merged = DEFAULTS.overridden_by(&config.alerts.defaults);
    if let Some(tier) = account_tier.and_then(|tier| config.alerts.account_tiers.get(tier)) {
        merged = merged.overridden_by(tier);
    }
    for area in areas {
        if let Some(area) = config.alerts.product_areas.get(area) {
            merged = merged.overridden_by(&area.thresholds);
        }
    }
    merged
}

/// The product areas whose route patterns match a page the session visited.
pub fn product_areas(config: &Config, routes: &[String]) -> Vec<String> {
    config
        .alerts
        .product_areas
        .iter()
        .filter(|(_, area)| {
            area.routes.iter().any(|pattern| {
                routes
                    .iter()
                    .any(|route| waymark_core::text::route_matches(pattern, route))
            })
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// The routes of the pages a session visited.
pub fn session_routes(events: &[waymark_core::wire::ClientEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|event| event.to_signal())
        .filter_map(|signal| match signal.kind {
            waymark_core::domain::SignalKind::PageView { route }
            | waymark_core::domain::SignalKind::Navigation { route } => Some(route),
            _ => None,
        })
        .collect()
}

/// Every warning that holds (pure; thresholds left unset are off).
pub fn evaluate(limits: &AlertThresholds, input: &WarningInput<'_>) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let scored: Vec<f64> = input
        .customer_messages
        .iter()
        .filter_map(|(_, s)| *s)
        .collect();
    if let (Some(drop), [.., first, _, last]) = (limits.sentiment_drop, scored.as_slice())
        && first - last >= drop
    {
        warnings.push(Warning {
            kind: "sentiment_shift".into(),
            reason: format!(
                "sentiment fell from {first:.2} to {last:.2} over the last 3 customer messages (threshold {drop:.2})"
            ),
            next_step: SENTIMENT_SHIFT_STEP.into(),
        });
    }
    let count = u32::try_from(input.customer_messages.len()).unwrap_or(u32::MAX);
    if let Some(depth) = limits.depth.filter(|depth| count >= *depth) {
        warnings.push(Warning {
            kind: "multi_turn_depth".into(),
            reason: format!("{count} customer messages without resolution (threshold {depth})"),
            next_step: MULTI_TURN_DEPTH_STEP.into(),
        });
    }
    if let (Some(needed), Some(window)) = (limits.cadence_messages, limits.cadence_window) {
        let recent = input
            .customer_messages
            .iter()
            .filter(|(at, _)| *at >= input.now_ms - window.0)
            .count();
        if u32::try_from(recent).unwrap_or(u32::MAX) >= needed {
            warnings.push(Warning {
                kind: "message_cadence".into(),
                reason: format!("{recent} customer messages within {window} (threshold {needed})"),
                next_step: "Answer now: the customer is waiting and writing faster.".into(),
            });
        }
    }
    if let Some(margin) = limits.sla_remaining {
        let next_due = [input.ticket.ack_due_ms, input.ticket.resolution_due_ms]
            .into_iter()
            .flatten()
            .min();
        if let Some(due) = next_due
            && due > input.now_ms
            && due - input.now_ms < margin.0
        {
            warnings.push(Warning {
                kind: "sla_proximity".into(),
                reason: format!(
                    "the next SLA is due in {} (threshold {margin})",
                    waymark_core::time::DurationMs((due - input.now_ms) / 1_000 * 1_000)
                ),
                next_step: SLA_PROXIMITY_STEP.into(),
            });
        }
    }
    if let Some(needed) = limits
        .follow_ups
        .filter(|needed| input.follow_ups >= *needed)
    {
        warnings.push(Warning {
            kind: "status_follow_ups".into(),
            reason: format!(
                "the customer asked {} times who has their ticket (threshold {needed}): the handoff left them in the dark",
                input.follow_ups
            ),
            next_step: "Tell the customer who owns the ticket and when they will hear back; check the handoff note reached the owner.".into(),
        });
    }
    for (rule, next_step, explanation) in &input.rule_warnings {
        warnings.push(Warning {
            kind: format!("rule:{rule}"),
            reason: explanation.clone(),
            next_step: next_step.clone(),
        });
    }
    warnings
}

/// Raises the ticket's new warnings; returns how many.
pub(super) async fn raise(
    store: &Store,
    config: &Config,
    site_id: &str,
    snap: &Snapshot,
    shifted: &TicketRecord,
    now_ms: i64,
) -> Result<usize, FlowError> {
    let trail = store.ticket_trail(site_id, &shifted.id).await?;
    let areas = snap.product_areas.clone();
    let limits = thresholds(config, snap.conversation.account_tier.as_deref(), &areas);
    let input = WarningInput {
        ticket: shifted,
        customer_messages: snap
            .messages
            .iter()
            .filter(|m| m.author == MessageAuthor::Customer)
            .map(|m| (m.at_ms, m.sentiment))
            .collect(),
        follow_ups: u32::try_from(
            trail
                .iter()
                .filter(|entry| entry.action == "status_follow_up")
                .count(),
        )
        .unwrap_or(u32::MAX),
        rule_warnings: trail
            .iter()
            .filter(|entry| entry.action == "early_warning")
            .map(|entry| {
                let text = |key: &str| entry.detail[key].as_str().unwrap_or_default().to_owned();
                (text("rule"), text("next_step"), text("explanation"))
            })
            .collect(),
        now_ms,
    };
    let existing = store.alert_kinds(site_id, &shifted.id).await?;
    let mut raised = 0;
    for warning in evaluate(&limits, &input) {
        if existing.contains(&warning.kind) {
            continue;
        }
        let alert = AlertRecord {
            id: new_id("a")?,
            ticket_id: shifted.id.clone(),
            kind: warning.kind.clone(),
            reason: warning.reason.clone(),
            next_step: warning.next_step.clone(),
            state: AlertState::Open,
            decided_by: None,
            decision_note: None,
            decided_at_ms: None,
            created_at_ms: now_ms,
        };
        let key = format!("alert:{}:{}", shifted.id, warning.kind);
        let summary = format!("Early warning on ticket {}: {}", shifted.id, warning.reason);
        let body = format!(
            "{summary}\n\nRecommended next step: {}\nSubject: {}\nProduct areas: {}\n",
            warning.next_step,
            shifted.subject,
            if areas.is_empty() {
                "none".to_owned()
            } else {
                areas.join(", ")
            }
        );
        let mut data = notices::ticket_data(shifted, &summary);
        data["alert_id"] = json!(alert.id);
        data["reason"] = json!(warning.reason);
        data["next_step"] = json!(warning.next_step);
        let mut outbox = notices::agent_emails(config, shifted, &summary, &body, &key);
        outbox.push(notices::event(EventName::AlertRaised, &key, data));
        let Some(stored_ticket) = store.ticket(site_id, &shifted.id).await? else {
            return Ok(raised);
        };
        let change = TicketChange {
            expected_version: Some(stored_ticket.version),
            ticket: Some(stored_ticket),
            trail: vec![TrailEntry {
                at_ms: now_ms,
                actor: "system".into(),
                action: "alert_raised".into(),
                detail: json!({
                    "alert": alert.id, "kind": warning.kind, "reason": warning.reason,
                    "next_step": warning.next_step, "product_areas": areas,
                }),
            }],
            outbox,
            ..TicketChange::default()
        };
        match store
            .raise_alert(site_id, &shifted.conversation_id, &alert, &change)
            .await
        {
            Ok(true) => raised += 1,
            Ok(false) => {}
            // The ticket changed meanwhile: the warning is looked at again next tick.
            Err(crate::storage::StoreError::VersionConflict(_)) => return Ok(raised),
            Err(err) => return Err(err.into()),
        }
    }
    Ok(raised)
}
