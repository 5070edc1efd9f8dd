//! Steps of the knowledge managers' journeys, shared by the journeys and the
//! screenshots: open the knowledge section, open a draft by its title, edit it in
//! the editor, and a fresh visitor who asks the widget on a page.

use crate::console::{SETTLE, click, fill, in_widget, literal, text_of, widget_has};
use crate::{Harness, wait_for};

/// The demo's resolved tickets that share a problem (an invitation email lost in
/// spam): the job runner drafts an article from them when the demo starts.
pub const DEMO_DRAFT: &str = "invitation email";

/// How long the demo's first draft build may take when every journey starts a
/// demo server at once.
const DRAFTED: std::time::Duration = std::time::Duration::from_secs(180);

/// The page those tickets came from.
pub const DEMO_DRAFT_ROUTE: &str = "/demo/settings/team";

/// Opens the knowledge section and waits until a draft whose title contains
/// `needle` (case-insensitive) is listed; returns its id.
pub async fn open_knowledge(h: &Harness, needle: &str) -> anyhow::Result<String> {
    // The job runner drafts at start, in the background (slowly when every
    // journey runs at once on a small machine): wait until the API lists the
    // draft, so the page's first load shows it.
    wait_for(
        &format!("the job runner's draft about {needle:?}"),
        DRAFTED,
        || async {
            let drafts = h
                .agent_get(&format!(
                    "/api/v1/sites/{}/knowledge/drafts",
                    crate::DEMO_SITE
                ))
                .await?;
            let listed = drafts
                .to_string()
                .to_lowercase()
                .contains(&needle.to_lowercase());
            Ok(listed.then_some(()))
        },
    )
    .await?;
    click(h, "#nav-knowledge").await?;
    find_draft(h, needle).await
}

/// Shows every draft in the list, whatever its state.
pub async fn show_all_drafts(h: &Harness) -> anyhow::Result<()> {
    let script = "const chip = [...document.querySelectorAll('.draft-list .chip')]
            .find(c => c.textContent.startsWith('All'));
         if (!chip) return false; chip.click(); return true;";
    wait_for("the All drafts filter", SETTLE, || async {
        Ok(h.js(script).await?.as_bool().filter(|b| *b))
    })
    .await
    .map(|_| ())
}

/// Waits until a draft whose title contains `needle` (case-insensitive) is listed;
/// returns its id.
pub async fn find_draft(h: &Harness, needle: &str) -> anyhow::Result<String> {
    let script = format!(
        "const row = [...document.querySelectorAll('.draft-row')]
            .find(r => r.textContent.toLowerCase().includes({}));
         return row ? row.dataset.draft : null;",
        literal(&needle.to_lowercase())
    );
    wait_for(&format!("a draft about {needle:?}"), SETTLE, || async {
        Ok(h.js(&script).await?.as_str().map(str::to_owned))
    })
    .await
}

/// Opens draft `id` in the editor.
pub async fn open_draft(h: &Harness, id: &str) -> anyhow::Result<()> {
    click(
        h,
        &format!(".draft-row[data-draft={}] .draft-open", literal(id)),
    )
    .await?;
    text_of(h, "#draft-editor", "History").await?;
    Ok(())
}

/// Writes a reviewed title and body into the editor and waits for the preview.
pub async fn edit_draft(h: &Harness, title: &str, body: &str, shows: &str) -> anyhow::Result<()> {
    fill(h, "#draft-title", title).await?;
    fill(h, "#draft-body", body).await?;
    text_of(h, "#draft-preview", shows).await?;
    Ok(())
}

/// A fresh visitor on `route` opens the widget and asks `question`; waits until an
/// answer contains `expected`.
pub async fn visitor_asks(
    h: &Harness,
    route: &str,
    question: &str,
    expected: &str,
) -> anyhow::Result<()> {
    h.browser.goto(&format!("{}{route}", h.base)).await?;
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
    wait_for("the question field", SETTLE, || async {
        Ok(in_widget(
            h,
            &format!(
                "const q = root.querySelector('#wm-q'); if (!q) return false;
                 q.value = {}; q.dispatchEvent(new Event('input', {{bubbles: true}})); return true;",
                literal(question)
            ),
        )
        .await?
        .as_bool()
        .filter(|b| *b))
    })
    .await?;
    widget_has(h, "the suggested article", ".wm-answer", expected).await
}
