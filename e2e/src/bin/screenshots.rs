//! `cargo xtask screenshots`: starts the demo, seeds a realistic ticket (a
//! visitor's failed payment, escalated from the widget, with a reply and an
//! internal note), and saves 1280×800 PNGs of the widget after the visitor asked
//! for a person, of the console's login, queue and ticket view, and of the
//! knowledge managers' drafts list and draft editor, into the directory given as
//! the first argument.
//! for a person, and of the console's login, queue, ticket view and Reports page, into the
//! directory given as the first argument.

use std::path::PathBuf;

use anyhow::Context;
use waymark_e2e::Harness;
use waymark_e2e::console::{click, fill, open_reports, sign_in, text_of, visitor_escalates};
use waymark_e2e::knowledge::{DEMO_DRAFT, edit_draft, open_draft, open_knowledge};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let out: PathBuf = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .context("usage: screenshots <output directory>")?;
    std::fs::create_dir_all(&out)?;
    let harness = Harness::start().await?;
    let result = shoot(&harness, &out).await;
    harness.stop().await;
    result
}

async fn save(h: &Harness, out: &std::path::Path, name: &str) -> anyhow::Result<()> {
    let png = h.browser.screenshot().await?;
    let path = out.join(name);
    std::fs::write(&path, png).with_context(|| format!("cannot write {}", path.display()))?;
    println!("{}", path.display());
    Ok(())
}

async fn shoot(h: &Harness, out: &std::path::Path) -> anyhow::Result<()> {
    h.browser.set_window_size(1280, 800).await?;
    // Size the viewport, not the window, to 1280×800.
    let inner = h
        .js("return [window.innerWidth, window.innerHeight];")
        .await?;
    let (w, hgt) = (
        inner[0].as_u64().unwrap_or(1280),
        inner[1].as_u64().unwrap_or(800),
    );
    let width = u32::try_from(1280 + (1280 - w.min(1280))).unwrap_or(1280);
    let height = u32::try_from(800 + (800 - hgt.min(800))).unwrap_or(800);
    h.browser.set_window_size(width, height).await?;

    visitor_escalates(
        h,
        "I cannot pay my outstanding balance — the card is charged but the invoice stays open",
    )
    .await?;
    save(h, out, "widget-escalated.png").await?;
    h.js("Waymark('identify', {id: 'u-ann', name: 'Ann Lee', plan: 'growth'}); return true;")
        .await?;
    visitor_escalates_again(h).await?;

    h.browser.goto(&format!("{}/console/", h.base)).await?;
    text_of(h, ".login-card", "Sign in").await?;
    save(h, out, "console-login.png").await?;

    sign_in(h, "agent@demo.test").await?;
    text_of(h, "#queue", "outstanding balance").await?;
    save(h, out, "console-queue.png").await?;

    click(h, "#queue .queue-row .row-button").await?;
    text_of(h, "#page-trail", "Failed request").await?;
    fill(h, "#composer-text", "Hi Ann, the payment provider timed out on our side. I have retried the charge; could you check the invoice now?").await?;
    click(h, "#composer-send").await?;
    text_of(h, "#messages", "payment provider timed out").await?;
    click(h, "#composer-note").await?;
    fill(
        h,
        "#composer-text",
        "Provider returned 502 three times for this account today; checking with payments.",
    )
    .await?;
    click(h, "#composer-send").await?;
    text_of(h, "#messages", "Provider returned 502").await?;
    h.js("document.activeElement && document.activeElement.blur(); return true;")
        .await?;
    save(h, out, "console-ticket.png").await?;
    // Early warnings and incidents waiting for an agent.
    click(h, "#nav-alerts").await?;
    text_of(h, "#alert-list", "Next step").await?;
    save(h, out, "console-alerts.png").await?;
    // The Reports page over the demo's 30 days of history.
    open_reports(h).await?;
    save(h, out, "console-reports.png").await?;
    text_of(h, "#review-triggers", "cancel-language").await?;
    h.js("document.querySelector('#review-title').scrollIntoView(); return true;")
        .await?;
    save(h, out, "console-reports-review.png").await?;

    // The knowledge manager's drafts, and one in the editor with its preview.
    click(h, "#sign-out").await?;
    text_of(h, ".login-card", "Sign in").await?;
    sign_in(h, "knowledge@demo.test").await?;
    let draft = open_knowledge(h, DEMO_DRAFT).await?;
    save(h, out, "console-knowledge-drafts.png").await?;
    open_draft(h, &draft).await?;
    edit_draft(
        h,
        "The team invitation email does not arrive",
        "Invitations come from **no-reply@acme.test** and mail filters often move them to spam.\n\n\
         ## What to do\n\n\
         1. Ask your colleague to check the spam folder.\n\
         2. Open *Settings → Team → Pending invitations* and send the invitation again.\n\
         3. Invitations expire after 7 days: send a new one if it is older.\n",
        "What to do",
    )
    .await?;
    h.js("document.activeElement && document.activeElement.blur(); return true;")
        .await?;
    save(h, out, "console-knowledge-editor.png").await?;
    Ok(())
}

/// A second, quieter ticket so the queue shows more than one row.
async fn visitor_escalates_again(h: &Harness) -> anyhow::Result<()> {
    // A fresh visit: the widget's memory of the first conversation is cleared
    // before the page that shows the widget is loaded again.
    h.browser.goto(&format!("{}/demo/invoices", h.base)).await?;
    h.js("sessionStorage.clear(); return true;").await?;
    h.browser.goto(&format!("{}/demo/invoices", h.base)).await?;
    visitor_escalates(h, "How do I download last year's invoices as one PDF?").await
}
