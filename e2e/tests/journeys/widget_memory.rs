//! The widget's memory and the host's commands: a fresh visitor who never
//! opened the widget is offered the answer after landing on the same error page
//! across full page loads (consent `functional`, the default), storing only the
//! tab's session id and page-signal counters; in `strict` mode nothing is
//! stored before consent and the nudge still fires within the single-page app;
//! `trigger` opens the nudge; a dead click reaches the trail; `shutdown` stops
//! capture and removes what the widget stored; a hash-routed app's fragment
//! routes are its pages.

use std::time::Duration;

use anyhow::Context;
use waymark_e2e::console::widget_text;
use waymark_e2e::{API_TOKEN, DEMO_SITE, Harness, http, wait_for};

const SETTLE: Duration = Duration::from_secs(20);

/// What the page keeps: cookies, `localStorage` keys and `sessionStorage` keys.
const STORAGE: &str = "return { cookies: document.cookie, local: Object.keys(localStorage),
    session: Object.keys(sessionStorage).sort() };";

/// Clicks the top-bar link to `href` as a visitor would and waits for the
/// page at `path` with the widget on it; returns the widget's session id.
async fn follow(h: &Harness, href: &str, path: &str) -> anyhow::Result<String> {
    h.js(&format!(
        "document.querySelector('a[href=\"{href}\"]').click(); return true;"
    ))
    .await?;
    wait_for(
        &format!("the page {path} with the widget"),
        SETTLE,
        || async {
            let seen = h
                .js(&format!(
                    "return location.pathname === '{path}' && document.readyState === 'complete'
                   && document.getElementById('waymark-widget') && window.__waymark
                   && sessionStorage.getItem('waymark.session') === window.__waymark.session
                   ? window.__waymark.session : null;"
                ))
                .await?;
            Ok(seen.as_str().map(str::to_owned))
        },
    )
    .await
}

async fn put_settings(h: &Harness, settings: serde_json::Value) -> anyhow::Result<()> {
    let response = http::put_json(
        &format!("{}/api/v1/sites/{DEMO_SITE}/widget-settings", h.base),
        Some(API_TOKEN),
        &settings.to_string(),
    )
    .await?;
    anyhow::ensure!(response.status == 200, "{}", response.body);
    Ok(())
}

async fn session_events(h: &Harness, session: &str) -> anyhow::Result<Vec<serde_json::Value>> {
    let path = format!("/api/v1/sites/{DEMO_SITE}/sessions/{session}/events");
    Ok(h.agent_get(&path)
        .await?
        .as_array()
        .cloned()
        .unwrap_or_default())
}

#[tokio::test]
async fn a_fresh_visitor_who_never_opened_the_widget_is_offered_the_answer_across_page_loads()
-> anyhow::Result<()> {
    let harness = Harness::start().await?;
    let result = multi_page_journey(&harness).await;
    harness.stop().await;
    result
}

async fn multi_page_journey(h: &Harness) -> anyhow::Result<()> {
    // Exactly the demo's hint: Old reports, Dashboard, Old reports, Dashboard, Old reports.
    h.browser.goto(&format!("{}/demo/", h.base)).await?;
    widget_text(h, "the launcher", ".wm-launcher").await?;
    let mut sessions = Vec::new();
    for step in 0..5 {
        let (href, path) = if step % 2 == 0 {
            ("/demo/broken", "/demo/broken")
        } else {
            ("/demo/", "/demo/")
        };
        sessions.push(follow(h, href, path).await?);
    }
    let nudge = widget_text(h, "the nudge on the third error page", ".wm-nudge").await?;
    assert!(nudge.contains("Stuck?"), "unexpected nudge: {nudge}");
    let answer = widget_text(h, "the matching answer", ".wm-answer").await?;
    assert!(
        answer.contains("old Reports page"),
        "the nudge does not offer the error page's answer: {answer}"
    );
    sessions.dedup();
    assert_eq!(sessions.len(), 1, "one tab, one session: {sessions:?}");

    // Only the tab's session id and the page-signal counters: no cookies, no localStorage.
    let stored = h.js(STORAGE).await?;
    assert_eq!(stored["cookies"], "", "{stored}");
    assert_eq!(stored["local"], serde_json::json!([]), "{stored}");
    assert_eq!(
        stored["session"],
        serde_json::json!(["waymark.session", "waymark.signals"]),
        "{stored}"
    );
    Ok(())
}

#[tokio::test]
async fn strict_consent_stores_nothing_before_consent_and_still_nudges_in_the_app()
-> anyhow::Result<()> {
    let harness = Harness::start().await?;
    let result = strict_journey(&harness).await;
    harness.stop().await;
    result
}

async fn strict_journey(h: &Harness) -> anyhow::Result<()> {
    put_settings(h, serde_json::json!({"privacy": {"consent": "strict"}})).await?;
    h.browser.goto(&format!("{}/demo/", h.base)).await?;
    widget_text(h, "the launcher", ".wm-launcher").await?;
    // Within the single-page app: Billing, then the payment fails three times.
    h.js("document.querySelector('a[href=\"/demo/billing\"]').click(); return true;")
        .await?;
    for attempt in 1..=3 {
        h.js("document.getElementById('pay-result').textContent = '';
              document.getElementById('pay-now').click(); return true;")
            .await?;
        wait_for(&format!("payment failure {attempt}"), SETTLE, || async {
            let shown = h
                .js("const r = document.getElementById('pay-result'); return r && r.textContent.includes('E502');")
                .await?;
            Ok(shown.as_bool().filter(|shown| *shown))
        })
        .await?;
    }
    let nudge = widget_text(h, "the nudge in the app", ".wm-nudge").await?;
    assert!(nudge.contains("Stuck?"), "unexpected nudge: {nudge}");
    let stored = h.js(STORAGE).await?;
    assert_eq!(
        stored,
        serde_json::json!({"cookies": "", "local": [], "session": []}),
        "strict mode stored something before consent"
    );

    // The host's consent allows the tab's session to be kept.
    h.js("Waymark('consent'); return true;").await?;
    let kept = wait_for("the session kept after consent", SETTLE, || async {
        let stored = h.js(STORAGE).await?;
        let kept = stored["session"]
            .as_array()
            .is_some_and(|keys| keys.iter().any(|k| k == "waymark.session"));
        Ok(kept.then_some(stored))
    })
    .await?;
    assert_eq!(kept["cookies"], "", "{kept}");
    assert_eq!(kept["local"], serde_json::json!([]), "{kept}");
    Ok(())
}

#[tokio::test]
async fn trigger_opens_the_nudge_and_a_dead_click_reaches_the_trail() -> anyhow::Result<()> {
    let harness = Harness::start().await?;
    let result = trigger_journey(&harness).await;
    harness.stop().await;
    result
}

async fn trigger_journey(h: &Harness) -> anyhow::Result<()> {
    h.browser.goto(&format!("{}/demo/", h.base)).await?;
    widget_text(h, "the launcher", ".wm-launcher").await?;
    let session = h.js("return window.__waymark.session;").await?;
    let session = session.as_str().context("no widget session")?.to_owned();

    // A badge that looks clickable and does nothing.
    h.js("document.getElementById('plan-badge').click(); return true;")
        .await?;
    let dead = wait_for("the dead click", SETTLE, || async {
        let events = session_events(h, &session).await?;
        Ok(events.into_iter().find(|e| e["type"] == "dead_click"))
    })
    .await?;
    assert_eq!(dead["target"], "span#plan-badge", "{dead}");
    assert_eq!(dead["route"], "/demo/", "{dead}");

    // The host names a moment: the nudge opens with answers for the question.
    h.js("Waymark('trigger', 'payment failed E502'); return true;")
        .await?;
    widget_text(h, "the triggered nudge", ".wm-nudge").await?;
    let answer = widget_text(h, "the triggered answers", ".wm-answer").await?;
    assert!(answer.contains("E502"), "unexpected answer: {answer}");
    Ok(())
}

#[tokio::test]
async fn shutdown_stops_capture_and_removes_what_the_widget_stored() -> anyhow::Result<()> {
    let harness = Harness::start().await?;
    let result = shutdown_journey(&harness).await;
    harness.stop().await;
    result
}

async fn shutdown_journey(h: &Harness) -> anyhow::Result<()> {
    h.browser.goto(&format!("{}/demo/", h.base)).await?;
    widget_text(h, "the launcher", ".wm-launcher").await?;
    wait_for("the tab's session kept", SETTLE, || async {
        let kept = h
            .js("return sessionStorage.getItem('waymark.session');")
            .await?;
        Ok(kept.as_str().map(str::to_owned))
    })
    .await?;
    let session = h.js("return window.__waymark.session;").await?;
    let session = session.as_str().context("no widget session")?.to_owned();

    h.js("Waymark('shutdown'); return true;").await?;
    let gone = wait_for("the widget gone", SETTLE, || async {
        let gone = h
            .js("return document.getElementById('waymark-widget') === null;")
            .await?;
        Ok(gone.as_bool().filter(|gone| *gone))
    })
    .await?;
    assert!(gone);
    let stored = h.js(STORAGE).await?;
    assert_eq!(
        stored,
        serde_json::json!({"cookies": "", "local": [], "session": []}),
        "shutdown left something stored"
    );

    // After shutdown the app fails a payment: nothing is captured or sent.
    let before = session_events(h, &session).await?.len();
    h.js("document.querySelector('a[href=\"/demo/billing\"]').click(); return true;")
        .await?;
    h.js("document.getElementById('pay-now').click(); return true;")
        .await?;
    wait_for("the payment failure on the page", SETTLE, || async {
        let shown = h
            .js("const r = document.getElementById('pay-result'); return r && r.textContent.includes('E502');")
            .await?;
        Ok(shown.as_bool().filter(|shown| *shown))
    })
    .await?;
    let captured = h
        .js("return [window.__waymark.buffer.length, window.__waymark.stopped === true];")
        .await?;
    assert_eq!(
        captured,
        serde_json::json!([0, true]),
        "capture kept running"
    );
    // Several flush intervals (1 s) and a poll interval (3 s) pass: nothing reaches the server.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let after = session_events(h, &session).await?.len();
    assert_eq!(before, after, "events arrived after shutdown");
    let calls = h
        .js("return performance.getEntriesByType('resource')
               .filter(e => e.name.includes('/api/widget/') && e.startTime > performance.now() - 3500).length;")
        .await?;
    assert_eq!(calls, 0, "the widget kept calling the API after shutdown");
    Ok(())
}

#[tokio::test]
async fn a_hash_routed_app_records_each_fragment_route_as_a_navigation() -> anyhow::Result<()> {
    let harness = Harness::start().await?;
    let result = hash_routes_journey(&harness).await;
    harness.stop().await;
    result
}

async fn hash_routes_journey(h: &Harness) -> anyhow::Result<()> {
    h.browser
        .goto(&format!("{}/demo/admin#/pets", h.base))
        .await?;
    widget_text(h, "the launcher", ".wm-launcher").await?;
    let session = h.js("return window.__waymark.session;").await?;
    let session = session.as_str().context("no widget session")?.to_owned();
    for href in ["#/pets/42?tab=history", "#!/settings"] {
        h.js(&format!(
            "document.querySelector('a[href=\"{href}\"]').click(); return true;"
        ))
        .await?;
    }
    let routes = wait_for("the fragment routes in the trail", SETTLE, || async {
        let events = session_events(h, &session).await?;
        let routes: Vec<(String, String)> = events
            .iter()
            .filter(|e| e["type"] == "page_view" || e["type"] == "navigation")
            .map(|e| {
                (
                    e["type"].as_str().unwrap_or_default().to_owned(),
                    e["route"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        Ok((routes.len() >= 3).then_some(routes))
    })
    .await?;
    let expected = [
        ("page_view", "/pets"),
        ("navigation", "/pets/42"),
        ("navigation", "/settings"),
    ]
    .map(|(kind, route)| (kind.to_owned(), route.to_owned()));
    assert_eq!(
        routes, expected,
        "the query part is dropped, each route recorded"
    );
    Ok(())
}
