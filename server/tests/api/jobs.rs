//! The job runner with a controllable clock, against fake receivers on loopback:
//! SLA clocks escalate a ticket left alone and a breach notifies; an early warning
//! becomes an alert an agent decides; three customers with one error make one
//! incident whose resolution notifies all three; deliveries arrive once, survive
//! a receiver that fails twice and a runner that dies mid-delivery; internal
//! targets are refused.

use std::sync::Arc;

use serde_json::{Value, json};
use waymark_server::Config;
use waymark_server::config::{SmtpConfig, SmtpSecurity, TargetClass};
use waymark_server::jobs::{ManualClock, Runner};
use waymark_server::storage::jobs::{EventName, OutboxEvent, OutboxItem};

use crate::harness::{TestApp, now_ms, on_every_backend};
use crate::receivers::{Receiver, SmtpSink};

const SECRET: &str = "whsec_0123456789abcdef";
const MINUTE: i64 = 60_000;

fn config(app: &TestApp, smtp_port: u16, allow: &[TargetClass]) -> Arc<Config> {
    let mut config = Config::default();
    config.notifications.smtp = Some(SmtpConfig {
        host: "127.0.0.1".into(),
        port: smtp_port,
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from: "Acme Support <support@acme.test>".into(),
    });
    config
        .notifications
        .teams
        .insert("tier1".into(), "tier1@acme.test".into());
    config
        .notifications
        .agents
        .insert(app.admin_id.clone(), "ann@acme.test".into());
    config.integrations.allow_targets = allow.to_vec();
    // Every tick looks for incidents (the clock moves by seconds here).
    config.incidents.interval = waymark_core::time::DurationMs(0);
    config.validate().unwrap();
    Arc::new(config)
}

fn runner(app: &TestApp, config: &Arc<Config>, clock: &Arc<ManualClock>) -> Runner {
    Runner::new(app.store.clone(), config.clone(), clock.clone()).unwrap()
}

async fn start(app: &TestApp, session: &str, message: &str, email: Option<&str>) -> String {
    let mut body = json!({"session_id": session, "idempotency_key": format!("k-{session}"),
        "message": message, "intent": "talk_to_person"});
    if let Some(email) = email {
        body["identity"] = json!({"user_id": format!("u-{session}"), "email": email});
    }
    let started = app
        .json(
            "POST",
            "/api/widget/v1/conversations?site=pk_demo",
            &[],
            &body,
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    started.body["conversation_id"].as_str().unwrap().to_owned()
}

async fn ticket_of(app: &TestApp, conversation: &str) -> Value {
    let queue = app.agent("GET", "/tickets", None).await;
    let entry = queue
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ticket"]["conversation_id"] == conversation)
        .cloned()
        .unwrap_or_else(|| panic!("no ticket for {conversation}: {}", queue.body));
    let id = entry["ticket"]["id"].as_str().unwrap().to_owned();
    app.agent("GET", &format!("/tickets/{id}"), None).await.body
}

fn actions(detail: &Value) -> Vec<String> {
    detail["trail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

async fn add_endpoint(app: &TestApp, body: Value) -> String {
    let added = app.agent("POST", "/webhooks", Some(&body)).await;
    assert_eq!(added.status, 200, "{}", added.body);
    assert!(added.body.get("secret").is_none(), "secret shown back");
    added.body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_ticket_left_alone_breaches_then_escalates_and_a_waiting_one_does_not() {
    on_every_backend(sla_clocks).await;
}

async fn sla_clocks(app: TestApp) {
    let smtp = SmtpSink::start().await;
    let receiver = Receiver::start(SECRET, 0).await;
    let config = config(&app, smtp.port, &[TargetClass::Loopback]);
    add_endpoint(
        &app,
        json!({"url": format!("{}/hook", receiver.base), "secret": SECRET,
        "events": ["ticket.sla_breached", "ticket.escalated"]}),
    )
    .await;
    let alone = start(&app, "s-alone", "How do I export invoices?", None).await;
    let waiting = start(&app, "s-wait", "How do I change my address?", None).await;
    // An agent answers the second customer: its clocks wait for the customer.
    let waiting_ticket = ticket_of(&app, &waiting).await["ticket"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ack = app
        .agent(
            "POST",
            &format!("/tickets/{waiting_ticket}/acknowledge"),
            Some(&json!({})),
        )
        .await;
    assert_eq!(ack.status, 200, "{}", ack.body);
    let reply = app
        .agent(
            "POST",
            &format!("/tickets/{waiting_ticket}/reply"),
            Some(&json!({"text": "Which address should we use?"})),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    let clock = Arc::new(ManualClock::new(now_ms() + 20 * MINUTE));
    let runner = runner(&app, &config, &clock);
    let report = runner.tick().await.unwrap();
    assert!(report.leader);
    // Tier 1 acknowledges within 15 min: the untouched ticket breached, once.
    let detail = ticket_of(&app, &alone).await;
    assert_eq!(detail["ticket"]["tier"], "tier1");
    let breaches = actions(&detail)
        .iter()
        .filter(|a| *a == "sla_breached")
        .count();
    assert_eq!(breaches, 1, "{}", detail["trail"]);
    assert!(!actions(&ticket_of(&app, &waiting).await).contains(&"sla_breached".to_owned()));
    let events: Vec<String> = receiver
        .accepted()
        .iter()
        .map(|r| r.body["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(events, vec!["ticket.sla_breached"]);
    let mails = smtp.mails();
    assert!(
        mails
            .iter()
            .any(|m| m.to == vec!["tier1@acme.test"] && m.data.contains("SLA breached")),
        "{mails:?}"
    );
    assert!(
        mails.iter().all(|m| m.data.contains("List-Unsubscribe")),
        "{mails:?}"
    );
    // The owner heard about the assignment.
    assert!(
        mails.iter().any(|m| m.to == vec!["ann@acme.test"]),
        "{mails:?}"
    );

    // Four hours at tier 1 with no customer message: the time rule moves it up.
    clock.set(now_ms() + 4 * 60 * MINUTE + MINUTE);
    runner.tick().await.unwrap();
    let detail = ticket_of(&app, &alone).await;
    assert_eq!(detail["ticket"]["tier"], "tier2", "{}", detail["trail"]);
    let escalation = detail["trail"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "escalated")
        .unwrap()
        .clone();
    assert_eq!(escalation["actor"], "rule:tier1-open-4h");
    assert!(
        detail["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["text"].as_str().unwrap().contains("Tier 2")),
        "{}",
        detail["messages"]
    );
    // The customer who owes an answer keeps their ticket at tier 1.
    assert_eq!(ticket_of(&app, &waiting).await["ticket"]["tier"], "tier1");
    // An agent's escalation is an event too.
    let up = app
        .agent(
            "POST",
            &format!("/tickets/{waiting_ticket}/escalate"),
            Some(
                &json!({"to_tier": "tier2", "escalation_type": "hierarchical",
                "reason": "needs a billing decision"}),
            ),
        )
        .await;
    assert_eq!(up.status, 200, "{}", up.body);
    runner.tick().await.unwrap();
    let events: Vec<String> = receiver
        .accepted()
        .iter()
        .map(|r| r.body["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        events.iter().filter(|e| *e == "ticket.escalated").count(),
        2,
        "{events:?}"
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| *e == "ticket.sla_breached")
            .count(),
        // Tier 1's acknowledgement, then tier 2's for the agent-escalated ticket,
        // which the runner's clock (4 h ahead) finds 2 h overdue.
        2,
        "{events:?}"
    );
}

#[tokio::test]
async fn an_early_warning_becomes_an_alert_an_agent_confirms() {
    on_every_backend(alerts).await;
}

async fn alerts(app: TestApp) {
    let smtp = SmtpSink::start().await;
    let config = config(&app, smtp.port, &[TargetClass::Loopback]);
    let conversation = start(&app, "s-follow", "My invoice export is empty", None).await;
    let token_body = json!({"session_id": "s-follow", "idempotency_key": "k-s-follow",
        "message": "My invoice export is empty", "intent": "talk_to_person"});
    let token = app
        .json(
            "POST",
            "/api/widget/v1/conversations?site=pk_demo",
            &[],
            &token_body,
        )
        .await
        .body["conversation_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for (n, text) in ["Who has my ticket?", "Any update?"].iter().enumerate() {
        let sent = app
            .json(
                "POST",
                &format!("/api/widget/v1/conversations/{conversation}/messages?site=pk_demo"),
                &[("authorization", &format!("Bearer {token}"))],
                &json!({"idempotency_key": format!("f-{n}"), "text": text}),
            )
            .await;
        assert!(sent.status.is_success(), "{}", sent.body);
    }
    let clock = Arc::new(ManualClock::new(now_ms() + MINUTE));
    let runner = runner(&app, &config, &clock);
    assert!(runner.tick().await.unwrap().alerts >= 1);
    let open = app.agent("GET", "/alerts?state=open", None).await;
    let alert = open
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "status_follow_ups")
        .unwrap_or_else(|| panic!("no follow-up alert: {}", open.body))
        .clone();
    assert!(
        alert["reason"].as_str().unwrap().contains("2 times"),
        "{alert}"
    );
    assert!(!alert["next_step"].as_str().unwrap().is_empty());
    // The same warning is raised once.
    runner.tick().await.unwrap();
    let again = app.agent("GET", "/alerts", None).await;
    let follow_ups = again
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "status_follow_ups")
        .count();
    assert_eq!(follow_ups, 1);
    let id = alert["id"].as_str().unwrap();
    let adjust_without_step = app
        .agent(
            "POST",
            &format!("/alerts/{id}/decision"),
            Some(&json!({"decision": "adjust"})),
        )
        .await;
    assert_eq!(adjust_without_step.status, 400);
    let confirmed = app
        .agent(
            "POST",
            &format!("/alerts/{id}/decision"),
            Some(&json!({"decision": "confirm", "note": "called the customer"})),
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert_eq!(confirmed.body["state"], "confirmed");
    assert_eq!(confirmed.body["decided_by"], app.admin_id.as_str());
    let twice = app
        .agent(
            "POST",
            &format!("/alerts/{id}/decision"),
            Some(&json!({"decision": "dismiss"})),
        )
        .await;
    assert_eq!(twice.status, 409);
    let detail = ticket_of(&app, &conversation).await;
    let decided = detail["trail"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "alert_decided")
        .unwrap()
        .clone();
    assert_eq!(decided["actor"], format!("agent:{}", app.admin_id));
    assert_eq!(decided["detail"]["decision"], "confirmed");
}

#[tokio::test]
async fn three_customers_with_one_error_make_one_incident_and_its_fix_reaches_all() {
    on_every_backend(incident).await;
}

async fn report_error(app: &TestApp, session: &str, at_ms: i64) {
    let batch = json!({"session_id": session, "events": [
        {"id": "pv", "at_ms": at_ms - 1_000, "type": "page_view", "url": "https://acme.test/demo/invoices", "route": "/demo/invoices", "title": "Invoices"},
        {"id": "err", "at_ms": at_ms, "type": "js_error", "message": "TypeError: total is undefined",
         "source": "https://acme.test/demo/app.js", "route": "/demo/invoices"}]});
    let stored = app
        .json("POST", "/api/widget/v1/events?site=pk_demo", &[], &batch)
        .await;
    assert_eq!(stored.body["stored"], 2, "{}", stored.body);
}

async fn incident(app: TestApp) {
    let smtp = SmtpSink::start().await;
    let receiver = Receiver::start(SECRET, 0).await;
    let config = config(&app, smtp.port, &[TargetClass::Loopback]);
    add_endpoint(
        &app,
        json!({"kind": "jira", "url": format!("{}/rest/api/2/issue", receiver.base),
        "secret": "jira-token", "events": ["incident.opened"], "options": {"project": "OPS"}}),
    )
    .await;
    add_endpoint(
        &app,
        json!({"kind": "linear", "url": format!("{}/graphql", receiver.base),
        "secret": "lin_api_key", "events": ["incident.opened"], "options": {"team_id": "team-eng"}}),
    )
    .await;
    add_endpoint(
        &app,
        json!({"kind": "slack", "url": format!("{}/slack", receiver.base),
        "events": ["incident.opened", "incident.resolved"]}),
    )
    .await;
    let now = now_ms();
    let mut conversations = Vec::new();
    for n in 1..=3 {
        let session = format!("s-inc{n}");
        report_error(&app, &session, now - 5_000).await;
        let email = format!("customer{n}@example.com");
        conversations.push(start(&app, &session, "The invoices page is blank", Some(&email)).await);
    }
    let clock = Arc::new(ManualClock::new(now + 1_000));
    let runner = runner(&app, &config, &clock);
    assert_eq!(runner.tick().await.unwrap().incidents, 1);
    let list = app.agent("GET", "/incidents", None).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1, "{}", list.body);
    let id = list.body[0]["id"].as_str().unwrap().to_owned();
    let detail = app.agent("GET", &format!("/incidents/{id}"), None).await;
    let mut linked: Vec<String> = detail.body["affected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["conversation_id"].as_str().unwrap().to_owned())
        .collect();
    linked.sort();
    let mut expected = conversations.clone();
    expected.sort();
    assert_eq!(linked, expected);
    // Engineering got one issue with the reproduction context, Slack one message.
    let jira: Vec<_> = receiver
        .accepted()
        .into_iter()
        .filter(|r| r.path == "/jira")
        .collect();
    assert_eq!(jira.len(), 1);
    let description = jira[0].body["fields"]["description"].as_str().unwrap();
    assert!(
        description.contains("/demo/invoices") && description.contains("TypeError"),
        "{description}"
    );
    assert!(description.contains("Affected customers"), "{description}");
    assert_eq!(jira[0].headers["authorization"], "Bearer jira-token");
    let linear: Vec<_> = receiver
        .accepted()
        .into_iter()
        .filter(|r| r.path == "/linear")
        .collect();
    assert_eq!(linear.len(), 1);
    let input = &linear[0].body["variables"]["input"];
    assert_eq!(input["teamId"], "team-eng");
    assert!(
        input["description"]
            .as_str()
            .unwrap()
            .contains("Page trail"),
        "{input}"
    );
    assert!(
        linear[0].body["query"]
            .as_str()
            .unwrap()
            .contains("issueCreate")
    );
    assert_eq!(linear[0].headers["authorization"], "lin_api_key");
    let slack: Vec<_> = receiver
        .accepted()
        .into_iter()
        .filter(|r| r.path == "/slack")
        .collect();
    assert_eq!(slack.len(), 1);
    assert!(
        slack[0].body["text"]
            .as_str()
            .unwrap()
            .starts_with("Incident: TypeError"),
        "{}",
        slack[0].body
    );
    // What engineering created is recorded on the delivery.
    let done = app.agent("GET", "/jobs?state=done", None).await;
    let notes: Vec<&str> = done.body["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|j| j["last_error"].as_str())
        .collect();
    assert!(
        notes.contains(&"issue OPS-7") && notes.contains(&"issue ENG-12"),
        "{notes:?}"
    );
    // A fourth customer joins the same incident.
    report_error(&app, "s-inc4", now).await;
    clock.advance(1_000);
    assert_eq!(runner.tick().await.unwrap().incidents, 0);
    let detail = app.agent("GET", &format!("/incidents/{id}"), None).await;
    assert_eq!(detail.body["affected"].as_array().unwrap().len(), 4);

    let resolved = app
        .agent(
            "POST",
            &format!("/incidents/{id}/resolve"),
            Some(&json!({"note": "We deployed a fix."})),
        )
        .await;
    assert_eq!(resolved.status, 200, "{}", resolved.body);
    assert_eq!(resolved.body["state"], "resolved");
    for conversation in &conversations {
        let detail = ticket_of(&app, conversation).await;
        assert!(
            detail["messages"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["text"].as_str().unwrap().contains("is fixed")),
            "{}",
            detail["messages"]
        );
        assert!(actions(&detail).contains(&"incident_resolved".to_owned()));
    }
    // The resolution's jobs are due at the server's real time, which a slow run
    // may have moved past the test clock: catch the clock up first.
    let behind = now_ms() - waymark_server::jobs::Clock::now_ms(clock.as_ref());
    clock.advance(behind.max(0) + 1_000);
    runner.tick().await.unwrap();
    let slack_count = || {
        receiver
            .accepted()
            .into_iter()
            .filter(|r| r.path == "/slack")
            .count()
    };
    let slack = slack_count();
    assert_eq!(
        slack, 2,
        "incident.resolved reached Slack, and no new incident opened"
    );
    let fixed: Vec<String> = smtp
        .mails()
        .iter()
        .filter(|m| m.data.contains("Fixed:"))
        .flat_map(|m| m.to.clone())
        .collect();
    assert_eq!(fixed.len(), 3, "{fixed:?}");
    for n in 1..=3 {
        assert!(
            fixed.contains(&format!("customer{n}@example.com")),
            "{fixed:?}"
        );
    }
    let again = app
        .agent(
            "POST",
            &format!("/incidents/{id}/resolve"),
            Some(&json!({})),
        )
        .await;
    assert_eq!(again.status, 409);
}

#[tokio::test]
async fn deliveries_arrive_once_survive_failures_and_a_dead_runner_and_refuse_internal_targets() {
    on_every_backend(deliveries).await;
}

fn event(key: &str) -> OutboxItem {
    OutboxItem::Event(OutboxEvent {
        name: EventName::TicketResolved,
        dedupe_key: key.to_owned(),
        data: json!({"summary": "Resolved: export", "ticket_id": "t_1"}),
    })
}

async fn deliveries(app: TestApp) {
    let smtp = SmtpSink::start().await;
    let flaky = Receiver::start(SECRET, 2).await;
    let config = config(&app, smtp.port, &[TargetClass::Loopback]);
    let endpoint = add_endpoint(
        &app,
        json!({"url": format!("{}/hook", flaky.base), "secret": SECRET}),
    )
    .await;
    let now = now_ms();
    // Written twice with one key: one job.
    app.store
        .enqueue("demo", &[event("resolved:1")], now)
        .await
        .unwrap();
    app.store
        .enqueue("demo", &[event("resolved:1")], now)
        .await
        .unwrap();
    let clock = Arc::new(ManualClock::new(now));
    let first = runner(&app, &config, &clock);
    let report = first.tick().await.unwrap();
    assert_eq!((report.delivered, report.retried), (0, 1));
    clock.advance(29_000);
    assert_eq!(
        first.tick().await.unwrap().retried,
        0,
        "retried before its backoff"
    );
    clock.advance(2_000);
    assert_eq!(first.tick().await.unwrap().retried, 1);
    first.release().await;
    drop(first);
    // A restarted server (a new store over the same database) finds the job where
    // the first left it.
    clock.advance(61_000);
    let restarted = app.reopen_store().await;
    let second = Runner::new(restarted, config.clone(), clock.clone()).unwrap();
    assert_eq!(second.tick().await.unwrap().delivered, 1);
    assert_eq!(flaky.attempts(), 3);
    assert_eq!(flaky.accepted().len(), 1);
    let accepted = &flaky.accepted()[0];
    assert_eq!(accepted.body["event"], "ticket.resolved");
    assert!(accepted.headers.contains_key("waymark-delivery"));
    clock.advance(MINUTE);
    second.tick().await.unwrap();
    assert_eq!(flaky.accepted().len(), 1, "delivered twice");

    // A runner that dies holding a claim: the job comes back when the lease ends.
    app.store
        .enqueue("demo", &[event("resolved:2")], clock_now(&clock))
        .await
        .unwrap();
    let claimed = app
        .store
        .claim_jobs(clock_now(&clock), config.jobs.lease.0, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        second.tick().await.unwrap().delivered,
        0,
        "taken while leased"
    );
    clock.advance(config.jobs.lease.0 + 1);
    assert_eq!(second.tick().await.unwrap().delivered, 1);
    assert_eq!(flaky.accepted().len(), 2);

    // Internal targets: refused at once and kept as dead letters, redirects too.
    let jobs = app.agent("GET", "/jobs", None).await;
    assert!(
        jobs.body["counts"]["done"].as_i64().unwrap() >= 2,
        "{}",
        jobs.body
    );
    let update = app
        .agent(
            "PUT",
            &format!("/webhooks/{endpoint}"),
            Some(&json!({"url": "http://169.254.169.254/latest/meta-data", "active": true})),
        )
        .await;
    assert_eq!(update.status, 200, "{}", update.body);
    add_endpoint(
        &app,
        json!({"url": format!("{}/redirect", flaky.base), "secret": SECRET}),
    )
    .await;
    app.store
        .enqueue("demo", &[event("resolved:3")], clock_now(&clock))
        .await
        .unwrap();
    let report = second.tick().await.unwrap();
    assert_eq!(report.dead, 2, "{report:?}");
    let dead = app.agent("GET", "/jobs?state=dead", None).await;
    let dead = dead.body["jobs"].as_array().unwrap().clone();
    assert_eq!(dead.len(), 2);
    assert!(
        dead.iter()
            .all(|j| j["last_error"].as_str().unwrap().contains("refused target")),
        "{dead:?}"
    );
    // Loopback itself is refused without the operator's permission.
    let strict = config_without_loopback(&app, smtp.port);
    app.store
        .enqueue("demo", &[event("resolved:4")], clock_now(&clock))
        .await
        .unwrap();
    second.release().await;
    let guarded = Runner::new(app.store.clone(), strict, clock.clone()).unwrap();
    assert!(guarded.tick().await.unwrap().leader);
    guarded.release().await;
    let dead = app.agent("GET", "/jobs?state=dead", None).await;
    assert_eq!(
        dead.body["jobs"].as_array().unwrap().len(),
        4,
        "{}",
        dead.body
    );
    assert_eq!(flaky.accepted().len(), 2);
    // An agent redelivers a dead letter by hand once the endpoint is fixed.
    let fixed = app
        .agent(
            "PUT",
            &format!("/webhooks/{endpoint}"),
            Some(&json!({"url": format!("{}/hook", flaky.base)})),
        )
        .await;
    assert_eq!(fixed.status, 200);
    let job = dead.body["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["endpoint"] == endpoint.as_str())
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let redelivered = app
        .agent("POST", &format!("/jobs/{job}/redeliver"), None)
        .await;
    assert_eq!(redelivered.status, 200, "{}", redelivered.body);
    assert_eq!(redelivered.body["state"], "pending");
    second.tick().await.unwrap();
    assert_eq!(flaky.accepted().len(), 3);

    // One runner at a time across replicas.
    let other = runner(&app, &config, &clock);
    let held = other.tick().await.unwrap().leader;
    assert_eq!(held, app.name == "sqlite", "second runner on {}", app.name);
    second.release().await;
    if app.name == "postgres" {
        assert!(other.tick().await.unwrap().leader, "lock not taken over");
    }
}

fn clock_now(clock: &ManualClock) -> i64 {
    use waymark_server::jobs::Clock;
    clock.now_ms()
}

fn config_without_loopback(app: &TestApp, smtp_port: u16) -> Arc<Config> {
    let mut config = (*config(app, smtp_port, &[])).clone();
    config.integrations.allow_targets.clear();
    Arc::new(config)
}

#[tokio::test]
async fn an_offline_customer_gets_the_reply_by_email_until_they_unsubscribe() {
    on_every_backend(reply_by_email).await;
}

fn unsubscribe_token(mail: &str) -> String {
    let unfolded = mail.replace("=\n", "");
    let start = unfolded
        .find("/api/v1/unsubscribe/")
        .expect("unsubscribe link")
        + 20;
    unfolded[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}

async fn reply_by_email(app: TestApp) {
    let smtp = SmtpSink::start().await;
    let config = config(&app, smtp.port, &[TargetClass::Loopback]);
    let conversation = start(
        &app,
        "s-mail",
        "Where is my refund?",
        Some("pat@example.com"),
    )
    .await;
    let ticket = ticket_of(&app, &conversation).await["ticket"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = |text: &'static str| {
        let app = &app;
        let ticket = ticket.clone();
        async move {
            let answer = app
                .agent(
                    "POST",
                    &format!("/tickets/{ticket}/reply"),
                    Some(&json!({"text": text})),
                )
                .await;
            assert_eq!(answer.status, 200, "{}", answer.body);
        }
    };
    reply("The refund left our bank today.").await;
    let clock = Arc::new(ManualClock::new(now_ms() + 1_000));
    let runner = runner(&app, &config, &clock);
    runner.tick().await.unwrap();
    let to_pat: Vec<_> = smtp
        .mails()
        .into_iter()
        .filter(|m| m.to == vec!["pat@example.com"])
        .collect();
    assert_eq!(to_pat.len(), 1, "{:?}", smtp.mails());
    assert!(
        to_pat[0].data.contains("The refund left our bank today."),
        "{}",
        to_pat[0].data
    );
    assert!(to_pat[0].data.contains("List-Unsubscribe"));
    // While the customer's page is open, the widget shows the reply: no email.
    let batch = json!({"session_id": "s-mail", "events": [
        {"id": "pv-1", "at_ms": now_ms(), "type": "page_view", "url": "https://acme.test/demo/", "route": "/demo/", "title": "Home"}]});
    let stored = app
        .json("POST", "/api/widget/v1/events?site=pk_demo", &[], &batch)
        .await;
    assert_eq!(stored.body["stored"], 1, "{}", stored.body);
    reply("Anything else?").await;
    clock.advance(1_000);
    runner.tick().await.unwrap();
    assert_eq!(
        smtp.mails()
            .iter()
            .filter(|m| m.to == vec!["pat@example.com"])
            .count(),
        1
    );
    // The link unsubscribes; later emails to the address are not sent.
    let token = unsubscribe_token(&to_pat[0].data);
    let page = app
        .raw(
            "GET",
            &format!("/api/v1/unsubscribe/{token}"),
            &[],
            axum::body::Body::empty(),
        )
        .await;
    assert_eq!(page.status, 200);
    let done = app
        .raw(
            "POST",
            &format!("/api/v1/unsubscribe/{token}"),
            &[],
            axum::body::Body::empty(),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.body["unsubscribed"], true);
    let unknown = app
        .raw(
            "POST",
            "/api/v1/unsubscribe/00ff",
            &[],
            axum::body::Body::empty(),
        )
        .await;
    assert_eq!(unknown.status, 404);
    let later = waymark_server::notify::email::EmailJob {
        to: "Pat <PAT@example.com>".into(),
        subject: "Resolved: Where is my refund?".into(),
        body: "Your request is resolved.".into(),
        audience: waymark_server::notify::email::Audience::Customer,
        dedupe_key: "resolved:later".into(),
    };
    app.store
        .enqueue("demo", &[later.into_item()], clock_now(&clock))
        .await
        .unwrap();
    clock.advance(3 * MINUTE);
    runner.tick().await.unwrap();
    assert_eq!(
        smtp.mails()
            .iter()
            .filter(|m| m.to == vec!["pat@example.com"])
            .count(),
        1
    );
    let done = app.agent("GET", "/jobs?state=done", None).await;
    assert!(
        done.body["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j["to"] == "Pat <PAT@example.com>"
                && j["last_error"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("unsubscribed")),
        "{}",
        done.body
    );
}

#[tokio::test]
async fn product_areas_from_route_patterns_make_area_rules_fire() {
    on_every_backend(product_areas).await;
}

async fn product_areas(app: TestApp) {
    let smtp = SmtpSink::start().await;
    let mut config = (*config(&app, smtp.port, &[])).clone();
    config.alerts.product_areas.insert(
        "data_loss".into(),
        waymark_server::config::ProductAreaConfig {
            routes: vec!["/demo/restore/**".into()],
            ..Default::default()
        },
    );
    let config = Arc::new(config);
    let batch = json!({"session_id": "s-restore", "events": [
        {"id": "pv", "at_ms": now_ms() - 2_000, "type": "page_view", "url": "https://acme.test/demo/restore/backups",
         "route": "/demo/restore/backups", "title": "Restore"}]});
    let stored = app
        .json("POST", "/api/widget/v1/events?site=pk_demo", &[], &batch)
        .await;
    assert_eq!(stored.body["stored"], 1, "{}", stored.body);
    // The plan steers routing only when the host proves the identity.
    let secret = waymark_server::flow::identity::rotate_secret(&app.store, "demo")
        .await
        .unwrap();
    let user_hash = waymark_server::flow::identity::user_hash(&secret, "u-restore");
    let body = json!({"session_id": "s-restore", "idempotency_key": "k-restore",
        "message": "My backups are gone", "intent": "talk_to_person",
        "identity": {"user_id": "u-restore", "plan": "enterprise", "user_hash": user_hash}});
    let started = app
        .json(
            "POST",
            "/api/widget/v1/conversations?site=pk_demo",
            &[],
            &body,
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let conversation = started.body["conversation_id"].as_str().unwrap().to_owned();
    assert_eq!(
        ticket_of(&app, &conversation).await["ticket"]["tier"],
        "tier1"
    );
    let clock = Arc::new(ManualClock::new(now_ms() + 1_000));
    let runner = runner(&app, &config, &clock);
    assert_eq!(runner.tick().await.unwrap().escalations, 1);
    let detail = ticket_of(&app, &conversation).await;
    assert_eq!(detail["ticket"]["tier"], "tier3", "{}", detail["trail"]);
    let escalation = detail["trail"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "escalated")
        .unwrap()
        .clone();
    assert_eq!(escalation["actor"], "rule:enterprise-data-loss");
    assert!(
        escalation["detail"]["explanation"]
            .as_str()
            .unwrap()
            .contains("data_loss"),
        "{escalation}"
    );
}
