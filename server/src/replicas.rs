//! Several `waymark serve` replicas on one PostgreSQL database tell each other
//! what changed through `LISTEN/NOTIFY`:
//!
//! - live events: each replica's hub relays the events it publishes
//!   ([`crate::live::LiveHub::relay`]) as a small notification on
//!   [`LIVE_CHANNEL`] (origin, site, kind and ids; streams read the details from
//!   the database), and delivers the other replicas' events to its subscribers;
//! - knowledge: an append to the knowledge log notifies
//!   [`crate::storage::knowledge_log::NOTIFY_CHANNEL`] at commit, which wakes this
//!   replica's follower ([`crate::flow::knowledge_log::follow`]); the follower also
//!   polls, so a lost notification delays an update by a second at most.
//!
//! The job runner needs no message: one replica holds its advisory lock
//! ([`crate::jobs`]). Console sessions and conversation tokens live in the
//! database or derive from it, so every replica accepts them. SQLite is one
//! process and needs none of this.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;

use crate::live::{LiveEvent, LiveHub, Relayed};
use crate::storage::knowledge_log::NOTIFY_CHANNEL as KNOWLEDGE_CHANNEL;
use crate::storage::{Backend, Store};

/// The channel of live events.
pub const LIVE_CHANNEL: &str = "waymark_live";

/// PostgreSQL refuses payloads from 8000 bytes; ids are far below that.
const MAX_PAYLOAD: usize = 7_900;

/// How long a replica waits before listening again after the database refused.
const RETRY: Duration = Duration::from_secs(1);

/// One live event as notified: which replica sent it, the site and the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Notice {
    /// The sending replica (it skips its own notices: it delivered them already).
    origin: String,
    /// The site.
    site: String,
    /// The event (ids only).
    event: LiveEvent,
}

/// Starts relaying this replica's live events to the others and listening for
/// theirs and for knowledge log appends (which notify `knowledge_wake`), until
/// `shutdown` turns true. Does nothing on SQLite.
pub fn start(
    store: &Store,
    database_url: &str,
    knowledge_wake: Arc<Notify>,
    shutdown: watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    if store.backend() != Backend::Postgres {
        return Vec::new();
    }
    let origin = crate::flow::new_id("replica").unwrap_or_else(|_| {
        // Without randomness, the process id still tells replicas on one host apart.
        format!("replica_{}", std::process::id())
    });
    let mut tasks = Vec::new();
    if let Some(relayed) = store.live().relay() {
        tasks.push(tokio::spawn(send(
            store.clone(),
            origin.clone(),
            relayed,
            shutdown.clone(),
        )));
    }
    tasks.push(tokio::spawn(listen(
        database_url.to_owned(),
        origin,
        store.live().clone(),
        knowledge_wake,
        shutdown,
    )));
    tasks
}

async fn send(
    store: Store,
    origin: String,
    mut relayed: mpsc::Receiver<Relayed>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let (site, event) = tokio::select! {
            () = stopped(&mut shutdown) => return,
            next = relayed.recv() => match next {
                Some(next) => next,
                None => return,
            },
        };
        let notice = Notice {
            origin: origin.clone(),
            site,
            event,
        };
        let payload = match serde_json::to_string(&notice) {
            Ok(payload) if payload.len() <= MAX_PAYLOAD => payload,
            _ => {
                tracing::warn!(site = %notice.site, "live event too large to relay");
                continue;
            }
        };
        if let Err(err) = sqlx::query("SELECT pg_notify($1, $2)")
            .bind(LIVE_CHANNEL)
            .bind(payload)
            .execute(store.raw_pool())
            .await
        {
            tracing::warn!(error = %err, "live event not relayed to the other replicas");
        }
    }
}

async fn listen(
    database_url: String,
    origin: String,
    hub: LiveHub,
    knowledge_wake: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let listener = async {
            let mut listener = PgListener::connect(&database_url).await?;
            listener
                .listen_all([LIVE_CHANNEL, KNOWLEDGE_CHANNEL])
                .await?;
            Ok::<_, sqlx::Error>(listener)
        };
        let mut listener = tokio::select! {
            () = stopped(&mut shutdown) => return,
            listener = listener => match listener {
                Ok(listener) => listener,
                Err(err) => {
                    tracing::warn!(error = %err, "cannot listen for the other replicas; retrying");
                    tokio::time::sleep(RETRY).await;
                    continue;
                }
            },
        };
        tracing::info!("listening for the other replicas");
        // Whatever happened while not listening: the follower catches up.
        knowledge_wake.notify_one();
        loop {
            let next = tokio::select! {
                () = stopped(&mut shutdown) => return,
                next = listener.try_recv() => next,
            };
            match next {
                Ok(Some(notification)) => {
                    if notification.channel() == KNOWLEDGE_CHANNEL {
                        knowledge_wake.notify_one();
                    } else {
                        deliver(&hub, &origin, notification.payload());
                    }
                }
                // The connection dropped; the next call reconnects. Notifications
                // sent meanwhile are lost: the follower polls anyway.
                Ok(None) => {
                    tracing::warn!("lost the connection listening for the other replicas");
                    knowledge_wake.notify_one();
                }
                Err(err) => {
                    tracing::warn!(error = %err, "listening for the other replicas failed; retrying");
                    tokio::time::sleep(RETRY).await;
                    break;
                }
            }
        }
    }
}

/// Resolves once `shutdown` turns true (or its sender is gone).
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Delivers another replica's event to this replica's subscribers.
fn deliver(hub: &LiveHub, origin: &str, payload: &str) {
    match serde_json::from_str::<Notice>(payload) {
        Ok(notice) if notice.origin == origin => {}
        Ok(notice) => hub.deliver(&notice.site, notice.event),
        Err(err) => tracing::warn!(error = %err, "unreadable live notice"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::live::LiveKind;

    fn notice(origin: &str) -> String {
        serde_json::to_string(&Notice {
            origin: origin.into(),
            site: "demo".into(),
            event: LiveEvent {
                kind: LiveKind::Message,
                conversation_id: "c_1".into(),
                ticket_id: Some("t_1".into()),
            },
        })
        .unwrap()
    }

    #[test]
    fn another_replicas_event_reaches_subscribers_and_our_own_does_not_come_twice() {
        let hub = LiveHub::default();
        let mut subscriber = hub.subscribe("demo");
        deliver(&hub, "replica_a", &notice("replica_b"));
        let event = subscriber.try_recv().unwrap();
        assert_eq!(event.conversation_id, "c_1");
        assert_eq!(event.ticket_id.as_deref(), Some("t_1"));
        deliver(&hub, "replica_a", &notice("replica_a"));
        assert!(subscriber.try_recv().is_err());
    }

    #[test]
    fn a_notice_stays_far_below_the_payload_limit() {
        assert!(notice("replica_0123456789abcdef01234567").len() < 300);
    }

    #[test]
    fn an_unreadable_notice_is_dropped() {
        let hub = LiveHub::default();
        let mut subscriber = hub.subscribe("demo");
        deliver(&hub, "replica_a", "{not json");
        assert!(subscriber.try_recv().is_err());
    }
}
