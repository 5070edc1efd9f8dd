//! Learning from use: what people said about answers ("solved it", "didn't help") and the
//! answers agents reused when they resolved a ticket move those answers up or down for later
//! questions that resemble the one they were given for.
//!
//! A verdict is kept with the analyzed words of its question. A later question is compared to
//! each remembered one by the cosine of their IDF-weighted word sets; the verdicts of similar
//! questions add up per answer, and the answer's score is multiplied by `1 + strength × sum`
//! (clamped), among the candidates retrieval found.

use std::collections::HashMap;

use crate::index::KnowledgeIndex;
use crate::index::analysis;
use crate::suggest::query::{analyzed_words, idf, registered_analyzer};

/// What one verdict said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The answer solved it (or an agent resolved a ticket with it).
    Helped,
    /// The answer did not help.
    NotHelpful,
}

/// One verdict on one answer, for the question it was shown for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The question (what the user typed, or the ticket's subject and problem).
    pub query: String,
    /// The answer's document id.
    pub doc_id: String,
    /// What was said.
    pub outcome: Outcome,
}

/// Questions less similar than this to a remembered one ignore its verdict.
const MIN_SIMILARITY: f32 = 0.3;
/// How much one fully similar "solved it" multiplies an answer's score by, minus one.
const HELPED_STRENGTH: f32 = 0.6;
/// The same for "didn't help" (weaker: the answer may still help someone else).
const NOT_HELPFUL_STRENGTH: f32 = 0.25;
/// Bounds of the multiplier.
const MULTIPLIER_RANGE: (f32, f32) = (0.5, 2.5);
/// Most distinct words remembered of one question.
const MAX_TERMS: usize = 40;

/// Remembered verdicts of one site, ready to be matched against new questions.
#[derive(Debug, Clone, Default)]
pub struct Feedback {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    /// Analyzed words with their IDF, sorted by word.
    terms: Vec<(String, f32)>,
    norm: f32,
    doc_id: String,
    outcome: Outcome,
}

impl Feedback {
    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many verdicts are remembered.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The score multiplier of each answer for a question with these analyzed words and IDFs.
    pub(crate) fn multipliers(&self, query: &[(String, f32)]) -> HashMap<String, f32> {
        let mut sums: HashMap<String, f32> = HashMap::new();
        if self.entries.is_empty() || query.is_empty() {
            return sums;
        }
        let lookup: HashMap<&str, f32> = query
            .iter()
            .map(|(term, weight)| (term.as_str(), *weight))
            .collect();
        let query_norm = norm(query.iter().map(|(_, weight)| *weight));
        for entry in &self.entries {
            let shared: f32 = entry
                .terms
                .iter()
                .filter_map(|(term, weight)| lookup.get(term.as_str()).map(|other| other * weight))
                .sum();
            let similarity = shared / (query_norm * entry.norm).max(f32::MIN_POSITIVE);
            if similarity < MIN_SIMILARITY {
                continue;
            }
            let signed = match entry.outcome {
                Outcome::Helped => HELPED_STRENGTH * similarity,
                Outcome::NotHelpful => -NOT_HELPFUL_STRENGTH * similarity,
            };
            *sums.entry(entry.doc_id.clone()).or_default() += signed;
        }
        sums.into_iter()
            .map(|(doc, sum)| {
                let (low, high) = MULTIPLIER_RANGE;
                (doc, (1.0 + sum).clamp(low, high))
            })
            .collect()
    }
}

fn norm(weights: impl Iterator<Item = f32>) -> f32 {
    weights.map(|weight| weight * weight).sum::<f32>().sqrt()
}

impl KnowledgeIndex {
    /// Prepares verdicts for ranking with [`KnowledgeIndex::suggest_with_feedback`]: each
    /// question is analyzed like a query and its words weighted by their current IDF.
    pub fn feedback(&self, verdicts: &[Verdict]) -> Feedback {
        let searcher = self.searcher();
        let fields = self.fields();
        let mut english =
            registered_analyzer(&searcher, analysis::ENGLISH, analysis::english_analyzer);
        let documents = searcher.num_docs().max(1) as f32;
        let mut cache: HashMap<String, f32> = HashMap::new();
        let mut entries = Vec::with_capacity(verdicts.len());
        for verdict in verdicts {
            let mut terms: Vec<(String, f32)> = Vec::new();
            for (term, _) in analyzed_words(&mut english, &verdict.query) {
                if terms.len() == MAX_TERMS || terms.iter().any(|(known, _)| *known == term) {
                    continue;
                }
                let weight = *cache.entry(term.clone()).or_insert_with(|| {
                    let frequency = [fields.title, fields.problem, fields.answers]
                        .into_iter()
                        .map(|field| {
                            searcher
                                .doc_freq(&tantivy::Term::from_field_text(field, &term))
                                .unwrap_or(0)
                        })
                        .max()
                        .unwrap_or(0);
                    idf(frequency as f32, documents)
                });
                terms.push((term, weight));
            }
            if terms.is_empty() {
                continue;
            }
            terms.sort_by(|left, right| left.0.cmp(&right.0));
            entries.push(Entry {
                norm: norm(terms.iter().map(|(_, weight)| *weight)),
                terms,
                doc_id: verdict.doc_id.clone(),
                outcome: verdict.outcome,
            });
        }
        Feedback { entries }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::document::KnowledgeDoc;
    use crate::index::IndexConfig;
    use crate::suggest::{RankingConfig, SuggestRequest};

    fn index() -> KnowledgeIndex {
        let index = KnowledgeIndex::in_memory(IndexConfig::default()).unwrap();
        for (id, title, answer) in [
            (
                "csv",
                "Export invoices",
                "Open Billing, choose Export and pick CSV.",
            ),
            (
                "pdf",
                "Export invoices",
                "Open Billing, choose Export and pick PDF.",
            ),
            ("login", "Reset a password", "Use the forgot password link."),
        ] {
            index
                .upsert(&KnowledgeDoc {
                    site: "acme".into(),
                    id: id.into(),
                    title: title.into(),
                    answers: vec![answer.into()],
                    ..KnowledgeDoc::default()
                })
                .unwrap();
        }
        index.commit().unwrap();
        index
    }

    fn ranked(index: &KnowledgeIndex, text: &str, feedback: &Feedback) -> Vec<String> {
        let request = SuggestRequest {
            site: "acme".into(),
            text: text.into(),
            limit: 3,
            ..SuggestRequest::default()
        };
        index
            .suggest_with_feedback(&request, &RankingConfig::default(), feedback)
            .unwrap()
            .into_iter()
            .map(|suggestion| suggestion.id)
            .collect()
    }

    #[test]
    fn verdicts_move_answers_for_similar_questions_only() {
        let index = index();
        let question = "how do I export my invoices";
        let before = ranked(&index, question, &Feedback::default());
        let (first, second) = (before[0].clone(), before[1].clone());
        let feedback = index.feedback(&[
            Verdict {
                query: "export my invoices please".into(),
                doc_id: second.clone(),
                outcome: Outcome::Helped,
            },
            Verdict {
                query: "export invoices".into(),
                doc_id: first.clone(),
                outcome: Outcome::NotHelpful,
            },
        ]);
        assert_eq!(feedback.len(), 2);
        let after = ranked(&index, question, &feedback);
        assert_eq!(after[0], second, "{before:?} → {after:?}");
        assert_eq!(after[1], first);
        // An unrelated question is not moved.
        assert_eq!(
            ranked(&index, "forgot password", &feedback),
            ranked(&index, "forgot password", &Feedback::default())
        );
    }
}
