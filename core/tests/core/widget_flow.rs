//! The widget's path through core: observations → page tracker → facts → the
//! proactive rules it received as JSON → a help nudge; and the same events sent to
//! the server turn into the same signals.

use crate::support::*;
use waymark_core::matrix::EscalationMatrix;
use waymark_core::rules::{DecidedAction, evaluate};
use waymark_core::signals::{ErrorPagePatterns, Observation, PageTracker, SignalConfig};
use waymark_core::time::{DurationMs, Timestamp};
use waymark_core::wire::{ClientEvent, EventKind, SiteConfig};

fn site_config_from_server() -> SiteConfig {
    let config = SiteConfig {
        proactive_rules: sample_matrix().proactive_rules(),
        ..SiteConfig::default()
    };
    let json = serde_json::to_string(&config).unwrap();
    serde_json::from_str(&json).unwrap()
}

fn error_page_at(tracker: &mut PageTracker, at: Timestamp) {
    let page = Observation::Page {
        route: "/orders/500".into(),
        title: "Something went wrong".into(),
        marked_error: false,
        in_app: true,
    };
    tracker.observe(at, page);
    let away = Observation::Page {
        route: "/orders".into(),
        title: "Orders".into(),
        marked_error: false,
        in_app: true,
    };
    tracker.observe(at.plus(DurationMs::seconds(20)), away);
}

#[test]
fn the_sample_matrix_survives_json_and_only_help_rules_reach_the_widget() {
    let matrix = sample_matrix();
    let json = serde_json::to_string(&matrix).unwrap();
    let back: EscalationMatrix = serde_json::from_str(&json).unwrap();
    assert_eq!(back, matrix);
    let ids: Vec<String> = site_config_from_server()
        .proactive_rules
        .iter()
        .map(|rule| rule.id.to_string())
        .collect();
    assert_eq!(
        ids,
        [
            "repeated-error-page",
            "frustration-on-page",
            "billing-dwell"
        ]
    );
}

#[test]
fn three_error_pages_in_ten_minutes_open_a_nudge_in_the_widget() {
    let config = site_config_from_server();
    let rules = EscalationMatrix {
        version: 1,
        rules: config.proactive_rules.clone(),
        ..EscalationMatrix::default()
    };
    let mut tracker = PageTracker::new(config.signals.clone(), config.error_pages.clone());
    error_page_at(&mut tracker, ago("9m"));
    error_page_at(&mut tracker, ago("5m"));
    assert!(evaluate(&rules, &tracker.facts(), NOW).is_empty());
    error_page_at(&mut tracker, ago("1m"));
    let decisions = evaluate(&rules, &tracker.facts(), NOW);
    assert_eq!(decisions.len(), 1);
    assert!(matches!(
        decisions[0].action,
        DecidedAction::OfferHelp { .. }
    ));
}

#[test]
fn the_server_sees_the_same_signals_from_wire_events() {
    let mut tracker = PageTracker::new(SignalConfig::default(), ErrorPagePatterns::default());
    let observed = tracker.observe(
        NOW,
        Observation::JsError {
            message: "TypeError: order 77 has no total".into(),
            source: Some("https://cdn.example/app.12ab34cd.js".into()),
            route: "/checkout".into(),
        },
    );
    let event: ClientEvent = serde_json::from_str(&format!(
        r#"{{"id":"e1","at_ms":{},"type":"js_error","message":"TypeError: order 12 has no total","source":"https://cdn.example/app.99ff00aa.js","route":"/checkout"}}"#,
        NOW.0
    ))
    .unwrap();
    assert!(matches!(event.kind, EventKind::JsError(_)));
    assert_eq!(event.to_signal().as_ref(), observed.signals.first());
}
