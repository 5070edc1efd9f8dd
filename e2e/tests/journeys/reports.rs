//! The Reports page on the demo's history: an admin opens it and sees
//! the charts drawn from the stored tickets (the headline matches the API),
//! slices by page route, downloads a table as CSV, and replays the site's own
//! matrix (nothing changes).

use anyhow::{Context, bail};
use waymark_e2e::console::{SETTLE, click, open_reports, sign_in, text_of};
use waymark_e2e::{DEMO_SITE, Harness, wait_for};

#[tokio::test]
async fn the_reports_page_charts_the_demo_history() -> anyhow::Result<()> {
    let harness = Harness::start().await?;
    let result = reports_journey(&harness).await;
    harness.stop().await;
    result
}

async fn reports_journey(h: &Harness) -> anyhow::Result<()> {
    sign_in(h, "admin@demo.test").await?;
    open_reports(h).await?;

    // The headline is the API's figure for the same period (the last 30 days).
    let period = h
        .js(
            "const a = document.querySelector('#csv-slices').getAttribute('href');
             const q = new URLSearchParams(a.split('?')[1]);
             return [Number(q.get('from_ms')), Number(q.get('to_ms'))];",
        )
        .await?;
    let (from, to) = (
        period[0].as_i64().context("from_ms")?,
        period[1].as_i64().context("to_ms")?,
    );
    let api = h
        .agent_get(&format!(
            "/api/v1/sites/{DEMO_SITE}/reports/metrics?from_ms={from}&to_ms={to}"
        ))
        .await?;
    let tickets = api["totals"]["tickets"].as_u64().context("tickets")?;
    let escalated = api["totals"]["escalated"].as_u64().context("escalated")?;
    if tickets < 100 {
        bail!("the demo history has only {tickets} tickets in the last 30 days");
    }
    text_of(
        h,
        ".headlines",
        &format!("{escalated} of {tickets} tickets"),
    )
    .await?;

    // One point per day with tickets on the rate chart, three funnel stages, a bar per tier.
    let drawn = h
        .js(
            "return [document.querySelectorAll('#chart-rates circle.series-escalation').length,
                     document.querySelectorAll('#chart-slices rect.bar').length,
                     document.querySelector('#chart-rates title').textContent,
                     document.querySelector('#chart-funnel').getAttribute('role')];",
        )
        .await?;
    let days_with_tickets = api["series"]
        .as_array()
        .context("series")?
        .iter()
        .filter(|p| p["tickets"].as_u64().unwrap_or(0) > 0)
        .count();
    assert_eq!(drawn[0].as_u64(), Some(days_with_tickets as u64), "{drawn}");
    assert_eq!(
        drawn[1].as_u64(),
        Some(api["slices"].as_array().map_or(0, Vec::len) as u64)
    );
    assert!(
        drawn[2]
            .as_str()
            .unwrap_or_default()
            .contains("Escalation rate"),
        "tooltip: {drawn}"
    );
    assert_eq!(drawn[3].as_str(), Some("img"));

    // Slice by page route: the table and the bars follow.
    h.js(
        "const s = document.querySelector('#report-slice'); s.value = 'route';
          s.dispatchEvent(new Event('change', {bubbles: true})); return true;",
    )
    .await?;
    text_of(h, "#slice-table", "/demo/billing").await?;
    text_of(h, "#slice-table thead", "Page route").await?;

    // The table downloads as CSV with the session cookie.
    let csv = wait_for("the CSV of the slices", SETTLE, || async {
        let text = h
            .browser
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 fetch(document.querySelector('#csv-slices').href).then(r => r.text()).then(done, () => done(null));",
                Vec::new(),
            )
            .await?;
        Ok(text.as_str().map(str::to_owned))
    })
    .await?;
    assert!(
        csv.starts_with("route,tickets,escalated,escalation_rate,"),
        "{csv}"
    );
    assert!(csv.contains("\r\n/demo/billing,"), "{csv}");

    // The review lists the rules that fired.
    text_of(h, "#review-triggers", "cancel-language").await?;

    // Replaying the site's own matrix changes nothing.
    wait_for("the site's matrix in the replay editor", SETTLE, || async {
        let loaded = h
            .js("return document.querySelector('#replay-matrix').value.includes('[[tiers]]');")
            .await?;
        Ok(loaded.as_bool().filter(|b| *b))
    })
    .await?;
    click(h, "#replay-run").await?;
    text_of(h, "#replay-summary", "Proposed").await?;
    text_of(h, ".reports", "0 tickets would change").await?;
    Ok(())
}
