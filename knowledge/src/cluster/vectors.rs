//! TF-IDF vectors over analysed terms: the similarity clustering refines
//! near-duplicate groups with, and drafts compare articles with.

use std::collections::HashMap;

/// Weighted term frequencies of one document (field weights already applied).
pub type TermCounts = HashMap<String, f32>;

/// A sparse unit-length vector: `(term id, weight)` sorted by term id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVector {
    entries: Vec<(u32, f32)>,
}

impl SparseVector {
    /// The `(term id, weight)` pairs, sorted by term id.
    pub fn entries(&self) -> &[(u32, f32)] {
        &self.entries
    }

    /// Whether the vector has no terms.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The cosine similarity with another unit vector (their dot product).
    pub fn cosine(&self, other: &SparseVector) -> f32 {
        let (mut left, mut right) = (0, 0);
        let mut dot = 0.0;
        while left < self.entries.len() && right < other.entries.len() {
            let (left_id, left_weight) = self.entries[left];
            let (right_id, right_weight) = other.entries[right];
            match left_id.cmp(&right_id) {
                std::cmp::Ordering::Less => left += 1,
                std::cmp::Ordering::Greater => right += 1,
                std::cmp::Ordering::Equal => {
                    dot += left_weight * right_weight;
                    left += 1;
                    right += 1;
                }
            }
        }
        dot
    }
}

/// Term ids and inverse document frequencies fitted on a collection.
#[derive(Debug, Clone, Default)]
pub struct TfIdfModel {
    ids: HashMap<String, u32>,
    document_frequency: Vec<u32>,
    documents: usize,
}

impl TfIdfModel {
    /// Fits term ids and document frequencies on a collection.
    pub fn fit(collection: &[TermCounts]) -> TfIdfModel {
        let mut model = TfIdfModel {
            documents: collection.len(),
            ..TfIdfModel::default()
        };
        for counts in collection {
            // Sorted so term ids, and with them every float sum, are the same each run.
            let mut terms: Vec<&String> = counts.keys().collect();
            terms.sort_unstable();
            for term in terms {
                let next_id = model.document_frequency.len() as u32;
                let id = *model.ids.entry(term.clone()).or_insert(next_id);
                if id == next_id {
                    model.document_frequency.push(0);
                }
                model.document_frequency[id as usize] += 1;
            }
        }
        model
    }

    /// The number of documents containing a term id.
    pub fn document_frequency(&self, term_id: u32) -> u32 {
        self.document_frequency
            .get(term_id as usize)
            .copied()
            .unwrap_or(0)
    }

    /// The number of distinct terms.
    pub fn vocabulary_size(&self) -> usize {
        self.document_frequency.len()
    }

    /// The inverse document frequency of a term id (smoothed, always ≥ 1).
    pub fn idf(&self, term_id: u32) -> f32 {
        let df = self.document_frequency(term_id) as f32;
        ((self.documents as f32 + 1.0) / (df + 1.0)).ln() + 1.0
    }

    /// The unit TF-IDF vector of a document (square-root term frequency); terms the
    /// model was not fitted on are ignored.
    pub fn vector(&self, counts: &TermCounts) -> SparseVector {
        let mut entries: Vec<(u32, f32)> = counts
            .iter()
            .filter_map(|(term, count)| {
                let id = *self.ids.get(term)?;
                Some((id, count.sqrt() * self.idf(id)))
            })
            .collect();
        entries.sort_unstable_by_key(|(id, _)| *id);
        let norm = entries.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, weight) in &mut entries {
                *weight /= norm;
            }
        }
        SparseVector { entries }
    }
}

/// Adds the terms of a text to `counts` with a field weight.
pub fn add_terms(counts: &mut TermCounts, terms: impl IntoIterator<Item = String>, weight: f32) {
    for term in terms {
        *counts.entry(term).or_insert(0.0) += weight;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(words: &[&str]) -> TermCounts {
        let mut counts = TermCounts::new();
        add_terms(&mut counts, words.iter().map(|w| w.to_string()), 1.0);
        counts
    }

    #[test]
    fn identical_documents_have_cosine_one_and_disjoint_zero() {
        let collection = vec![
            counts(&["export", "csv"]),
            counts(&["export", "csv"]),
            counts(&["password", "reset"]),
        ];
        let model = TfIdfModel::fit(&collection);
        let vectors: Vec<SparseVector> = collection.iter().map(|c| model.vector(c)).collect();
        assert!((vectors[0].cosine(&vectors[1]) - 1.0).abs() < 1e-5);
        assert_eq!(vectors[0].cosine(&vectors[2]), 0.0);
    }

    #[test]
    fn rare_terms_weigh_more_than_common_ones() {
        let collection = vec![
            counts(&["account", "delete"]),
            counts(&["account", "rename"]),
            counts(&["account", "merge"]),
        ];
        let model = TfIdfModel::fit(&collection);
        let vector = model.vector(&collection[0]);
        let weight_of = |term: &str| {
            let id = model.ids[term];
            vector
                .entries()
                .iter()
                .find(|(i, _)| *i == id)
                .map(|(_, w)| *w)
        };
        assert!(weight_of("delete") > weight_of("account"));
    }
}
