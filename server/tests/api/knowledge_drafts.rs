//! The knowledge managers' workspace through HTTP: resolved tickets become a draft
//! (a rebuild updates it, never duplicates it), the evidence carries the customers'
//! words, a knowledge manager edits, publishes — and the widget suggests the article
//! at once, its "shown" count rises —, unpublishes (suggested no more); agents get
//! 403 on every write; a draft from one ticket and from a gap.

use serde_json::{Value, json};
use waymark_server::auth::Role;

use crate::harness::{Answer, TestApp, create_user, error_code, on_every_backend};

async fn call(app: &TestApp, token: &str, method: &str, path: &str, body: Option<Value>) -> Answer {
    let auth = format!("Bearer {token}");
    let uri = format!("/api/v1/sites/demo{path}");
    match body {
        Some(body) => {
            app.json(method, &uri, &[("authorization", &auth)], &body)
                .await
        }
        None => app.raw(method, &uri, &[("authorization", &auth)], "").await,
    }
}

/// A conversation asking for a person, acknowledged and resolved with `fix`.
async fn resolved_ticket(app: &TestApp, session: &str, message: &str, fix: &str) -> String {
    let started = app
        .json(
            "POST",
            "/api/widget/v1/conversations?site=pk_demo",
            &[],
            &json!({"session_id": session, "idempotency_key": format!("k-{session}"),
                    "message": message, "intent": "talk_to_person"}),
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let conversation = started.body["conversation_id"].clone();
    let queue = app.agent("GET", "/tickets", None).await;
    let ticket = queue
        .body
        .as_array()
        .unwrap()
        .iter()
        .find_map(|e| {
            (e["ticket"]["conversation_id"] == conversation)
                .then(|| e["ticket"]["id"].as_str().unwrap().to_owned())
        })
        .expect("the ticket is in the queue");
    let path = |p: &str| format!("/tickets/{ticket}{p}");
    let ack = app
        .agent("POST", &path("/acknowledge"), Some(&json!({})))
        .await;
    assert_eq!(ack.status, 200, "{}", ack.body);
    let resolution = json!({"root_cause": "Exports of more than a year of invoices time out",
        "fix": fix, "environment": "Chrome 131", "version": "2026.10"});
    let resolved = app
        .agent(
            "POST",
            &path("/resolve"),
            Some(&json!({"resolution": resolution})),
        )
        .await;
    assert_eq!(resolved.body["state"], "resolved", "{}", resolved.body);
    ticket
}

const FIX: &str = "Filter the report to a shorter date range. Export each range separately.";

#[tokio::test]
async fn resolved_tickets_become_a_draft_that_is_edited_published_and_suggested() {
    on_every_backend(draft_to_article).await;
}

async fn draft_to_article(app: TestApp) {
    let backend = app.name;
    let km = create_user(
        &app.store,
        "km@test.example",
        Role::KnowledgeManager,
        &["demo"],
    )
    .await;
    let agent = create_user(&app.store, "agent@test.example", Role::Agent, &["demo"]).await;
    let mut tickets = Vec::new();
    for (n, words) in [
        "The invoice CSV export fails with ERR_EXPORT_TIMEOUT",
        "CSV export of invoices fails with ERR_EXPORT_TIMEOUT every time",
        "Invoice CSV export keeps failing: ERR_EXPORT_TIMEOUT",
    ]
    .iter()
    .enumerate()
    {
        tickets.push(resolved_ticket(&app, &format!("s-kb-{n}"), words, FIX).await);
    }

    // Agents read drafts but cannot build, edit, publish or reject them.
    let refused = call(&app, &agent, "POST", "/knowledge/drafts/build", None).await;
    assert_eq!(refused.status, 403, "{backend}: {}", refused.body);
    assert_eq!(error_code(&refused), "forbidden");

    let built = call(&app, &km, "POST", "/knowledge/drafts/build", None).await;
    assert_eq!(built.status, 200, "{backend}: {}", built.body);
    assert_eq!(built.body["tickets"], 3, "{backend}: {}", built.body);
    assert_eq!(built.body["created"], 1, "{backend}: {}", built.body);
    let listed = call(&app, &agent, "GET", "/knowledge/drafts?state=open", None).await;
    let drafts = listed.body.as_array().unwrap().clone();
    assert_eq!(drafts.len(), 1, "{backend}: {}", listed.body);
    let draft = &drafts[0];
    assert_eq!(draft["origin"], "cluster");
    assert_eq!(draft["state"], "new");
    assert_eq!(draft["evidence_count"], 3);
    let id = draft["id"].as_str().unwrap().to_owned();

    // A rebuild finds the same cluster: the draft is updated in place, not duplicated.
    let again = call(&app, &km, "POST", "/knowledge/drafts/build", None).await;
    assert_eq!(again.body["created"], 0, "{backend}: {}", again.body);
    assert_eq!(again.body["drafts"], 1, "{backend}: {}", again.body);
    let all = call(&app, &km, "GET", "/knowledge/drafts", None).await;
    assert_eq!(all.body.as_array().unwrap().len(), 1, "{backend}");

    // The evidence names the tickets and what their customers wrote.
    let evidence = call(
        &app,
        &km,
        "GET",
        &format!("/knowledge/drafts/{id}/evidence"),
        None,
    )
    .await;
    let ids: Vec<&str> = evidence
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "{backend}: {}", evidence.body);
    assert!(tickets.iter().all(|t| ids.contains(&t.as_str())));
    assert!(evidence.body.to_string().contains("ERR_EXPORT_TIMEOUT"));

    let detail = call(&app, &km, "GET", &format!("/knowledge/drafts/{id}"), None).await;
    assert!(
        detail.body["body_markdown"]
            .as_str()
            .unwrap()
            .contains("Filter the report to a shorter date range"),
        "{backend}: {}",
        detail.body
    );
    let version = detail.body["version"].as_i64().unwrap();

    // Editing: agents are refused, a stale version conflicts, bad routes are named.
    let edit = |version: i64| {
        json!({"expected_version": version,
            "title": "Invoice CSV export fails with ERR_EXPORT_TIMEOUT",
            "body_markdown": "## Fix\n\n1. Filter the report to **one quarter**.\n2. Export again.\n\n<script>alert(1)</script>",
            "routes": ["/demo/reports/invoices"], "errors": ["ERR_EXPORT_TIMEOUT"]})
    };
    let path = format!("/knowledge/drafts/{id}");
    let by_agent = call(&app, &agent, "PUT", &path, Some(edit(version))).await;
    assert_eq!(by_agent.status, 403, "{backend}");
    let stale = call(&app, &km, "PUT", &path, Some(edit(version - 1))).await;
    assert_eq!(error_code(&stale), "version_conflict", "{backend}");
    let bad_route = call(
        &app,
        &km,
        "PUT",
        &path,
        Some(json!({"expected_version": version, "routes": ["reports"]})),
    )
    .await;
    assert_eq!(error_code(&bad_route), "invalid_value");
    assert!(
        bad_route.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("routes[0]")
    );
    let edited = call(&app, &km, "PUT", &path, Some(edit(version))).await;
    assert_eq!(edited.status, 200, "{backend}: {}", edited.body);
    assert_eq!(edited.body["state"], "in_review");
    assert_eq!(edited.body["edited"], true);
    let html = edited.body["body_html"].as_str().unwrap();
    assert!(html.contains("<strong>one quarter</strong>"), "{html}");
    assert!(
        !html.contains("<script>") && html.contains("&lt;script&gt;"),
        "{html}"
    );

    // A rebuild keeps the reviewer's text.
    call(&app, &km, "POST", "/knowledge/drafts/build", None).await;
    let kept = call(&app, &km, "GET", &path, None).await;
    assert_eq!(
        kept.body["title"],
        "Invoice CSV export fails with ERR_EXPORT_TIMEOUT"
    );
    let version = kept.body["version"].as_i64().unwrap();

    // Publishing: agents get 403; the article is in the index at once.
    let publish = json!({"expected_version": version});
    let agent_publish = call(
        &app,
        &agent,
        "POST",
        &format!("{path}/publish"),
        Some(publish.clone()),
    )
    .await;
    assert_eq!(agent_publish.status, 403, "{backend}");
    let no_reason = call(
        &app,
        &km,
        "POST",
        &format!("{path}/reject"),
        Some(json!({"expected_version": version, "reason": "  "})),
    )
    .await;
    assert_eq!(error_code(&no_reason), "invalid_value");
    let published = call(&app, &km, "POST", &format!("{path}/publish"), Some(publish)).await;
    assert_eq!(published.status, 200, "{backend}: {}", published.body);
    assert_eq!(published.body["draft"]["state"], "published");
    let article_id = published.body["article"]["id"].as_str().unwrap().to_owned();
    assert_eq!(published.body["article"]["status"], "published");
    let actions: Vec<&str> = published.body["draft"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["created", "review_started", "edited", "published"],
        "{backend}"
    );
    let twice = call(
        &app,
        &km,
        "POST",
        &format!("{path}/publish"),
        Some(json!({"expected_version": version + 1})),
    )
    .await;
    assert_eq!(error_code(&twice), "conflict");

    // A fresh visitor on the page asks: the article is suggested, and counted as shown.
    let visible = app.visible_id(&article_id).await;
    let ask = |session: &str| {
        json!({"session_id": session, "query": "csv export timeout", "limit": 5,
               "page": {"url": "https://acme.test/demo/reports/invoices", "route": "/demo/reports/invoices", "title": "Reports"}})
    };
    let shown = app
        .json(
            "POST",
            "/api/widget/v1/suggest?site=pk_demo",
            &[],
            &ask("s-visitor-1"),
        )
        .await;
    assert_eq!(shown.status, 200, "{backend}: {}", shown.body);
    let answer_ids: Vec<&str> = shown.body["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert!(
        answer_ids.contains(&visible.as_str()),
        "{backend}: {}",
        shown.body
    );
    let opened = app
        .raw(
            "GET",
            &format!("/api/widget/v1/answers/{visible}?site=pk_demo"),
            &[],
            "",
        )
        .await;
    assert_eq!(opened.status, 200, "{backend}: {}", opened.body);
    assert!(
        opened.body["body"]
            .as_str()
            .unwrap()
            .contains("one quarter")
    );
    let table = call(&app, &agent, "GET", "/knowledge/articles?sort=shown", None).await;
    let row = table
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == article_id.as_str())
        .cloned()
        .expect("the article is in the performance table");
    assert_eq!(row["shown"], 1, "{backend}: {row}");
    assert_eq!(row["opened"], 1, "{backend}: {row}");
    assert_eq!(row["status"], "published");
    let bad_sort = call(&app, &agent, "GET", "/knowledge/articles?sort=likes", None).await;
    assert_eq!(error_code(&bad_sort), "invalid_value");

    // Unpublished: suggested no more.
    let article_path = format!("/knowledge/articles/{article_id}");
    let agent_down = call(
        &app,
        &agent,
        "POST",
        &format!("{article_path}/unpublish"),
        Some(json!({})),
    )
    .await;
    assert_eq!(agent_down.status, 403);
    let down = call(
        &app,
        &km,
        "POST",
        &format!("{article_path}/unpublish"),
        Some(json!({"reason": "Fixed in 2026.11"})),
    )
    .await;
    assert_eq!(
        down.body["status"], "unpublished",
        "{backend}: {}",
        down.body
    );
    let later = app
        .json(
            "POST",
            "/api/widget/v1/suggest?site=pk_demo",
            &[],
            &ask("s-visitor-2"),
        )
        .await;
    assert!(
        !later.body.to_string().contains(&visible),
        "{backend}: {}",
        later.body
    );
    let article = call(&app, &km, "GET", &article_path, None).await;
    let actions: Vec<&str> = article.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["published", "unpublished"]);

    // One ticket into an article: asked twice, one draft; unresolved and unknown tickets are named.
    let one = call(
        &app,
        &km,
        "POST",
        "/knowledge/drafts/from-ticket",
        Some(json!({"ticket_id": tickets[0]})),
    )
    .await;
    assert_eq!(one.status, 201, "{backend}: {}", one.body);
    assert_eq!(one.body["origin"], "ticket");
    assert_eq!(one.body["evidence_count"], 1);
    assert!(
        one.body["body_markdown"]
            .as_str()
            .unwrap()
            .contains("Filter the report")
    );
    let same = call(
        &app,
        &km,
        "POST",
        "/knowledge/drafts/from-ticket",
        Some(json!({"ticket_id": tickets[0]})),
    )
    .await;
    assert_eq!(same.body["id"], one.body["id"]);
    let open_ticket = crate::accounts::start_ticket(&app, "s-kb-open").await;
    let unresolved = call(
        &app,
        &km,
        "POST",
        "/knowledge/drafts/from-ticket",
        Some(json!({"ticket_id": open_ticket})),
    )
    .await;
    assert_eq!(error_code(&unresolved), "invalid_value");
    let unknown = call(
        &app,
        &km,
        "POST",
        "/knowledge/drafts/from-ticket",
        Some(json!({"ticket_id": "t_nope"})),
    )
    .await;
    assert_eq!(error_code(&unknown), "not_found");

    // Reject with a reason.
    let ticket_draft = one.body["id"].as_str().unwrap();
    let rejected = call(
        &app,
        &km,
        "POST",
        &format!("/knowledge/drafts/{ticket_draft}/reject"),
        Some(json!({"expected_version": one.body["version"], "reason": "Covered by the published article"})),
    )
    .await;
    assert_eq!(
        rejected.body["state"], "rejected",
        "{backend}: {}",
        rejected.body
    );
    assert_eq!(rejected.body["reason"], "Covered by the published article");

    // The preview renders what the editor shows, through the same allow-list.
    let preview = call(
        &app,
        &agent,
        "POST",
        "/knowledge/preview",
        Some(json!({"markdown": "[x](javascript:alert(1)) **ok**"})),
    )
    .await;
    assert_eq!(
        preview.body["html"], "<p>x <strong>ok</strong></p>",
        "{backend}"
    );
}

#[tokio::test]
async fn a_gap_shows_its_escalation_share_and_becomes_a_draft_from_its_tickets() {
    on_every_backend(gap_to_draft).await;
}

async fn gap_to_draft(app: TestApp) {
    let backend = app.name;
    let km = create_user(
        &app.store,
        "km@test.example",
        Role::KnowledgeManager,
        &["demo"],
    )
    .await;
    let ask = |session: &str| {
        json!({"session_id": session, "query": "pdf button does nothing",
               "page": {"url": "https://acme.test/demo/statements", "route": "/demo/statements", "title": "Statements"},
               "error": {"message": "StatementError: renderer crashed", "fingerprint": "fp-statement-renderer"}})
    };
    // Three visitors ask on the page; two then ask for a person.
    for (session, escalates) in [("s-g1", true), ("s-g2", true), ("s-g3", false)] {
        let shown = app
            .json(
                "POST",
                "/api/widget/v1/suggest?site=pk_demo",
                &[],
                &ask(session),
            )
            .await;
        assert_eq!(shown.status, 200, "{backend}: {}", shown.body);
        if escalates {
            crate::accounts::start_ticket(&app, session).await;
        }
    }
    let gaps = call(&app, &km, "GET", "/knowledge/gaps", None).await;
    let gap = gaps
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"]["fingerprint"] == "fp-statement-renderer")
        .cloned()
        .unwrap_or_else(|| panic!("{backend}: no gap in {}", gaps.body));
    assert_eq!(gap["asked"], 3, "{backend}: {gap}");
    assert_eq!(gap["escalated"], 2, "{backend}: {gap}");
    assert!((gap["escalation_share"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-3);
    assert_eq!(gap["draft_id"], Value::Null);

    let made = call(
        &app,
        &km,
        "POST",
        "/knowledge/drafts/from-gap",
        Some(json!({"gap_id": gap["id"]})),
    )
    .await;
    assert_eq!(made.status, 201, "{backend}: {}", made.body);
    assert_eq!(made.body["origin"], "gap");
    assert_eq!(made.body["evidence_count"], 2, "{backend}: {}", made.body);
    assert_eq!(made.body["routes"], json!(["/demo/statements"]));
    assert_eq!(made.body["errors"], json!(["fp-statement-renderer"]));
    assert!(
        made.body["title"]
            .as_str()
            .unwrap()
            .contains("fp-statement-renderer")
    );
    let listed = call(&app, &km, "GET", "/knowledge/gaps", None).await;
    assert!(
        listed
            .body
            .to_string()
            .contains(made.body["id"].as_str().unwrap())
    );
    let missing = call(
        &app,
        &km,
        "POST",
        "/knowledge/drafts/from-gap",
        Some(json!({"gap_id": "g000000000000"})),
    )
    .await;
    assert_eq!(error_code(&missing), "not_found");
}
