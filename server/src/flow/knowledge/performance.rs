//! How knowledge does with visitors: for each article the suggestion sets it was
//! shown in, the times it was opened whole, the "this solved it" verdicts and the
//! sets whose session still asked for a person; and the knowledge gaps with how
//! many questions each page and error saw and which share of them escalated.

use std::collections::HashMap;

use serde::Serialize;
use waymark_knowledge::gaps::{Gap, GapConfig, GapKey, find_gaps};
use waymark_knowledge::{DocKind, KnowledgeIndex};

use crate::flow::FlowError;
use crate::storage::Store;
use crate::storage::knowledge::{ArticleCounters, ArticleStatus};

/// How the performance table is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PerformanceSort {
    /// Times shown.
    #[default]
    Shown,
    /// Times opened.
    Opened,
    /// "Solved it" verdicts.
    Solved,
    /// Escalations after being shown.
    EscalatedAfter,
    /// Escalations after being shown, per time shown.
    EscalationRate,
    /// Publication time.
    Published,
    /// Title, alphabetically.
    Title,
}

impl PerformanceSort {
    /// The sort named `name` (`shown`, `opened`, `solved`, `escalated_after`,
    /// `escalation_rate`, `published`, `title`).
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "shown" => Self::Shown,
            "opened" => Self::Opened,
            "solved" => Self::Solved,
            "escalated_after" => Self::EscalatedAfter,
            "escalation_rate" => Self::EscalationRate,
            "published" => Self::Published,
            "title" => Self::Title,
            _ => return None,
        })
    }
}

/// One row of the performance table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticlePerformance {
    /// The article id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// `published`, `unpublished`, `superseded`, or `imported` (an article that came
    /// with an import, not written here).
    pub status: String,
    /// Its version (0 for imported articles).
    pub version: i64,
    /// When it was published (ms; 0 for imported articles).
    pub published_at_ms: i64,
    /// The counters.
    #[serde(flatten)]
    pub counters: ArticleCounters,
    /// Escalations after being shown, per time shown (0 when never shown).
    pub escalation_rate: f32,
}

/// Every article of the site with its figures, ordered by `sort`.
pub async fn article_performance(
    store: &Store,
    index: Option<&KnowledgeIndex>,
    site_id: &str,
    sort: PerformanceSort,
    ascending: bool,
) -> Result<Vec<ArticlePerformance>, FlowError> {
    let stored = store.articles(site_id).await?;
    let mut rows = Vec::with_capacity(stored.len());
    for article in &stored {
        let status = match article.status {
            ArticleStatus::Published => "published",
            ArticleStatus::Unpublished => "unpublished",
            ArticleStatus::Superseded => "superseded",
        };
        rows.push(
            row(
                store,
                site_id,
                &article.id,
                &article.title,
                status,
                article.version,
                article.published_at_ms,
            )
            .await?,
        );
    }
    if let Some(index) = index {
        let imported = index
            .documents_of_kind(site_id, DocKind::Article, 1_000)
            .map_err(|err| FlowError::Knowledge(err.to_string()))?;
        for doc in imported
            .iter()
            .filter(|doc| !stored.iter().any(|a| a.id == doc.id))
        {
            rows.push(row(store, site_id, &doc.id, &doc.title, "imported", 0, 0).await?);
        }
    }
    sort_rows(&mut rows, sort, ascending);
    Ok(rows)
}

async fn row(
    store: &Store,
    site_id: &str,
    id: &str,
    title: &str,
    status: &str,
    version: i64,
    published_at_ms: i64,
) -> Result<ArticlePerformance, FlowError> {
    let counters = store.article_counters(site_id, id).await?;
    #[allow(clippy::cast_precision_loss)]
    let escalation_rate = if counters.shown > 0 {
        counters.escalated_after as f32 / counters.shown as f32
    } else {
        0.0
    };
    Ok(ArticlePerformance {
        id: id.to_owned(),
        title: title.to_owned(),
        status: status.to_owned(),
        version,
        published_at_ms,
        counters,
        escalation_rate,
    })
}

fn sort_rows(rows: &mut [ArticlePerformance], sort: PerformanceSort, ascending: bool) {
    rows.sort_by(|x, y| {
        let order = match sort {
            PerformanceSort::Shown => x.counters.shown.cmp(&y.counters.shown),
            PerformanceSort::Opened => x.counters.opened.cmp(&y.counters.opened),
            PerformanceSort::Solved => x.counters.solved.cmp(&y.counters.solved),
            PerformanceSort::EscalatedAfter => {
                x.counters.escalated_after.cmp(&y.counters.escalated_after)
            }
            PerformanceSort::EscalationRate => x.escalation_rate.total_cmp(&y.escalation_rate),
            PerformanceSort::Published => x.published_at_ms.cmp(&y.published_at_ms),
            PerformanceSort::Title => x.title.to_lowercase().cmp(&y.title.to_lowercase()),
        };
        let order = if ascending { order } else { order.reverse() };
        order.then_with(|| x.id.cmp(&y.id))
    });
}

/// A knowledge gap with its volume and escalation share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapReport {
    /// The gap (unanswered questions that escalated, grouped by page and error).
    #[serde(flatten)]
    pub gap: Gap,
    /// Every question asked on this page and error in the period.
    pub asked: usize,
    /// How many of them then asked for a person.
    pub escalated: usize,
    /// `escalated / asked`.
    pub escalation_share: f32,
    /// The draft already made from this gap, if any.
    pub draft_id: Option<String>,
}

/// The site's open gaps of the last `days` days, most pressing first, each with
/// the volume of its page and error and the share that escalated.
pub async fn gap_report(
    store: &Store,
    site_id: &str,
    days: u32,
    config: &GapConfig,
    now_ms: i64,
) -> Result<Vec<GapReport>, FlowError> {
    let entries = crate::flow::gaps::suggest_log(store, site_id, days, now_ms).await?;
    let mut volume: HashMap<GapKey, (usize, usize)> = HashMap::new();
    for entry in &entries {
        let counts = volume.entry(GapKey::of(entry)).or_default();
        counts.0 += 1;
        counts.1 += usize::from(entry.escalated);
    }
    let drafts = store.drafts(site_id).await?;
    Ok(find_gaps(&entries, &[], config, now_ms)
        .into_iter()
        .map(|gap| {
            let (asked, escalated) = volume.get(&gap.key).copied().unwrap_or_default();
            let draft_id = format!("gap-{}", gap.id.0);
            #[allow(clippy::cast_precision_loss)]
            let escalation_share = if asked > 0 {
                escalated as f32 / asked as f32
            } else {
                0.0
            };
            GapReport {
                draft_id: drafts.iter().any(|d| d.id == draft_id).then_some(draft_id),
                gap,
                asked,
                escalated,
                escalation_share,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn perf(id: &str, shown: i64, escalated_after: i64) -> ArticlePerformance {
        ArticlePerformance {
            id: id.into(),
            title: id.to_uppercase(),
            status: "published".into(),
            version: 1,
            published_at_ms: 0,
            counters: ArticleCounters {
                shown,
                escalated_after,
                ..ArticleCounters::default()
            },
            #[allow(clippy::cast_precision_loss)]
            escalation_rate: if shown > 0 {
                escalated_after as f32 / shown as f32
            } else {
                0.0
            },
        }
    }

    #[test]
    fn the_table_sorts_by_each_figure_both_ways() {
        let mut rows = vec![perf("a", 10, 1), perf("b", 4, 3), perf("c", 0, 0)];
        sort_rows(&mut rows, PerformanceSort::Shown, false);
        let ids =
            |rows: &[ArticlePerformance]| rows.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&rows), ["a", "b", "c"]);
        sort_rows(&mut rows, PerformanceSort::EscalationRate, false);
        assert_eq!(ids(&rows), ["b", "a", "c"]);
        sort_rows(&mut rows, PerformanceSort::Title, true);
        assert_eq!(ids(&rows), ["a", "b", "c"]);
        assert_eq!(
            PerformanceSort::parse("solved"),
            Some(PerformanceSort::Solved)
        );
        assert_eq!(PerformanceSort::parse("popularity"), None);
    }
}
