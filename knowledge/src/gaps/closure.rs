//! Closing gaps: an article published for a gap closes it; later escalations on the
//! same route and fingerprint reopen it.

use serde::{Deserialize, Serialize};

use super::find::Gap;
use super::log::GapKey;
use crate::drafts::PublishedArticle;
use crate::drafts::extract::normalize_route;

/// A gap closed by publishing an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GapClosure {
    /// The gap's key.
    pub key: GapKey,
    /// The article published for it.
    pub article_id: String,
    /// When it was published (ms); queries after this reopen the gap.
    pub at_ms: i64,
}

/// The gaps an article closes: those on one of its routes, whose fingerprint (if
/// the gap has one) the article also covers.
pub fn closures_for_article(article: &PublishedArticle, gaps: &[Gap]) -> Vec<GapClosure> {
    let routes: Vec<String> = article.routes.iter().map(|r| normalize_route(r)).collect();
    gaps.iter()
        .filter(|gap| routes.contains(&gap.key.route))
        .filter(|gap| match &gap.key.fingerprint {
            Some(fingerprint) => article.fingerprints.iter().any(|f| f.trim() == fingerprint),
            None => true,
        })
        .map(|gap| GapClosure {
            key: gap.key.clone(),
            article_id: article.id.clone(),
            at_ms: article.published_at_ms,
        })
        .collect()
}
