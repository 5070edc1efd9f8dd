//! The widget's journeys: the repeated-error-page rule opens the nudge with the
//! answer to that error, and "this solved it" is recorded as a deflection; "talk to
//! a person" escalates with the page prefilled, the customer notice shows, an
//! agent reply sent through the agent API appears live and survives a reload;
//! and the widget works on a page with a strict Content-Security-Policy, its
//! styles untouched by the host's.

use std::time::Duration;

use anyhow::Context;
use waymark_e2e::console::{in_widget, widget_text};
use waymark_e2e::{API_TOKEN, DEMO_SITE, Harness, http, wait_for};

const SETTLE: Duration = Duration::from_secs(20);

/// The user opens and closes the widget once (storage is allowed from then on),
/// then lands on the same error page three times: the nudge opens by itself.
/// Returns the nudge's text.
async fn nudged_on_the_error_page(h: &Harness) -> anyhow::Result<String> {
    h.browser.goto(&format!("{}/demo/", h.base)).await?;
    widget_text(h, "the launcher", ".wm-launcher").await?;
    in_widget(
        h,
        "root.querySelector('.wm-launcher').click(); return true;",
    )
    .await?;
    widget_text(h, "the panel", ".wm-panel").await?;
    in_widget(h, "root.querySelector('.wm-close').click(); return true;").await?;
    for _ in 0..3 {
        h.browser.goto(&format!("{}/demo/broken", h.base)).await?;
        widget_text(h, "the launcher on the error page", ".wm-launcher").await?;
    }
    widget_text(h, "the nudge", ".wm-nudge").await
}

#[tokio::test]
async fn repeated_error_page_nudges_and_the_escalation_gets_a_live_reply_that_survives_reload()
-> anyhow::Result<()> {
    let harness = Harness::start().await?;
    let result = escalation_journey(&harness).await;
    harness.stop().await;
    result
}

async fn escalation_journey(h: &Harness) -> anyhow::Result<()> {
    let nudge = nudged_on_the_error_page(h).await?;
    assert!(nudge.contains("Stuck?"), "unexpected nudge: {nudge}");

    // "Talk to a person": the form already knows the page; the user says what they wanted.
    in_widget(h, "root.querySelector('.wm-talk').click(); return true;").await?;
    let known = widget_text(h, "the prefilled context", ".wm-known").await?;
    assert!(
        known.contains("/demo/broken"),
        "the form does not name the page: {known}"
    );
    in_widget(
        h,
        "root.querySelector('#wm-goal').value = 'I need last month\\'s report';
         root.querySelector('#wm-email').value = 'ann@example.com';
         root.querySelector('form button[type=submit]').click(); return true;",
    )
    .await?;
    let notice = widget_text(h, "the customer notice", ".wm-notice").await?;
    assert!(
        notice.contains("expect a reply"),
        "notice without next step: {notice}"
    );

    // An agent replies through the agent API; the reply appears without a reload.
    let stored = h
        .js("return sessionStorage.getItem('waymark.conversation');")
        .await?;
    let conversation: serde_json::Value =
        serde_json::from_str(stored.as_str().context("no stored conversation")?)?;
    let conversation_id = conversation["id"]
        .as_str()
        .context("no conversation id")?
        .to_owned();
    let tickets = h
        .agent_get(&format!("/api/v1/sites/{DEMO_SITE}/tickets"))
        .await?;
    let ticket_id = tickets
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["ticket"]["conversation_id"] == conversation_id.as_str())
        .and_then(|t| t["ticket"]["id"].as_str())
        .context("no ticket for the conversation")?
        .to_owned();

    // The visitor signs in on the host page: the conversation becomes theirs.
    h.js("Waymark('identify', {id: 'u-ann', name: 'Ann', plan: 'growth'}); return true;")
        .await?;
    let detail_path = format!("/api/v1/sites/{DEMO_SITE}/tickets/{ticket_id}");
    let customer = wait_for("the identified customer on the ticket", SETTLE, || async {
        let detail = h.agent_get(&detail_path).await?;
        let customer = detail["customer"].clone();
        Ok((customer["user_id"] == "u-ann").then_some(customer))
    })
    .await?;
    assert_eq!(customer["name"], "Ann", "{customer}");
    assert_eq!(
        customer["email"], "ann@example.com",
        "the email given in the form is kept: {customer}"
    );

    let reply = serde_json::json!({
        "author_name": "Sam from Support",
        "text": "The old reports page is being fixed; here is your report."
    });
    let response = http::post_json(
        &format!(
            "{}/api/v1/sites/{DEMO_SITE}/tickets/{ticket_id}/reply",
            h.base
        ),
        Some(API_TOKEN),
        &reply.to_string(),
    )
    .await?;
    assert!(
        response.status < 300,
        "agent reply failed: {} {}",
        response.status,
        response.body
    );
    let shown = widget_text(h, "the agent reply", ".wm-them").await?;
    assert!(shown.contains("being fixed"), "unexpected reply: {shown}");
    let announced = widget_text(h, "the live region", ".wm-live").await?;
    assert!(
        announced.contains("being fixed"),
        "reply not announced: {announced}"
    );

    // A reload keeps the conversation.
    h.browser.refresh().await?;
    let after_reload = widget_text(h, "the reply after a reload", ".wm-them").await?;
    assert!(after_reload.contains("being fixed"));
    Ok(())
}

#[tokio::test]
async fn the_nudge_answers_the_error_page_and_solved_it_is_a_deflection() -> anyhow::Result<()> {
    let harness = Harness::start().await?;
    let result = deflection_journey(&harness).await;
    harness.stop().await;
    result
}

async fn deflection_journey(h: &Harness) -> anyhow::Result<()> {
    nudged_on_the_error_page(h).await?;

    // The nudge leads with the demo's article about this error page.
    let first = widget_text(h, "the nudge's answers", ".wm-answer").await?;
    assert!(
        first.contains("old Reports page"),
        "the first answer is not about the error page: {first}"
    );
    in_widget(h, "root.querySelector('.wm-answer').click(); return true;").await?;
    // The whole article opens inside the panel, not only the snippet.
    let article = wait_for("the whole article in the panel", SETTLE, || async {
        let text = in_widget(
            h,
            "const e = root.querySelector('.wm-article'); return e ? e.textContent : null;",
        )
        .await?;
        Ok(text
            .as_str()
            .filter(|t| t.contains("update your bookmark"))
            .map(str::to_owned))
    })
    .await?;
    assert!(
        article.contains("Reports → Export"),
        "the article does not say what to do: {article}"
    );
    in_widget(h, "root.querySelector('.wm-solved').click(); return true;").await?;

    // The verdict is stored against what was shown on that page.
    let session = h.js("return window.__waymark.session;").await?;
    let session = session.as_str().context("no widget session")?.to_owned();
    let path = format!("/api/v1/sites/{DEMO_SITE}/sessions/{session}/suggestions");
    let solved = wait_for("the deflection", SETTLE, || async {
        let sets = h.agent_get(&path).await?;
        Ok(sets.as_array().into_iter().flatten().find_map(|set| {
            let verdict = set["verdicts"]
                .as_array()?
                .iter()
                .find(|v| v["outcome"] == "solved")?;
            Some((set.clone(), verdict.clone()))
        }))
    })
    .await?;
    let (set, verdict) = solved;
    assert_eq!(verdict["answer_id"], "old-reports-page-e500", "{set}");
    assert_eq!(set["route"], "/demo/broken", "{set}");
    assert_eq!(set["answers"][0], "old-reports-page-e500", "{set}");
    Ok(())
}

#[tokio::test]
async fn the_es_module_entry_boots_the_widget_and_keeps_commands_sent_before_boot()
-> anyhow::Result<()> {
    let harness = Harness::start().await?;
    let result = module_journey(&harness).await;
    harness.stop().await;
    result
}

async fn module_journey(h: &Harness) -> anyhow::Result<()> {
    h.browser.goto(&format!("{}/demo/module", h.base)).await?;
    widget_text(h, "the launcher booted from waymark.mjs", ".wm-launcher").await?;
    let session = wait_for("the widget session", SETTLE, || async {
        let session = h
            .js("return window.__waymark && window.__waymark.session;")
            .await?;
        Ok(session.as_str().map(str::to_owned))
    })
    .await?;
    let path = format!("/api/v1/sites/{DEMO_SITE}/sessions/{session}/events");
    let events = wait_for("the page view", SETTLE, || async {
        let events = h.agent_get(&path).await?;
        let seen = events
            .as_array()
            .into_iter()
            .flatten()
            .any(|e| e["type"] == "page_view");
        Ok(seen.then_some(events))
    })
    .await?;
    let view = events
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["type"] == "page_view")
        .context("no page view")?;
    assert_eq!(view["route"], "/demo/module", "{view}");
    // The identify call made before boot reached the widget: the escalation form
    // does not ask an identified user for an email address.
    in_widget(
        h,
        "root.querySelector('.wm-launcher').click(); return true;",
    )
    .await?;
    widget_text(h, "the panel", ".wm-panel").await?;
    in_widget(h, "root.querySelector('.wm-talk').click(); return true;").await?;
    widget_text(h, "the escalation form", ".wm-known").await?;
    let asks_email = in_widget(h, "return root.querySelector('#wm-email') !== null;").await?;
    assert_eq!(
        asks_email, false,
        "identify before boot was lost: the form asks for an email"
    );
    Ok(())
}

#[tokio::test]
async fn the_operators_widget_settings_change_the_widget() -> anyhow::Result<()> {
    let harness = Harness::start().await?;
    let result = settings_journey(&harness).await;
    harness.stop().await;
    result
}

async fn settings_journey(h: &Harness) -> anyhow::Result<()> {
    let settings = serde_json::json!({
        "theme": {"accent_color": "#d63384", "position": "bottom_left"},
        "locale": "de"
    });
    let response = http::put_json(
        &format!("{}/api/v1/sites/{DEMO_SITE}/widget-settings", h.base),
        Some(API_TOKEN),
        &settings.to_string(),
    )
    .await?;
    assert_eq!(response.status, 200, "{}", response.body);
    h.browser.goto(&format!("{}/demo/", h.base)).await?;
    let applied = wait_for("the settings applied", SETTLE, || async {
        let seen = in_widget(
            h,
            "const frame = root.querySelector('.wm');
             const launcher = root.querySelector('.wm-launcher');
             if (!frame || !launcher || !frame.classList.contains('wm-left')) return null;
             return [launcher.getAttribute('aria-label'), frame.style.getPropertyValue('--wm-accent')];",
        )
        .await?;
        Ok(seen.as_array().cloned())
    })
    .await?;
    assert_eq!(
        applied[0], "Hilfe öffnen",
        "the site's language is not applied"
    );
    assert_eq!(applied[1], "#d63384", "the accent colour is not applied");
    Ok(())
}

#[tokio::test]
async fn the_widget_works_under_a_strict_csp_and_keeps_its_own_styles() -> anyhow::Result<()> {
    let harness = Harness::start().await?;
    let result = csp_journey(&harness).await;
    harness.stop().await;
    result
}

async fn csp_journey(h: &Harness) -> anyhow::Result<()> {
    h.browser.goto(&format!("{}/demo/csp", h.base)).await?;
    widget_text(h, "the launcher under a strict CSP", ".wm-launcher").await?;
    let styled = in_widget(
        h,
        "const b = root.querySelector('.wm-launcher');
         root.querySelector('.wm-launcher').click();
         const s = getComputedStyle(b);
         return { width: s.width, radius: s.borderRadius, sheets: root.adoptedStyleSheets.length,
                  hostColor: getComputedStyle(document.body).color };",
    )
    .await?;
    assert_eq!(
        styled["width"], "56px",
        "widget styles not applied: {styled}"
    );
    // The host styles every `button` with a 6px radius; the launcher keeps its own.
    assert_eq!(
        styled["radius"], "50%",
        "host styles changed the widget: {styled}"
    );
    assert_eq!(styled["sheets"], 1, "{styled}");
    assert_eq!(
        styled["hostColor"], "rgb(29, 35, 48)",
        "the widget changed the host page: {styled}"
    );
    let panel = widget_text(h, "the panel under a strict CSP", ".wm-panel h2").await?;
    assert_eq!(panel, "How can we help?");
    Ok(())
}

#[tokio::test]
async fn failed_requests_and_rage_clicks_land_in_the_session_trail() -> anyhow::Result<()> {
    let harness = Harness::start().await?;
    let result = capture_journey(&harness).await;
    harness.stop().await;
    result
}

async fn capture_journey(h: &Harness) -> anyhow::Result<()> {
    h.browser.goto(&format!("{}/demo/billing", h.base)).await?;
    widget_text(h, "the launcher", ".wm-launcher").await?;
    // The payment call fails (502); then four quick clicks on the heading.
    h.js("document.getElementById('pay-now').click(); return true;")
        .await?;
    h.js("for (let i = 0; i < 4; i++) document.querySelector('h1').click(); return true;")
        .await?;
    let session = h.js("return window.__waymark.session;").await?;
    let session = session.as_str().context("no widget session")?.to_owned();
    let path = format!("/api/v1/sites/{DEMO_SITE}/sessions/{session}/events");
    let events = wait_for("the failed request and the rage click", SETTLE, || async {
        let events = h.agent_get(&path).await?;
        let kinds: Vec<String> = events
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["type"].as_str().map(str::to_owned))
            .collect();
        let complete =
            kinds.iter().any(|k| k == "failed_request") && kinds.iter().any(|k| k == "rage_click");
        Ok(complete.then_some(events))
    })
    .await?;
    let failed = events
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["type"] == "failed_request")
        .context("no failed request")?;
    assert_eq!(failed["method"], "POST", "{failed}");
    assert_eq!(failed["status"], 502, "{failed}");
    assert!(
        failed["url"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/demo/api/payment"),
        "{failed}"
    );
    let page_view = events
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["type"] == "page_view")
        .context("no page view")?;
    assert!(
        page_view["viewport"]["width"].as_u64().unwrap_or(0) > 0,
        "{page_view}"
    );
    Ok(())
}
