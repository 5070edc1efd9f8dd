//! The outbox: events waiting to be sent, in batches, with retry and backoff.
//! It is generic over the event representation: the browser keeps events as
//! wire JSON text (no decoding cost in the shipped wasm), tests use wire types.
//! Nothing is dropped silently: an event leaves the outbox only when the server
//! has acknowledged it, and the outbox caps its size by refusing the oldest only
//! when over [`Outbox::CAPACITY`], counting what it had to drop.

/// Events waiting for the server.
#[derive(Debug)]
pub struct Outbox<E> {
    pending: Vec<E>,
    in_flight: usize,
    failures: u32,
    dropped: u64,
}

impl<E> Default for Outbox<E> {
    fn default() -> Self {
        Self {
            pending: Vec::new(),
            in_flight: 0,
            failures: 0,
            dropped: 0,
        }
    }
}

impl<E> Outbox<E> {
    /// Most events kept while the server is unreachable.
    pub const CAPACITY: usize = 1_000;
    /// Most events per request.
    pub const BATCH: usize = 50;

    /// Queues an event.
    pub fn push(&mut self, event: E) {
        if self.pending.len() >= Self::CAPACITY {
            self.pending
                .remove(self.in_flight.min(self.pending.len() - 1));
            self.dropped += 1;
        }
        self.pending.push(event);
    }

    /// The next batch to send, or `None` when empty or a batch is in flight.
    /// The events stay queued until [`Outbox::acknowledge`].
    pub fn next_batch(&mut self) -> Option<&[E]> {
        if self.in_flight > 0 || self.pending.is_empty() {
            return None;
        }
        self.in_flight = self.pending.len().min(Self::BATCH);
        Some(&self.pending[..self.in_flight])
    }

    /// The in-flight batch was stored: forget it.
    pub fn acknowledge(&mut self) {
        self.pending.drain(..self.in_flight);
        self.in_flight = 0;
        self.failures = 0;
    }

    /// The in-flight batch failed: keep it for a retry and return how long to
    /// wait, in ms (exponential, capped at 60 s), or the server's `Retry-After`.
    pub fn failed(&mut self, retry_after_ms: Option<u32>) -> u32 {
        self.in_flight = 0;
        self.failures = self.failures.saturating_add(1);
        retry_after_ms.unwrap_or_else(|| {
            1_000u32
                .saturating_mul(1 << self.failures.min(6).saturating_sub(1))
                .min(60_000)
        })
    }

    /// Events waiting (including any in flight).
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Events dropped because the outbox was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use waymark_core::wire::{ClientEvent, EventKind, PageInfo};

    fn event(n: u32) -> ClientEvent {
        ClientEvent {
            id: format!("e{n}"),
            at_ms: i64::from(n),
            kind: EventKind::PageView(PageInfo::default()),
        }
    }

    #[test]
    fn a_failed_batch_is_resent_with_the_same_ids() {
        let mut outbox = Outbox::<ClientEvent>::default();
        outbox.push(event(1));
        outbox.push(event(2));
        let first = outbox.next_batch().unwrap().to_vec();
        assert!(
            outbox.next_batch().is_none(),
            "one batch in flight at a time"
        );
        assert_eq!(outbox.failed(None), 1_000);
        let retry = outbox.next_batch().unwrap().to_vec();
        assert_eq!(first, retry);
        outbox.acknowledge();
        assert!(outbox.is_empty());
    }

    #[test]
    fn backoff_grows_and_honours_retry_after() {
        let mut outbox = Outbox::<ClientEvent>::default();
        outbox.push(event(1));
        let waits: Vec<u32> = (0..8)
            .map(|_| {
                outbox.next_batch();
                outbox.failed(None)
            })
            .collect();
        assert_eq!(
            waits,
            [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 32_000, 32_000]
        );
        outbox.next_batch();
        assert_eq!(outbox.failed(Some(7_000)), 7_000);
    }

    #[test]
    fn events_pushed_while_a_batch_flies_wait_for_the_next() {
        let mut outbox = Outbox::<ClientEvent>::default();
        outbox.push(event(1));
        outbox.next_batch().unwrap();
        outbox.push(event(2));
        outbox.acknowledge();
        let next = outbox.next_batch().unwrap();
        assert_eq!(
            next.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
            ["e2"]
        );
    }

    #[test]
    fn a_full_outbox_counts_what_it_drops() {
        let mut outbox = Outbox::<ClientEvent>::default();
        for n in 0..(Outbox::<ClientEvent>::CAPACITY as u32 + 5) {
            outbox.push(event(n));
        }
        assert_eq!(outbox.len(), Outbox::<ClientEvent>::CAPACITY);
        assert_eq!(outbox.dropped(), 5);
    }
}
