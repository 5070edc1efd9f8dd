//! Rule conditions: time, sentiment, topic, volume, page signals, account attributes
//! and multi-turn depth. Each is written in TOML as a one-key table, e.g.
//! `{ open_at_tier = { tier = "tier1", for_at_least = "4h" } }`.
//!
//! Boundaries are part of the contract: counts are "at least N" (exactly N holds),
//! windows include both edges (`[now - within, now]`), durations are "at least D",
//! while thresholds named `below` / `above` are strict.

use crate::ids::TierId;
use crate::time::DurationMs;
use serde::{Deserialize, Serialize};

/// One observable condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// Time: the ticket is open (not resolved) at `tier` for at least `for_at_least`.
    OpenAtTier {
        /// The tier.
        tier: TierId,
        /// Minimum time at the tier.
        for_at_least: DurationMs,
    },
    /// Time: less than `below` is left before the SLA is due (or it is already breached).
    SlaRemaining {
        /// Which SLA.
        sla: SlaKind,
        /// Strict upper bound on the time left.
        below: DurationMs,
    },
    /// The ticket is currently at one of these tiers.
    AtTier {
        /// Accepted tiers.
        any: Vec<TierId>,
    },
    /// Sentiment: the current score (−1 … 1, computed elsewhere) is strictly below `score`.
    SentimentBelow {
        /// Threshold.
        score: f64,
    },
    /// Sentiment: across the last `over_last` scored customer messages, the score fell
    /// by at least `at_least` (first minus last).
    SentimentDrop {
        /// Minimum fall.
        at_least: f64,
        /// Number of most recent scored customer messages looked at (≥ 2).
        over_last: u32,
    },
    /// Sentiment: a customer message contains one of these phrases (whole words, any case).
    CustomerSays {
        /// Phrases such as `cancel`, `lawyer`, `refund`.
        any: Vec<String>,
    },
    /// Topic: the subject or any message contains one of these phrases.
    Mentions {
        /// Keywords or phrases.
        any: Vec<String>,
    },
    /// Topic: the ticket is classified in one of these product areas.
    ProductArea {
        /// Areas such as `billing`, `data_loss`, `security`, `legal`, `compliance`.
        any: Vec<String>,
    },
    /// Topic: the disputed billing amount is strictly above `amount`.
    BillingAmountAbove {
        /// Threshold, in the account's currency.
        amount: f64,
    },
    /// Volume: at least `at_least` distinct customers reported one of the ticket's error
    /// fingerprints within `within`.
    SameErrorCustomers {
        /// Minimum distinct customers.
        at_least: u32,
        /// Window ending now.
        within: DurationMs,
    },
    /// Page: the same error page (one route) was shown at least `at_least` times within
    /// `within` in the session; optionally only routes matching `route`.
    ErrorPageRepeated {
        /// Minimum count.
        at_least: u32,
        /// Window ending now.
        within: DurationMs,
        /// Route pattern (`/billing/**`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        route: Option<String>,
    },
    /// Page: the same JS error fingerprint occurred at least `at_least` times within `within`.
    JsErrorRepeated {
        /// Minimum count.
        at_least: u32,
        /// Window ending now.
        within: DurationMs,
    },
    /// Page: the same request (method and path) failed at least `at_least` times within
    /// `within`; optionally only paths matching `path`.
    FailedRequestRepeated {
        /// Minimum count.
        at_least: u32,
        /// Window ending now.
        within: DurationMs,
        /// Request path pattern (`/api/payments/**`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        path: Option<String>,
    },
    /// Page: at least `at_least` rage clicks within `within`.
    RageClicks {
        /// Minimum count.
        at_least: u32,
        /// Window ending now.
        within: DurationMs,
    },
    /// Page: at least `at_least` dead clicks within `within`.
    DeadClicks {
        /// Minimum count.
        at_least: u32,
        /// Window ending now.
        within: DurationMs,
    },
    /// Page: the user stayed on a route matching `route` for at least `at_least`
    /// (the current page counts up to now).
    Dwell {
        /// Route pattern.
        route: String,
        /// Minimum time on the page.
        at_least: DurationMs,
    },
    /// Account: the plan is one of these.
    Plan {
        /// Plans such as `enterprise`.
        any: Vec<String>,
    },
    /// Account: the account tier is one of these.
    AccountTier {
        /// Account tiers such as `strategic`.
        any: Vec<String>,
    },
    /// Account: a custom attribute equals one of these values (compared as text).
    Attribute {
        /// Attribute key.
        key: String,
        /// Accepted values.
        any: Vec<String>,
    },
    /// Account: a numeric custom attribute is at least `value`.
    AttributeAtLeast {
        /// Attribute key.
        key: String,
        /// Minimum.
        value: f64,
    },
    /// Ticket cadence: at least `at_least` customer messages within `within`.
    CustomerMessagesWithin {
        /// Minimum messages.
        at_least: u32,
        /// Window ending now.
        within: DurationMs,
    },
    /// Multi-turn depth: at least `count` customer messages.
    TurnsAtLeast {
        /// Minimum customer messages.
        count: u32,
    },
}

/// Which SLA a time condition looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaKind {
    /// The receiving tier confirms it has the ticket.
    Acknowledgement,
    /// The ticket is resolved.
    Resolution,
}

impl Condition {
    /// The key naming this condition in TOML (`open_at_tier`).
    pub fn key(&self) -> &'static str {
        match self {
            Condition::OpenAtTier { .. } => "open_at_tier",
            Condition::SlaRemaining { .. } => "sla_remaining",
            Condition::AtTier { .. } => "at_tier",
            Condition::SentimentBelow { .. } => "sentiment_below",
            Condition::SentimentDrop { .. } => "sentiment_drop",
            Condition::CustomerSays { .. } => "customer_says",
            Condition::Mentions { .. } => "mentions",
            Condition::ProductArea { .. } => "product_area",
            Condition::BillingAmountAbove { .. } => "billing_amount_above",
            Condition::SameErrorCustomers { .. } => "same_error_customers",
            Condition::ErrorPageRepeated { .. } => "error_page_repeated",
            Condition::JsErrorRepeated { .. } => "js_error_repeated",
            Condition::FailedRequestRepeated { .. } => "failed_request_repeated",
            Condition::RageClicks { .. } => "rage_clicks",
            Condition::DeadClicks { .. } => "dead_clicks",
            Condition::Dwell { .. } => "dwell",
            Condition::Plan { .. } => "plan",
            Condition::AccountTier { .. } => "account_tier",
            Condition::Attribute { .. } => "attribute",
            Condition::AttributeAtLeast { .. } => "attribute_at_least",
            Condition::CustomerMessagesWithin { .. } => "customer_messages_within",
            Condition::TurnsAtLeast { .. } => "turns_at_least",
        }
    }

    /// What the condition asks, in words (`open at tier1 for at least 4h`).
    pub fn describe(&self) -> String {
        match self {
            Condition::OpenAtTier { tier, for_at_least } => {
                format!("open at {tier} for at least {for_at_least}")
            }
            Condition::SlaRemaining { sla, below } => {
                format!("{} SLA remaining below {below}", sla.name())
            }
            Condition::AtTier { any } => format!("at tier {}", join(any)),
            Condition::SentimentBelow { score } => format!("sentiment below {score}"),
            Condition::SentimentDrop {
                at_least,
                over_last,
            } => {
                format!(
                    "sentiment drop of at least {at_least} over the last {over_last} customer messages"
                )
            }
            Condition::CustomerSays { any } => format!("customer says any of {}", quoted(any)),
            Condition::Mentions { any } => format!("mentions any of {}", quoted(any)),
            Condition::ProductArea { any } => format!("product area in {}", join(any)),
            Condition::BillingAmountAbove { amount } => format!("billing amount above {amount}"),
            Condition::SameErrorCustomers { at_least, within } => {
                format!(
                    "at least {at_least} distinct customers with the same error within {within}"
                )
            }
            Condition::ErrorPageRepeated {
                at_least,
                within,
                route,
            } => format!(
                "same error page{} at least {at_least} times within {within}",
                route
                    .as_ref()
                    .map(|r| format!(" on {r}"))
                    .unwrap_or_default()
            ),
            Condition::JsErrorRepeated { at_least, within } => {
                format!("same JS error at least {at_least} times within {within}")
            }
            Condition::FailedRequestRepeated {
                at_least,
                within,
                path,
            } => format!(
                "same failed request{} at least {at_least} times within {within}",
                path.as_ref()
                    .map(|p| format!(" to {p}"))
                    .unwrap_or_default()
            ),
            Condition::RageClicks { at_least, within } => {
                format!("at least {at_least} rage click(s) within {within}")
            }
            Condition::DeadClicks { at_least, within } => {
                format!("at least {at_least} dead click(s) within {within}")
            }
            Condition::Dwell { route, at_least } => {
                format!("dwell on {route} for at least {at_least}")
            }
            Condition::Plan { any } => format!("plan in {}", join(any)),
            Condition::AccountTier { any } => format!("account tier in {}", join(any)),
            Condition::Attribute { key, any } => format!("attribute {key} in {}", join(any)),
            Condition::AttributeAtLeast { key, value } => {
                format!("attribute {key} at least {value}")
            }
            Condition::CustomerMessagesWithin { at_least, within } => {
                format!("at least {at_least} customer messages within {within}")
            }
            Condition::TurnsAtLeast { count } => format!("at least {count} customer messages"),
        }
    }
}

impl SlaKind {
    /// `acknowledgement` or `resolution`.
    pub fn name(self) -> &'static str {
        match self {
            SlaKind::Acknowledgement => "acknowledgement",
            SlaKind::Resolution => "resolution",
        }
    }
}

fn join<T: std::fmt::Display>(items: &[T]) -> String {
    let parts: Vec<String> = items.iter().map(ToString::to_string).collect();
    format!("[{}]", parts.join(", "))
}

fn quoted(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|item| format!("\"{item}\"")).collect();
    format!("[{}]", parts.join(", "))
}
