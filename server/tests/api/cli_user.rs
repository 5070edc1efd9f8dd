//! The operator's side of accounts: the account operations behind `waymark user`
//! (checked input, resets that lift locks and end sessions, disabling), and the
//! `waymark` binary itself (`waymark user` creates, lists, resets, disables, mints
//! tokens; `waymark serve` refuses the demo's shared token).

use std::process::{Command, Output};

use waymark_server::auth::{NewUser, Role, accounts};

use crate::accounts::{login, session_cookie};
use crate::harness::{PASSWORD, TestApp, error_code, now_ms, on_every_backend};

fn waymark(data_dir: &std::path::Path, args: &[&str], password: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_waymark"));
    command
        .args(args)
        .env("WAYMARK_DATA_DIR", data_dir)
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .env_remove("WAYMARK_API_TOKEN")
        .env_remove("WAYMARK_CONFIG");
    match password {
        Some(password) => command.env("WAYMARK_PASSWORD", password),
        None => command.env_remove("WAYMARK_PASSWORD"),
    };
    command.output().expect("run waymark")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn waymark_user_manages_accounts_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let site = waymark(data, &["site", "add", "acme", "--name", "Acme"], None);
    assert!(site.status.success(), "{}", stderr(&site));

    let add = [
        "user",
        "add",
        "ann@acme.test",
        "--name",
        "Ann",
        "--role",
        "agent",
        "--site",
        "acme",
    ];
    let short = waymark(data, &add, Some("short"));
    assert!(!short.status.success());
    assert!(
        stderr(&short).contains("password: must be at least 10"),
        "{}",
        stderr(&short)
    );
    let bad_role = waymark(
        data,
        &[
            "user",
            "add",
            "x@acme.test",
            "--name",
            "X",
            "--role",
            "root",
            "--site",
            "acme",
        ],
        Some("long enough password"),
    );
    assert!(
        stderr(&bad_role).contains("not a role"),
        "{}",
        stderr(&bad_role)
    );
    let added = waymark(data, &add, Some("long enough password"));
    assert!(added.status.success(), "{}", stderr(&added));
    assert!(stdout(&added).contains("ann@acme.test") && stdout(&added).contains("agent"));

    let token = waymark(data, &["user", "token", "ann@acme.test"], None);
    assert!(token.status.success(), "{}", stderr(&token));
    assert!(
        stdout(&token).trim().starts_with("wm_"),
        "{}",
        stdout(&token)
    );

    let promoted = waymark(
        data,
        &["user", "role", "ann@acme.test", "knowledge_manager"],
        None,
    );
    assert!(promoted.status.success(), "{}", stderr(&promoted));
    let reset = waymark(
        data,
        &["user", "reset-password", "ann@acme.test"],
        Some("another long one"),
    );
    assert!(reset.status.success(), "{}", stderr(&reset));
    let disabled = waymark(data, &["user", "disable", "ann@acme.test"], None);
    assert!(disabled.status.success(), "{}", stderr(&disabled));
    let list = waymark(data, &["user", "list"], None);
    let line = stdout(&list)
        .lines()
        .find(|line| line.starts_with("ann@acme.test"))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("ann is listed: {}", stdout(&list)));
    assert!(
        line.contains("knowledge_manager") && line.contains("disabled") && line.contains("acme"),
        "{line}"
    );
}

#[test]
fn waymark_serve_refuses_the_shared_token() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_waymark"))
        .arg("serve")
        .env("WAYMARK_DATA_DIR", dir.path())
        .env("WAYMARK_LISTEN", "127.0.0.1:0")
        .env("WAYMARK_API_TOKEN", "a-shared-token-0123456789")
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .env_remove("WAYMARK_CONFIG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A server that started would run until stopped: stop it and fail.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("waymark serve started with the shared token");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("accepted only by `waymark demo`"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test]
async fn operator_commands_check_their_input_and_take_effect() {
    on_every_backend(operator).await;
}

async fn operator(app: TestApp) {
    let now = now_ms();
    let new = |email: &str, password: &str, site: &str| NewUser {
        email: email.into(),
        name: "Ann".into(),
        role: Role::Agent,
        password: password.into(),
        sites: vec![site.into()],
    };
    let refusals = [
        (new("not-an-email", PASSWORD, "demo"), "email:"),
        (new("ann@test.example", "short", "demo"), "password:"),
        (new("ann@test.example", PASSWORD, "nowhere"), "site:"),
    ];
    for (user, field) in refusals {
        let err = accounts::add_user(&app.store, user, now).await.unwrap_err();
        assert!(err.to_string().starts_with(field), "{err}");
    }
    accounts::add_user(&app.store, new("Ann@Test.Example", PASSWORD, "demo"), now)
        .await
        .unwrap();
    let twice = accounts::add_user(&app.store, new("ann@test.example", PASSWORD, "demo"), now)
        .await
        .unwrap_err();
    assert!(twice.to_string().contains("exists already"), "{twice}");

    // A reset lifts a lock and ends the sessions opened before it.
    let before = session_cookie(&login(&app, "ann@test.example", PASSWORD).await);
    for attempt in 0..5 {
        login(
            &app,
            "ann@test.example",
            &format!("wrong {attempt} password"),
        )
        .await;
    }
    assert_eq!(
        error_code(&login(&app, "ann@test.example", PASSWORD).await),
        "account_locked"
    );
    accounts::reset_password(&app.store, "ann@test.example", "a reset password", now_ms())
        .await
        .unwrap();
    let me = app
        .raw("GET", "/api/v1/auth/me", &[("cookie", &before)], "")
        .await;
    assert_eq!(me.status, 401);
    assert_eq!(
        login(&app, "ann@test.example", "a reset password")
            .await
            .status,
        200
    );

    // A second site shows up in the user's sites.
    waymark_server::flow::sites::create_site(&app.store, "second", "Second", &[])
        .await
        .unwrap();
    accounts::add_to_site(&app.store, "ann@test.example", "second", now_ms())
        .await
        .unwrap();
    let (_, token) = accounts::mint_token(&app.store, "ann@test.example", "test", now_ms())
        .await
        .unwrap();
    let auth = format!("Bearer {token}");
    let sites = app
        .raw("GET", "/api/v1/sites", &[("authorization", &auth)], "")
        .await;
    let ids: Vec<&str> = sites
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["demo", "second"]);

    // Disabled: no login, no token, no new token.
    accounts::disable(&app.store, "ann@test.example", now_ms())
        .await
        .unwrap();
    assert_eq!(
        error_code(&login(&app, "ann@test.example", "a reset password").await),
        "invalid_credentials"
    );
    let refused = app
        .raw("GET", "/api/v1/sites", &[("authorization", &auth)], "")
        .await;
    assert_eq!(refused.status, 401);
    assert!(
        accounts::mint_token(&app.store, "ann@test.example", "x", now_ms())
            .await
            .is_err()
    );
}
