//! Facts for the rules engine, built from what is stored: the ticket (or the
//! first tier, before there is one), the conversation with sentiment, the page
//! trail and the account.

use waymark_core::domain::{LifecycleStage, SignalKind, TicketState};
use waymark_core::ids::{Fingerprint, RuleId, TierId};
use waymark_core::rules::{
    AccountFacts, Author, CurrentPage, ErrorReport, Facts, MessageFact, TicketFacts,
};
use waymark_core::time::Timestamp;
use waymark_core::wire::{ClientEvent, MessageAuthor};

use crate::storage::{MessageRecord, TicketRecord};

/// What facts are built from.
#[derive(Debug, Clone)]
pub struct FactsInput<'a> {
    /// The ticket, once there is one.
    pub ticket: Option<&'a TicketRecord>,
    /// The tier a conversation without a ticket is at (the first tier).
    pub first_tier: &'a str,
    /// When the conversation started (the clock of a ticket-less conversation).
    pub conversation_started_ms: i64,
    /// Subject line.
    pub subject: &'a str,
    /// The conversation, oldest first.
    pub messages: &'a [MessageRecord],
    /// The session's page events, oldest first.
    pub events: &'a [ClientEvent],
    /// The account.
    pub account: AccountFacts,
    /// Errors hit by any customer of the site recently (volume rules).
    pub error_reports: Vec<ErrorReport>,
    /// Product areas of the conversation (from the routes of its pages).
    pub product_areas: Vec<String>,
}

/// The engine's view of a conversation.
pub fn build_facts(input: &FactsInput<'_>) -> Facts {
    let trail: Vec<_> = input
        .events
        .iter()
        .filter_map(ClientEvent::to_signal)
        .collect();
    let current_page = trail.iter().rev().find_map(|signal| match &signal.kind {
        SignalKind::PageView { route } | SignalKind::Navigation { route } => Some(CurrentPage {
            route: route.clone(),
            since: signal.at,
        }),
        _ => None,
    });
    let mut fingerprints: Vec<Fingerprint> = trail
        .iter()
        .filter_map(|signal| match &signal.kind {
            SignalKind::JsError { fingerprint, .. } => Some(fingerprint.clone()),
            _ => None,
        })
        .collect();
    fingerprints.sort();
    fingerprints.dedup();
    let messages = input
        .messages
        .iter()
        .filter_map(|message| {
            let author = match message.author {
                MessageAuthor::Customer => Author::Customer,
                MessageAuthor::Agent => Author::Agent,
                MessageAuthor::Assistant => Author::Assistant,
                MessageAuthor::System | MessageAuthor::Unknown => return None,
            };
            Some(MessageFact {
                at: Timestamp(message.at_ms),
                author,
                text: message.text.clone(),
                sentiment: message.sentiment,
            })
        })
        .collect();
    let ticket = match input.ticket {
        Some(ticket) => TicketFacts {
            tier: TierId::new(ticket.tier.clone()),
            state: ticket.state,
            stage: ticket.stage,
            at_tier_since: Timestamp(ticket.at_tier_since_ms),
            ack_due: ticket.ack_due_ms.map(Timestamp),
            resolution_due: ticket.resolution_due_ms.map(Timestamp),
            subject: ticket.subject.clone(),
            messages,
            sentiment: None,
            product_areas: input.product_areas.clone(),
            billing_amount: None,
            error_fingerprints: fingerprints,
        },
        None => TicketFacts {
            tier: TierId::new(input.first_tier),
            state: TicketState::New,
            stage: LifecycleStage::Intake,
            at_tier_since: Timestamp(input.conversation_started_ms),
            ack_due: None,
            resolution_due: None,
            subject: input.subject.to_owned(),
            messages,
            sentiment: None,
            product_areas: input.product_areas.clone(),
            billing_amount: None,
            error_fingerprints: fingerprints,
        },
    };
    let fired_rules = input
        .ticket
        .map(|ticket| ticket.fired_rules.iter().map(RuleId::new).collect())
        .unwrap_or_default();
    Facts {
        ticket: Some(ticket),
        account: input.account.clone(),
        trail,
        current_page,
        error_reports: input.error_reports.clone(),
        fired_rules,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use waymark_core::wire::{EventKind, PageInfo};

    #[test]
    fn ticketless_conversation_is_at_the_first_tier_with_its_trail() {
        let events = vec![ClientEvent {
            id: "e".into(),
            at_ms: 5,
            kind: EventKind::PageView(PageInfo {
                url: "https://x/billing".into(),
                route: "/billing".into(),
                ..PageInfo::default()
            }),
        }];
        let messages = vec![MessageRecord {
            seq: 1,
            id: "m".into(),
            conversation_id: "c".into(),
            idempotency_key: None,
            author: MessageAuthor::Customer,
            author_name: None,
            text: "I want to cancel".into(),
            sentiment: Some(-0.4),
            at_ms: 6,
        }];
        let facts = build_facts(&FactsInput {
            ticket: None,
            first_tier: "tier1",
            conversation_started_ms: 6,
            subject: "s",
            messages: &messages,
            events: &events,
            account: AccountFacts::default(),
            error_reports: Vec::new(),
            product_areas: Vec::new(),
        });
        let ticket = facts.ticket.as_ref().unwrap();
        assert_eq!(ticket.tier.as_str(), "tier1");
        assert_eq!(ticket.current_sentiment(), Some(-0.4));
        assert_eq!(facts.current_page.unwrap().route, "/billing");
        assert_eq!(facts.trail.len(), 1);
    }
}
