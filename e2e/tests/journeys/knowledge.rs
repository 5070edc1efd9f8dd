//! The knowledge managers' journey: the demo's resolved tickets produce a draft; a
//! knowledge manager signs in, edits it with the live preview and publishes it; a
//! fresh visitor on the matching page is suggested the article; its "shown" count
//! rises in the performance table; an agent sees the draft without a publish button
//! and the API answers 403 when they try anyway.

use anyhow::Context;
use waymark_e2e::console::{PASSWORD, SETTLE, click, literal, sign_in, text_of};
use waymark_e2e::knowledge::{
    DEMO_DRAFT, DEMO_DRAFT_ROUTE, edit_draft, find_draft, open_draft, open_knowledge,
    show_all_drafts, visitor_asks,
};
use waymark_e2e::{DEMO_SITE, Harness, wait_for};

const TITLE: &str = "The team invitation email does not arrive";
const BODY: &str = "Invitations are sent from no-reply@acme.test and often land in **spam**.\n\n\
## What to do\n\n1. Ask your colleague to check the spam folder.\n\
2. Open Settings → Team → Pending invitations and send the invitation again.\n\n\
<img src=x onerror=alert(1)>";

#[tokio::test]
async fn a_knowledge_manager_publishes_a_draft_and_visitors_get_it_suggested() -> anyhow::Result<()>
{
    let harness = Harness::start().await?;
    let result = knowledge_journey(&harness).await;
    harness.stop().await;
    result
}

async fn knowledge_journey(h: &Harness) -> anyhow::Result<()> {
    let console = h.browser.window().await?;
    sign_in(h, "knowledge@demo.test").await?;
    let draft_id = open_knowledge(h, DEMO_DRAFT).await?;
    let listed = text_of(h, "#drafts", "ticket(s)").await?;
    assert!(
        listed.contains("3 ticket(s)"),
        "the draft's evidence count: {listed}"
    );
    open_draft(h, &draft_id).await?;

    // The editor previews the Markdown as it is typed; markup stays text.
    edit_draft(h, TITLE, BODY, "What to do").await?;
    let preview = h
        .js("const p = document.querySelector('#draft-preview');
             return [p.querySelectorAll('strong').length, p.querySelectorAll('ol li').length,
                     p.querySelectorAll('img').length, p.textContent];")
        .await?;
    assert_eq!(preview[0], 1, "bold is rendered: {preview}");
    assert_eq!(preview[1], 2, "the steps are a list: {preview}");
    assert_eq!(preview[2], 0, "no element from raw HTML: {preview}");
    assert!(
        preview[3]
            .as_str()
            .unwrap_or_default()
            .contains("<img src=x")
    );
    let routes = h
        .js("return document.querySelector('#draft-routes').value;")
        .await?;
    assert_eq!(routes, DEMO_DRAFT_ROUTE, "the page comes from the tickets");

    click(h, "#draft-publish").await?;
    text_of(h, "#draft-state", "Published").await?;
    let article_id = wait_for("the published article", SETTLE, || async {
        let draft = h
            .agent_get(&format!(
                "/api/v1/sites/{DEMO_SITE}/knowledge/drafts/{draft_id}"
            ))
            .await?;
        Ok(draft["article_id"].as_str().map(str::to_owned))
    })
    .await?;
    let shown_before = shown(h, &article_id).await?;

    // A fresh visitor on the page asks; the widget suggests the article.
    let visitor = h.browser.new_window(false).await?.handle;
    h.browser.switch_to_window(visitor).await?;
    visitor_asks(
        h,
        DEMO_DRAFT_ROUTE,
        "invitation email did not arrive",
        TITLE,
    )
    .await?;

    // The performance table counts it as shown.
    h.browser.switch_to_window(console.clone()).await?;
    let after = shown(h, &article_id).await?;
    assert!(after > shown_before, "shown {shown_before} → {after}");
    click(h, "#tab-articles").await?;
    let cell = format!(
        "#article-table tr[data-article={}] td[data-col=shown]",
        literal(&article_id)
    );
    let in_table = text_of(h, &cell, &after.to_string()).await?;
    assert_eq!(in_table.trim(), after.to_string());

    // An agent reads the draft but has no publish button, and the API refuses them.
    click(h, "#sign-out").await?;
    text_of(h, ".login-card", "Sign in").await?;
    sign_in(h, "agent@demo.test").await?;
    click(h, "#nav-knowledge").await?;
    show_all_drafts(h).await?;
    find_draft(h, "invitation").await?;
    open_draft(h, &draft_id).await?;
    let buttons = h
        .js("return ['#draft-publish', '#draft-save', '#draft-reject', '#article-unpublish', '#build-drafts']
                .filter(s => document.querySelector(s)).length;")
        .await?;
    assert_eq!(buttons, 0, "an agent sees no knowledge write action");
    let status = h
        .browser
        .execute_async(
            &format!(
                "const done = arguments[arguments.length - 1];
                 (async () => {{
                   const login = await fetch('/api/v1/auth/login', {{method: 'POST',
                     headers: {{'content-type': 'application/json'}},
                     body: JSON.stringify({{email: 'agent@demo.test', password: {}}})}});
                   const session = await login.json();
                   const answer = await fetch('/api/v1/sites/{DEMO_SITE}/knowledge/drafts/' + {} + '/publish', {{
                     method: 'POST', headers: {{'content-type': 'application/json',
                       'x-csrf-token': session.csrf_token}},
                     body: JSON.stringify({{expected_version: 1}})}});
                   const body = await answer.json();
                   return [answer.status, body.error && body.error.code];
                 }})().then(done, e => done(String(e)));",
                literal(PASSWORD),
                literal(&draft_id)
            ),
            vec![],
        )
        .await?;
    assert_eq!(status, serde_json::json!([403, "forbidden"]), "{status}");
    Ok(())
}

/// How often the article was shown, from the agent API.
async fn shown(h: &Harness, article_id: &str) -> anyhow::Result<i64> {
    let table = h
        .agent_get(&format!("/api/v1/sites/{DEMO_SITE}/knowledge/articles"))
        .await?;
    table
        .as_array()
        .into_iter()
        .flatten()
        .find(|row| row["id"] == article_id)
        .and_then(|row| row["shown"].as_i64())
        .context("the article is not in the performance table")
}
