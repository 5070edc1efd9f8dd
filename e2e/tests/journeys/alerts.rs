//! The Alerts page on the demo's history: an agent sees the open early
//! warnings with their reason and next step, confirms one (the decision is
//! stored through the API and shown with the agent's name), and sees the
//! incidents with their affected customers.

use anyhow::{Context, bail};
use waymark_e2e::console::{SETTLE, click, sign_in, text_of};
use waymark_e2e::{DEMO_SITE, Harness, wait_for};

#[tokio::test]
async fn an_agent_decides_an_early_warning_on_the_alerts_page() -> anyhow::Result<()> {
    let harness = Harness::start().await?;
    let result = alerts_journey(&harness).await;
    harness.stop().await;
    result
}

async fn alerts_journey(h: &Harness) -> anyhow::Result<()> {
    let api = h
        .agent_get(&format!("/api/v1/sites/{DEMO_SITE}/alerts?state=open"))
        .await?;
    let open = api.as_array().context("alerts")?;
    let Some(first) = open.first() else {
        bail!("the demo history has no open alert");
    };
    let reason = first["reason"].as_str().context("reason")?.to_owned();
    let id = first["id"].as_str().context("id")?.to_owned();

    sign_in(h, "agent@demo.test").await?;
    click(h, "#nav-alerts").await?;
    text_of(h, "#alert-list", &reason).await?;
    let rows = h
        .js("return document.querySelectorAll('#alert-list .alert-row.open').length;")
        .await?;
    if rows.as_u64() != Some(open.len() as u64) {
        bail!("{rows} open alerts shown, the API lists {}", open.len());
    }

    let row = format!("#alert-list [data-alert='{id}']");
    click(h, &format!("{row} .alert-confirm")).await?;
    text_of(
        h,
        &format!("[data-alert='{id}'] .alert-decided"),
        "confirmed by",
    )
    .await?;
    wait_for("the decision stored", SETTLE, || async {
        let all = h
            .agent_get(&format!("/api/v1/sites/{DEMO_SITE}/alerts"))
            .await?;
        let decided = all
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["id"] == id.as_str())
            .and_then(|a| a["state"].as_str().map(str::to_owned));
        Ok(decided.filter(|s| s == "confirmed"))
    })
    .await?;

    let incidents = h
        .agent_get(&format!("/api/v1/sites/{DEMO_SITE}/incidents"))
        .await?;
    if let Some(incident) = incidents.as_array().and_then(|list| list.first()) {
        let title = incident["title"].as_str().context("title")?;
        text_of(h, "#incident-list", title).await?;
    } else {
        text_of(h, "#no-incidents", "No incidents").await?;
    }
    Ok(())
}
