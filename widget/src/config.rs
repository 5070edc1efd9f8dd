//! Reads the parts of the site config (`waymark_core::wire::SiteConfig`) that
//! drive the nudge and scrubbing into `core`'s own types: the proactive rules,
//! the detector thresholds, the error-page patterns and the scrubbing options.
//!
//! The wasm reads them from the parsed JSON through [`Value`] instead of serde:
//! serde's derived decoders for the matrix types cost tens of KiB of wasm. The
//! format is the one `core` defines; the tests hold this reader to it by reading
//! what serde writes for every condition kind. As `SiteConfig` does, a rule this
//! build cannot read (an unknown condition kind, a field of the wrong type) is
//! skipped, not fatal.

use waymark_core::domain::Priority;
use waymark_core::ids::{RuleId, TierId};
use waymark_core::matrix::{ActionKind, Condition, Rule, RuleAction, SlaKind, When};
use waymark_core::scrub::ScrubConfig;
use waymark_core::signals::{ErrorPagePatterns, SignalConfig};
use waymark_core::time::DurationMs;

/// A parsed JSON value, as the reader needs it.
pub trait Value: Sized {
    /// `self[key]`, when `self` is an object that has it (and it is not null).
    fn get(&self, key: &str) -> Option<Self>;
    /// The string, when it is one.
    fn string(&self) -> Option<String>;
    /// The number, when it is one.
    fn number(&self) -> Option<f64>;
    /// The boolean, when it is one.
    fn boolean(&self) -> Option<bool>;
    /// The items, when it is an array.
    fn items(&self) -> Option<Vec<Self>>;
    /// The keys, when it is an object.
    fn keys(&self) -> Option<Vec<String>>;
}

/// What the nudge and the scrubbers take from the site config.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WidgetConfig {
    /// Detector thresholds (`signals`).
    pub signals: SignalConfig,
    /// Error-page patterns (`error_pages`).
    pub error_pages: ErrorPagePatterns,
    /// The readable proactive rules (`proactive_rules`), in order.
    pub rules: Vec<Rule>,
    /// Scrubbing options (`privacy.scrub`).
    pub scrub: ScrubConfig,
}

/// Reads the site config; absent or unreadable parts keep their defaults.
pub fn read_config<V: Value>(config: &V) -> WidgetConfig {
    let rules = config
        .get("proactive_rules")
        .and_then(|rules| rules.items())
        .unwrap_or_default()
        .iter()
        .filter_map(rule)
        .collect();
    WidgetConfig {
        signals: config
            .get("signals")
            .map(|s| signals(&s))
            .unwrap_or_default(),
        error_pages: config
            .get("error_pages")
            .map(|p| error_pages(&p))
            .unwrap_or_default(),
        rules,
        scrub: config
            .get("privacy")
            .and_then(|p| p.get("scrub"))
            .map(|s| scrub(&s))
            .unwrap_or_default(),
    }
}

fn text<V: Value>(value: &V, key: &str) -> Option<String> {
    value.get(key)?.string()
}

fn texts<V: Value>(value: &V, key: &str) -> Option<Vec<String>> {
    value.get(key)?.items()?.iter().map(V::string).collect()
}

fn count<V: Value>(value: &V, key: &str) -> Option<u32> {
    let n = value.get(key)?.number()?;
    (n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX)).then_some(n as u32)
}

/// A duration: `"10m"` or a number of milliseconds, as `DurationMs` reads it.
fn duration<V: Value>(value: &V, key: &str) -> Option<DurationMs> {
    let value = value.get(key)?;
    match value.string() {
        Some(text) => DurationMs::parse(&text).ok(),
        None => {
            let n = value.number()?;
            (n.fract() == 0.0).then_some(DurationMs(n as i64))
        }
    }
}

fn signals<V: Value>(value: &V) -> SignalConfig {
    let base = SignalConfig::default();
    SignalConfig {
        rage_click_clicks: count(value, "rage_click_clicks").unwrap_or(base.rage_click_clicks),
        rage_click_window: duration(value, "rage_click_window").unwrap_or(base.rage_click_window),
        dead_click_wait: duration(value, "dead_click_wait").unwrap_or(base.dead_click_wait),
        error_page_repeats: count(value, "error_page_repeats").unwrap_or(base.error_page_repeats),
        error_page_window: duration(value, "error_page_window").unwrap_or(base.error_page_window),
        failed_request_repeats: count(value, "failed_request_repeats")
            .unwrap_or(base.failed_request_repeats),
        failed_request_window: duration(value, "failed_request_window")
            .unwrap_or(base.failed_request_window),
        dwell_min: duration(value, "dwell_min").unwrap_or(base.dwell_min),
        trail_limit: count(value, "trail_limit").unwrap_or(base.trail_limit),
    }
}

fn error_pages<V: Value>(value: &V) -> ErrorPagePatterns {
    let base = ErrorPagePatterns::default();
    ErrorPagePatterns {
        routes: texts(value, "routes").unwrap_or(base.routes),
        titles: texts(value, "titles").unwrap_or(base.titles),
    }
}

fn scrub<V: Value>(value: &V) -> ScrubConfig {
    let base = ScrubConfig::default();
    ScrubConfig {
        redact_emails: value
            .get("redact_emails")
            .and_then(|v| v.boolean())
            .unwrap_or(base.redact_emails),
        extra_sensitive_keys: texts(value, "extra_sensitive_keys")
            .unwrap_or(base.extra_sensitive_keys),
    }
}

/// One proactive rule; `None` when it is not an `offer_help` rule this build reads.
fn rule<V: Value>(value: &V) -> Option<Rule> {
    let then = value.get("then")?;
    if text(&then, "action")? != "offer_help" {
        return None;
    }
    let priority = match then.get("priority") {
        None => Priority::default(),
        Some(p) => match p.string()?.as_str() {
            "low" => Priority::Low,
            "normal" => Priority::Normal,
            "high" => Priority::High,
            "urgent" => Priority::Urgent,
            _ => return None,
        },
    };
    let when = value.get("when")?;
    let conditions = |key: &str| -> Option<Vec<Condition>> {
        match when.get(key) {
            None => Some(Vec::new()),
            Some(list) => list.items()?.iter().map(condition).collect(),
        }
    };
    Some(Rule {
        id: RuleId::new(text(value, "id")?),
        description: text(value, "description").unwrap_or_default(),
        when: When {
            all: conditions("all")?,
            any: conditions("any")?,
        },
        then: RuleAction {
            action: ActionKind::OfferHelp,
            to_tier: None,
            to_team: None,
            priority,
            escalation_type: None,
            context: Vec::new(),
            notice: None,
            next_step: None,
            message: text(&then, "message"),
        },
    })
}

/// One condition, written as a one-key object (`{"rage_clicks": {…}}`).
fn condition<V: Value>(value: &V) -> Option<Condition> {
    let keys = value.keys()?;
    let [key] = keys.as_slice() else {
        return None;
    };
    let v = value.get(key)?;
    let within = || duration(&v, "within");
    let at_least = || count(&v, "at_least");
    Some(match key.as_str() {
        "open_at_tier" => Condition::OpenAtTier {
            tier: TierId::new(text(&v, "tier")?),
            for_at_least: duration(&v, "for_at_least")?,
        },
        "sla_remaining" => Condition::SlaRemaining {
            sla: match text(&v, "sla")?.as_str() {
                "acknowledgement" => SlaKind::Acknowledgement,
                "resolution" => SlaKind::Resolution,
                _ => return None,
            },
            below: duration(&v, "below")?,
        },
        "at_tier" => Condition::AtTier {
            any: texts(&v, "any")?.into_iter().map(TierId::new).collect(),
        },
        "sentiment_below" => Condition::SentimentBelow {
            score: v.get("score")?.number()?,
        },
        "sentiment_drop" => Condition::SentimentDrop {
            at_least: v.get("at_least")?.number()?,
            over_last: count(&v, "over_last")?,
        },
        "customer_says" => Condition::CustomerSays {
            any: texts(&v, "any")?,
        },
        "mentions" => Condition::Mentions {
            any: texts(&v, "any")?,
        },
        "product_area" => Condition::ProductArea {
            any: texts(&v, "any")?,
        },
        "billing_amount_above" => Condition::BillingAmountAbove {
            amount: v.get("amount")?.number()?,
        },
        "same_error_customers" => Condition::SameErrorCustomers {
            at_least: at_least()?,
            within: within()?,
        },
        "error_page_repeated" => Condition::ErrorPageRepeated {
            at_least: at_least()?,
            within: within()?,
            route: optional_text(&v, "route")?,
        },
        "js_error_repeated" => Condition::JsErrorRepeated {
            at_least: at_least()?,
            within: within()?,
        },
        "failed_request_repeated" => Condition::FailedRequestRepeated {
            at_least: at_least()?,
            within: within()?,
            path: optional_text(&v, "path")?,
        },
        "rage_clicks" => Condition::RageClicks {
            at_least: at_least()?,
            within: within()?,
        },
        "dead_clicks" => Condition::DeadClicks {
            at_least: at_least()?,
            within: within()?,
        },
        "dwell" => Condition::Dwell {
            route: text(&v, "route")?,
            at_least: duration(&v, "at_least")?,
        },
        "plan" => Condition::Plan {
            any: texts(&v, "any")?,
        },
        "account_tier" => Condition::AccountTier {
            any: texts(&v, "any")?,
        },
        "attribute" => Condition::Attribute {
            key: text(&v, "key")?,
            any: texts(&v, "any")?,
        },
        "attribute_at_least" => Condition::AttributeAtLeast {
            key: text(&v, "key")?,
            value: v.get("value")?.number()?,
        },
        "customer_messages_within" => Condition::CustomerMessagesWithin {
            at_least: at_least()?,
            within: within()?,
        },
        "turns_at_least" => Condition::TurnsAtLeast {
            count: count(&v, "count")?,
        },
        _ => return None,
    })
}

/// An optional string field: `Some(None)` when absent, `None` when not a string.
fn optional_text<V: Value>(value: &V, key: &str) -> Option<Option<String>> {
    match value.get(key) {
        None => Some(None),
        Some(v) => v.string().map(Some),
    }
}

/// serde_json's values, for the native tests.
#[cfg(test)]
impl Value for serde_json::Value {
    fn get(&self, key: &str) -> Option<Self> {
        self.as_object()?.get(key).filter(|v| !v.is_null()).cloned()
    }
    fn string(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn items(&self) -> Option<Vec<Self>> {
        self.as_array().cloned()
    }
    fn keys(&self) -> Option<Vec<String>> {
        Some(self.as_object()?.keys().cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use serde_json::json;

    /// A help rule with one condition of every kind, in core's format.
    const EVERY_KIND: &str = r#"{
      "id": "every-kind",
      "description": "one condition of every kind",
      "when": {
        "all": [
          { "open_at_tier": { "tier": "tier1", "for_at_least": "4h" } },
          { "sla_remaining": { "sla": "resolution", "below": "1h" } },
          { "sla_remaining": { "sla": "acknowledgement", "below": "5m" } },
          { "at_tier": { "any": ["tier1", "tier2"] } },
          { "sentiment_below": { "score": -0.25 } },
          { "sentiment_drop": { "at_least": 0.5, "over_last": 3 } },
          { "customer_says": { "any": ["cancel"] } },
          { "mentions": { "any": ["invoice"] } },
          { "product_area": { "any": ["billing"] } },
          { "billing_amount_above": { "amount": 500.5 } },
          { "same_error_customers": { "at_least": 3, "within": "2h" } },
          { "error_page_repeated": { "at_least": 3, "within": "10m", "route": "/billing/**" } },
          { "js_error_repeated": { "at_least": 2, "within": "1m" } },
          { "failed_request_repeated": { "at_least": 3, "within": "5m", "path": "/api/**" } },
          { "rage_clicks": { "at_least": 1, "within": "2m" } },
          { "dead_clicks": { "at_least": 2, "within": "90s" } },
          { "dwell": { "route": "/billing/**", "at_least": "2m" } },
          { "plan": { "any": ["enterprise"] } },
          { "account_tier": { "any": ["strategic"] } },
          { "attribute": { "key": "region", "any": ["eu"] } },
          { "attribute_at_least": { "key": "seats", "value": 10.0 } },
          { "customer_messages_within": { "at_least": 3, "within": "10m" } },
          { "turns_at_least": { "count": 5 } }
        ],
        "any": [{ "error_page_repeated": { "at_least": 1, "within": 60000 } }]
      },
      "then": { "action": "offer_help", "priority": "high", "message": "Need a hand?" }
    }"#;

    #[test]
    fn reads_every_condition_kind_exactly_as_core_writes_it() {
        let every_kind: Rule = serde_json::from_str(EVERY_KIND).unwrap();
        assert_eq!(every_kind.when.all.len(), 23);
        let sample = waymark_core::matrix::load_toml(include_str!(
            "../../core/examples/escalation-matrix.toml"
        ))
        .unwrap();
        let mut rules = vec![every_kind];
        rules.extend(sample.proactive_rules());
        let config = json!({ "proactive_rules": serde_json::to_value(&rules).unwrap() });
        assert_eq!(read_config(&config).rules, rules);
    }

    #[test]
    fn thresholds_patterns_and_scrubbing_are_read_with_defaults_for_the_rest() {
        let config = json!({
            "signals": { "error_page_repeats": 2, "error_page_window": "1m", "dwell_min": 5000 },
            "error_pages": { "routes": ["/oops"] },
            "privacy": { "consent": "after_interaction", "scrub": { "redact_emails": false } },
        });
        let read = read_config(&config);
        assert_eq!(read.signals.error_page_repeats, 2);
        assert_eq!(read.signals.error_page_window, DurationMs::minutes(1));
        assert_eq!(read.signals.dwell_min, DurationMs::seconds(5));
        assert_eq!(
            read.signals.trail_limit,
            SignalConfig::default().trail_limit
        );
        assert_eq!(read.error_pages.routes, ["/oops"]);
        assert_eq!(read.error_pages.titles, ErrorPagePatterns::default().titles);
        assert!(!read.scrub.redact_emails);
        assert_eq!(read_config(&json!({})), WidgetConfig::default());
    }

    #[test]
    fn rules_this_build_cannot_read_are_skipped_and_the_others_kept() {
        let config = json!({ "proactive_rules": [
            { "id": "future", "when": { "all": [{ "moon_phase": { "full": true } }] }, "then": { "action": "offer_help" } },
            { "id": "typo", "when": { "all": [{ "rage_clicks": { "at_least": "one", "within": "2m" } }] }, "then": { "action": "offer_help" } },
            { "id": "routing", "when": { "all": [{ "rage_clicks": { "at_least": 1, "within": "2m" } }] }, "then": { "action": "escalate", "to_tier": "tier2" } },
            { "id": "ok", "when": { "all": [{ "rage_clicks": { "at_least": 1, "within": "2m" } }] }, "then": { "action": "offer_help" } },
        ]});
        let ids: Vec<String> = read_config(&config)
            .rules
            .iter()
            .map(|r| r.id.to_string())
            .collect();
        assert_eq!(ids, ["ok"]);
    }
}
