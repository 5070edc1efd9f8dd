//! Verified identity: a host that signs its users' ids (`waymark site secret`,
//! `waymark site identity … enforced`) still has anonymous visitors served,
//! then identifies the visitor with the right `user_hash`, and the ticket's
//! customer becomes that verified user; the customer notice shows once in the
//! panel, not again as a line of the thread.

use std::time::Duration;

use anyhow::Context;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use waymark_e2e::console::{literal, visitor_escalates, widget_has, widget_text};
use waymark_e2e::{API_TOKEN, DEMO_SITE, Harness, http, wait_for};

const SETTLE: Duration = Duration::from_secs(20);

#[tokio::test]
async fn a_verified_identity_reaches_the_ticket_and_the_notice_shows_once() -> anyhow::Result<()> {
    let harness = Harness::start().await?;
    let result = identity_journey(&harness).await;
    harness.stop().await;
    result
}

/// `hex(HMAC-SHA256(secret, user_id))`, as the host's server computes it.
fn user_hash(secret: &str, user_id: &str) -> anyhow::Result<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())?;
    mac.update(user_id.as_bytes());
    Ok(mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

async fn identity_journey(h: &Harness) -> anyhow::Result<()> {
    let printed = h.waymark(&["site", "secret", DEMO_SITE]).await?;
    let secret = printed
        .lines()
        .nth(1)
        .map(str::trim)
        .filter(|line| line.len() >= 32)
        .with_context(|| format!("no secret in: {printed}"))?
        .to_owned();
    h.waymark(&["site", "identity", DEMO_SITE, "enforced"])
        .await?;

    // An anonymous visitor is still served under `enforced`.
    visitor_escalates(h, "I cannot pay my outstanding balance").await?;
    let stored = h
        .js("return sessionStorage.getItem('waymark.conversation');")
        .await?;
    let conversation: serde_json::Value =
        serde_json::from_str(stored.as_str().context("no stored conversation")?)?;
    let conversation_id = conversation["id"].as_str().context("no id")?.to_owned();
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
    let detail_path = format!("/api/v1/sites/{DEMO_SITE}/tickets/{ticket_id}");
    let before = h.agent_get(&detail_path).await?;
    assert_eq!(
        before["customer"]["verified"], false,
        "{}",
        before["customer"]
    );

    // The host signs the visitor in with the hash its server computed.
    let hash = user_hash(&secret, "u-ann")?;
    h.js(&format!(
        "Waymark('identify', {{id: 'u-ann', name: 'Ann', plan: 'growth', user_hash: {}}}); return true;",
        literal(&hash)
    ))
    .await?;
    let customer = wait_for("the verified customer on the ticket", SETTLE, || async {
        let detail = h.agent_get(&detail_path).await?;
        let customer = detail["customer"].clone();
        Ok((customer["user_id"] == "u-ann" && customer["verified"] == true).then_some(customer))
    })
    .await?;
    assert_eq!(customer["plan"], "growth", "{customer}");

    // A reply arrives: by then the widget has fetched the whole thread, the
    // notice's own message included; the notice is shown once.
    let reply = serde_json::json!({"text": "Your card is fine; please try once more."});
    let response = http::post_json(
        &format!("{}{detail_path}/reply", h.base),
        Some(API_TOKEN),
        &reply.to_string(),
    )
    .await?;
    anyhow::ensure!(response.status < 300, "reply failed: {}", response.body);
    widget_has(h, "the agent reply", ".wm-them", "try once more").await?;
    let notice = widget_text(h, "the notice", ".wm-notice").await?;
    let panel = widget_text(h, "the panel", ".wm-panel").await?;
    assert_eq!(
        panel.matches(notice.as_str()).count(),
        1,
        "the notice is shown more than once: {panel}"
    );
    Ok(())
}
