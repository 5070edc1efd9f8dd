//! Incidents: when the customers hitting one JS error fingerprint within
//! `incidents.window` reach `min_customers` and `factor` times the fingerprint's
//! own baseline (its average per window over `incidents.baseline` before), ONE
//! incident opens and links every affected session, conversation and customer;
//! later ones join it while it is open. Resolving it tells every linked customer
//! (a message in their widget conversation, and an email if they left an
//! address), records it on their tickets and emits `incident.resolved`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;
use waymark_core::domain::SignalKind;
use waymark_core::wire::{ClientEvent, MessageAuthor};

use super::notices;
use crate::config::Config;
use crate::flow::{FlowError, new_id};
use crate::storage::escalation::{IncidentLink, IncidentRecord, IncidentState};
use crate::storage::jobs::EventName;
use crate::storage::{MessageRecord, Store, TicketChange, TrailEntry};

/// Occurrences of one fingerprint.
#[derive(Debug, Clone, Default)]
struct Occurrences {
    message: String,
    route: String,
    /// Session → its latest occurrence in the window.
    recent: BTreeMap<String, i64>,
    before: BTreeSet<String>,
}

/// Whether `recent` customers against `baseline` customers (over `baseline_windows`
/// windows) is an anomaly.
pub fn is_anomaly(config: &Config, recent: usize, baseline: usize, baseline_windows: f64) -> bool {
    let per_window = if baseline_windows > 0.0 {
        baseline as f64 / baseline_windows
    } else {
        0.0
    };
    recent >= config.incidents.min_customers as usize
        && recent as f64 >= config.incidents.factor * per_window.max(1.0 / config.incidents.factor)
}

/// Opens incidents for new anomalies and links new sessions to open ones;
/// returns how many incidents opened.
pub async fn detect(
    store: &Store,
    config: &Config,
    site_id: &str,
    now_ms: i64,
) -> Result<usize, FlowError> {
    let window = config.incidents.window.0;
    let since = now_ms - config.incidents.baseline.0 - window;
    let events = store
        .recent_events_of_kind(site_id, "js_error", since, 20_000)
        .await?;
    let mut by_fingerprint: BTreeMap<String, Occurrences> = BTreeMap::new();
    for stored in &events {
        let Ok(event) = serde_json::from_str::<ClientEvent>(&stored.body) else {
            continue;
        };
        let message = match &event.kind {
            waymark_core::wire::EventKind::JsError(error) => error.message.clone(),
            _ => String::new(),
        };
        let Some(SignalKind::JsError { fingerprint, route }) = event.to_signal().map(|s| s.kind)
        else {
            continue;
        };
        let entry = by_fingerprint
            .entry(fingerprint.as_str().to_owned())
            .or_default();
        if entry.message.is_empty() {
            entry.message = message;
            entry.route = route;
        }
        if event.at_ms >= now_ms - window && event.at_ms <= now_ms {
            let latest = entry
                .recent
                .entry(stored.session_id.clone())
                .or_insert(event.at_ms);
            *latest = (*latest).max(event.at_ms);
        } else if event.at_ms < now_ms - window {
            entry.before.insert(stored.session_id.clone());
        }
    }
    let baseline_windows = config.incidents.baseline.0 as f64 / window as f64;
    let mut opened = 0;
    for (fingerprint, mut seen) in by_fingerprint {
        let open = store.open_incident(site_id, &fingerprint).await?;
        if open.is_none()
            && let Some(fixed_at) = store.last_resolved_at(site_id, &fingerprint).await?
        {
            // Errors from before the fix belong to the resolved incident.
            seen.recent.retain(|_, latest| *latest > fixed_at);
        }
        if seen.recent.is_empty() {
            continue;
        }
        if open.is_none()
            && !is_anomaly(
                config,
                seen.recent.len(),
                seen.before.len(),
                baseline_windows,
            )
        {
            continue;
        }
        let mut links = Vec::new();
        for session in seen.recent.keys() {
            let conversation = store.session_conversation(site_id, session).await?;
            links.push(IncidentLink {
                session_id: session.clone(),
                conversation_id: conversation.as_ref().map(|(id, _)| id.clone()),
                customer: conversation.and_then(|(_, customer)| customer),
                linked_at_ms: now_ms,
            });
        }
        match open {
            Some(incident) => store.link_incident(site_id, &incident.id, &links).await?,
            None => {
                let incident = IncidentRecord {
                    id: new_id("i")?,
                    fingerprint: fingerprint.clone(),
                    title: if seen.message.is_empty() {
                        format!("JS error {fingerprint}")
                    } else {
                        seen.message.clone()
                    },
                    state: IncidentState::Open,
                    opened_at_ms: now_ms,
                    resolved_at_ms: None,
                    resolved_by: None,
                    resolution_note: None,
                };
                let summary = format!(
                    "Incident: {} ({} customers within {}, baseline {} before)",
                    incident.title,
                    seen.recent.len(),
                    config.incidents.window,
                    seen.before.len()
                );
                let affected: Vec<String> = links
                    .iter()
                    .map(|l| {
                        l.customer
                            .clone()
                            .unwrap_or_else(|| format!("session {}", l.session_id))
                    })
                    .collect();
                let context = reproduction(store, site_id, &seen, &affected).await?;
                let data = json!({
                    "summary": summary,
                    "incident_id": incident.id,
                    "fingerprint": fingerprint,
                    "affected": links.len(),
                    "context": context,
                });
                let key = format!("incident:{}", incident.id);
                let outbox = vec![notices::event(EventName::IncidentOpened, &key, data)];
                store
                    .open_incident_with(site_id, &incident, &links, &outbox)
                    .await?;
                tracing::warn!(site = site_id, incident = %incident.id, %fingerprint, customers = links.len(), "incident opened");
                opened += 1;
            }
        }
    }
    Ok(opened)
}

/// The reproduction context of the first affected session.
async fn reproduction(
    store: &Store,
    site_id: &str,
    seen: &Occurrences,
    affected: &[String],
) -> Result<serde_json::Value, FlowError> {
    let first = seen.recent.keys().next().cloned().unwrap_or_default();
    let events = crate::flow::session_events(store, site_id, &first).await?;
    let mut trail = Vec::new();
    let mut errors = Vec::new();
    let mut failed = Vec::new();
    let mut environment = Vec::new();
    for event in events.iter().rev().take(200).rev() {
        match &event.kind {
            waymark_core::wire::EventKind::PageView(page) => {
                trail.push(page.route.clone());
                if environment.is_empty() {
                    environment.extend(page.app_version.iter().map(|v| format!("app version {v}")));
                    environment.extend(page.locale.iter().map(|l| format!("locale {l}")));
                    environment.extend(
                        page.viewport
                            .as_ref()
                            .map(|v| format!("viewport {}×{}", v.width, v.height)),
                    );
                }
            }
            waymark_core::wire::EventKind::JsError(error) => errors.push(error.message.clone()),
            waymark_core::wire::EventKind::FailedRequest(request) => failed.push(format!(
                "{} {} → {}",
                request.method,
                request.url,
                request
                    .status
                    .map_or("network error".to_owned(), |s| s.to_string())
            )),
            _ => {}
        }
    }
    Ok(json!({
        "page_trail": trail,
        "errors": errors,
        "failed_requests": failed,
        "environment": environment,
        "affected_customers": affected,
        "route": seen.route,
    }))
}

/// Resolves an incident: every linked conversation gets a message and its ticket a
/// trail entry, every linked customer with an address an email, the site's
/// endpoints `incident.resolved`; all in one transaction. `None` when it was not open.
pub async fn resolve(
    store: &Store,
    site_id: &str,
    incident_id: &str,
    actor: &str,
    note: &str,
    now_ms: i64,
) -> Result<Option<IncidentRecord>, FlowError> {
    let incident = store
        .incident(site_id, incident_id)
        .await?
        .ok_or_else(|| FlowError::NotFound(format!("no incident `{incident_id}`")))?;
    if incident.state != IncidentState::Open {
        return Ok(None);
    }
    let note = note.trim();
    let text = if note.is_empty() {
        format!(
            "Update: the problem you ran into (\"{}\") is fixed.",
            incident.title
        )
    } else {
        format!(
            "Update: the problem you ran into (\"{}\") is fixed. {note}",
            incident.title
        )
    };
    let key = format!("incident:{}", incident.id);
    let mut changes = Vec::new();
    let links = store.incident_links(site_id, &incident.id).await?;
    for link in &links {
        let Some(conversation_id) = &link.conversation_id else {
            continue;
        };
        let Some(conversation) = store.conversation(site_id, conversation_id).await? else {
            continue;
        };
        let mut change = TicketChange {
            messages: vec![MessageRecord {
                seq: 0,
                id: new_id("m")?,
                conversation_id: conversation.id.clone(),
                idempotency_key: Some(format!("{key}:resolved")),
                author: MessageAuthor::System,
                author_name: None,
                text: text.clone(),
                sentiment: None,
                at_ms: now_ms,
            }],
            ..TicketChange::default()
        };
        if let Some(ticket) = store
            .ticket_of_conversation(site_id, &conversation.id)
            .await?
        {
            change.trail.push(TrailEntry {
                at_ms: now_ms,
                actor: format!("agent:{actor}"),
                action: "incident_resolved".into(),
                detail: json!({ "incident": incident.id, "note": note }),
            });
            change.ticket = Some(ticket);
        }
        change.outbox.extend(notices::customer_email(
            &conversation,
            &format!("Fixed: {}", incident.title),
            &text,
            &format!("{key}:{}", conversation.id),
        ));
        changes.push((conversation.id.clone(), change));
    }
    let resolved = IncidentRecord {
        state: IncidentState::Resolved,
        resolved_at_ms: Some(now_ms),
        resolved_by: Some(actor.to_owned()),
        resolution_note: Some(note.to_owned()),
        ..incident
    };
    let summary = format!("Incident resolved: {}", resolved.title);
    let outbox = vec![notices::event(
        EventName::IncidentResolved,
        &key,
        json!({
            "summary": summary, "incident_id": resolved.id, "note": note,
            "notified_conversations": changes.len(),
        }),
    )];
    if !store
        .resolve_incident(site_id, &resolved, &changes, &outbox)
        .await?
    {
        return Ok(None);
    }
    tracing::info!(site = site_id, incident = %resolved.id, conversations = changes.len(), "incident resolved");
    Ok(Some(resolved))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anomaly_needs_the_minimum_and_the_factor_over_baseline() {
        let config = Config::default();
        // 7 days of baseline = 168 one-hour windows.
        assert!(is_anomaly(&config, 3, 0, 168.0));
        assert!(!is_anomaly(&config, 2, 0, 168.0));
        // 168 customers a week is 1 per hour: 3 in an hour is 3×.
        assert!(is_anomaly(&config, 3, 168, 168.0));
        // 336 a week is 2 per hour: 5 in an hour is below 3×.
        assert!(!is_anomaly(&config, 5, 336, 168.0));
        assert!(is_anomaly(&config, 6, 336, 168.0));
    }
}
