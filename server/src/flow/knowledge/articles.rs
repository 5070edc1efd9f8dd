//! Articles and the knowledge index. The database is the source of truth; the
//! index holds what visitors are suggested. Every write of an article to the index
//! goes through [`index_article`] and every removal through [`remove_article`],
//! both through the knowledge log (`flow::knowledge_log`) every replica follows.

use waymark_core::markdown;
use waymark_knowledge::drafts::PublishedArticle;
use waymark_knowledge::{DocKind, IndexChange, KnowledgeDoc, KnowledgeIndex};

use crate::flow::{FlowError, knowledge_log};
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

/// Puts the article in the index: appended to the knowledge log, which this
/// replica's index (when there is one) applies before this returns, so searches see
/// it at once; the other replicas follow the log.
pub async fn index_article(
    store: &Store,
    index: Option<&KnowledgeIndex>,
    site_id: &str,
    article: &ArticleRecord,
) -> Result<(), FlowError> {
    let change = IndexChange::upsert(article_doc(site_id, article));
    knowledge_log::publish(store, index, &[change]).await?;
    tracing::info!(site = site_id, article = %article.id, version = article.version, "article indexed");
    Ok(())
}

/// Takes the article out of the index (through the knowledge log): it is
/// suggested no more.
pub async fn remove_article(
    store: &Store,
    index: Option<&KnowledgeIndex>,
    site_id: &str,
    article_id: &str,
) -> Result<(), FlowError> {
    let change = IndexChange::Delete {
        site: site_id.to_owned(),
        id: article_id.to_owned(),
    };
    knowledge_log::publish(store, index, &[change]).await?;
    tracing::info!(
        site = site_id,
        article = article_id,
        "article removed from the index"
    );
    Ok(())
}
