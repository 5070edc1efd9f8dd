//! Compatibility of the wire protocol: old payloads, unknown fields, unknown kinds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::domain::SignalKind;

#[test]
fn batch_round_trips_with_tagged_kinds() {
    let json = r#"{"v":1,"session_id":"s1","events":[
        {"id":"e1","at_ms":1,"type":"page_view","url":"https://x/a","route":"/a","title":"A"},
        {"id":"e2","at_ms":2,"type":"js_error","message":"boom","route":"/a","future_field":3}
    ]}"#;
    let batch: EventBatch = serde_json::from_str(json).unwrap();
    assert_eq!(batch.events.len(), 2);
    assert!(matches!(&batch.events[1].kind, EventKind::JsError(e) if e.message == "boom"));
    let again: EventBatch = serde_json::from_str(&serde_json::to_string(&batch).unwrap()).unwrap();
    assert_eq!(again, batch);
}

#[test]
fn a_first_release_v1_payload_without_newer_optional_fields_is_accepted() {
    // Exactly what the first widget release sends: no version, no referrer/viewport,
    // no fingerprint, no newer event kinds.
    let json = r#"{"session_id":"s1","events":[
        {"id":"e1","at_ms":10,"type":"navigation","url":"https://x/b","route":"/b"},
        {"id":"e2","at_ms":11,"type":"js_error","message":"x is undefined"}
    ]}"#;
    let batch: EventBatch = serde_json::from_str(json).unwrap();
    assert_eq!(batch.v, PROTOCOL_VERSION);
    let EventKind::Navigation(page) = &batch.events[0].kind else {
        panic!("navigation")
    };
    assert_eq!(
        (page.title.as_str(), page.referrer.as_ref(), page.viewport),
        ("", None, None)
    );
    let signal = batch.events[1].to_signal().unwrap();
    assert!(
        matches!(signal.kind, SignalKind::JsError { ref fingerprint, .. } if fingerprint.as_str().len() == 16)
    );
}

#[test]
fn unknown_event_kinds_and_fields_are_tolerated() {
    let json = r#"{"session_id":"s","events":[
        {"id":"e1","at_ms":1,"type":"web_vital","name":"LCP","value":2.5},
        {"id":"e2","at_ms":2,"type":"failed_request","method":"post","url":"https://x/api/pay?token=1","status":502,"route":"/pay","headers_seen":false}
    ]}"#;
    let batch: EventBatch = serde_json::from_str(json).unwrap();
    assert_eq!(batch.events[0].kind, EventKind::Unknown);
    assert_eq!(batch.events[0].to_signal(), None);
    let signal = batch.events[1].to_signal().unwrap();
    assert_eq!(
        signal.kind,
        SignalKind::FailedRequest {
            method: "POST".into(),
            path: "/api/pay".into(),
            status: Some(502),
            route: "/pay".into()
        }
    );
}

#[test]
fn new_event_kinds_have_stable_json_shapes() {
    let events = [
        (
            r#"{"id":"a","at_ms":1,"type":"rage_click","target":"button#pay","route":"/pay","clicks":5}"#,
            "rage_click",
        ),
        (
            r#"{"id":"b","at_ms":1,"type":"dead_click","target":"a.more","route":"/docs"}"#,
            "dead_click",
        ),
        (
            r#"{"id":"c","at_ms":1,"type":"error_page","url":"https://x/500","route":"/500"}"#,
            "error_page",
        ),
        (
            r#"{"id":"d","at_ms":1,"type":"dwell","route":"/billing","duration_ms":120000}"#,
            "dwell",
        ),
    ];
    for (json, kind) in events {
        let event: ClientEvent = serde_json::from_str(json).unwrap();
        let back = serde_json::to_value(&event).unwrap();
        assert_eq!(back["type"], kind);
        assert_eq!(event.kind.name(), kind);
        assert!(!event.kind.route().is_empty());
        assert!(event.to_signal().is_some());
    }
}

#[test]
fn site_config_defaults_and_skips_rules_it_cannot_read() {
    let config: SiteConfig = serde_json::from_str("{}").unwrap();
    assert_eq!(config.signals.rage_click_clicks, 4);
    assert!(config.privacy.scrub.redact_emails);

    let json = r##"{"v":1,"theme":{"accent_color":"#0a7cff","sparkles":true},
        "signals":{"dead_click_wait":"5s","future_threshold":1},
        "proactive_rules":[
          {"id":"r1","when":{"all":[{"error_page_repeated":{"at_least":3,"within":"10m"}}]},"then":{"action":"offer_help"}},
          {"id":"r2","when":{"all":[{"moon_phase":{"is":"full"}}]},"then":{"action":"offer_help"}}
        ],
        "brand_new_section":{}}"##;
    let config: SiteConfig = serde_json::from_str(json).unwrap();
    assert_eq!(config.theme.accent_color.as_deref(), Some("#0a7cff"));
    assert_eq!(config.signals.dead_click_wait.0, 5_000);
    let ids: Vec<&str> = config
        .proactive_rules
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(ids, ["r1"]);
    let back: SiteConfig = serde_json::from_str(&serde_json::to_string(&config).unwrap()).unwrap();
    assert_eq!(back, config);
}

#[test]
fn conversation_messages_accept_minimal_payloads() {
    let start: StartConversationRequest =
        serde_json::from_str(r#"{"session_id":"s","idempotency_key":"k1","message":"help"}"#)
            .unwrap();
    assert_eq!(start.intent, ConversationIntent::Ask);
    let escalate: EscalateRequest = serde_json::from_str(r#"{"idempotency_key":"k2"}"#).unwrap();
    assert!(escalate.tried.is_empty());
    let messages: MessagesResponse = serde_json::from_str(
        r#"{"conversation_id":"c","status":"on_hold","messages":[{"id":"m","at_ms":1,"author":"bot_v2","text":"hi"}],
            "notice":{"text":"Our billing team (tier 2) has your request","expected_reply_by_ms":7200000}}"#,
    )
    .unwrap();
    assert_eq!(messages.status, ConversationStatus::Unknown);
    assert_eq!(messages.messages[0].author, MessageAuthor::Unknown);
    assert_eq!(
        messages.notice.map(|n| n.expected_reply_by_ms),
        Some(Some(7_200_000))
    );
    let csat: CsatRequest = serde_json::from_str(r#"{"idempotency_key":"k","score":6}"#).unwrap();
    assert!(!csat.score_is_valid());
    let suggest: SuggestResponse =
        serde_json::from_str(r#"{"answers":[{"id":"a1","title":"Reset"}]}"#).unwrap();
    assert_eq!(suggest.recommendation, Recommendation::OfferHuman);
}

#[test]
fn batches_are_scrubbed_field_by_field() {
    let json = r#"{"session_id":"s","events":[
        {"id":"a","at_ms":1,"type":"page_view","url":"https://bob:pw@x.io/users/bob@x.io","route":"/users/bob@x.io","title":"Reset for bob@x.io","referrer":"https://x.io/?token=abc"},
        {"id":"b","at_ms":2,"type":"js_error","message":"card 4111 1111 1111 1111 declined","stack":"at pay (Bearer abcdefgh12345678)","route":"/pay"},
        {"id":"c","at_ms":3,"type":"failed_request","method":"GET","url":"https://x.io/api?api_key=sk","route":"/"}
    ]}"#;
    let mut batch: EventBatch = serde_json::from_str(json).unwrap();
    batch.scrub(&crate::scrub::ScrubConfig::default());
    let text = serde_json::to_string(&batch).unwrap();
    for secret in [
        "bob",
        "pw@",
        "token=abc",
        "4111",
        "abcdefgh12345678",
        "api_key=sk",
    ] {
        assert!(!text.contains(secret), "{secret} survived in {text}");
    }
    let EventKind::PageView(page) = &batch.events[0].kind else {
        panic!("page view")
    };
    assert_eq!(page.to_context().route, "/users/[email]");
}

#[test]
fn derived_signals_travel_as_events_and_come_back_the_same() {
    use crate::domain::PageSignal;
    use crate::time::{DurationMs, Timestamp};
    let signals = [
        SignalKind::RageClick {
            target: "button#pay".into(),
            route: "/pay".into(),
            clicks: 4,
        },
        SignalKind::DeadClick {
            target: "a.more".into(),
            route: "/docs".into(),
        },
        SignalKind::Dwell {
            route: "/billing".into(),
            duration: DurationMs::minutes(3),
        },
    ];
    for kind in signals {
        let signal = PageSignal {
            at: Timestamp(5),
            kind,
        };
        let event = ClientEvent::from_derived_signal("e".into(), &signal).unwrap();
        let json = serde_json::to_string(&event).unwrap();
        let back: ClientEvent = serde_json::from_str(&json).unwrap();
        assert_eq!(back.to_signal(), Some(signal));
    }
    let page = PageSignal {
        at: Timestamp(1),
        kind: SignalKind::PageView { route: "/".into() },
    };
    assert!(ClientEvent::from_derived_signal("p".into(), &page).is_none());
}
