//! The walking skeleton: the widget loads through its one script tag, records a
//! page view, an SPA navigation and a JavaScript error, and the server stores
//! them in order, readable through the agent API; the launcher opens the panel.

use std::time::Duration;

use fantoccini::Locator;
use waymark_e2e::{DEMO_SITE, Harness, wait_for};

const SETTLE: Duration = Duration::from_secs(20);

#[tokio::test]
async fn page_view_navigation_and_error_reach_the_server_in_order() -> anyhow::Result<()> {
    let harness = Harness::start().await?;
    let result = journey(&harness).await;
    harness.stop().await;
    result
}

async fn journey(h: &Harness) -> anyhow::Result<()> {
    h.browser.goto(&format!("{}/demo/", h.base)).await?;

    // The launcher is mounted in the widget's shadow root and is what a user
    // would hit when clicking its centre (nothing covers it).
    let launcher_state = wait_for("the launcher to be mounted", SETTLE, || async {
        let value = h
            .js(
                "const host = document.getElementById('waymark-widget');
                 const button = host && host.shadowRoot && host.shadowRoot.querySelector('.wm-launcher');
                 if (!button) return null;
                 const r = button.getBoundingClientRect();
                 return { width: r.width, height: r.height,
                          onTop: document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === host,
                          label: button.getAttribute('aria-label') };",
            )
            .await?;
        Ok((!value.is_null()).then_some(value))
    })
    .await?;
    assert!(
        launcher_state["width"].as_f64().unwrap_or(0.0) >= 40.0,
        "launcher too small: {launcher_state}"
    );
    assert_eq!(
        launcher_state["onTop"], true,
        "launcher is covered: {launcher_state}"
    );
    assert_eq!(launcher_state["label"], "Open help");

    // A real click on the launcher opens the panel.
    let host = h.browser.find(Locator::Css("#waymark-widget")).await?;
    let shadow = host.shadow_root().await?;
    shadow
        .find(Locator::Css(".wm-launcher"))
        .await?
        .click()
        .await?;
    let panel = shadow
        .find(Locator::Css("section.wm-panel[role=dialog]"))
        .await?;
    assert!(panel.is_displayed().await?, "the panel did not open");

    // An SPA navigation through the app's own link (history.pushState).
    h.browser
        .find(Locator::Css("a[href='/demo/invoices']"))
        .await?
        .click()
        .await?;
    wait_for("the invoices page", SETTLE, || async {
        Ok(h.browser
            .find(Locator::Css("#invoice-rows"))
            .await
            .ok()
            .map(|_| ()))
    })
    .await?;
    // Then the export page, where the button throws.
    h.browser
        .find(Locator::Css("a[href='/demo/reports/export']"))
        .await?
        .click()
        .await?;
    h.browser
        .find(Locator::Css("#export-csv"))
        .await?
        .click()
        .await?;

    let session = wait_for("the session to reach the server", SETTLE, || async {
        let sessions = h
            .agent_get(&format!("/api/v1/sites/{DEMO_SITE}/sessions"))
            .await?;
        Ok(sessions
            .as_array()
            .and_then(|list| list.first())
            .and_then(|s| s["id"].as_str())
            .map(str::to_owned))
    })
    .await?;
    let events = wait_for("four events in the trail", SETTLE, || async {
        let events = h
            .agent_get(&format!(
                "/api/v1/sites/{DEMO_SITE}/sessions/{session}/events"
            ))
            .await?;
        // Only what this journey asserts: a slow machine may add a dwell event.
        let list: Vec<serde_json::Value> = events
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| {
                matches!(
                    e["type"].as_str(),
                    Some("page_view" | "navigation" | "js_error")
                )
            })
            .cloned()
            .collect();
        Ok((list.len() >= 4).then_some(list))
    })
    .await?;

    let kinds: Vec<(&str, &str)> = events
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap_or(""),
                e["route"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        kinds[..4],
        [
            ("page_view", "/demo/"),
            ("navigation", "/demo/invoices"),
            ("navigation", "/demo/reports/export"),
            ("js_error", "/demo/reports/export"),
        ],
        "trail: {events:#?}"
    );
    assert_eq!(events[1]["title"], "Invoices · Acme Ledger");
    let message = events[3]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("ExportError: CSV worker failed to start"),
        "error message: {message}"
    );
    let times: Vec<i64> = events
        .iter()
        .map(|e| e["at_ms"].as_i64().unwrap_or(0))
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "events out of order: {times:?}"
    );
    Ok(())
}
