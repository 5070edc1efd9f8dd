//! Synthetic corpora for scale benchmarks: documents drawn from a dataset's vocabulary (word
//! frequencies of its titles and of its answers kept), with the dataset's real documents mixed
//! in so its queries still have something to find. Deterministic for a given seed.

use std::collections::HashMap;

use super::dataset::Dataset;
use crate::document::{DocKind, KnowledgeDoc};

/// Generates `total` documents: the dataset's own documents plus synthetic tickets (ids
/// `syn-0000001`...) in the dataset's site.
pub fn corpus(dataset: &Dataset, total: usize, seed: u64) -> Vec<KnowledgeDoc> {
    let site = dataset.docs.first().map_or_else(
        || super::dataset::EVAL_SITE.to_owned(),
        |doc| doc.site.clone(),
    );
    let titles = Vocabulary::from_texts(dataset.docs.iter().map(|doc| doc.title.as_str()));
    let answers = Vocabulary::from_texts(
        dataset
            .docs
            .iter()
            .flat_map(|doc| doc.answers.iter().map(String::as_str)),
    );
    let mut random = SplitMix64(seed);
    let mut docs: Vec<KnowledgeDoc> = dataset.docs.iter().take(total).cloned().collect();
    let mut number = 0usize;
    while docs.len() < total {
        number += 1;
        let title_words = 4 + random.below(9);
        let answer_count = 1 + random.below(4);
        let answers_text = (0..answer_count)
            .map(|_| {
                let words = 15 + random.below(90);
                answers.sentence(&mut random, words)
            })
            .collect();
        docs.push(KnowledgeDoc {
            site: site.clone(),
            id: format!("syn-{number:07}"),
            kind: DocKind::Ticket,
            title: titles.sentence(&mut random, title_words),
            answers: answers_text,
            ..KnowledgeDoc::default()
        });
    }
    docs
}

/// Words with their cumulative frequencies, for sampling.
struct Vocabulary {
    words: Vec<String>,
    cumulative: Vec<u64>,
}

impl Vocabulary {
    fn from_texts<'a>(texts: impl Iterator<Item = &'a str>) -> Self {
        let mut counts: HashMap<String, u64> = HashMap::new();
        for text in texts {
            for word in text.split_whitespace() {
                let word = word.trim_matches(|character: char| !character.is_alphanumeric());
                if !word.is_empty() && word.len() <= 24 {
                    *counts.entry(word.to_owned()).or_default() += 1;
                }
            }
        }
        let mut entries: Vec<(String, u64)> = counts.into_iter().collect();
        entries.sort();
        let mut total = 0;
        let mut words = Vec::with_capacity(entries.len());
        let mut cumulative = Vec::with_capacity(entries.len());
        for (word, count) in entries {
            total += count;
            words.push(word);
            cumulative.push(total);
        }
        Self { words, cumulative }
    }

    fn sentence(&self, random: &mut SplitMix64, length: usize) -> String {
        let Some(total) = self.cumulative.last().copied() else {
            return String::new();
        };
        let mut sentence = String::new();
        for _ in 0..length {
            let pick = random.next() % total;
            let index = self.cumulative.partition_point(|bound| *bound <= pick);
            if let Some(word) = self.words.get(index) {
                if !sentence.is_empty() {
                    sentence.push(' ');
                }
                sentence.push_str(word);
            }
        }
        sentence
    }
}

/// A small, fast, deterministic generator (SplitMix64).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut mixed = self.0;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        mixed ^ (mixed >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn tiny() -> Dataset {
        Dataset {
            name: "tiny".to_owned(),
            docs: vec![KnowledgeDoc {
                site: "eval".to_owned(),
                id: "real".to_owned(),
                title: "Reset my password".to_owned(),
                answers: vec!["Use the forgot password link on the login page".to_owned()],
                ..KnowledgeDoc::default()
            }],
            queries: Vec::new(),
            skipped_documents: 0,
        }
    }

    #[test]
    fn the_corpus_keeps_real_documents_and_is_reproducible() {
        let first = corpus(&tiny(), 50, 7);
        let again = corpus(&tiny(), 50, 7);
        assert_eq!(first.len(), 50);
        assert_eq!(first[0].id, "real");
        assert_eq!(first, again);
        assert!(
            first[1..]
                .iter()
                .all(|doc| !doc.title.is_empty() && !doc.answers.is_empty())
        );
    }
}
