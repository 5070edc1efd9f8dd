//! The review of a draft and the life of its article: new → in review → published,
//! or rejected with a reason (expiry is the build's); a published article can be
//! unpublished or superseded by another. Every change is stored over the version it
//! was read at, with its history entry, in one transaction; publishing and taking
//! down reach the index right after.

use waymark_knowledge::KnowledgeIndex;

use super::KnowledgeActor;
use super::articles::{index_article, remove_article};
use crate::flow::FlowError;
use crate::storage::Store;
use crate::storage::knowledge::{
    ArticleRecord, ArticleStatus, DraftRecord, DraftState, NewHistory, Subject,
};

/// The longest title.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest body.
pub const MAX_BODY_BYTES: usize = 100 * 1024;
/// The most routes or errors an article names.
pub const MAX_MATCHERS: usize = 20;
/// The longest route or error.
pub const MAX_MATCHER_CHARS: usize = 300;
/// The longest rejection or unpublish reason.
pub const MAX_REASON_CHARS: usize = 1_000;

/// A knowledge manager's edit; fields left `None` stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftChange {
    /// A new title.
    pub title: Option<String>,
    /// A new body, Markdown.
    pub body_markdown: Option<String>,
    /// The page routes it is suggested on.
    pub routes: Option<Vec<String>>,
    /// The error messages and fingerprints it answers.
    pub errors: Option<Vec<String>>,
    /// The product area (empty clears it).
    pub product_area: Option<String>,
}

/// How to publish a draft.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Publish {
    /// The draft version the reviewer read.
    pub expected_version: i64,
    /// A published article the new one replaces.
    pub supersedes: Option<String>,
}

async fn load(store: &Store, site_id: &str, id: &str) -> Result<DraftRecord, FlowError> {
    store
        .draft(site_id, id)
        .await?
        .ok_or_else(|| FlowError::NotFound(format!("no draft `{id}`")))
}

fn ensure_open(draft: &DraftRecord, doing: &str) -> Result<(), FlowError> {
    if draft.state.is_open() {
        return Ok(());
    }
    Err(FlowError::Conflict(format!(
        "cannot {doing} draft `{}`: it is {}",
        draft.id,
        draft.state.name()
    )))
}

fn ensure_version(draft: &DraftRecord, expected: i64) -> Result<(), FlowError> {
    if draft.version == expected {
        return Ok(());
    }
    Err(crate::storage::StoreError::VersionConflict(format!(
        "draft `{}` is at version {}, not {expected}: read it again",
        draft.id, draft.version
    ))
    .into())
}

fn check_matchers(field: &str, values: &[String]) -> Result<Vec<String>, FlowError> {
    if values.len() > MAX_MATCHERS {
        return Err(FlowError::Invalid(format!(
            "{field}: at most {MAX_MATCHERS} entries"
        )));
    }
    let mut kept: Vec<String> = Vec::new();
    for (position, value) in values.iter().enumerate() {
        let value = value.trim();
        if value.is_empty() || value.chars().count() > MAX_MATCHER_CHARS {
            return Err(FlowError::Invalid(format!(
                "{field}[{position}] must be 1 to {MAX_MATCHER_CHARS} characters"
            )));
        }
        if field == "routes" && !value.starts_with('/') {
            return Err(FlowError::Invalid(format!(
                "routes[{position}] must be a path starting with `/`, got `{value}`"
            )));
        }
        if !kept.iter().any(|known| known == value) {
            kept.push(value.to_owned());
        }
    }
    Ok(kept)
}

fn check_content(title: &str, body: &str) -> Result<(), FlowError> {
    let title_chars = title.trim().chars().count();
    if title_chars == 0 || title_chars > MAX_TITLE_CHARS {
        return Err(FlowError::Invalid(format!(
            "title must be 1 to {MAX_TITLE_CHARS} characters"
        )));
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(FlowError::Invalid(format!(
            "body_markdown is longer than {MAX_BODY_BYTES} bytes"
        )));
    }
    Ok(())
}

/// Applies an edit (a new draft moves to in review); the draft's content is then
/// the reviewer's and later builds keep it.
pub async fn edit(
    store: &Store,
    site_id: &str,
    id: &str,
    expected_version: i64,
    change: DraftChange,
    actor: KnowledgeActor<'_>,
) -> Result<DraftRecord, FlowError> {
    let mut draft = load(store, site_id, id).await?;
    ensure_open(&draft, "edit")?;
    ensure_version(&draft, expected_version)?;
    let mut changed = Vec::new();
    if let Some(title) = change.title {
        changed.push("title");
        draft.title = title.trim().to_owned();
    }
    if let Some(body) = change.body_markdown {
        changed.push("body_markdown");
        draft.body_markdown = body;
    }
    if let Some(routes) = change.routes {
        changed.push("routes");
        draft.routes = check_matchers("routes", &routes)?;
    }
    if let Some(errors) = change.errors {
        changed.push("errors");
        draft.errors = check_matchers("errors", &errors)?;
    }
    if let Some(area) = change.product_area {
        changed.push("product_area");
        let area = area.trim();
        draft.product_area = (!area.is_empty()).then(|| area.to_owned());
    }
    if changed.is_empty() {
        return Err(FlowError::Invalid(
            "nothing to change: send title, body_markdown, routes, errors or product_area".into(),
        ));
    }
    check_content(&draft.title, &draft.body_markdown)?;
    let mut history = Vec::new();
    if draft.state == DraftState::New {
        draft.state = DraftState::InReview;
        history.push(entry(
            &draft.id,
            actor,
            "review_started",
            serde_json::json!({}),
        ));
    }
    history.push(entry(
        &draft.id,
        actor,
        "edited",
        serde_json::json!({ "fields": changed }),
    ));
    draft.edited = true;
    draft.version += 1;
    draft.updated_at_ms = actor.now_ms;
    store
        .save_draft(site_id, &draft, expected_version, &[], &history)
        .await?;
    Ok(draft)
}

/// A knowledge manager takes the draft into review.
pub async fn start_review(
    store: &Store,
    site_id: &str,
    id: &str,
    expected_version: i64,
    actor: KnowledgeActor<'_>,
) -> Result<DraftRecord, FlowError> {
    let mut draft = load(store, site_id, id).await?;
    ensure_version(&draft, expected_version)?;
    if draft.state != DraftState::New {
        return Err(FlowError::Conflict(format!(
            "draft `{id}` is {}, only a new draft goes into review",
            draft.state.name()
        )));
    }
    draft.state = DraftState::InReview;
    draft.version += 1;
    draft.updated_at_ms = actor.now_ms;
    let history = [entry(
        &draft.id,
        actor,
        "review_started",
        serde_json::json!({}),
    )];
    store
        .save_draft(site_id, &draft, expected_version, &[], &history)
        .await?;
    Ok(draft)
}

/// Rejects the draft; the reason is required and kept.
pub async fn reject(
    store: &Store,
    site_id: &str,
    id: &str,
    expected_version: i64,
    reason: &str,
    actor: KnowledgeActor<'_>,
) -> Result<DraftRecord, FlowError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(FlowError::Invalid(format!(
            "reason must be 1 to {MAX_REASON_CHARS} characters: say why the draft is rejected"
        )));
    }
    let mut draft = load(store, site_id, id).await?;
    ensure_open(&draft, "reject")?;
    ensure_version(&draft, expected_version)?;
    draft.state = DraftState::Rejected;
    draft.reason = Some(reason.to_owned());
    draft.version += 1;
    draft.updated_at_ms = actor.now_ms;
    let history = [entry(
        &draft.id,
        actor,
        "rejected",
        serde_json::json!({ "reason": reason }),
    )];
    store
        .save_draft(site_id, &draft, expected_version, &[], &history)
        .await?;
    Ok(draft)
}

/// The article id a draft publishes as.
pub fn article_id_of(draft_id: &str) -> String {
    let cleaned: String = draft_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("kb-{cleaned}")
}

/// Publishes the draft as an article (superseding another when asked), then puts it
/// in the index at once: the widget suggests it from the next question on.
pub async fn publish(
    store: &Store,
    index: Option<&KnowledgeIndex>,
    site_id: &str,
    id: &str,
    publish: Publish,
    actor: KnowledgeActor<'_>,
) -> Result<(DraftRecord, ArticleRecord), FlowError> {
    let mut draft = load(store, site_id, id).await?;
    ensure_open(&draft, "publish")?;
    ensure_version(&draft, publish.expected_version)?;
    check_content(&draft.title, &draft.body_markdown)?;
    if draft.body_markdown.trim().is_empty() {
        return Err(FlowError::Invalid(
            "body_markdown is empty: an article needs a body".into(),
        ));
    }
    let article_id = article_id_of(&draft.id);
    let existing = store.article(site_id, &article_id).await?;
    let mut replaced = match &publish.supersedes {
        None => None,
        Some(old_id) if *old_id == article_id => {
            return Err(FlowError::Invalid(
                "supersedes names the article this draft publishes as".into(),
            ));
        }
        Some(old_id) => {
            let old = store
                .article(site_id, old_id)
                .await?
                .ok_or_else(|| FlowError::NotFound(format!("no article `{old_id}`")))?;
            if old.status != ArticleStatus::Published {
                return Err(FlowError::Conflict(format!(
                    "article `{old_id}` is not published, there is nothing to supersede"
                )));
            }
            Some(old)
        }
    };
    let article = ArticleRecord {
        id: article_id.clone(),
        title: draft.title.clone(),
        body_markdown: draft.body_markdown.clone(),
        product_area: draft.product_area.clone(),
        routes: draft.routes.clone(),
        errors: draft.errors.clone(),
        status: ArticleStatus::Published,
        version: existing.as_ref().map_or(1, |a| a.version + 1),
        draft_id: Some(draft.id.clone()),
        superseded_by: None,
        published_by: actor.user_id.to_owned(),
        published_at_ms: actor.now_ms,
        updated_at_ms: actor.now_ms,
    };
    let expected = draft.version;
    draft.state = DraftState::Published;
    draft.article_id = Some(article_id.clone());
    draft.version += 1;
    draft.updated_at_ms = actor.now_ms;
    let mut articles = vec![article.clone()];
    let mut history = vec![
        entry(
            &draft.id,
            actor,
            "published",
            serde_json::json!({ "article_id": article_id, "supersedes": publish.supersedes }),
        ),
        NewHistory {
            subject: Subject::Article,
            subject_id: &article_id,
            actor: actor.user_id,
            action: "published",
            detail: serde_json::json!({ "draft_id": draft.id, "version": article.version }),
            at_ms: actor.now_ms,
        },
    ];
    if let Some(old) = replaced.as_mut() {
        old.status = ArticleStatus::Superseded;
        old.superseded_by = Some(article_id.clone());
        old.updated_at_ms = actor.now_ms;
        articles.push(old.clone());
    }
    if let Some(old) = &replaced {
        history.push(NewHistory {
            subject: Subject::Article,
            subject_id: &old.id,
            actor: actor.user_id,
            action: "superseded",
            detail: serde_json::json!({ "by": article_id }),
            at_ms: actor.now_ms,
        });
    }
    store
        .save_draft(site_id, &draft, expected, &articles, &history)
        .await?;
    index_article(store, index, site_id, &article).await?;
    if let Some(old) = &replaced {
        remove_article(store, index, site_id, &old.id).await?;
    }
    Ok((draft, article))
}

/// Takes a published article down: it is suggested no more.
pub async fn unpublish(
    store: &Store,
    index: Option<&KnowledgeIndex>,
    site_id: &str,
    article_id: &str,
    reason: Option<&str>,
    actor: KnowledgeActor<'_>,
) -> Result<ArticleRecord, FlowError> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > MAX_REASON_CHARS) {
        return Err(FlowError::Invalid(format!(
            "reason is longer than {MAX_REASON_CHARS} characters"
        )));
    }
    let mut article = published(store, site_id, article_id).await?;
    article.status = ArticleStatus::Unpublished;
    article.updated_at_ms = actor.now_ms;
    let history = [NewHistory {
        subject: Subject::Article,
        subject_id: article_id,
        actor: actor.user_id,
        action: "unpublished",
        detail: serde_json::json!({ "reason": reason }),
        at_ms: actor.now_ms,
    }];
    store
        .save_article(site_id, std::slice::from_ref(&article), &history)
        .await?;
    remove_article(store, index, site_id, article_id).await?;
    Ok(article)
}

/// Marks a published article as replaced by another published one and takes it
/// out of the index.
pub async fn supersede(
    store: &Store,
    index: Option<&KnowledgeIndex>,
    site_id: &str,
    article_id: &str,
    by: &str,
    actor: KnowledgeActor<'_>,
) -> Result<ArticleRecord, FlowError> {
    if article_id == by {
        return Err(FlowError::Invalid(
            "an article cannot supersede itself".into(),
        ));
    }
    let replacement = published(store, site_id, by).await?;
    let mut article = published(store, site_id, article_id).await?;
    article.status = ArticleStatus::Superseded;
    article.superseded_by = Some(replacement.id.clone());
    article.updated_at_ms = actor.now_ms;
    let history = [NewHistory {
        subject: Subject::Article,
        subject_id: article_id,
        actor: actor.user_id,
        action: "superseded",
        detail: serde_json::json!({ "by": replacement.id }),
        at_ms: actor.now_ms,
    }];
    store
        .save_article(site_id, std::slice::from_ref(&article), &history)
        .await?;
    remove_article(store, index, site_id, article_id).await?;
    Ok(article)
}

async fn published(
    store: &Store,
    site_id: &str,
    article_id: &str,
) -> Result<ArticleRecord, FlowError> {
    let article = store
        .article(site_id, article_id)
        .await?
        .ok_or_else(|| FlowError::NotFound(format!("no article `{article_id}`")))?;
    if article.status != ArticleStatus::Published {
        return Err(FlowError::Conflict(format!(
            "article `{article_id}` is not published"
        )));
    }
    Ok(article)
}

fn entry<'a>(
    draft_id: &'a str,
    actor: KnowledgeActor<'a>,
    action: &'a str,
    detail: serde_json::Value,
) -> NewHistory<'a> {
    NewHistory {
        subject: Subject::Draft,
        subject_id: draft_id,
        actor: actor.user_id,
        action,
        detail,
        at_ms: actor.now_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_ids_are_readable_and_safe() {
        assert_eq!(article_id_of("ticket-t_3F9a"), "kb-ticket-t-3f9a");
        assert_eq!(article_id_of("c1a2b3"), "kb-c1a2b3");
    }

    #[test]
    fn matchers_are_checked_and_deduplicated() {
        let routes = vec!["/billing".to_owned(), " /billing ".to_owned()];
        assert_eq!(
            check_matchers("routes", &routes).ok(),
            Some(vec!["/billing".to_owned()])
        );
        let bad = vec!["billing".to_owned()];
        let error = check_matchers("routes", &bad).err().map(|e| e.to_string());
        assert!(error.is_some_and(|e| e.contains("routes[0]")));
        assert!(check_matchers("errors", &[String::new()]).is_err());
    }
}
