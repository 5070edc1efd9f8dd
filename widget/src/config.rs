//! Reads the parts of the site config (`waymark_core::wire::SiteConfig`) that
//! drive the nudge and scrubbing into `core`'s own types: the proactive rules,
//! the detector thresholds, the error-page patterns and the scrubbing options.
//!
//! The wasm reads them from the parsed JSON through [`Value`] instead of serde:
//! serde's derived decoders for the matrix types cost tens of KiB of wasm. The
//! format is the one `core` defines. Conditions about a ticket or an account
//! (which the browser's `PageFacts` never have, so core decides they never hold
//! there) are read as one such condition without their fields; the page
//! conditions are read exactly. The tests hold this reader to core: page
//! conditions read back as serde writes them, and a property test shows the read
//! rules offer help over `PageFacts` exactly as the written ones do. As
//! `SiteConfig` does, a rule this build cannot read (an unknown condition kind, a
//! page condition's field of the wrong type) is skipped, not fatal.

use waymark_core::domain::Priority;
use waymark_core::ids::RuleId;
use waymark_core::matrix::{ActionKind, Condition, Rule, RuleAction, When};
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

/// The site's consent mode (`privacy.consent`), as the widget applies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    /// The default: a tab-scoped session id and the page-signal counters go
    /// to `sessionStorage` at once (no cookies, no `localStorage`); the
    /// conversation after the user interacts.
    Functional,
    /// Nothing is stored before the user interacts or the host calls `consent`.
    Strict,
    /// Nothing is stored or sent before the host calls `consent`.
    AfterConsent,
    /// The host manages consent itself: everything at once.
    NotRequired,
}

impl Consent {
    /// From the wire value; unknown or absent values are the default,
    /// `after_interaction` is the older name of `strict`.
    pub fn from_wire(value: &str) -> Self {
        match value {
            "strict" | "after_interaction" => Self::Strict,
            "after_consent" => Self::AfterConsent,
            "not_required" => Self::NotRequired,
            _ => Self::Functional,
        }
    }

    /// Whether the session id and the page-signal counters are kept at once.
    pub fn keeps_signals(self) -> bool {
        matches!(self, Self::Functional | Self::NotRequired)
    }

    /// Whether everything may be stored at once.
    pub fn stores_everything(self) -> bool {
        self == Self::NotRequired
    }

    /// Whether events go out before the host's consent.
    pub fn sends_before_consent(self) -> bool {
        self != Self::AfterConsent
    }
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
    let flag =
        |key: &str, default: bool| value.get(key).and_then(|v| v.boolean()).unwrap_or(default);
    ScrubConfig {
        redact_emails: flag("redact_emails", base.redact_emails),
        redact_ip_addresses: flag("redact_ip_addresses", base.redact_ip_addresses),
        redact_home_directories: flag("redact_home_directories", base.redact_home_directories),
        redact_uuids: flag("redact_uuids", base.redact_uuids),
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
        // About a ticket or an account, which `PageFacts` never have: core
        // decides that none of these holds in the browser, so they are kept as one
        // such condition without reading their fields.
        "open_at_tier"
        | "sla_remaining"
        | "at_tier"
        | "sentiment_below"
        | "sentiment_drop"
        | "customer_says"
        | "mentions"
        | "product_area"
        | "billing_amount_above"
        | "plan"
        | "account_tier"
        | "attribute"
        | "attribute_at_least"
        | "customer_messages_within"
        | "turns_at_least" => page_never(),
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
        _ => return None,
    })
}

/// A condition that never holds over `PageFacts`: a plan from an empty list
/// (the browser knows no plan, and nothing is in an empty list anyway).
fn page_never() -> Condition {
    Condition::Plan { any: Vec::new() }
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
mod consent_tests {
    use super::Consent;

    #[test]
    fn functional_is_the_default_and_keeps_only_session_and_signals_at_once() {
        let consent = Consent::from_wire("");
        assert_eq!(consent, Consent::Functional);
        assert_eq!(Consent::from_wire("functional"), Consent::Functional);
        assert!(consent.keeps_signals());
        assert!(!consent.stores_everything());
        assert!(consent.sends_before_consent());
    }

    #[test]
    fn strict_and_after_consent_keep_nothing_at_once() {
        for wire in ["strict", "after_interaction", "after_consent"] {
            assert!(!Consent::from_wire(wire).keeps_signals(), "{wire}");
        }
        assert!(Consent::from_wire("strict").sends_before_consent());
        assert!(!Consent::from_wire("after_consent").sends_before_consent());
        assert!(Consent::from_wire("not_required").stores_everything());
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use proptest::prelude::*;
    use serde_json::json;
    use waymark_core::domain::{PageSignal, SignalKind};
    use waymark_core::ids::Fingerprint;
    use waymark_core::rules::{CurrentPage, PageFacts, offer_help};
    use waymark_core::time::Timestamp;

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

    /// Whether core's `PageFacts` can ever satisfy this kind of condition.
    fn about_the_page(condition: &Condition) -> bool {
        matches!(
            condition,
            Condition::SameErrorCustomers { .. }
                | Condition::ErrorPageRepeated { .. }
                | Condition::JsErrorRepeated { .. }
                | Condition::FailedRequestRepeated { .. }
                | Condition::RageClicks { .. }
                | Condition::DeadClicks { .. }
                | Condition::Dwell { .. }
        )
    }

    #[test]
    fn reads_page_conditions_exactly_and_collapses_ticket_and_account_ones() {
        let every_kind: Rule = serde_json::from_str(EVERY_KIND).unwrap();
        assert_eq!(every_kind.when.all.len(), 23);
        let config = json!({ "proactive_rules": [serde_json::to_value(&every_kind).unwrap()] });
        let read = read_config(&config).rules;
        let [rule] = read.as_slice() else {
            panic!("one rule expected, read {read:?}");
        };
        assert_eq!(rule.id, every_kind.id);
        assert_eq!(rule.then, every_kind.then);
        assert_eq!(rule.when.any, every_kind.when.any);
        for (read, written) in rule.when.all.iter().zip(&every_kind.when.all) {
            if about_the_page(written) {
                assert_eq!(read, written);
            } else {
                assert_eq!(read, &page_never(), "{written:?}");
            }
        }
        assert_eq!(rule.when.all.len(), every_kind.when.all.len());
    }

    #[test]
    fn the_sample_matrix_help_rules_are_read_exactly() {
        let sample = waymark_core::matrix::load_toml(include_str!(
            "../../core/examples/escalation-matrix.toml"
        ))
        .unwrap();
        let rules = sample.proactive_rules();
        assert!(!rules.is_empty());
        let config = json!({ "proactive_rules": serde_json::to_value(&rules).unwrap() });
        assert_eq!(read_config(&config).rules, rules);
    }

    /// A page trail: error pages, JS errors, failed requests, rage and dead
    /// clicks and dwells on a few routes within the last hour.
    fn any_trail() -> impl Strategy<Value = Vec<PageSignal>> {
        let route = || prop::sample::select(vec!["/billing/invoices", "/500", "/orders"]);
        let kind = prop_oneof![
            route().prop_map(|r| SignalKind::ErrorPage { route: r.into() }),
            route().prop_map(|r| SignalKind::JsError {
                fingerprint: Fingerprint::new("fp"),
                route: r.into(),
            }),
            (route(), prop::option::of(400u16..600)).prop_map(|(r, status)| {
                SignalKind::FailedRequest {
                    method: "POST".into(),
                    path: "/api/pay".into(),
                    status,
                    route: r.into(),
                }
            }),
            route().prop_map(|r| SignalKind::RageClick {
                target: "button".into(),
                route: r.into(),
                clicks: 4,
            }),
            route().prop_map(|r| SignalKind::DeadClick {
                target: "span".into(),
                route: r.into(),
            }),
            (route(), 0i64..300_000).prop_map(|(r, ms)| SignalKind::Dwell {
                route: r.into(),
                duration: DurationMs(ms),
            }),
        ];
        prop::collection::vec((0i64..3_600_000, kind), 0..10).prop_map(|signals| {
            let mut trail: Vec<PageSignal> = signals
                .into_iter()
                .map(|(ago, kind)| PageSignal {
                    at: Timestamp(NOW.0 - ago),
                    kind,
                })
                .collect();
            trail.sort_by_key(|s| s.at);
            trail
        })
    }

    const NOW: Timestamp = Timestamp(1_800_000_000_000);

    /// Help rules of up to three conditions in `all` and `any`, drawn from every
    /// kind in [`EVERY_KIND`], at any priority.
    fn any_rules() -> impl Strategy<Value = Vec<Rule>> {
        let every_kind: Rule = serde_json::from_str(EVERY_KIND).unwrap();
        let mut pool = every_kind.when.all.clone();
        pool.extend(every_kind.when.any.clone());
        let condition = prop::sample::select(pool);
        let priority = prop::sample::select(vec![
            Priority::Low,
            Priority::Normal,
            Priority::High,
            Priority::Urgent,
        ]);
        let rule = (
            prop::collection::vec(condition.clone(), 0..3),
            prop::collection::vec(condition, 0..3),
            priority,
        );
        prop::collection::vec(rule, 1..5).prop_map(|rules| {
            rules
                .into_iter()
                .enumerate()
                .map(|(index, (all, any, priority))| Rule {
                    id: RuleId::new(format!("r{index}")),
                    description: String::new(),
                    when: When { all, any },
                    then: RuleAction {
                        action: ActionKind::OfferHelp,
                        to_tier: None,
                        to_team: None,
                        priority,
                        escalation_type: None,
                        context: Vec::new(),
                        notice: None,
                        next_step: None,
                        message: None,
                    },
                })
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        /// What the widget reads decides, over the browser's facts, exactly as
        /// the rules the server wrote.
        #[test]
        fn read_rules_offer_help_as_the_written_ones_do(
            rules in any_rules(),
            trail in any_trail(),
            on_page in prop::option::of((prop::sample::select(vec!["/billing/invoices", "/500"]), 0i64..600_000)),
            fired in prop::collection::vec(prop::sample::select(vec!["r0", "r1"]), 0..2),
        ) {
            let config = json!({ "proactive_rules": serde_json::to_value(&rules).unwrap() });
            let read = read_config(&config).rules;
            prop_assert_eq!(read.len(), rules.len());
            let facts = PageFacts {
                trail,
                current_page: on_page.map(|(route, ms)| CurrentPage {
                    route: route.into(),
                    since: Timestamp(NOW.0 - ms),
                }),
                fired_rules: fired.into_iter().map(RuleId::new).collect(),
            };
            let written = offer_help(&rules, &facts, NOW).map(|r| r.id.clone());
            let decided = offer_help(&read, &facts, NOW).map(|r| r.id.clone());
            prop_assert_eq!(decided, written);
        }
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
