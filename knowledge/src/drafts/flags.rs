//! Collisions between a draft and published articles: a duplicate says the same
//! thing; a contradiction has the same symptoms but a different fix.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::extract::{normalize_error, normalize_route};
use super::model::{Draft, Flag, SymptomKind};
use crate::cluster::vectors::{TermCounts, add_terms};
use crate::cluster::{Analyzer, TfIdfModel};

/// A published article, as drafts are compared with it and as approval produces it
/// for the suggest index.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PublishedArticle {
    /// The article's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its body (Markdown or plain text).
    pub body: String,
    /// The error messages it covers.
    pub error_messages: Vec<String>,
    /// The error fingerprints it covers.
    pub fingerprints: Vec<String>,
    /// The page routes it covers.
    pub routes: Vec<String>,
    /// The fix it prescribes (steps); when empty, the body stands for it.
    pub fix: String,
    /// The product area.
    pub product_area: Option<String>,
    /// When it was published (ms since the Unix epoch).
    pub published_at_ms: i64,
}

/// Thresholds of the collision checks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlagConfig {
    /// Text similarity from which a draft duplicates an article.
    pub duplicate_similarity: f32,
    /// Symptom similarity from which a draft and an article describe the same problem.
    pub same_symptoms: f32,
    /// Fix similarity below which the same problem has a different fix.
    pub different_fix: f32,
}

impl Default for FlagConfig {
    fn default() -> Self {
        FlagConfig {
            duplicate_similarity: 0.6,
            same_symptoms: 0.5,
            different_fix: 0.2,
        }
    }
}

/// The flags of one draft against every published article, strongest first.
pub fn flag_collisions(
    draft: &Draft,
    articles: &[PublishedArticle],
    config: &FlagConfig,
) -> Vec<Flag> {
    let analyzer = Analyzer::default();
    let draft_text = text_counts(&analyzer, &[&draft.title, &draft.body_markdown()]);
    let draft_fix = text_counts(&analyzer, &[&draft.steps_text()]);
    let draft_problem = text_counts(&analyzer, &[&draft.title]);
    let article_texts: Vec<TermCounts> = articles
        .iter()
        .map(|a| text_counts(&analyzer, &[&a.title, &a.body, &a.error_messages.join(" ")]))
        .collect();
    let article_fixes: Vec<TermCounts> = articles
        .iter()
        .map(|a| {
            text_counts(
                &analyzer,
                &[if a.fix.is_empty() { &a.body } else { &a.fix }],
            )
        })
        .collect();
    let article_problems: Vec<TermCounts> = articles
        .iter()
        .map(|a| text_counts(&analyzer, &[&a.title]))
        .collect();
    let mut collection = article_texts.clone();
    collection.push(draft_text.clone());
    let model = TfIdfModel::fit(&collection);
    let cosine = |a: &TermCounts, b: &TermCounts| model.vector(a).cosine(&model.vector(b));

    let draft_symptoms = draft_symptom_set(draft);
    let mut flags = Vec::new();
    for (index, article) in articles.iter().enumerate() {
        let similarity = cosine(&draft_text, &article_texts[index]);
        if similarity >= config.duplicate_similarity {
            flags.push(Flag::Duplicate {
                article_id: article.id.clone(),
                similarity,
            });
            continue;
        }
        let article_symptoms = article_symptom_set(article);
        let symptom_similarity = if draft_symptoms.is_empty() || article_symptoms.is_empty() {
            cosine(&draft_problem, &article_problems[index])
        } else {
            overlap(&draft_symptoms, &article_symptoms)
        };
        if symptom_similarity < config.same_symptoms {
            continue;
        }
        let fix_similarity = cosine(&draft_fix, &article_fixes[index]);
        if fix_similarity < config.different_fix {
            flags.push(Flag::Contradiction {
                article_id: article.id.clone(),
                symptom_similarity,
                fix_similarity,
            });
        }
    }
    flags.sort_by(|x, y| strength(y).total_cmp(&strength(x)));
    flags
}

fn strength(flag: &Flag) -> f32 {
    match flag {
        Flag::Duplicate { similarity, .. } => 1.0 + similarity,
        Flag::Contradiction {
            symptom_similarity, ..
        } => *symptom_similarity,
    }
}

fn text_counts(analyzer: &Analyzer, texts: &[&str]) -> TermCounts {
    let mut counts = TermCounts::new();
    for text in texts {
        add_terms(&mut counts, analyzer.terms(text), 1.0);
    }
    counts
}

fn draft_symptom_set(draft: &Draft) -> HashSet<String> {
    draft
        .symptoms
        .iter()
        .map(|symptom| match symptom.kind {
            SymptomKind::ErrorMessage => format!("e:{}", symptom.value.to_lowercase()),
            SymptomKind::Fingerprint => format!("f:{}", symptom.value.to_lowercase()),
            SymptomKind::Route => format!("r:{}", symptom.value.to_lowercase()),
        })
        .collect()
}

fn article_symptom_set(article: &PublishedArticle) -> HashSet<String> {
    let errors = article
        .error_messages
        .iter()
        .map(|e| format!("e:{}", normalize_error(e).to_lowercase()));
    let fingerprints = article
        .fingerprints
        .iter()
        .map(|f| format!("f:{}", f.trim().to_lowercase()));
    let routes = article
        .routes
        .iter()
        .map(|r| format!("r:{}", normalize_route(r).to_lowercase()));
    errors.chain(fingerprints).chain(routes).collect()
}

/// The share of the smaller set found in the larger one.
fn overlap(left: &HashSet<String>, right: &HashSet<String>) -> f32 {
    let smaller = left.len().min(right.len());
    if smaller == 0 {
        return 0.0;
    }
    left.intersection(right).count() as f32 / smaller as f32
}
