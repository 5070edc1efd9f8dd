//! Collisions between a draft and published articles: a duplicate says the same
//! thing; a contradiction has the same symptoms but a different fix.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::extract::{normalize_error, normalize_route};
use super::model::{Draft, Flag, SymptomKind};
use crate::cluster::vectors::{TermCounts, add_terms};
use crate::cluster::{Analyzer, SparseVector, TfIdfModel};

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

impl PublishedArticle {
    /// The article as an index record, so publishing puts it in the suggest index.
    pub fn to_knowledge_doc(&self, site: &str) -> crate::KnowledgeDoc {
        let mut errors = self.error_messages.clone();
        errors.extend(self.fingerprints.iter().cloned());
        crate::KnowledgeDoc {
            site: site.to_string(),
            id: self.id.clone(),
            kind: crate::DocKind::Article,
            title: self.title.clone(),
            problem: self.body.clone(),
            resolution: crate::Resolution {
                fix: (!self.fix.is_empty()).then(|| self.fix.clone()),
                ..crate::Resolution::default()
            },
            routes: self.routes.clone(),
            errors,
            product_area: self.product_area.clone(),
            ..crate::KnowledgeDoc::default()
        }
    }

    /// A published article from an index record of kind article.
    pub fn from_knowledge_doc(doc: &crate::KnowledgeDoc) -> PublishedArticle {
        PublishedArticle {
            id: doc.id.clone(),
            title: doc.title.clone(),
            body: doc.problem.clone(),
            error_messages: doc.errors.clone(),
            routes: doc.routes.clone(),
            fix: doc.resolution.fix.clone().unwrap_or_default(),
            product_area: doc.product_area.clone(),
            ..PublishedArticle::default()
        }
    }
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
/// To check many drafts, build one [`CollisionChecker`] instead.
pub fn flag_collisions(
    draft: &Draft,
    articles: &[PublishedArticle],
    config: &FlagConfig,
) -> Vec<Flag> {
    CollisionChecker::new(articles, std::slice::from_ref(draft), *config).flags(draft)
}

/// The analysed texts of one article.
#[derive(Debug)]
struct ArticleTerms {
    text: SparseVector,
    fix: SparseVector,
    problem: SparseVector,
    symptoms: HashSet<String>,
}

/// Published articles analysed once, to check many drafts against them.
#[derive(Debug)]
pub struct CollisionChecker<'a> {
    articles: &'a [PublishedArticle],
    analysed: Vec<ArticleTerms>,
    analyzer: Analyzer,
    model: TfIdfModel,
    config: FlagConfig,
}

impl<'a> CollisionChecker<'a> {
    /// Analyses the articles; term weights are fitted on the articles and the drafts.
    pub fn new(
        articles: &'a [PublishedArticle],
        drafts: &[Draft],
        config: FlagConfig,
    ) -> CollisionChecker<'a> {
        let analyzer = Analyzer::default();
        let texts: Vec<TermCounts> = articles
            .iter()
            .map(|a| text_counts(&analyzer, &[&a.title, &a.body, &a.error_messages.join(" ")]))
            .collect();
        let mut collection = texts.clone();
        if !articles.is_empty() {
            collection.extend(drafts.iter().map(|draft| draft_text(&analyzer, draft)));
        }
        let model = TfIdfModel::fit(&collection);
        let analysed = articles
            .iter()
            .zip(&texts)
            .map(|(article, text)| {
                let fix = if article.fix.is_empty() {
                    &article.body
                } else {
                    &article.fix
                };
                ArticleTerms {
                    text: model.vector(text),
                    fix: model.vector(&text_counts(&analyzer, &[fix])),
                    problem: model.vector(&text_counts(&analyzer, &[&article.title])),
                    symptoms: article_symptom_set(article),
                }
            })
            .collect();
        CollisionChecker {
            articles,
            analysed,
            analyzer,
            model,
            config,
        }
    }

    /// The flags of one draft, strongest first.
    pub fn flags(&self, draft: &Draft) -> Vec<Flag> {
        if self.articles.is_empty() {
            return Vec::new();
        }
        let config = &self.config;
        let text = self.model.vector(&draft_text(&self.analyzer, draft));
        let fix = self
            .model
            .vector(&text_counts(&self.analyzer, &[&draft.steps_text()]));
        let problem = self
            .model
            .vector(&text_counts(&self.analyzer, &[&draft.title]));
        let draft_symptoms = draft_symptom_set(draft);
        let mut flags = Vec::new();
        for (article, terms) in self.articles.iter().zip(&self.analysed) {
            let similarity = text.cosine(&terms.text);
            if similarity >= config.duplicate_similarity {
                flags.push(Flag::Duplicate {
                    article_id: article.id.clone(),
                    similarity,
                });
                continue;
            }
            let symptom_similarity = if draft_symptoms.is_empty() || terms.symptoms.is_empty() {
                problem.cosine(&terms.problem)
            } else {
                overlap(&draft_symptoms, &terms.symptoms)
            };
            if symptom_similarity < config.same_symptoms {
                continue;
            }
            let fix_similarity = fix.cosine(&terms.fix);
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
}

fn draft_text(analyzer: &Analyzer, draft: &Draft) -> TermCounts {
    text_counts(analyzer, &[&draft.title, &draft.body_markdown()])
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
