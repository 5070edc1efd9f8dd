//! The console's login through HTTP: sessions (cookie flags, `/auth/me`, logout),
//! CSRF on cookie writes, one answer for unknown emails and wrong passwords,
//! lockout after five wrong passwords, the per-address login limit, password
//! change ending the other sessions, idle and absolute session expiry.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::connect_info::ConnectInfo;
use axum::http::Request;
use serde_json::{Value, json};
use tower::ServiceExt;
use waymark_server::auth::{Role, secret};

use crate::harness::{
    Answer, PASSWORD, TestApp, create_user, error_code, now_ms, on_every_backend,
};

pub async fn login(app: &TestApp, email: &str, password: &str) -> Answer {
    app.json(
        "POST",
        "/api/v1/auth/login",
        &[],
        &json!({"email": email, "password": password}),
    )
    .await
}

/// `waymark_session=…` from a login answer, as a `Cookie` header value.
pub fn session_cookie(answer: &Answer) -> String {
    let set_cookie = answer
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no Set-Cookie in {:?} {}", answer.status, answer.body));
    set_cookie.split(';').next().unwrap().trim().to_owned()
}

pub async fn start_ticket(app: &TestApp, session: &str) -> String {
    let body = json!({"session_id": session, "idempotency_key": format!("k-{session}"),
        "message": "I cannot export my invoices", "intent": "talk_to_person"});
    let started = app
        .json(
            "POST",
            "/api/widget/v1/conversations?site=pk_demo",
            &[],
            &body,
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let queue = app.agent("GET", "/tickets", None).await;
    queue
        .body
        .as_array()
        .unwrap()
        .iter()
        .find_map(|entry| {
            (entry["ticket"]["conversation_id"] == started.body["conversation_id"])
                .then(|| entry["ticket"]["id"].as_str().unwrap().to_owned())
        })
        .expect("the ticket is in the queue")
}

#[tokio::test]
async fn a_console_session_logs_in_reads_writes_with_csrf_and_logs_out() {
    on_every_backend(session_round_trip).await;
}

async fn session_round_trip(app: TestApp) {
    let backend = app.name;
    create_user(&app.store, "agent@test.example", Role::Agent, &["demo"]).await;
    let ticket = start_ticket(&app, "s-login").await;

    let wrong = login(&app, "agent@test.example", "not the password").await;
    let unknown = login(&app, "nobody@test.example", PASSWORD).await;
    assert_eq!(error_code(&wrong), "invalid_credentials", "{backend}");
    assert_eq!(error_code(&unknown), "invalid_credentials");
    assert_eq!(wrong.status, 401);
    assert_eq!(
        wrong.body["error"]["message"], unknown.body["error"]["message"],
        "an unknown email and a wrong password read the same"
    );

    let signed_in = login(&app, "Agent@Test.Example", PASSWORD).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    let set_cookie = signed_in.headers["set-cookie"].to_str().unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(flag), "{set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "plain http: {set_cookie}");
    let user = &signed_in.body["user"];
    assert_eq!(user["email"], "agent@test.example");
    assert_eq!(user["role"], "agent");
    assert_eq!(
        user["sites"],
        json!([{"id": "demo", "name": "Acme Ledger (demo)"}])
    );
    let csrf = signed_in.body["csrf_token"].as_str().unwrap().to_owned();
    let cookie = session_cookie(&signed_in);

    let me = app
        .raw("GET", "/api/v1/auth/me", &[("cookie", &cookie)], "")
        .await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.body["user"], signed_in.body["user"]);
    assert_eq!(me.body["csrf_token"], csrf.as_str());
    let sites = app
        .raw("GET", "/api/v1/sites", &[("cookie", &cookie)], "")
        .await;
    assert_eq!(
        sites.body,
        json!([{"id": "demo", "name": "Acme Ledger (demo)"}])
    );
    let queue = app
        .raw(
            "GET",
            "/api/v1/sites/demo/tickets",
            &[("cookie", &cookie)],
            "",
        )
        .await;
    assert_eq!(queue.status, 200, "reads need no CSRF token");

    // A write with the cookie alone is refused; with the session's token it goes through.
    let reply_uri = format!("/api/v1/sites/demo/tickets/{ticket}/reply");
    let reply = json!({"text": "Looking into it"});
    let forged = app
        .json("POST", &reply_uri, &[("cookie", &cookie)], &reply)
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(error_code(&forged), "csrf_failed");
    let wrong_token = app
        .json(
            "POST",
            &reply_uri,
            &[("cookie", &cookie), ("x-csrf-token", "0000")],
            &reply,
        )
        .await;
    assert_eq!(error_code(&wrong_token), "csrf_failed");
    let sent = app
        .json(
            "POST",
            &reply_uri,
            &[("cookie", &cookie), ("x-csrf-token", &csrf)],
            &reply,
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let detail = app.agent("GET", &format!("/tickets/{ticket}"), None).await;
    let last = detail.body["trail"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["action"], "replied");
    assert_eq!(
        last["actor"],
        format!("agent:{}", user["id"].as_str().unwrap()),
        "the trail names the signed-in user"
    );

    // Behind an https proxy the cookie is Secure.
    let proxied = app
        .json(
            "POST",
            "/api/v1/auth/login",
            &[("x-forwarded-proto", "https")],
            &json!({"email": "agent@test.example", "password": PASSWORD}),
        )
        .await;
    assert!(
        proxied.headers["set-cookie"]
            .to_str()
            .unwrap()
            .contains("; Secure"),
        "{:?}",
        proxied.headers
    );

    let no_csrf = app
        .raw("POST", "/api/v1/auth/logout", &[("cookie", &cookie)], "")
        .await;
    assert_eq!(error_code(&no_csrf), "csrf_failed");
    let out = app
        .raw(
            "POST",
            "/api/v1/auth/logout",
            &[("cookie", &cookie), ("x-csrf-token", &csrf)],
            "",
        )
        .await;
    assert_eq!(out.status, 204);
    assert!(
        out.headers["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let gone = app
        .raw("GET", "/api/v1/auth/me", &[("cookie", &cookie)], "")
        .await;
    assert_eq!(gone.status, 401);
    assert_eq!(error_code(&gone), "unauthorized");
    let anonymous = app.raw("GET", "/api/v1/auth/me", &[], "").await;
    assert_eq!(error_code(&anonymous), "unauthorized");
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_for_fifteen_minutes() {
    on_every_backend(lockout).await;
}

async fn lockout(app: TestApp) {
    create_user(
        &app.store,
        "km@test.example",
        Role::KnowledgeManager,
        &["demo"],
    )
    .await;
    create_user(&app.store, "other@test.example", Role::Agent, &["demo"]).await;
    for attempt in 1..=5 {
        let wrong = login(
            &app,
            "km@test.example",
            &format!("wrong password {attempt}"),
        )
        .await;
        assert_eq!(
            error_code(&wrong),
            "invalid_credentials",
            "attempt {attempt}"
        );
    }
    let locked = login(&app, "km@test.example", PASSWORD).await;
    assert_eq!(locked.status, 429, "{}", locked.body);
    assert_eq!(error_code(&locked), "account_locked");
    let retry: u64 = locked.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((840..=900).contains(&retry), "Retry-After {retry}");
    // Another account is not affected.
    assert_eq!(
        login(&app, "other@test.example", PASSWORD).await.status,
        200
    );
    // Once the lock has run out, the right password works again.
    let user = app
        .store
        .user_by_email("km@test.example")
        .await
        .unwrap()
        .unwrap();
    app.store.clear_failed_logins(&user.id).await.unwrap();
    assert_eq!(login(&app, "km@test.example", PASSWORD).await.status, 200);
}

async fn login_from(app: &TestApp, address: [u8; 4]) -> Answer {
    let request = Request::builder()
        .method("POST")
        .uri("/api/v1/auth/login")
        .header("content-type", "application/json")
        .extension(ConnectInfo(SocketAddr::from((address, 40_000))))
        .body(Body::from(
            json!({"email": "nobody@test.example", "password": "whatever-it-is"}).to_string(),
        ))
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    Answer {
        status,
        headers,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

#[tokio::test]
async fn logins_from_one_address_are_rate_limited() {
    on_every_backend(login_rate).await;
}

async fn login_rate(app: TestApp) {
    // The default is 20 attempts a minute per client address: a burst of 20, then one
    // more every 3 s. However slow the machine, the 21st of a quick burst is refused or,
    // if time refilled the bucket meanwhile, one of the next.
    let mut accepted = 0;
    let limited = loop {
        let answer = login_from(&app, [10, 0, 0, 1]).await;
        if answer.status == 429 {
            break answer;
        }
        assert_eq!(error_code(&answer), "invalid_credentials");
        accepted += 1;
        assert!(accepted < 200, "no limit after {accepted} attempts");
    };
    assert!(accepted >= 20, "only {accepted} attempts before the limit");
    assert_eq!(error_code(&limited), "rate_limited");
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3).contains(&retry), "Retry-After {retry}");
    let elsewhere = login_from(&app, [10, 0, 0, 2]).await;
    assert_eq!(error_code(&elsewhere), "invalid_credentials");
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions() {
    on_every_backend(password_change).await;
}

async fn password_change(app: TestApp) {
    create_user(&app.store, "agent@test.example", Role::Agent, &["demo"]).await;
    let first = login(&app, "agent@test.example", PASSWORD).await;
    let second = login(&app, "agent@test.example", PASSWORD).await;
    let (cookie, csrf) = (
        session_cookie(&first),
        first.body["csrf_token"].as_str().unwrap().to_owned(),
    );
    let change = |body: Value| {
        let (cookie, csrf) = (cookie.clone(), csrf.clone());
        let app = &app;
        async move {
            app.json(
                "POST",
                "/api/v1/auth/password",
                &[("cookie", &cookie), ("x-csrf-token", &csrf)],
                &body,
            )
            .await
        }
    };
    let short = change(json!({"current_password": PASSWORD, "new_password": "short"})).await;
    assert_eq!(error_code(&short), "invalid_value");
    assert!(
        short.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("new_password"),
        "{}",
        short.body
    );
    let wrong =
        change(json!({"current_password": "not it at all", "new_password": "a new long password"}))
            .await;
    assert_eq!(error_code(&wrong), "invalid_value");
    assert!(
        wrong.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("current_password")
    );
    let changed =
        change(json!({"current_password": PASSWORD, "new_password": "a new long password"})).await;
    assert_eq!(changed.status, 204, "{}", changed.body);

    let me = |cookie: String| {
        let app = &app;
        async move {
            app.raw("GET", "/api/v1/auth/me", &[("cookie", &cookie)], "")
                .await
                .status
        }
    };
    assert_eq!(
        me(cookie.clone()).await,
        200,
        "the session that changed it stays"
    );
    assert_eq!(
        me(session_cookie(&second)).await,
        401,
        "the other session ended"
    );
    assert_eq!(
        login(&app, "agent@test.example", PASSWORD).await.status,
        401
    );
    assert_eq!(
        login(&app, "agent@test.example", "a new long password")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn sessions_expire_when_idle_and_when_old() {
    on_every_backend(expiry).await;
}

async fn expiry(app: TestApp) {
    create_user(&app.store, "agent@test.example", Role::Agent, &["demo"]).await;
    let user = app
        .store
        .user_by_email("agent@test.example")
        .await
        .unwrap()
        .unwrap();
    let hour = 3_600_000;
    let now = now_ms();
    // Idle for 13 hours (the default idle expiry is 12).
    app.store
        .insert_session(
            &secret::hash_secret("idle-session"),
            &user.id,
            now - 13 * hour,
        )
        .await
        .unwrap();
    // Used a minute ago, but opened 8 days ago (the default maximum is 7).
    app.store
        .insert_session(
            &secret::hash_secret("old-session"),
            &user.id,
            now - 8 * 24 * hour,
        )
        .await
        .unwrap();
    app.store
        .touch_session(&secret::hash_secret("old-session"), now - 60_000)
        .await
        .unwrap();
    // Opened 11 hours ago and idle since: still valid.
    app.store
        .insert_session(
            &secret::hash_secret("fresh-session"),
            &user.id,
            now - 11 * hour,
        )
        .await
        .unwrap();
    for (session, expected) in [
        ("idle-session", 401),
        ("old-session", 401),
        ("fresh-session", 200),
    ] {
        let cookie = format!("waymark_session={session}");
        let me = app
            .raw("GET", "/api/v1/auth/me", &[("cookie", &cookie)], "")
            .await;
        assert_eq!(me.status, expected, "{session}: {}", me.body);
    }
}
