//! Live updates: one in-process broadcast per site. The store publishes after every
//! committed change to a ticket or a conversation; Server-Sent Event streams (the
//! console's site stream, the widget's conversation stream) subscribe and push.
//!
//! Invariant: an event is published only after its change is committed, so a
//! subscriber that reads the database on an event sees the change. Events carry
//! ids only, never customer text: each stream reads what it may show.
//!
//! On PostgreSQL the hub also relays every event it publishes to the other
//! replicas (`NOTIFY`, see [`crate::replicas`]), and delivers theirs to its
//! subscribers; SQLite is one process and keeps the hub in-process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc};

/// How many events a slow subscriber may fall behind before it skips ahead (it
/// then re-reads, as on any event).
const CHANNEL_CAPACITY: usize = 256;

/// Open streams allowed on one conversation (a visitor's tabs).
pub const MAX_STREAMS_PER_CONVERSATION: usize = 8;

/// Open streams allowed on one site (consoles and widgets together).
pub const MAX_STREAMS_PER_SITE: usize = 2_000;

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiveKind {
    /// A ticket was created or changed (state, tier, owner, SLA clocks, note).
    Ticket,
    /// A message was added to a conversation.
    Message,
}

/// One change on a site, as subscribers receive it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveEvent {
    /// What changed.
    pub kind: LiveKind,
    /// The conversation concerned.
    pub conversation_id: String,
    /// The ticket concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<String>,
}

/// What a stream is opened on, for the caps.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StreamScope {
    /// A console's stream of a whole site.
    Site,
    /// A widget's stream of one conversation.
    Conversation(String),
}

/// A stream was refused: too many are open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("too many live streams are open on this {scope} (at most {limit})")]
pub struct StreamLimit {
    /// `site` or `conversation`.
    pub scope: &'static str,
    /// The cap.
    pub limit: usize,
}

#[derive(Debug, Default)]
struct Inner {
    channels: HashMap<String, broadcast::Sender<LiveEvent>>,
    site_streams: HashMap<String, usize>,
    conversation_streams: HashMap<(String, String), usize>,
}

/// An event on its way to the other replicas: the site and the event.
pub type Relayed = (String, LiveEvent);

/// How many events may wait for the relay before new ones are dropped (a
/// database that does not answer must not grow memory without bound).
const RELAY_CAPACITY: usize = 4_096;

/// The per-site broadcast hub. Cheap to clone; clones share the channels.
#[derive(Debug, Clone, Default)]
pub struct LiveHub {
    inner: Arc<Mutex<Inner>>,
    relay: Arc<std::sync::OnceLock<mpsc::Sender<Relayed>>>,
}

impl LiveHub {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // The map stays consistent whatever panicked while holding it.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sends `event` to the site's subscribers (none listening is fine) and, once
    /// [`LiveHub::relay`] was called, to the other replicas.
    pub fn publish(&self, site_id: &str, event: LiveEvent) {
        if let Some(relay) = self.relay.get()
            && relay.try_send((site_id.to_owned(), event.clone())).is_err()
        {
            tracing::warn!(
                site = site_id,
                "live event not relayed to the other replicas: the relay is full or stopped"
            );
        }
        self.deliver(site_id, event);
    }

    /// Sends `event` to this process's subscribers only (an event another replica
    /// relayed).
    pub fn deliver(&self, site_id: &str, event: LiveEvent) {
        let inner = self.lock();
        if let Some(sender) = inner.channels.get(site_id) {
            // An error only means nobody listens right now.
            let _ = sender.send(event);
        }
    }

    /// From now on every published event is also handed to the returned receiver,
    /// whose owner relays it to the other replicas. `None` if a relay was set up
    /// before.
    pub fn relay(&self) -> Option<mpsc::Receiver<Relayed>> {
        let (sender, receiver) = mpsc::channel(RELAY_CAPACITY);
        self.relay.set(sender).ok().map(|()| receiver)
    }

    /// A receiver of the site's events from now on.
    pub fn subscribe(&self, site_id: &str) -> broadcast::Receiver<LiveEvent> {
        let mut inner = self.lock();
        inner
            .channels
            .entry(site_id.to_owned())
            .or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0)
            .subscribe()
    }

    /// Counts a stream on `scope` of the site, or refuses it beyond the caps. The
    /// stream is counted until the returned guard is dropped.
    pub fn open_stream(
        &self,
        site_id: &str,
        scope: StreamScope,
    ) -> Result<StreamGuard, StreamLimit> {
        let mut inner = self.lock();
        let site_count = inner.site_streams.get(site_id).copied().unwrap_or(0);
        if site_count >= MAX_STREAMS_PER_SITE {
            return Err(StreamLimit {
                scope: "site",
                limit: MAX_STREAMS_PER_SITE,
            });
        }
        if let StreamScope::Conversation(id) = &scope {
            let key = (site_id.to_owned(), id.clone());
            let count = inner.conversation_streams.get(&key).copied().unwrap_or(0);
            if count >= MAX_STREAMS_PER_CONVERSATION {
                return Err(StreamLimit {
                    scope: "conversation",
                    limit: MAX_STREAMS_PER_CONVERSATION,
                });
            }
            inner.conversation_streams.insert(key, count + 1);
        }
        inner
            .site_streams
            .insert(site_id.to_owned(), site_count + 1);
        Ok(StreamGuard {
            hub: self.clone(),
            site_id: site_id.to_owned(),
            scope,
        })
    }

    /// Streams open on the site now (for tests and metrics).
    pub fn open_streams(&self, site_id: &str) -> usize {
        self.lock().site_streams.get(site_id).copied().unwrap_or(0)
    }

    /// Streams open now over every site (for metrics).
    pub fn open_streams_total(&self) -> usize {
        self.lock().site_streams.values().sum()
    }

    fn close_stream(&self, site_id: &str, scope: &StreamScope) {
        let mut inner = self.lock();
        decrement(&mut inner.site_streams, site_id.to_owned());
        if let StreamScope::Conversation(id) = scope {
            decrement(
                &mut inner.conversation_streams,
                (site_id.to_owned(), id.clone()),
            );
        }
    }
}

fn decrement<K: std::hash::Hash + Eq>(counts: &mut HashMap<K, usize>, key: K) {
    if let Some(count) = counts.get_mut(&key) {
        *count = count.saturating_sub(1);
        if *count == 0 {
            counts.remove(&key);
        }
    }
}

/// Holds one stream's place under the caps; dropping it frees the place.
#[derive(Debug)]
pub struct StreamGuard {
    hub: LiveHub,
    site_id: String,
    scope: StreamScope,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.hub.close_stream(&self.site_id, &self.scope);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn message(conversation: &str) -> LiveEvent {
        LiveEvent {
            kind: LiveKind::Message,
            conversation_id: conversation.into(),
            ticket_id: None,
        }
    }

    #[test]
    fn subscribers_receive_their_sites_events_only() {
        let hub = LiveHub::default();
        let mut one = hub.subscribe("one");
        let mut two = hub.subscribe("two");
        hub.publish("one", message("c1"));
        assert_eq!(one.try_recv().unwrap(), message("c1"));
        assert!(two.try_recv().is_err());
    }

    #[test]
    fn a_relayed_hub_hands_every_event_on_and_still_delivers_locally() {
        let hub = LiveHub::default();
        let mut relayed = hub.relay().unwrap();
        assert!(hub.relay().is_none(), "one relay per hub");
        let mut local = hub.subscribe("one");
        hub.publish("one", message("c1"));
        assert_eq!(local.try_recv().unwrap(), message("c1"));
        assert_eq!(
            relayed.try_recv().unwrap(),
            ("one".to_owned(), message("c1"))
        );
        // What another replica relayed reaches subscribers and is not relayed back.
        hub.deliver("one", message("c2"));
        assert_eq!(local.try_recv().unwrap(), message("c2"));
        assert!(relayed.try_recv().is_err());
    }

    #[test]
    fn publishing_without_subscribers_is_harmless() {
        LiveHub::default().publish("nobody", message("c1"));
    }

    #[test]
    fn a_conversation_refuses_streams_beyond_its_cap_until_one_closes() {
        let hub = LiveHub::default();
        let scope = StreamScope::Conversation("c1".into());
        let mut guards: Vec<StreamGuard> = (0..MAX_STREAMS_PER_CONVERSATION)
            .map(|_| hub.open_stream("s", scope.clone()).unwrap())
            .collect();
        let refused = hub.open_stream("s", scope.clone()).unwrap_err();
        assert_eq!(refused.scope, "conversation");
        assert!(
            hub.open_stream("s", StreamScope::Conversation("c2".into()))
                .is_ok()
        );
        guards.pop();
        assert!(hub.open_stream("s", scope).is_ok());
    }

    #[test]
    fn dropped_streams_are_no_longer_counted() {
        let hub = LiveHub::default();
        let guard = hub.open_stream("s", StreamScope::Site).unwrap();
        assert_eq!(hub.open_streams("s"), 1);
        drop(guard);
        assert_eq!(hub.open_streams("s"), 0);
    }
}
