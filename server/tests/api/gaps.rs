//! Suggestion sets are recorded with their page, error and best score, and whether the
//! session then asked for a person: the input of knowledge-gap detection, served to
//! knowledge managers by the agent API, next to each session's sets and verdicts.

use serde_json::json;
use waymark_knowledge::gaps::{GapConfig, find_gaps};

use crate::harness::{TestApp, error_code, now_ms, on_every_backend};

#[tokio::test]
async fn unanswered_questions_that_escalated_become_a_gap() {
    on_every_backend(gaps).await;
}

async fn gaps(app: TestApp) {
    let backend = app.name;
    let site = "site=pk_demo";
    let before = now_ms();
    let ask = |session: &str, query: &str, route: &str, error: Option<&str>| {
        let mut body = json!({
            "session_id": session, "query": query,
            "page": {"url": format!("https://acme.test{route}"), "route": route, "title": "Acme"}
        });
        if let Some(message) = error {
            body["error"] = json!({"message": message, "fingerprint": "fp-export-worker"});
        }
        body
    };
    // Two sessions ask about an export error nothing answers, then ask for a person;
    // a third asks about payments, which the index answers, and does not escalate.
    for (session, query) in [
        ("s-gap-1", "export csv button crashes"),
        ("s-gap-2", "the csv download spins forever"),
    ] {
        let shown = app
            .json(
                "POST",
                &format!("/api/widget/v1/suggest?{site}"),
                &[],
                &ask(
                    session,
                    query,
                    "/demo/reports/export",
                    Some("ExportError: CSV worker failed to start"),
                ),
            )
            .await;
        assert_eq!(shown.status, 200, "{backend}: {}", shown.body);
        let started = app
            .json(
                "POST",
                &format!("/api/widget/v1/conversations?{site}"),
                &[],
                &json!({"session_id": session, "idempotency_key": format!("start-{session}"),
                        "message": "The export still does not work"}),
            )
            .await;
        assert_eq!(started.status, 201, "{backend}: {}", started.body);
    }
    let answered = app
        .json(
            "POST",
            &format!("/api/widget/v1/suggest?{site}"),
            &[],
            &ask("s-gap-3", "payment failed 502", "/demo/billing", None),
        )
        .await;
    assert_eq!(answered.status, 200, "{backend}: {}", answered.body);
    let visible = app.visible_id("retry-payment").await;
    assert_eq!(
        answered.body["answers"][0]["id"],
        visible.as_str(),
        "{backend}: {}",
        answered.body
    );

    // The user says the payment answer solved it: a deflection, visible to agents.
    let feedback = app
        .json(
            "POST",
            &format!("/api/widget/v1/suggest/feedback?{site}"),
            &[],
            &json!({"session_id": "s-gap-3", "idempotency_key": "fb-gap-3",
                    "query_id": answered.body["query_id"], "answer_id": visible,
                    "outcome": "solved"}),
        )
        .await;
    assert_eq!(feedback.status, 204, "{backend}: {}", feedback.body);
    let sets = app
        .agent("GET", "/sessions/s-gap-3/suggestions", None)
        .await;
    assert_eq!(sets.status, 200, "{backend}: {}", sets.body);
    assert_eq!(sets.body.as_array().map(Vec::len), Some(1), "{backend}");
    assert_eq!(sets.body[0]["route"], "/demo/billing");
    assert_eq!(sets.body[0]["answers"][0], "retry-payment");
    assert_eq!(sets.body[0]["verdicts"][0]["outcome"], "solved");
    assert_eq!(sets.body[0]["verdicts"][0]["answer_id"], "retry-payment");

    // The answer opens whole in the panel; unknown ids are a clear 404.
    let opened = app
        .raw(
            "GET",
            &format!("/api/widget/v1/answers/{visible}?{site}"),
            &[],
            "",
        )
        .await;
    assert_eq!(opened.status, 200, "{backend}: {}", opened.body);
    assert_eq!(opened.body["source"], "article");
    assert!(
        opened.body["body"]
            .as_str()
            .is_some_and(|body| body.contains("retry the payment")),
        "{backend}: {}",
        opened.body
    );
    let missing = app
        .raw(
            "GET",
            &format!("/api/widget/v1/answers/no-such-answer?{site}"),
            &[],
            "",
        )
        .await;
    assert_eq!(missing.status, 404, "{backend}: {}", missing.body);
    assert_eq!(error_code(&missing), "not_found");

    let listed = app.agent("GET", "/knowledge/gaps", None).await;
    assert_eq!(listed.status, 200, "{backend}: {}", listed.body);
    assert_eq!(
        listed.body.as_array().map(Vec::len),
        Some(1),
        "{backend}: {}",
        listed.body
    );
    assert_eq!(listed.body[0]["key"]["route"], "/demo/reports/export");
    assert_eq!(listed.body[0]["count"], 2);
    for bad in ["?max_confidence=2", "?days=soon", "?colour=red"] {
        let refused = app
            .agent("GET", &format!("/knowledge/gaps{bad}"), None)
            .await;
        assert_eq!(refused.status, 400, "{backend} {bad}: {}", refused.body);
        assert_eq!(error_code(&refused), "invalid_value", "{bad}");
    }

    let outcomes = app
        .store
        .suggestion_outcomes("demo", before)
        .await
        .expect("outcomes");
    assert_eq!(outcomes.len(), 3, "{backend}: {outcomes:?}");
    let export: Vec<_> = outcomes
        .iter()
        .filter(|o| o.route.as_deref() == Some("/demo/reports/export"))
        .collect();
    assert_eq!(export.len(), 2, "{backend}");
    assert!(
        export.iter().all(|o| o.escalated
            && o.best_score < 0.35
            && o.fingerprint.as_deref() == Some("fp-export-worker")),
        "{backend}: {export:?}"
    );
    let billing = outcomes
        .iter()
        .find(|o| o.route.as_deref() == Some("/demo/billing"))
        .expect("billing set");
    assert!(!billing.escalated, "{backend}");
    assert!(billing.best_score >= 0.35, "{backend}: {billing:?}");

    let found = find_gaps(&outcomes, &[], &GapConfig::default(), now_ms());
    assert_eq!(found.len(), 1, "{backend}: {found:?}");
    assert_eq!(found[0].key.route, "/demo/reports/export");
    assert_eq!(found[0].count, 2);
    assert!(found[0].examples.iter().any(|e| e.contains("csv")));
}
