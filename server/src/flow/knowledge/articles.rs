//! Articles and the knowledge index. The database is the source of truth; the
//! index holds what visitors are suggested. Every write of an article to the index
//! goes through [`index_article`] and every removal through [`remove_article`], so
//! the way the index is fed can change in one place.

use waymark_core::markdown;
use waymark_knowledge::drafts::PublishedArticle;
use waymark_knowledge::{DocKind, KnowledgeDoc, KnowledgeIndex};

use crate::flow::FlowError;
use crate::storage::Store;
use crate::storage::knowledge::ArticleRecord;

/// The article as the index stores it: the Markdown reduced to its words.
pub fn article_doc(site_id: &str, article: &ArticleRecord) -> KnowledgeDoc {
    KnowledgeDoc {
        site: site_id.to_owned(),
        id: article.id.clone(),
        kind: DocKind::Article,
        title: article.title.clone(),
        problem: markdown::to_plain_text(&markdown::parse(&article.body_markdown)),
        routes: article.routes.clone(),
        errors: article.errors.clone(),
        product_area: article.product_area.clone(),
        ..KnowledgeDoc::default()
    }
}

/// The article as drafts are checked against it.
pub fn published_article(article: &ArticleRecord) -> PublishedArticle {
    PublishedArticle {
        id: article.id.clone(),
        title: article.title.clone(),
        body: markdown::to_plain_text(&markdown::parse(&article.body_markdown)),
        error_messages: article.errors.clone(),
        fingerprints: Vec::new(),
        routes: article.routes.clone(),
        fix: String::new(),
        product_area: article.product_area.clone(),
        published_at_ms: article.published_at_ms,
    }
}

/// Puts the article in the index and commits: searches see it when this returns.
/// Without an index (suggest disabled) there is nothing to feed.
pub fn index_article(
    index: Option<&KnowledgeIndex>,
    site_id: &str,
    article: &ArticleRecord,
) -> Result<(), FlowError> {
    let Some(index) = index else {
        return Ok(());
    };
    index
        .upsert(&article_doc(site_id, article))
        .and_then(|()| index.commit())
        .map_err(|err| FlowError::Knowledge(err.to_string()))?;
    tracing::info!(site = site_id, article = %article.id, version = article.version, "article indexed");
    Ok(())
}

/// Takes the article out of the index and commits: it is suggested no more.
pub fn remove_article(
    index: Option<&KnowledgeIndex>,
    site_id: &str,
    article_id: &str,
) -> Result<(), FlowError> {
    let Some(index) = index else {
        return Ok(());
    };
    index
        .delete(site_id, article_id)
        .and_then(|()| index.commit())
        .map_err(|err| FlowError::Knowledge(err.to_string()))?;
    tracing::info!(
        site = site_id,
        article = article_id,
        "article removed from the index"
    );
    Ok(())
}

/// Indexes every published article of every site (at start: the index follows the
/// database even after it was lost or rebuilt). Returns how many.
pub async fn reindex_published(
    store: &Store,
    index: Option<&KnowledgeIndex>,
) -> Result<usize, FlowError> {
    if index.is_none() {
        return Ok(0);
    }
    let published = store.published_articles().await?;
    for (site_id, article) in &published {
        index_article(index, site_id, article)?;
    }
    Ok(published.len())
}
