//! Checking one condition against the facts, recording the actual value either way.

use super::facts::{Facts, RuleFacts, TicketFacts, fingerprints};
use crate::domain::SignalKind;
use crate::matrix::{Condition, SlaKind};
use crate::text::{first_phrase, route_matches};
use crate::time::{DurationMs, Timestamp};
use serde::{Deserialize, Serialize};

/// One condition of a rule, the value found, and whether it held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionCheck {
    /// Where it is in the rule (`when.all[0]`).
    pub path: String,
    /// What it asks (`open at tier1 for at least 4h`).
    pub condition: String,
    /// What was found (`open at tier1 for 4h10m`).
    pub actual: String,
    /// Whether it held.
    pub satisfied: bool,
}

/// Whether `at` lies in the window `[now - within, now]` (both edges included).
pub(crate) fn in_window(at: Timestamp, now: Timestamp, within: DurationMs) -> bool {
    at <= now && at >= now.minus(within)
}

/// What a check reports about the value it found: text for explanations, or
/// nothing at all for [`holds`], so that the browser's lean path compiles no
/// formatting of the found values.
pub(crate) trait Found {
    /// The report of a found value described by `text` (called only when wanted).
    fn found(text: impl FnOnce() -> String) -> Self;
}

impl Found for String {
    fn found(text: impl FnOnce() -> String) -> Self {
        text()
    }
}

impl Found for () {
    fn found(_: impl FnOnce() -> String) -> Self {}
}

/// Whether `condition` holds for `facts` as of `now`: the same verdict as
/// [`check`], without describing anything.
pub(crate) fn holds<F: RuleFacts>(condition: &Condition, facts: &F, now: Timestamp) -> bool {
    outcome::<(), F>(condition, facts, now).0
}

/// Checks `condition` at `path` against `facts` as of `now`.
pub(crate) fn check(
    path: String,
    condition: &Condition,
    facts: &Facts,
    now: Timestamp,
) -> ConditionCheck {
    let (satisfied, actual) = outcome::<String, Facts>(condition, facts, now);
    ConditionCheck {
        path,
        condition: condition.describe(),
        actual,
        satisfied,
    }
}

fn no_ticket<A: Found>() -> (bool, A) {
    (false, A::found(|| "no ticket".to_owned()))
}

fn outcome<A: Found, F: RuleFacts>(condition: &Condition, facts: &F, now: Timestamp) -> (bool, A) {
    let ticket = facts.ticket();
    match condition {
        Condition::OpenAtTier { tier, for_at_least } => {
            let Some(ticket) = ticket else {
                return no_ticket();
            };
            if &ticket.tier != tier {
                return (false, A::found(|| format!("at {}", ticket.tier)));
            }
            if !ticket.state.is_open() {
                return (
                    false,
                    A::found(|| format!("{} at {}", ticket.state, ticket.tier)),
                );
            }
            let elapsed = now.since(ticket.at_tier_since);
            (
                elapsed >= *for_at_least,
                A::found(|| format!("open at {} for {elapsed}", ticket.tier)),
            )
        }
        Condition::SlaRemaining { sla, below } => {
            let Some(ticket) = ticket else {
                return no_ticket();
            };
            let due = match sla {
                SlaKind::Acknowledgement => ticket.ack_due,
                SlaKind::Resolution => ticket.resolution_due,
            };
            match due {
                None => (false, A::found(|| format!("no {} SLA running", sla.name()))),
                Some(due) => {
                    let remaining = due.since(now);
                    let actual = A::found(|| {
                        if remaining.0 < 0 {
                            format!("breached {} ago", DurationMs(-remaining.0))
                        } else {
                            format!("{remaining} remaining")
                        }
                    });
                    (remaining < *below, actual)
                }
            }
        }
        Condition::AtTier { any } => {
            let Some(ticket) = ticket else {
                return no_ticket();
            };
            (
                any.contains(&ticket.tier),
                A::found(|| format!("at {}", ticket.tier)),
            )
        }
        Condition::SentimentBelow { score } => {
            let Some(ticket) = ticket else {
                return no_ticket();
            };
            match ticket.current_sentiment() {
                None => (false, A::found(|| "no sentiment score".to_owned())),
                Some(current) => (
                    current < *score,
                    A::found(|| format!("sentiment {current}")),
                ),
            }
        }
        Condition::SentimentDrop {
            at_least,
            over_last,
        } => {
            let Some(ticket) = ticket else {
                return no_ticket();
            };
            sentiment_drop(ticket, *at_least, *over_last)
        }
        Condition::CustomerSays { any } => {
            let Some(ticket) = ticket else {
                return no_ticket();
            };
            let found = ticket
                .customer_messages()
                .find_map(|message| first_phrase(&message.text, any));
            phrase_outcome(found)
        }
        Condition::Mentions { any } => {
            let Some(ticket) = ticket else {
                return no_ticket();
            };
            let found = first_phrase(&ticket.subject, any).or_else(|| {
                ticket
                    .messages
                    .iter()
                    .find_map(|message| first_phrase(&message.text, any))
            });
            phrase_outcome(found)
        }
        Condition::ProductArea { any } => {
            let Some(ticket) = ticket else {
                return no_ticket();
            };
            let hit = ticket.product_areas.iter().any(|area| any.contains(area));
            (
                hit,
                A::found(|| format!("product areas [{}]", ticket.product_areas.join(", "))),
            )
        }
        Condition::BillingAmountAbove { amount } => {
            let Some(ticket) = ticket else {
                return no_ticket();
            };
            match ticket.billing_amount {
                None => (false, A::found(|| "no billing amount".to_owned())),
                Some(actual) => (
                    actual > *amount,
                    A::found(|| format!("billing amount {actual}")),
                ),
            }
        }
        Condition::SameErrorCustomers { at_least, within } => {
            same_error_customers(facts, now, *at_least, *within)
        }
        Condition::ErrorPageRepeated {
            at_least,
            within,
            route,
        } => {
            let keys = facts
                .trail()
                .iter()
                .filter(|s| in_window(s.at, now, *within))
                .filter_map(|s| match &s.kind {
                    SignalKind::ErrorPage { route: page }
                        if route.as_deref().is_none_or(|p| route_matches(p, page)) =>
                    {
                        Some(page.clone())
                    }
                    _ => None,
                });
            most_repeated(keys, *at_least, "error page")
        }
        Condition::JsErrorRepeated { at_least, within } => {
            let keys = facts
                .trail()
                .iter()
                .filter(|s| in_window(s.at, now, *within))
                .filter_map(|s| match &s.kind {
                    SignalKind::JsError { fingerprint, .. } => Some(fingerprint.to_string()),
                    _ => None,
                });
            most_repeated(keys, *at_least, "JS error")
        }
        Condition::FailedRequestRepeated {
            at_least,
            within,
            path,
        } => {
            let keys = facts
                .trail()
                .iter()
                .filter(|s| in_window(s.at, now, *within))
                .filter_map(|s| match &s.kind {
                    SignalKind::FailedRequest {
                        method, path: url, ..
                    } if path.as_deref().is_none_or(|p| route_matches(p, url)) => {
                        Some(format!("{method} {url}"))
                    }
                    _ => None,
                });
            most_repeated(keys, *at_least, "failed request")
        }
        Condition::RageClicks { at_least, within } => {
            let count = count_signals(facts, now, *within, |kind| {
                matches!(kind, SignalKind::RageClick { .. })
            });
            (
                count >= *at_least,
                A::found(|| counted(count as usize, "rage click")),
            )
        }
        Condition::DeadClicks { at_least, within } => {
            let count = count_signals(facts, now, *within, |kind| {
                matches!(kind, SignalKind::DeadClick { .. })
            });
            (
                count >= *at_least,
                A::found(|| counted(count as usize, "dead click")),
            )
        }
        Condition::Dwell { route, at_least } => dwell(facts, now, route, *at_least),
        Condition::Plan { any } => one_of(facts.plan(), any, "plan"),
        Condition::AccountTier { any } => one_of(facts.account_tier(), any, "account tier"),
        #[cfg(feature = "account-attributes")]
        Condition::Attribute { key, any } => match facts.attribute(key) {
            None => (false, A::found(|| format!("no attribute {key}"))),
            Some(value) => {
                let text = value.as_text();
                (any.contains(&text), A::found(|| format!("{key} = {text}")))
            }
        },
        #[cfg(feature = "account-attributes")]
        Condition::AttributeAtLeast { key, value } => {
            match facts.attribute(key).map(|v| (v.as_text(), v.as_number())) {
                None => (false, A::found(|| format!("no attribute {key}"))),
                Some((text, None)) => {
                    (false, A::found(|| format!("{key} = {text} (not a number)")))
                }
                Some((_, Some(number))) => {
                    (number >= *value, A::found(|| format!("{key} = {number}")))
                }
            }
        }
        // Facts without attributes (see `AccountFacts`): no attribute is found.
        #[cfg(not(feature = "account-attributes"))]
        Condition::Attribute { key, .. } | Condition::AttributeAtLeast { key, .. } => {
            (false, A::found(|| format!("no attribute {key}")))
        }
        Condition::CustomerMessagesWithin { at_least, within } => {
            let Some(ticket) = ticket else {
                return no_ticket();
            };
            let recent = ticket
                .customer_messages()
                .filter(|message| in_window(message.at, now, *within))
                .count();
            (
                recent >= *at_least as usize,
                A::found(|| format!("{} within {within}", counted(recent, "customer message"))),
            )
        }
        Condition::TurnsAtLeast { count } => {
            let Some(ticket) = ticket else {
                return no_ticket();
            };
            let turns = ticket.customer_messages().count();
            (
                turns >= *count as usize,
                A::found(|| format!("{turns} customer messages")),
            )
        }
    }
}

/// `1 rage click`, `2 rage clicks`.
fn counted(count: usize, singular: &str) -> String {
    if count == 1 {
        format!("1 {singular}")
    } else {
        format!("{count} {singular}s")
    }
}

fn phrase_outcome<A: Found>(found: Option<&str>) -> (bool, A) {
    match found {
        Some(phrase) => (true, A::found(|| format!("found \"{phrase}\""))),
        None => (false, A::found(|| "none found".to_owned())),
    }
}

fn one_of<A: Found>(actual: Option<&str>, any: &[String], what: &str) -> (bool, A) {
    match actual {
        None => (false, A::found(|| format!("no {what}"))),
        Some(value) => (
            any.iter().any(|wanted| wanted == value),
            A::found(|| format!("{what} {value}")),
        ),
    }
}

fn sentiment_drop<A: Found>(ticket: &TicketFacts, at_least: f64, over_last: u32) -> (bool, A) {
    let scores: Vec<f64> = ticket
        .customer_messages()
        .filter_map(|m| m.sentiment)
        .collect();
    let wanted = over_last as usize;
    if scores.len() < wanted {
        return (
            false,
            A::found(|| format!("only {}", counted(scores.len(), "scored customer message"))),
        );
    }
    let window = &scores[scores.len() - wanted..];
    let (first, last) = (window[0], window[wanted - 1]);
    let drop = first - last;
    // Scores are decimals; compare with a small tolerance so that 0.5 → 0.1 counts as 0.4.
    (
        drop + 1e-9 >= at_least,
        A::found(|| format!("from {first} to {last} (drop {:.2})", drop)),
    )
}

fn same_error_customers<A: Found, F: RuleFacts>(
    facts: &F,
    now: Timestamp,
    at_least: u32,
    within: DurationMs,
) -> (bool, A) {
    let fingerprints = fingerprints(facts);
    if fingerprints.is_empty() {
        return (false, A::found(|| "no error fingerprint".to_owned()));
    }
    // Linear scans over small vectors: a session or a ticket sees a handful of
    // errors, and no ordered map is compiled into the widget.
    let mut customers: Vec<(&str, Vec<&str>)> = Vec::new();
    for report in facts.error_reports() {
        if in_window(report.at, now, within) && fingerprints.contains(&&report.fingerprint) {
            let fingerprint = report.fingerprint.as_str();
            let customer = report.customer.as_str();
            match customers.iter_mut().find(|(f, _)| *f == fingerprint) {
                Some((_, who)) => {
                    if !who.contains(&customer) {
                        who.push(customer);
                    }
                }
                None => customers.push((fingerprint, vec![customer])),
            }
        }
    }
    // Most customers, then the smallest fingerprint.
    let best = customers
        .iter()
        .map(|(fingerprint, who)| (who.len(), *fingerprint))
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(a.1)));
    match best {
        None => (false, A::found(|| "0 customers".to_owned())),
        Some((count, fingerprint)) => (
            count >= at_least as usize,
            A::found(|| format!("{} with {fingerprint}", counted(count, "customer"))),
        ),
    }
}

fn most_repeated<A: Found>(
    keys: impl Iterator<Item = String>,
    at_least: u32,
    what: &str,
) -> (bool, A) {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for key in keys {
        match counts.iter_mut().find(|(k, _)| *k == key) {
            Some((_, count)) => *count += 1,
            None => counts.push((key, 1)),
        }
    }
    // Most repeated, then the smallest key.
    let best = counts
        .iter()
        .map(|(key, count)| (key, count))
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)));
    match best {
        None => (false, A::found(|| format!("no {what}"))),
        Some((key, count)) => (
            *count >= at_least as usize,
            A::found(|| format!("{count}× {key}")),
        ),
    }
}

fn count_signals<F: RuleFacts>(
    facts: &F,
    now: Timestamp,
    within: DurationMs,
    wanted: impl Fn(&SignalKind) -> bool,
) -> u32 {
    let count = facts
        .trail()
        .iter()
        .filter(|signal| in_window(signal.at, now, within) && wanted(&signal.kind))
        .count();
    u32::try_from(count).unwrap_or(u32::MAX)
}

fn dwell<A: Found, F: RuleFacts>(
    facts: &F,
    now: Timestamp,
    pattern: &str,
    at_least: DurationMs,
) -> (bool, A) {
    let current = facts
        .current_page()
        .filter(|page| route_matches(pattern, &page.route))
        .map(|page| (page.route.clone(), now.since(page.since)));
    let completed = facts
        .trail()
        .iter()
        .filter_map(|signal| match &signal.kind {
            SignalKind::Dwell { route, duration } if route_matches(pattern, route) => {
                Some((route.clone(), *duration))
            }
            _ => None,
        });
    let longest = current
        .into_iter()
        .chain(completed)
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)));
    match longest {
        None => (false, A::found(|| format!("never on {pattern}"))),
        Some((route, duration)) => (
            duration >= at_least,
            A::found(|| format!("{duration} on {route}")),
        ),
    }
}
