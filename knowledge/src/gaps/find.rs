//! Finding and ranking gaps: unanswered, escalated queries grouped by key, weighted by
//! recency, with example questions; queries before a closure of their gap do not count.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::closure::GapClosure;
use super::log::{GapId, GapKey, SuggestLogEntry};

/// How gaps are found and ranked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GapConfig {
    /// A query counts when its best score is below this.
    pub max_best_score: f32,
    /// Example questions kept per gap.
    pub max_examples: usize,
    /// Half-life of a query's weight in the ranking, in milliseconds.
    pub recency_half_life_ms: i64,
    /// The fewest queries a gap needs to be listed.
    pub min_queries: usize,
}

impl Default for GapConfig {
    fn default() -> Self {
        GapConfig {
            max_best_score: 0.35,
            max_examples: 5,
            recency_half_life_ms: 7 * 86_400_000,
            min_queries: 1,
        }
    }
}

/// A knowledge gap: questions on one page and error that found no good answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    /// The stable id.
    pub id: GapId,
    /// Route and fingerprint.
    pub key: GapKey,
    /// How many unanswered, escalated queries.
    pub count: usize,
    /// The first such query (ms).
    pub first_seen_ms: i64,
    /// The latest such query (ms).
    pub last_seen_ms: i64,
    /// Distinct example questions, most recent first.
    pub examples: Vec<String>,
    /// The ranking score: the count with each query weighted by its recency.
    pub rank: f32,
}

/// The open gaps in a suggest log, best-ranked first. Queries before a closure of
/// their gap do not count.
pub fn find_gaps(
    entries: &[SuggestLogEntry],
    closures: &[GapClosure],
    config: &GapConfig,
    now_ms: i64,
) -> Vec<Gap> {
    let mut closed_until: HashMap<&GapKey, i64> = HashMap::new();
    for closure in closures {
        let until = closed_until.entry(&closure.key).or_insert(i64::MIN);
        *until = (*until).max(closure.at_ms);
    }
    let mut grouped: HashMap<GapKey, Vec<&SuggestLogEntry>> = HashMap::new();
    for entry in entries {
        if !entry.escalated || entry.best_score >= config.max_best_score {
            continue;
        }
        let key = GapKey::of(entry);
        if closed_until
            .get(&key)
            .is_some_and(|until| entry.at_ms <= *until)
        {
            continue;
        }
        grouped.entry(key).or_default().push(entry);
    }
    let mut gaps: Vec<Gap> = grouped
        .into_iter()
        .filter(|(_, queries)| queries.len() >= config.min_queries.max(1))
        .map(|(key, queries)| describe(key, queries, config, now_ms))
        .collect();
    gaps.sort_by(|x, y| {
        y.rank
            .total_cmp(&x.rank)
            .then(y.count.cmp(&x.count))
            .then(y.last_seen_ms.cmp(&x.last_seen_ms))
            .then(x.id.cmp(&y.id))
    });
    gaps
}

fn describe(
    key: GapKey,
    mut queries: Vec<&SuggestLogEntry>,
    config: &GapConfig,
    now_ms: i64,
) -> Gap {
    queries.sort_by(|x, y| y.at_ms.cmp(&x.at_ms).then(x.query.cmp(&y.query)));
    let half_life = config.recency_half_life_ms.max(1) as f64;
    let rank = queries
        .iter()
        .map(|q| 0.5f64.powf((now_ms - q.at_ms).max(0) as f64 / half_life))
        .sum::<f64>() as f32;
    let mut examples: Vec<String> = Vec::new();
    for query in &queries {
        let text = query.query.split_whitespace().collect::<Vec<_>>().join(" ");
        let seen = examples.iter().any(|e| e.eq_ignore_ascii_case(&text));
        if !text.is_empty() && !seen && examples.len() < config.max_examples {
            examples.push(text);
        }
    }
    Gap {
        id: key.id(),
        count: queries.len(),
        first_seen_ms: queries.last().map_or(0, |q| q.at_ms),
        last_seen_ms: queries.first().map_or(0, |q| q.at_ms),
        examples,
        rank,
        key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drafts::PublishedArticle;
    use crate::gaps::closures_for_article;

    const HOUR: i64 = 3_600_000;
    const NOW: i64 = 1_770_000_000_000;

    fn entry(
        query: &str,
        route: &str,
        fingerprint: Option<&str>,
        score: f32,
        escalated: bool,
        hours_ago: i64,
    ) -> SuggestLogEntry {
        SuggestLogEntry {
            query: query.into(),
            route: Some(route.into()),
            fingerprint: fingerprint.map(str::to_string),
            best_score: score,
            escalated,
            at_ms: NOW - hours_ago * HOUR,
        }
    }

    fn log() -> Vec<SuggestLogEntry> {
        vec![
            entry(
                "why is my invoice pdf empty",
                "/invoices/12/pdf",
                Some("fp-pdf"),
                0.1,
                true,
                30,
            ),
            entry(
                "invoice pdf blank",
                "/invoices/99/pdf",
                Some("fp-pdf"),
                0.2,
                true,
                20,
            ),
            entry(
                "Invoice PDF blank",
                "/invoices/7/pdf",
                Some("fp-pdf"),
                0.05,
                true,
                2,
            ),
            entry(
                "pdf download shows nothing",
                "/invoices/3/pdf",
                Some("fp-pdf"),
                0.3,
                true,
                1,
            ),
            entry("cannot invite teammate", "/team", None, 0.1, true, 200),
            entry(
                "cannot invite teammate again",
                "/team",
                None,
                0.1,
                true,
                190,
            ),
            entry(
                "cannot invite teammate third",
                "/team",
                None,
                0.1,
                true,
                180,
            ),
            entry(
                "cannot invite teammate fourth",
                "/team",
                None,
                0.1,
                true,
                170,
            ),
            entry(
                "cannot invite teammate fifth",
                "/team",
                None,
                0.1,
                true,
                160,
            ),
            // answered well, or not escalated: not gaps
            entry("how to export csv", "/reports", None, 0.9, true, 1),
            entry("where is the logout", "/settings", None, 0.1, false, 1),
        ]
    }

    #[test]
    fn low_scoring_escalated_queries_are_grouped_by_route_and_fingerprint() {
        let gaps = find_gaps(&log(), &[], &GapConfig::default(), NOW);
        let keys: Vec<(&str, Option<&str>, usize)> = gaps
            .iter()
            .map(|g| (g.key.route.as_str(), g.key.fingerprint.as_deref(), g.count))
            .collect();
        assert_eq!(
            keys,
            vec![("/invoices/:id/pdf", Some("fp-pdf"), 4), ("/team", None, 5)]
        );
    }

    #[test]
    fn recent_gaps_outrank_older_larger_ones() {
        let gaps = find_gaps(&log(), &[], &GapConfig::default(), NOW);
        assert!(gaps[0].rank > gaps[1].rank);
        assert!(gaps[0].count < gaps[1].count);
    }

    #[test]
    fn examples_are_distinct_and_most_recent_first() {
        let gaps = find_gaps(&log(), &[], &GapConfig::default(), NOW);
        assert_eq!(
            gaps[0].examples,
            vec![
                "pdf download shows nothing",
                "Invoice PDF blank",
                "why is my invoice pdf empty"
            ]
        );
        assert_eq!(gaps[0].last_seen_ms, NOW - HOUR);
        assert_eq!(gaps[0].first_seen_ms, NOW - 30 * HOUR);
    }

    #[test]
    fn publishing_an_article_for_a_gap_closes_it_until_it_recurs() {
        let gaps = find_gaps(&log(), &[], &GapConfig::default(), NOW);
        let article = PublishedArticle {
            id: "kb-pdf".into(),
            routes: vec!["/invoices/1/pdf".into()],
            fingerprints: vec!["fp-pdf".into()],
            published_at_ms: NOW,
            ..PublishedArticle::default()
        };
        let closures = closures_for_article(&article, &gaps);
        assert_eq!(closures.len(), 1);
        let after = find_gaps(&log(), &closures, &GapConfig::default(), NOW);
        assert_eq!(after.len(), 1);
        assert_eq!(after[0].key.route, "/team");

        let mut later = log();
        later.push(entry(
            "pdf still blank",
            "/invoices/5/pdf",
            Some("fp-pdf"),
            0.1,
            true,
            -5,
        ));
        let reopened = find_gaps(&later, &closures, &GapConfig::default(), NOW + 6 * HOUR);
        let pdf = reopened.iter().find(|g| g.key.fingerprint.is_some());
        assert_eq!(pdf.map(|g| g.count), Some(1));
    }

    #[test]
    fn gap_ids_are_stable() {
        let key = GapKey {
            route: "/team".into(),
            fingerprint: None,
        };
        assert_eq!(key.id(), key.clone().id());
        assert_ne!(
            key.id(),
            GapKey {
                route: "/teams".into(),
                fingerprint: None
            }
            .id()
        );
    }
}
