//! Who may call which agent route, through HTTP: per-user API tokens, site
//! membership (another site's routes answer 404), roles (403 `forbidden`), the
//! widget key refused everywhere, disabled users, the legacy `agent` field; and
//! the terms of agent actions: `Idempotency-Key` and the ticket version.

use serde_json::json;
use waymark_server::auth::{Role, accounts};
use waymark_server::storage::{StoreError, TicketChange, TicketRecord};

use crate::accounts::start_ticket;
use crate::harness::{TestApp, create_user, error_code, now_ms, on_every_backend};

async fn call(
    app: &TestApp,
    token: &str,
    method: &str,
    uri: &str,
    body: Option<serde_json::Value>,
) -> crate::harness::Answer {
    let auth = format!("Bearer {token}");
    match body {
        Some(body) => {
            app.json(method, uri, &[("authorization", &auth)], &body)
                .await
        }
        None => app.raw(method, uri, &[("authorization", &auth)], "").await,
    }
}

/// Every agent route under `prefix`, with its placeholders filled in.
fn routes_under(prefix: &str, site: &str, ticket: &str) -> Vec<(&'static str, String)> {
    waymark_server::api::agent::routes()
        .1
        .into_iter()
        .filter(|(_, path)| path.starts_with(prefix) && *path != "/api/v1/auth/login")
        .map(|(verb, path)| {
            let uri = path
                .replace("{site_id}", site)
                .replace("{ticket_id}", ticket)
                .replace("{session_id}", "s-access");
            (verb.name(), uri)
        })
        .collect()
}

#[tokio::test]
async fn tokens_sites_and_roles_decide_every_agent_route() {
    on_every_backend(access).await;
}

async fn access(app: TestApp) {
    let other = waymark_server::flow::sites::create_site(&app.store, "other", "Other", &[])
        .await
        .unwrap();
    let agent = create_user(&app.store, "agent@test.example", Role::Agent, &["demo"]).await;
    let km = create_user(
        &app.store,
        "km@test.example",
        Role::KnowledgeManager,
        &["demo"],
    )
    .await;
    let outsider = create_user(&app.store, "out@test.example", Role::Admin, &["other"]).await;
    let ticket = start_ticket(&app, "s-access").await;
    assert!(agent.starts_with("wm_"), "{agent}");

    // The widget's site key, a made-up token and no header authenticate nothing.
    let mut refused = 0;
    for (verb, uri) in routes_under("/api/v1/", "demo", &ticket) {
        let method = verb.to_uppercase();
        for header in [
            "Bearer pk_demo",
            &format!("Bearer {}", other.public_key),
            "Bearer wm_nope",
        ] {
            let answer = app
                .raw(
                    &method,
                    &uri,
                    &[
                        ("authorization", header),
                        ("content-type", "application/json"),
                    ],
                    "{}",
                )
                .await;
            assert_eq!(
                answer.status, 401,
                "{method} {uri} with {header}: {}",
                answer.body
            );
            refused += 1;
        }
        let keyed = app
            .raw(&method, &format!("{uri}?site=pk_demo"), &[], "")
            .await;
        assert_eq!(
            error_code(&keyed),
            "unauthorized",
            "{method} {uri}?site=pk_demo"
        );
    }
    assert!(refused >= 3 * 24, "every agent route was tried: {refused}");

    // Another site's member sees the demo site as missing, on every route; and
    // the demo's admin sees `other` as missing.
    for (verb, uri) in routes_under("/api/v1/sites/{site_id}", "demo", &ticket) {
        let answer = call(&app, &outsider, &verb.to_uppercase(), &uri, Some(json!({}))).await;
        assert_eq!(answer.status, 404, "{verb} {uri}: {}", answer.body);
    }
    let crossing = call(&app, &app.token, "GET", "/api/v1/sites/other/tickets", None).await;
    assert_eq!(error_code(&crossing), "not_found");
    let missing = call(&app, &app.token, "GET", "/api/v1/sites/nope/tickets", None).await;
    assert_eq!(
        crossing.body["error"]["message"]
            .as_str()
            .unwrap()
            .replace("other", "x"),
        missing.body["error"]["message"]
            .as_str()
            .unwrap()
            .replace("nope", "x"),
        "a site you are not a member of reads like one that does not exist"
    );

    // Roles: agents act on tickets; knowledge managers read tickets and manage
    // knowledge; settings are for admins.
    let t = |p: &str| format!("/api/v1/sites/demo/tickets/{ticket}{p}");
    let table: Vec<(&str, &str, String, Option<serde_json::Value>, u16)> = vec![
        (&km, "GET", "/api/v1/sites/demo/tickets".into(), None, 200),
        (&km, "GET", t(""), None, 200),
        (
            &km,
            "GET",
            "/api/v1/sites/demo/knowledge/gaps".into(),
            None,
            200,
        ),
        (&km, "POST", t("/acknowledge"), Some(json!({})), 403),
        (&km, "POST", t("/reply"), Some(json!({"text": "hi"})), 403),
        (&km, "GET", "/api/v1/sites/demo/matrix".into(), None, 403),
        (
            &km,
            "GET",
            "/api/v1/sites/demo/widget-settings".into(),
            None,
            403,
        ),
        (
            &km,
            "PUT",
            "/api/v1/sites/demo/widget-settings".into(),
            Some(json!({})),
            403,
        ),
        (
            &agent,
            "GET",
            "/api/v1/sites/demo/knowledge/gaps".into(),
            None,
            403,
        ),
        (&agent, "GET", "/api/v1/sites/demo/matrix".into(), None, 403),
        (
            &agent,
            "POST",
            t("/reply"),
            Some(json!({"text": "On it"})),
            200,
        ),
        (
            &app.token,
            "GET",
            "/api/v1/sites/demo/matrix".into(),
            None,
            200,
        ),
        (
            &app.token,
            "GET",
            "/api/v1/sites/demo/widget-settings".into(),
            None,
            200,
        ),
    ];
    for (token, method, uri, body, status) in table {
        let answer = call(&app, token, method, &uri, body).await;
        assert_eq!(answer.status, status, "{method} {uri}: {}", answer.body);
        if status == 403 {
            assert_eq!(error_code(&answer), "forbidden");
        }
    }

    // Members of the site, for names of owners and collaborators; not other sites' people.
    let members = call(&app, &agent, "GET", "/api/v1/sites/demo/members", None).await;
    let emails: Vec<&str> = members
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["email"].as_str().unwrap())
        .collect();
    assert!(emails.contains(&"agent@test.example") && emails.contains(&"admin@test.example"));
    assert!(!emails.contains(&"out@test.example"), "{emails:?}");

    // The legacy `agent` field may name the caller, never someone else.
    let impostor = call(
        &app,
        &agent,
        "POST",
        &t("/reply"),
        Some(json!({"agent": "sam", "text": "x"})),
    )
    .await;
    assert_eq!(error_code(&impostor), "invalid_value");
    assert!(
        impostor.body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("agent:")
    );
    let own = call(
        &app,
        &agent,
        "POST",
        &t("/reply"),
        Some(json!({"agent": "agent@test.example", "text": "y"})),
    )
    .await;
    assert_eq!(own.status, 200, "{}", own.body);

    // A disabled user's token stops working at once.
    accounts::disable(&app.store, "agent@test.example", now_ms())
        .await
        .unwrap();
    let disabled = call(&app, &agent, "GET", "/api/v1/sites/demo/tickets", None).await;
    assert_eq!(error_code(&disabled), "unauthorized");
}

async fn messages(app: &TestApp, uri: &str, auth: &str) -> usize {
    let detail = app.raw("GET", uri, &[("authorization", auth)], "").await;
    detail.body["messages"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_retried_action_applies_once_and_a_stale_version_conflicts() {
    on_every_backend(terms).await;
}

async fn terms(app: TestApp) {
    let ticket = start_ticket(&app, "s-terms").await;
    let uri = format!("/api/v1/sites/demo/tickets/{ticket}");
    let auth = format!("Bearer {}", app.token);
    let before = messages(&app, &uri, &auth).await;
    let reply = json!({"text": "We are on it"});
    let headers = [
        ("authorization", auth.as_str()),
        ("idempotency-key", "reply-1"),
    ];
    let first = app
        .json("POST", &format!("{uri}/reply"), &headers, &reply)
        .await;
    let again = app
        .json("POST", &format!("{uri}/reply"), &headers, &reply)
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(
        first.body["id"], again.body["id"],
        "the retry answers the first reply"
    );
    assert_eq!(
        messages(&app, &uri, &auth).await,
        before + 1,
        "a retried reply posts once"
    );
    let other_body = app
        .json(
            "POST",
            &format!("{uri}/reply"),
            &headers,
            &json!({"text": "Something else"}),
        )
        .await;
    assert_eq!(other_body.status, 422);
    assert_eq!(error_code(&other_body), "idempotency_conflict");
    assert_eq!(messages(&app, &uri, &auth).await, before + 1);

    // Versions: the detail says the version; a stale If-Match or expected_version is refused.
    let detail = app.raw("GET", &uri, &[("authorization", &auth)], "").await;
    let version = detail.body["ticket"]["version"].as_i64().unwrap();
    assert_eq!(detail.headers["etag"], format!("\"{version}\"").as_str());
    assert!(version >= 2, "the reply changed the ticket: {version}");
    let stale = (version - 1).to_string();
    let conflict = app
        .json(
            "POST",
            &format!("{uri}/acknowledge"),
            &[
                ("authorization", &auth),
                ("if-match", &format!("\"{stale}\"")),
            ],
            &json!({}),
        )
        .await;
    assert_eq!(conflict.status, 409, "{}", conflict.body);
    assert_eq!(error_code(&conflict), "version_conflict");
    let in_body = app
        .json(
            "POST",
            &format!("{uri}/acknowledge"),
            &[("authorization", &auth)],
            &json!({"expected_version": version - 1}),
        )
        .await;
    assert_eq!(error_code(&in_body), "version_conflict");
    let acknowledged = app
        .json(
            "POST",
            &format!("{uri}/acknowledge"),
            &[
                ("authorization", &auth),
                ("if-match", &format!("\"{version}\"")),
            ],
            &json!({}),
        )
        .await;
    assert_eq!(acknowledged.status, 200, "{}", acknowledged.body);
    assert_eq!(acknowledged.body["version"], version + 1);
    assert_eq!(acknowledged.body["state"], "acknowledged");
    let reread = app.raw("GET", &uri, &[("authorization", &auth)], "").await;
    assert_eq!(reread.body["ticket"]["version"], version + 1);
    // The same ticket action retried with its key answers the ticket, not a second trail entry.
    let escalations = |body: &serde_json::Value| {
        body["trail"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "escalated")
            .count()
    };
    let escalated_before = escalations(&reread.body);
    let keyed = [
        ("authorization", auth.as_str()),
        ("idempotency-key", "up-1"),
    ];
    let up = json!({"to_tier": "tier2", "escalation_type": "functional", "reason": "Needs a specialist"});
    let moved = app
        .json("POST", &format!("{uri}/escalate"), &keyed, &up)
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let retried = app
        .json("POST", &format!("{uri}/escalate"), &keyed, &up)
        .await;
    assert_eq!(retried.status, 200, "{}", retried.body);
    assert_eq!(retried.body["version"], moved.body["version"]);
    assert_eq!(retried.body["tier"], "tier2");
    let after = app.raw("GET", &uri, &[("authorization", &auth)], "").await;
    assert_eq!(escalations(&after.body), escalated_before + 1);
}

#[tokio::test]
async fn of_two_changes_over_the_same_version_only_the_first_is_stored() {
    on_every_backend(race).await;
}

async fn race(app: TestApp) {
    let ticket_id = start_ticket(&app, "s-race").await;
    let read = app.store.ticket("demo", &ticket_id).await.unwrap().unwrap();
    let change = |ticket: TicketRecord| TicketChange {
        ticket: Some(ticket),
        expected_version: Some(read.version),
        ..TicketChange::default()
    };
    let mut first = read.clone();
    first.subject = "First agent's subject".into();
    let mut second = read.clone();
    second.subject = "Second agent's subject".into();
    app.store
        .commit_ticket_change("demo", &read.conversation_id, &change(first))
        .await
        .unwrap();
    let lost = app
        .store
        .commit_ticket_change("demo", &read.conversation_id, &change(second))
        .await
        .unwrap_err();
    assert!(matches!(lost, StoreError::VersionConflict(_)), "{lost}");
    let stored = app.store.ticket("demo", &ticket_id).await.unwrap().unwrap();
    assert_eq!(stored.subject, "First agent's subject");
    assert_eq!(stored.version, read.version + 1);
}
