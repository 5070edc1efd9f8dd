//! Steps of the console's journeys, shared by the journeys, the screenshots and
//! the first-paint benchmark: sign in, fill and click in the console, and a visitor
//! who hits the demo's failed payment and asks for a person.

use std::time::Duration;

use crate::{Harness, wait_for};

/// How long a step may take before a journey fails.
pub const SETTLE: Duration = Duration::from_secs(30);
/// The demo users' password.
pub const PASSWORD: &str = "waymark-demo";

/// A JavaScript string literal of `text`.
pub fn literal(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// Waits until `selector` exists in the page and its text contains `needle`;
/// returns the text.
pub async fn text_of(h: &Harness, selector: &str, needle: &str) -> anyhow::Result<String> {
    let script = format!(
        "const e = document.querySelector({}); return e ? e.textContent : null;",
        literal(selector)
    );
    wait_for(
        &format!("{selector} to show {needle:?}"),
        SETTLE,
        || async {
            let text = h.js(&script).await?;
            Ok(text
                .as_str()
                .filter(|t| t.contains(needle))
                .map(str::to_owned))
        },
    )
    .await
}

/// Clicks the element `selector` once it exists.
pub async fn click(h: &Harness, selector: &str) -> anyhow::Result<()> {
    let script = format!(
        "const e = document.querySelector({}); if (!e) return false; e.click(); return true;",
        literal(selector)
    );
    wait_for(&format!("{selector} to click"), SETTLE, || async {
        Ok(h.js(&script).await?.as_bool().filter(|b| *b))
    })
    .await?;
    Ok(())
}

/// Types `value` into the field `selector` (as input events, like typing).
pub async fn fill(h: &Harness, selector: &str, value: &str) -> anyhow::Result<()> {
    let script = format!(
        "const e = document.querySelector({}); if (!e) return false;
         e.value = {}; e.dispatchEvent(new Event('input', {{bubbles: true}}));
         e.dispatchEvent(new Event('change', {{bubbles: true}})); return true;",
        literal(selector),
        literal(value)
    );
    wait_for(&format!("{selector} to fill"), SETTLE, || async {
        Ok(h.js(&script).await?.as_bool().filter(|b| *b))
    })
    .await?;
    Ok(())
}

/// Opens the console and signs in; waits for the queue.
pub async fn sign_in(h: &Harness, email: &str) -> anyhow::Result<()> {
    h.browser.goto(&format!("{}/console/", h.base)).await?;
    fill(h, "#login-email", email).await?;
    fill(h, "#login-password", PASSWORD).await?;
    click(h, ".login-card button[type=submit]").await?;
    text_of(h, ".queue-head", "open").await?;
    Ok(())
}

/// Runs `script` inside the widget's shadow root (`root`).
pub async fn in_widget(h: &Harness, script: &str) -> anyhow::Result<serde_json::Value> {
    h.js(&format!(
        "const host = document.getElementById('waymark-widget');
         const root = host && host.shadowRoot;
         if (!root) return null;
         {script}"
    ))
    .await
}

/// Waits until `selector` exists in the widget and returns its text.
pub async fn widget_text(h: &Harness, what: &str, selector: &str) -> anyhow::Result<String> {
    let script = format!(
        "const e = root.querySelector({}); return e ? e.textContent : null;",
        serde_json::to_string(selector)?
    );
    wait_for(what, SETTLE, || async {
        Ok(in_widget(h, &script).await?.as_str().map(str::to_owned))
    })
    .await
}

/// Waits until the widget elements `selector` contain `needle`.
pub async fn widget_has(
    h: &Harness,
    what: &str,
    selector: &str,
    needle: &str,
) -> anyhow::Result<()> {
    let script = format!(
        "const all = [...root.querySelectorAll({})].map(e => e.textContent).join('\\n');
         return all;",
        literal(selector)
    );
    wait_for(what, SETTLE, || async {
        let text = in_widget(h, &script).await?;
        Ok(text.as_str().filter(|t| t.contains(needle)).map(|_| ()))
    })
    .await
}

/// On the demo's billing page the payment fails, then the visitor asks for a
/// person with `goal`; returns when the widget shows the customer notice.
pub async fn visitor_escalates(h: &Harness, goal: &str) -> anyhow::Result<()> {
    h.browser.goto(&format!("{}/demo/billing", h.base)).await?;
    click(h, "#pay-now").await?;
    text_of(h, "#pay-result", "Payment failed").await?;
    wait_for("the widget's launcher", SETTLE, || async {
        Ok(in_widget(h, "return !!root.querySelector('.wm-launcher');")
            .await?
            .as_bool()
            .filter(|b| *b))
    })
    .await?;
    in_widget(
        h,
        "root.querySelector('.wm-launcher').click(); return true;",
    )
    .await?;
    wait_for("the talk button", SETTLE, || async {
        Ok(in_widget(
            h,
            "const b = root.querySelector('.wm-talk'); if (!b) return false; b.click(); return true;",
        )
        .await?
        .as_bool()
        .filter(|b| *b))
    })
    .await?;
    wait_for("the escalation form", SETTLE, || async {
        Ok(in_widget(h, "return !!root.querySelector('#wm-goal');")
            .await?
            .as_bool()
            .filter(|b| *b))
    })
    .await?;
    in_widget(
        h,
        &format!(
            "root.querySelector('#wm-goal').value = {};
             const email = root.querySelector('#wm-email'); if (email) email.value = 'ann@example.com';
             root.querySelector('form button[type=submit]').click(); return true;",
            literal(goal)
        ),
    )
    .await?;
    widget_has(h, "the customer notice", ".wm-notice", "expect a reply").await
}

/// Opens the Reports page (signed in) and waits until its charts are drawn
/// with points for the demo's history.
pub async fn open_reports(h: &Harness) -> anyhow::Result<()> {
    click(h, "#nav-reports").await?;
    crate::wait_for("the report charts with data", SETTLE, || async {
        let drawn = h
            .js(
                "return document.querySelectorAll('#chart-rates circle').length > 0
                    && document.querySelectorAll('#chart-slices rect.bar').length > 0
                    && document.querySelectorAll('#chart-funnel rect').length === 3;",
            )
            .await?;
        Ok(drawn.as_bool().filter(|b| *b))
    })
    .await?;
    Ok(())
}
