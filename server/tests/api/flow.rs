//! The full flow: events → proactive decision → suggest shown and rejected →
//! escalation with handoff note and customer notice → acknowledge → transfer →
//! add collaborator → resolve with resolution capture → CSAT.

use serde_json::{Value, json};
use waymark_core::rules::{DecidedAction, Facts, evaluate};
use waymark_core::time::Timestamp;
use waymark_core::wire::{EventBatch, SiteConfig};

use crate::harness::{TestApp, error_code, now_ms, on_every_backend};

pub const SESSION: &str = "s-flow";

/// A page view and three failed payment requests within a minute.
pub fn batch(session: &str, now: i64) -> Value {
    let failed = |n: i64| {
        json!({"id": format!("e-fail-{n}"), "at_ms": now - 30_000 + n * 1_000, "type": "failed_request",
               "method": "POST", "url": "https://acme.test/demo/api/payment?card=4111111111111111",
               "status": 502, "route": "/demo/billing"})
    };
    json!({"session_id": session, "events": [
        {"id": "e-view", "at_ms": now - 60_000, "type": "page_view", "url": "https://acme.test/demo/billing",
         "route": "/demo/billing", "title": "Billing"},
        failed(1), failed(2), failed(3),
    ]})
}

#[tokio::test]
async fn full_flow_from_first_signal_to_rated_resolution() {
    on_every_backend(full_flow).await;
}

async fn full_flow(app: TestApp) {
    let backend = app.name;
    let now = now_ms();
    let site = "site=pk_demo";

    // Events are stored once; the widget's own evaluation of the config's
    // proactive rules over the same trail opens the nudge.
    let events = app
        .json(
            "POST",
            &format!("/api/widget/v1/events?{site}"),
            &[],
            &batch(SESSION, now),
        )
        .await;
    assert_eq!(events.status, 200, "{backend}: {}", events.body);
    assert_eq!(events.body["stored"], 4);
    let config = app
        .raw("GET", &format!("/api/widget/v1/config?{site}"), &[], "")
        .await;
    assert_eq!(config.body["v"], 1);
    let config: SiteConfig = serde_json::from_value(config.body).unwrap();
    let rule_ids: Vec<&str> = config
        .proactive_rules
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert!(rule_ids.contains(&"frustration-on-page"), "{rule_ids:?}");
    let wire: EventBatch = serde_json::from_value(batch(SESSION, now)).unwrap();
    let facts = Facts {
        trail: wire.events.iter().filter_map(|e| e.to_signal()).collect(),
        ..Facts::default()
    };
    let matrix = waymark_core::matrix::EscalationMatrix {
        version: 1,
        rules: config.proactive_rules.clone(),
        ..Default::default()
    };
    let decisions = evaluate(&matrix, &facts, Timestamp(now));
    assert!(matches!(
        decisions[0].action,
        DecidedAction::OfferHelp { .. }
    ));
    assert_eq!(decisions[0].rule.as_str(), "frustration-on-page");

    // Suggestions are shown and rejected.
    let suggest = app
        .json("POST", &format!("/api/widget/v1/suggest?{site}"), &[], &json!({
            "session_id": SESSION, "query": "payment failed 502", "rule": "frustration-on-page",
            "page": {"url": "https://acme.test/demo/billing", "route": "/demo/billing", "title": "Billing"}
        }))
        .await;
    assert_eq!(suggest.status, 200, "{}", suggest.body);
    let visible = app.visible_id("retry-payment").await;
    assert_eq!(suggest.body["answers"][0]["id"], visible.as_str());
    let query_id = suggest.body["query_id"].as_str().unwrap().to_owned();
    let feedback = app
        .json(
            "POST",
            &format!("/api/widget/v1/suggest/feedback?{site}"),
            &[],
            &json!({
                "session_id": SESSION, "idempotency_key": "f1", "query_id": query_id,
                "answer_id": visible, "outcome": "not_helpful"
            }),
        )
        .await;
    assert_eq!(feedback.status, 204);

    // The conversation starts with the assistant; no routing rule fires yet.
    let start = json!({"session_id": SESSION, "idempotency_key": "start-1",
        "message": "My payment for invoice INV-1002 keeps failing",
        "identity": {"user_id": "u-42", "name": "Dana", "plan": "pro"},
        "page": {"url": "https://acme.test/demo/billing", "route": "/demo/billing", "title": "Billing", "app_version": "2.4.1", "locale": "en-GB"},
        "rule": "frustration-on-page"});
    let started = app
        .json(
            "POST",
            &format!("/api/widget/v1/conversations?{site}"),
            &[],
            &start,
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    assert_eq!(started.body["status"], "open");
    let id = started.body["conversation_id"].as_str().unwrap().to_owned();
    let token = started.body["conversation_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let auth = format!("Bearer {token}");
    let conv = |path: &str| format!("/api/widget/v1/conversations/{id}{path}?{site}");

    // "Talk to a person" with cancel/refund language: the matrix routes it to tier 2.
    let escalate = json!({"idempotency_key": "esc-1", "goal": "Pay invoice INV-1002",
        "tried": ["Retried the payment twice"],
        "reason": "I was charged twice, I want a refund or I will cancel"});
    let escalated = app
        .json(
            "POST",
            &conv("/escalate"),
            &[("authorization", &auth)],
            &escalate,
        )
        .await;
    assert_eq!(escalated.status, 200, "{}", escalated.body);
    assert_eq!(escalated.body["status"], "escalated");
    assert_eq!(
        escalated.body["notice"]["text"],
        "Our specialist team (Tier 2) has your request; expect a reply within 2 hours."
    );
    assert_eq!(escalated.body["notice"]["tier_role"], "specialist team");

    // The widget sees the notice in the conversation; another visitor sees nothing.
    let polled = app
        .raw("GET", &conv("/messages"), &[("authorization", &auth)], "")
        .await;
    assert_eq!(polled.status, 200);
    let texts: Vec<&str> = polled.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts.len(), 3, "{texts:?}");
    assert_eq!(polled.body["messages"][2]["author"], "system");
    let stranger = app
        .raw(
            "GET",
            &conv("/messages"),
            &[("authorization", "Bearer nope")],
            "",
        )
        .await;
    assert_eq!(stranger.status, 401);
    assert_eq!(error_code(&stranger), "unauthorized");

    // The agent queue has the ticket, at tier 2 with high priority.
    let queue = app.agent("GET", "/tickets", None).await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    let queue = queue.body.as_array().unwrap().clone();
    assert_eq!(queue.len(), 1);
    let ticket = &queue[0]["ticket"];
    assert_eq!(ticket["tier"], "tier2");
    assert_eq!(ticket["priority"], "high");
    assert_eq!(ticket["escalation_type"], "priority");
    assert!(queue[0]["sla_risk_ms"].as_i64().unwrap() > 0);
    let ticket_id = ticket["id"].as_str().unwrap().to_owned();
    let path = |p: &str| format!("/tickets/{ticket_id}{p}");

    // The handoff note is complete the moment of escalation.
    let detail = app.agent("GET", &path(""), None).await;
    assert_eq!(detail.status, 200);
    let note = &detail.body["handoff_notes"][0];
    assert_eq!(note["source"], "generated");
    let note = &note["note"];
    assert_eq!(note["goal"], "Pay invoice INV-1002");
    let tried: Vec<&str> = note["tried"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        tried.contains(&"suggested answer `retry-payment` (not helpful)"),
        "{tried:?}"
    );
    assert!(tried.contains(&"Retried the payment twice"));
    assert!(note["reason"].as_str().unwrap().contains("cancel-language"));
    assert!(!note["sentiment"].as_str().unwrap().is_empty());
    assert_eq!(note["account"]["user_id"], "u-42");
    assert_eq!(note["account"]["plan"], "pro");
    let failed_lines = note["page_trail"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "failed_request")
        .count();
    assert_eq!(failed_lines, 3);
    assert!(
        !detail.body.to_string().contains("4111111111111111"),
        "card number stored"
    );

    // Acknowledge, reply, transfer, collaborate.
    let ack = app
        .agent("POST", &path("/acknowledge"), Some(&json!({})))
        .await;
    assert_eq!(ack.status, 200, "{}", ack.body);
    assert_eq!(ack.body["state"], "acknowledged");
    assert_eq!(ack.body["owner"], app.admin_id);
    assert!(ack.body["ack_due_ms"].is_null());
    let again = app
        .agent("POST", &path("/acknowledge"), Some(&json!({})))
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(error_code(&again), "conflict");
    let reply = app.agent("POST", &path("/reply"), Some(&json!({"author_name": "Sam",
        "text": "The charge failed twice because the payment provider timed out. We will refund the double charge by end of day."}))).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let sideways_up = app
        .agent(
            "POST",
            &path("/transfer"),
            Some(&json!({"to_team": "nowhere"})),
        )
        .await;
    assert_eq!(sideways_up.status, 400);
    let transfer = app
        .agent(
            "POST",
            &path("/transfer"),
            Some(&json!({"to_team": "billing", "reason": "refund"})),
        )
        .await;
    assert_eq!(transfer.status, 200, "{}", transfer.body);
    assert_eq!(transfer.body["team"], "billing");
    assert_eq!(transfer.body["tier"], "tier2");
    let collab = app
        .agent(
            "POST",
            &path("/collaborators"),
            Some(&json!({"collaborator": "eve"})),
        )
        .await;
    assert_eq!(collab.status, 200, "{}", collab.body);
    assert_eq!(collab.body["owner"], app.admin_id);
    assert_eq!(collab.body["collaborators"], json!(["eve"]));

    // Resolution capture: required fields, prefilled from the thread.
    let empty = app
        .agent("POST", &path("/resolve"), Some(&json!({"resolution": {}})))
        .await;
    assert_eq!(empty.status, 400);
    assert!(
        empty.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("root_cause")
    );
    let prefill = app.agent("GET", &path("/resolution"), None).await;
    assert!(
        prefill.body["root_cause"]
            .as_str()
            .unwrap()
            .contains("because the payment provider timed out")
    );
    assert_eq!(prefill.body["version"], "2.4.1");
    let mut resolution = prefill.body.clone();
    resolution["fix"] = json!("Refunded the duplicate charge; provider timeout raised to 30 s.");
    resolution["environment"] = json!("Chrome 120, production EU");
    let resolved = app
        .agent(
            "POST",
            &path("/resolve"),
            Some(&json!({"resolution": resolution})),
        )
        .await;
    assert_eq!(resolved.status, 200, "{}", resolved.body);
    assert_eq!(resolved.body["state"], "resolved");

    // The resolved ticket is in the knowledge index.
    let again = app
        .json(
            "POST",
            &format!("/api/widget/v1/suggest?{site}"),
            &[],
            &json!({
            "session_id": "s-other", "query": "charged twice refund provider timed out"}),
        )
        .await;
    let ids: Vec<&str> = again.body["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    let visible = app.visible_id(&ticket_id).await;
    assert!(ids.contains(&visible.as_str()), "{ids:?}");
    // Visitors see the fix under a title written from it, never the customer's words.
    let shown = again.body["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == visible.as_str())
        .unwrap();
    assert_eq!(
        shown["title"],
        "Refunded the duplicate charge; provider timeout raised to 30 s"
    );
    assert_eq!(
        shown["snippet"],
        "Refunded the duplicate charge; provider timeout raised to 30 s."
    );

    // CSAT from the widget, once.
    let polled = app
        .raw("GET", &conv("/messages"), &[("authorization", &auth)], "")
        .await;
    assert_eq!(polled.body["status"], "resolved");
    let last = polled.body["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["author"], "system");
    assert!(last["text"].as_str().unwrap().contains("How did we do?"));
    let csat = json!({"idempotency_key": "csat-1", "score": 5, "comment": "Thanks Sam"});
    for _ in 0..2 {
        let rated = app
            .json("POST", &conv("/csat"), &[("authorization", &auth)], &csat)
            .await;
        assert_eq!(rated.status, 204);
    }

    // A message after resolution is stored and routes nothing.
    let after = app
        .json("POST", &conv("/messages"), &[("authorization", &auth)],
              &json!({"idempotency_key": "late", "text": "Thanks! I want to cancel the other invoice though."}))
        .await;
    assert_eq!(after.status, 200, "{}", after.body);

    // Stored records and the audit trail match the flow.
    let detail = app.agent("GET", &path(""), None).await;
    assert_eq!(detail.body["csat"]["score"], 5);
    let actions: Vec<(String, String)> = detail.body["trail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("system", "created"),
        ("rule:frustration-on-page", "proactive_help"),
        ("customer", "human_requested"),
        ("rule:cancel-language", "escalated"),
        ("system", "customer_notified"),
        ("agent", "acknowledged"),
        ("agent", "replied"),
        ("agent", "transferred"),
        ("system", "customer_notified"),
        ("agent", "collaborator_added"),
        ("agent", "resolved"),
        ("customer", "csat"),
    ];
    // The actor of every agent action is the authenticated user, whatever a body said.
    let agent = format!("agent:{}", app.admin_id);
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| {
            let actor = if *a == "agent" { agent.as_str() } else { a };
            (actor.to_owned(), (*b).to_owned())
        })
        .collect();
    assert_eq!(actions, expected, "{backend}");
    let escalation = &detail.body["trail"][3]["detail"];
    assert_eq!(escalation["handoff"]["kind"], "escalation");
    assert_eq!(escalation["handoff"]["to_tier"], "tier2");
    assert!(escalation["explanation"].as_str().unwrap().contains("✓"));
    let transfer = &detail.body["trail"][7]["detail"];
    assert_eq!(transfer["handoff"]["kind"], "transfer");
    assert_eq!(detail.body["ticket"]["stage"], "feedback");
    // first message, reason, notice, reply, transfer notice, CSAT request, late message.
    assert_eq!(detail.body["messages"].as_array().unwrap().len(), 7);
}
