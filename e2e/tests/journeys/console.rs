//! The agents' console's journeys: a visitor's escalation arrives in the queue
//! without a reload, the agent reads the handoff note and the page trail with the
//! failed payment, replies (the widget shows it live), escalates to tier 2 and
//! resolves with a resolution; a knowledge manager sees no admin settings; five
//! wrong passwords lock an account; customer-supplied markup renders inert, as
//! text, in every console view.

use anyhow::{Context, bail};
use fantoccini::wd::WindowHandle;
use waymark_e2e::console::{
    PASSWORD, SETTLE, click, fill, in_widget, literal, sign_in, text_of, visitor_escalates,
    widget_has,
};
use waymark_e2e::{DEMO_SITE, Harness, wait_for};

async fn new_window(h: &Harness) -> anyhow::Result<WindowHandle> {
    let created = h.browser.new_window(false).await?;
    Ok(created.handle)
}

/// The row of the ticket whose subject contains `needle`: its id.
async fn queue_row(h: &Harness, needle: &str) -> anyhow::Result<String> {
    let script = format!(
        "const row = [...document.querySelectorAll('.queue-row')]
            .find(r => r.textContent.includes({}));
         return row ? row.dataset.ticket : null;",
        literal(needle)
    );
    wait_for(&format!("a queue row with {needle:?}"), SETTLE, || async {
        Ok(h.js(&script).await?.as_str().map(str::to_owned))
    })
    .await
}

#[tokio::test]
async fn an_agent_works_an_escalation_from_arrival_to_resolution() -> anyhow::Result<()> {
    let harness = Harness::start().await?;
    let result = agent_journey(&harness).await;
    harness.stop().await;
    result
}

async fn agent_journey(h: &Harness) -> anyhow::Result<()> {
    let console = h.browser.window().await?;
    sign_in(h, "agent@demo.test").await?;
    let reloads_marker = "window.__consoleLoaded = true; return true;";
    h.js(reloads_marker).await?;

    // The visitor, in another window, hits the failed payment and asks for a person.
    let visitor = new_window(h).await?;
    h.browser.switch_to_window(visitor.clone()).await?;
    visitor_escalates(h, "I cannot pay my outstanding balance").await?;

    // The ticket arrives in the console's queue without a reload.
    h.browser.switch_to_window(console.clone()).await?;
    let ticket_id = queue_row(h, "I cannot pay my outstanding balance").await?;
    let still_same_page = h.js("return window.__consoleLoaded === true;").await?;
    assert_eq!(
        still_same_page,
        serde_json::json!(true),
        "the console reloaded"
    );

    // The widget sends page events in batches: wait until the failed request is stored.
    let detail_path = format!("/api/v1/sites/{DEMO_SITE}/tickets/{ticket_id}");
    let session = h.agent_get(&detail_path).await?["customer"]["session_id"]
        .as_str()
        .context("no session on the ticket")?
        .to_owned();
    let events_path = format!("/api/v1/sites/{DEMO_SITE}/sessions/{session}/events");
    wait_for(
        "the failed payment among the session's events",
        SETTLE,
        || async {
            let events = h.agent_get(&events_path).await?;
            Ok(events.to_string().contains("failed_request").then_some(()))
        },
    )
    .await?;

    // The handoff note and the trail with the failed payment request.
    click(
        h,
        &format!(".queue-row[data-ticket='{ticket_id}'] .row-button"),
    )
    .await?;
    text_of(h, "#note-goal", "cannot pay").await?;
    let trail = match text_of(h, "#page-trail", "Failed request").await {
        Ok(trail) => trail,
        Err(err) => {
            let shown = h.js("const e = document.querySelector('#ticket'); return e ? e.textContent : document.body.textContent;").await?;
            let events = h.agent_get(&events_path).await?;
            bail!("{err}; the console shows: {shown}; events: {events}");
        }
    };
    assert!(
        trail.contains("/demo/api/payment"),
        "no failed payment in the trail: {trail}"
    );
    let problem_rows = h
        .js("return document.querySelectorAll('#page-trail .trail-row.problem').length;")
        .await?;
    assert!(
        problem_rows.as_u64().unwrap_or(0) >= 1,
        "the failed request is not marked"
    );
    text_of(h, "#audit-trail", "asked for a person").await?;
    // The knowledge base's likely answers: the demo's E502 article, which the
    // agent can put into the reply.
    text_of(h, "#ticket-answers", "E502").await?;
    click(h, "#ticket-answers .answer-insert").await?;
    wait_for("the inserted answer in the composer", SETTLE, || async {
        let value = h
            .js("const t = document.querySelector('#composer-text'); return t ? t.value : '';")
            .await?;
        Ok(value.as_str().filter(|v| !v.trim().is_empty()).map(|_| ()))
    })
    .await?;

    // Reply with the keyboard shortcut; the widget shows it live.
    h.js("document.body.focus(); return true;").await?;
    h.js("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'r', bubbles: true})); return true;")
        .await?;
    fill(
        h,
        "#composer-text",
        "Your payment provider timed out; please try again now.",
    )
    .await?;
    click(h, "#composer-send").await?;
    text_of(h, "#messages", "payment provider timed out").await?;
    h.browser.switch_to_window(visitor).await?;
    widget_has(
        h,
        "the agent's reply in the widget",
        ".wm-them",
        "payment provider timed out",
    )
    .await?;

    // Escalate to tier 2 with a type and a reason.
    h.browser.switch_to_window(console).await?;
    click(h, "#action-escalate").await?;
    fill(h, "#escalate-tier", "tier2").await?;
    fill(h, "#escalate-type", "functional").await?;
    fill(
        h,
        "#escalate-reason",
        "Payments engineering must check the provider",
    )
    .await?;
    click(h, "#escalate-submit").await?;
    text_of(h, "#ticket-tier", "tier2").await?;

    // Acknowledge at tier 2, then resolve with the prefilled resolution capture.
    click(h, "#action-acknowledge").await?;
    text_of(h, "#ack-clock", "done").await?;
    click(h, "#action-resolve").await?;
    wait_for("the prefilled resolution", SETTLE, || async {
        Ok(
            h.js("return !!document.querySelector('#resolve-form.loaded');")
                .await?
                .as_bool()
                .filter(|b| *b),
        )
    })
    .await?;
    for (field, value) in [
        ("#resolve-root-cause", "Payment provider timeout"),
        (
            "#resolve-fix",
            "Provider failover enabled; the customer retried",
        ),
        ("#resolve-environment", "Chrome, production"),
        ("#resolve-version", "2.4.1"),
    ] {
        let empty = h
            .js(&format!(
                "return document.querySelector({}).value.trim() === '';",
                literal(field)
            ))
            .await?;
        if empty == serde_json::json!(true) {
            fill(h, field, value).await?;
        }
    }
    click(h, "#resolve-submit").await?;
    text_of(h, "#ticket .badge.state", "resolved").await?;
    let detail = h
        .agent_get(&format!("/api/v1/sites/{DEMO_SITE}/tickets/{ticket_id}"))
        .await?;
    let resolution = &detail["ticket"]["resolution"];
    for field in ["root_cause", "fix", "environment", "version"] {
        if resolution[field].as_str().is_none_or(str::is_empty) {
            bail!("the resolution misses {field}: {resolution}");
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_knowledge_manager_sees_no_admin_settings() -> anyhow::Result<()> {
    let harness = Harness::start().await?;
    let result = roles_journey(&harness).await;
    harness.stop().await;
    result
}

async fn roles_journey(h: &Harness) -> anyhow::Result<()> {
    sign_in(h, "admin@demo.test").await?;
    click(h, "#nav-settings").await?;
    text_of(h, "#admin-settings", "Matrix version").await?;
    click(h, "#sign-out").await?;
    text_of(h, ".login-card", "Sign in").await?;

    sign_in(h, "knowledge@demo.test").await?;
    let settings = h
        .js("return document.querySelector('#nav-settings') !== null;")
        .await?;
    assert_eq!(
        settings,
        serde_json::json!(false),
        "a knowledge manager sees the settings"
    );
    let role = text_of(h, ".me-role", "Knowledge manager").await?;
    assert!(role.contains("Knowledge"));
    Ok(())
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account() -> anyhow::Result<()> {
    let harness = Harness::start().await?;
    let result = lockout_journey(&harness).await;
    harness.stop().await;
    result
}

async fn lockout_journey(h: &Harness) -> anyhow::Result<()> {
    h.browser.goto(&format!("{}/console/", h.base)).await?;
    for attempt in 1..=5 {
        let shown = attempt_login(h, &format!("wrong-password-{attempt}")).await?;
        if !shown.contains("Wrong email or password") {
            bail!("attempt {attempt} said: {shown}");
        }
    }
    let locked = attempt_login(h, PASSWORD).await?;
    assert!(
        locked.contains("locked") && locked.contains("Try again in"),
        "the right password after five wrong ones: {locked}"
    );
    Ok(())
}

/// One login attempt as `agent2@demo.test`; returns what the form then says.
/// The form clears its message on submit, so the message read is this attempt's.
async fn attempt_login(h: &Harness, password: &str) -> anyhow::Result<String> {
    fill(h, "#login-email", "agent2@demo.test").await?;
    fill(h, "#login-password", password).await?;
    click(h, ".login-card button[type=submit]").await?;
    let script = "const button = document.querySelector('.login-card button[type=submit]');
        const error = document.querySelector('.form-error');
        return button && button.textContent === 'Sign in' && error ? error.textContent : null;";
    wait_for("the login's answer", SETTLE, || async {
        Ok(h.js(script).await?.as_str().map(str::to_owned))
    })
    .await
}

/// Markup a visitor might type, each setting a flag if it ever ran.
const PAYLOADS: &[&str] = &[
    "<img src=x onerror=\"window.__xss=1\">",
    "<script>window.__xss=2</script>",
    "<svg onload=\"window.__xss=3\"></svg>",
];

#[tokio::test]
async fn markup_from_the_widget_renders_inert_in_every_console_view() -> anyhow::Result<()> {
    let harness = Harness::start().await?;
    let result = xss_journey(&harness).await;
    harness.stop().await;
    result
}

async fn xss_journey(h: &Harness) -> anyhow::Result<()> {
    let goal = format!("Help {}", PAYLOADS.join(" "));
    visitor_escalates(h, &goal).await?;
    // The visitor's name, plan and a message carry markup too.
    h.js(&format!(
        "Waymark('identify', {{id: 'u-x', name: {}, plan: {}}}); return true;",
        literal(PAYLOADS[0]),
        literal(PAYLOADS[2])
    ))
    .await?;
    let send = format!(
        "const input = root.querySelector('textarea.wm-input, input.wm-input');
         if (!input) return false;
         input.value = {};
         const form = input.closest('form'); if (!form) return false;
         form.querySelector('button[type=submit]').click(); return true;",
        literal(PAYLOADS[1])
    );
    let _ = in_widget(h, &send).await?;

    sign_in(h, "agent@demo.test").await?;
    let ticket_id = queue_row(h, "<img src=x")
        .await
        .context("the payload as text in the queue")?;
    click(
        h,
        &format!(".queue-row[data-ticket='{ticket_id}'] .row-button"),
    )
    .await?;
    let note = text_of(h, "#note-goal", "<script>window.__xss=2</script>").await?;
    assert!(note.contains("<svg onload="), "{note}");
    text_of(h, "#messages", "<img src=x").await?;
    text_of(h, "#audit-trail", "asked for a person").await?;
    let injected = h
        .js("return document.querySelectorAll('#queue img, #ticket img, #ticket svg:not([aria-hidden]), #ticket script').length;")
        .await?;
    assert_eq!(injected, serde_json::json!(0), "markup became elements");
    let ran = h.js("return window.__xss === undefined;").await?;
    assert_eq!(ran, serde_json::json!(true), "a payload ran");
    Ok(())
}
