//! The demo's 30 days of history: a small team's tickets (some routed by rules,
//! some re-routed or escalated by hand, breaches, alerts, CSAT) and the
//! suggestion sets around them, the same every time (a seeded generator).

use super::{
    PastActor, PastStep, PastSuggestionSet, PastTicket, write_past_suggestions, write_past_ticket,
};
use crate::storage::Store;
use crate::storage::escalation::AlertState;

/// How many days of history the demo seeds.
pub const DEMO_HISTORY_DAYS: i64 = 30;

/// Seeds the demo site's history once (30 days before `now_ms`, handled by the
/// demo's agents), so the Reports page has something to show; returns the number
/// of tickets written (0 when the history is there already).
pub async fn seed_demo_history(
    store: &Store,
    now_ms: i64,
) -> Result<usize, crate::demo::SeedError> {
    let site = crate::demo::DEMO_SITE_ID;
    if store.ticket(site, "hist-0000").await?.is_some() {
        return Ok(0);
    }
    let mut agents = Vec::new();
    for &(email, _, role) in crate::demo::DEMO_USERS {
        if role == crate::auth::Role::Agent
            && let Some(user) = store.user_by_email(email).await?
        {
            agents.push(user.id.to_string());
        }
    }
    if agents.is_empty() {
        return Err(crate::demo::SeedError::Knowledge(
            "the demo has no agents".into(),
        ));
    }
    let (tickets, sets) = demo_history(now_ms, &agents);
    for ticket in &tickets {
        write_past_ticket(store, site, "tier1", ticket).await?;
    }
    for set in &sets {
        write_past_suggestions(store, site, set).await?;
    }
    tracing::info!(
        site,
        tickets = tickets.len(),
        suggestion_sets = sets.len(),
        "demo history"
    );
    Ok(tickets.len())
}

/// A small deterministic generator (xorshift64*), so every demo has the same history.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A whole number in `[low, high)`.
    fn between(&mut self, low: i64, high: i64) -> i64 {
        let span = u64::try_from((high - low).max(1)).unwrap_or(1);
        low + i64::try_from(self.next() % span).unwrap_or(0)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let at = usize::try_from(self.next() % items.len().max(1) as u64).unwrap_or(0);
        &items[at]
    }
}

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// What customers wrote about, by page.
const TOPICS: &[(&str, &str, &[&str])] = &[
    (
        "/demo/billing",
        "Payment failed with E502",
        &[
            "My payment failed with error E502",
            "I tried twice, still failing",
        ],
    ),
    (
        "/demo/billing",
        "Charged twice this month",
        &[
            "I was charged twice for March",
            "Please refund the second charge",
        ],
    ),
    (
        "/demo/reports/export",
        "CSV export does not start",
        &[
            "The CSV export button does nothing",
            "ExportError: CSV worker failed to start",
        ],
    ),
    (
        "/demo/invoices",
        "Where is my invoice PDF",
        &[
            "I cannot find the PDF of invoice INV-1002",
            "The download link is gone",
        ],
    ),
    (
        "/demo/broken",
        "Old reports page shows E500",
        &[
            "The old reports page fails with E500",
            "It worked last week",
        ],
    ),
    (
        "/demo/settings",
        "Change the billing email",
        &["How do I change the billing email?"],
    ),
];

/// The demo's history: tickets and suggestion sets over the
/// [`DEMO_HISTORY_DAYS`] days before `now_ms`, handled by `agents`.
pub fn demo_history(now_ms: i64, agents: &[String]) -> (Vec<PastTicket>, Vec<PastSuggestionSet>) {
    let mut dice = Dice(0x05EE_D0F5_7A75_u64);
    let today = now_ms - now_ms.rem_euclid(DAY);
    let mut tickets = Vec::new();
    let mut sets = Vec::new();
    // Up to the day before yesterday: every ticket's story has ended by now.
    for day in (2..=DEMO_HISTORY_DAYS + 1).rev() {
        let start = today - day * DAY;
        let weekday = (start / DAY + 4).rem_euclid(7); // 0 = Sunday
        let busy = if weekday == 0 || weekday == 6 { 3 } else { 7 };
        // Deflection improves over the month as the knowledge base grows.
        let solved_share =
            0.25 + 0.3 * (DEMO_HISTORY_DAYS + 1 - day) as f64 / DEMO_HISTORY_DAYS as f64;
        for _ in 0..dice.between(busy, busy + 5) {
            let id = format!("hist-{:04}", tickets.len());
            let created = start + dice.between(7 * HOUR, 19 * HOUR) + dice.between(0, HOUR);
            let (route, subject, lines) = *dice.pick(TOPICS);
            let agent = dice.pick(agents).clone();
            let cancel = dice.unit() < 0.16;
            let mut messages: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
            if cancel {
                messages.push("If this is not fixed I will cancel my subscription".into());
            }
            for _ in 0..dice.between(0, 3) {
                messages.push("Any news on this?".into());
            }
            let mut steps = Vec::new();
            let mut at = created;
            let mut escalated = false;
            if cancel {
                at += dice.between(1, 5) * MINUTE;
                steps.push(PastStep::Escalate {
                    at_ms: at,
                    by: PastActor::Rule("cancel-language".into()),
                    to_tier: "tier2".into(),
                });
                escalated = true;
                if dice.unit() < 0.3 {
                    at += dice.between(5, 30) * MINUTE;
                    steps.push(PastStep::Transfer {
                        at_ms: at,
                        by: PastActor::Agent(agent.clone()),
                        to_team: "billing".into(),
                    });
                }
            }
            let ack_after = dice.between(3, 50) * MINUTE;
            if ack_after > 30 * MINUTE {
                steps.push(PastStep::Breach {
                    at_ms: at + 30 * MINUTE,
                    sla: "acknowledgement",
                });
            }
            at += ack_after;
            steps.push(PastStep::Acknowledge {
                at_ms: at,
                agent: agent.clone(),
            });
            if !escalated {
                let roll = dice.unit();
                if roll < 0.1 {
                    at += dice.between(10, 90) * MINUTE;
                    steps.push(PastStep::Escalate {
                        at_ms: at,
                        by: PastActor::Agent(agent.clone()),
                        to_tier: "tier2".into(),
                    });
                    escalated = true;
                } else if roll < 0.14 {
                    at += 4 * HOUR;
                    steps.push(PastStep::Escalate {
                        at_ms: at,
                        by: PastActor::Rule("tier1-open-4h".into()),
                        to_tier: "tier2".into(),
                    });
                    escalated = true;
                } else if roll < 0.16 {
                    at += dice.between(5, 20) * MINUTE;
                    steps.push(PastStep::Escalate {
                        at_ms: at,
                        by: PastActor::Rule("same-error-incident".into()),
                        to_tier: "tier3".into(),
                    });
                    escalated = true;
                }
            }
            if dice.unit() < 0.12 {
                let decision = *dice.pick(&[
                    AlertState::Confirmed,
                    AlertState::Confirmed,
                    AlertState::Adjusted,
                    AlertState::Dismissed,
                    AlertState::Dismissed,
                    AlertState::Open,
                ]);
                steps.push(PastStep::Alert {
                    at_ms: at + 10 * MINUTE,
                    kind: (*dice.pick(&["sentiment_shift", "multi_turn_depth", "sla_proximity"]))
                        .to_owned(),
                    decision,
                });
            }
            let work = if escalated {
                dice.between(2 * HOUR, 20 * HOUR)
            } else {
                dice.between(15 * MINUTE, 5 * HOUR)
            };
            // Every past ticket is resolved: none of them enters the live queue.
            let resolve_at = (at + work).min(now_ms - 4 * HOUR).max(at + MINUTE);
            let mut csat = None;
            {
                steps.retain(|step| step.at_ms() < resolve_at);
                let resolution_limit = if escalated { 24 * HOUR } else { 8 * HOUR };
                if resolve_at - created > resolution_limit {
                    steps.push(PastStep::Breach {
                        at_ms: created + resolution_limit,
                        sla: "resolution",
                    });
                }
                steps.push(PastStep::Resolve {
                    at_ms: resolve_at,
                    agent: agent.clone(),
                });
                if dice.unit() < 0.05 && resolve_at + 3 * HOUR < now_ms {
                    steps.push(PastStep::Reopen {
                        at_ms: resolve_at + HOUR,
                        agent: agent.clone(),
                    });
                    steps.push(PastStep::Resolve {
                        at_ms: resolve_at + 3 * HOUR,
                        agent: agent.clone(),
                    });
                }
                if dice.unit() < 0.6 {
                    csat = Some(if escalated {
                        dice.between(2, 5)
                    } else {
                        dice.between(3, 6)
                    });
                }
            }
            steps.sort_by_key(PastStep::at_ms);
            let session_id = format!("hist-s-{}", tickets.len());
            if dice.unit() < 0.5 {
                sets.push(PastSuggestionSet {
                    query_id: format!("hist-q-{}", sets.len()),
                    session_id: session_id.clone(),
                    route: Some(route.to_owned()),
                    at_ms: created - dice.between(1, 10) * MINUTE,
                    answer_id: "payment-failed-e502".into(),
                    solved: false,
                });
            }
            tickets.push(PastTicket {
                id,
                session_id,
                subject: subject.to_owned(),
                route: Some(route.to_owned()),
                created_at_ms: created,
                customer_messages: messages,
                steps,
                csat,
            });
        }
        for _ in 0..dice.between(busy * 2, busy * 3) {
            let (route, _, _) = *dice.pick(TOPICS);
            let n = sets.len();
            sets.push(PastSuggestionSet {
                query_id: format!("hist-q-{n}"),
                session_id: format!("hist-v-{n}"),
                route: Some(route.to_owned()),
                at_ms: start + dice.between(7 * HOUR, 21 * HOUR),
                answer_id: "payment-failed-e502".into(),
                solved: dice.unit() < solved_share,
            });
        }
    }
    (tickets, sets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_history_is_the_same_every_time_and_in_the_past() {
        let now = 1_700_000_000_000;
        let agents = vec!["sam".to_owned(), "alex".to_owned()];
        let (tickets, sets) = demo_history(now, &agents);
        assert_eq!(demo_history(now, &agents), (tickets.clone(), sets.clone()));
        assert!(tickets.len() > 100, "{}", tickets.len());
        assert!(sets.len() > tickets.len());
        assert!(tickets.iter().all(
            |t| t.created_at_ms < now && t.created_at_ms >= now - (DEMO_HISTORY_DAYS + 2) * DAY
        ));
        assert!(
            tickets
                .iter()
                .all(|t| t.steps.windows(2).all(|w| w[0].at_ms() <= w[1].at_ms()))
        );
        // Every past ticket ends resolved, so none enters the live queue.
        assert!(
            tickets
                .iter()
                .all(|t| matches!(t.steps.last(), Some(PastStep::Resolve { .. })))
        );
        let escalated = tickets
            .iter()
            .filter(|t| {
                t.steps
                    .iter()
                    .any(|s| matches!(s, PastStep::Escalate { .. }))
            })
            .count();
        assert!(
            escalated * 10 > tickets.len() && escalated * 2 < tickets.len(),
            "{escalated}"
        );
    }
}
