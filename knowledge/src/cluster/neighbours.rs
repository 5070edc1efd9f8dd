//! Nearest neighbours of every ticket through an inverted index over TF-IDF terms:
//! each candidate pair is scored once, from the earlier ticket's highest-weighted
//! terms, on as many threads as there are cores; the edges do not depend on the
//! number of threads.

use std::collections::HashMap;

use super::agglomerate::RefineConfig;
use super::vectors::SparseVector;

/// A similarity link between tickets `a < b`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    /// The smaller ticket index.
    pub a: usize,
    /// The larger ticket index.
    pub b: usize,
    /// Their cosine similarity.
    pub similarity: f32,
}

/// A scored pair `(earlier, later, similarity)`.
type ScoredPair = (u32, u32, f32);

/// Postings of every term: `(ticket, weight)` sorted by ticket.
type Postings = HashMap<u32, Vec<(u32, f32)>>;

/// The nearest neighbours of every ticket within its partition, as edges sorted by
/// similarity (strongest first). Both tickets of a scored pair keep it among their
/// best `neighbours`.
pub fn neighbour_edges(
    vectors: &[SparseVector],
    partition: &[u32],
    config: &RefineConfig,
    progress: &mut dyn FnMut(usize, usize),
) -> Vec<Edge> {
    let postings = build_postings(
        vectors,
        config.max_postings,
        config.postings_per_term.max(1),
    );
    let threads = match config.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .clamp(1, 16);
    let total = vectors.len();
    let context = PairScorer {
        vectors,
        partition,
        postings: &postings,
        config,
    };
    // Ticket i goes to thread i % threads: early tickets read longer postings tails,
    // so interleaving balances the work.
    let mut scored: Vec<Vec<ScoredPair>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (1..threads)
            .map(|worker| {
                let context = &context;
                scope.spawn(move || context.score((worker..total).step_by(threads), &mut |_| {}))
            })
            .collect();
        let mut report = |done: usize| progress(done * threads, total);
        let mut results = vec![context.score((0..total).step_by(threads), &mut report)];
        for worker in workers {
            match worker.join() {
                Ok(pairs) => results.push(pairs),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        results
    });
    progress(total, total);

    let mut best: Vec<Vec<(f32, usize)>> = vec![Vec::new(); total];
    for (earlier, later, similarity) in scored.drain(..).flatten() {
        let (earlier, later) = (earlier as usize, later as usize);
        keep_best(&mut best[earlier], (similarity, later), config.neighbours);
        keep_best(&mut best[later], (similarity, earlier), config.neighbours);
    }
    let mut edges: Vec<Edge> = best
        .iter()
        .enumerate()
        .flat_map(|(index, neighbours)| {
            neighbours.iter().map(move |&(similarity, other)| Edge {
                a: index.min(other),
                b: index.max(other),
                similarity,
            })
        })
        .collect();
    edges.sort_by(|x, y| {
        y.similarity
            .total_cmp(&x.similarity)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    edges.dedup_by(|x, y| x.a == y.a && x.b == y.b);
    edges
}

/// What scoring a range of tickets reads.
struct PairScorer<'a> {
    vectors: &'a [SparseVector],
    partition: &'a [u32],
    postings: &'a Postings,
    config: &'a RefineConfig,
}

impl PairScorer<'_> {
    /// Scores the candidates of the given tickets against later tickets.
    fn score(
        &self,
        tickets: impl Iterator<Item = usize>,
        progress: &mut dyn FnMut(usize),
    ) -> Vec<ScoredPair> {
        let config = self.config;
        let mut accumulator = vec![0.0f32; self.vectors.len()];
        let mut touched: Vec<usize> = Vec::new();
        let mut pairs = Vec::new();
        for (done, index) in tickets.enumerate() {
            if done % 1024 == 0 {
                progress(done);
            }
            let vector = &self.vectors[index];
            let mut top_terms: Vec<(u32, f32)> = vector.entries().to_vec();
            top_terms.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
            top_terms.truncate(config.candidate_terms);
            for (term, weight) in top_terms {
                let Some(list) = self.postings.get(&term) else {
                    continue;
                };
                let later = list.partition_point(|(other, _)| *other as usize <= index);
                for &(other, other_weight) in &list[later..] {
                    let other = other as usize;
                    if self.partition[other] != self.partition[index] {
                        continue;
                    }
                    if accumulator[other] == 0.0 {
                        touched.push(other);
                    }
                    accumulator[other] += weight * other_weight;
                }
            }
            let by_score =
                |x: &usize, y: &usize| accumulator[*y].total_cmp(&accumulator[*x]).then(x.cmp(y));
            let shortlist_len = config.neighbours * 3;
            if touched.len() > shortlist_len {
                touched.select_nth_unstable_by(shortlist_len, by_score);
            }
            for &other in &touched[..touched.len().min(shortlist_len)] {
                let similarity = vector.cosine(&self.vectors[other]);
                if similarity >= config.min_edge_similarity {
                    pairs.push((index as u32, other as u32, similarity));
                }
            }
            for other in touched.drain(..) {
                accumulator[other] = 0.0;
            }
        }
        pairs
    }
}

/// Keeps the `limit` most similar neighbours (ties: smaller index first); the result
/// does not depend on the order candidates arrive in.
fn keep_best(neighbours: &mut Vec<(f32, usize)>, candidate: (f32, usize), limit: usize) {
    let worse = |x: &(f32, usize), y: &(f32, usize)| x.0 < y.0 || (x.0 == y.0 && x.1 > y.1);
    if neighbours.len() < limit {
        neighbours.push(candidate);
        return;
    }
    let mut weakest: Option<usize> = None;
    for (position, neighbour) in neighbours.iter().enumerate() {
        if weakest.is_none_or(|w| worse(neighbour, &neighbours[w])) {
            weakest = Some(position);
        }
    }
    if let Some(weakest) = weakest
        && worse(&neighbours[weakest], &candidate)
    {
        neighbours[weakest] = candidate;
    }
}

fn build_postings(vectors: &[SparseVector], max_postings: usize, per_term: usize) -> Postings {
    let mut postings: Postings = HashMap::new();
    for (index, vector) in vectors.iter().enumerate() {
        for &(term, weight) in vector.entries() {
            postings
                .entry(term)
                .or_default()
                .push((index as u32, weight));
        }
    }
    postings.retain(|_, list| list.len() <= max_postings);
    for list in postings.values_mut() {
        if list.len() > per_term {
            // Keep the tickets the term matters most to, back in ticket order.
            list.select_nth_unstable_by(per_term, |x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
            list.truncate(per_term);
            list.sort_unstable_by_key(|(ticket, _)| *ticket);
        }
    }
    postings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::vectors::{TermCounts, TfIdfModel, add_terms};

    fn vectors(texts: &[&str]) -> Vec<SparseVector> {
        let counts: Vec<TermCounts> = texts
            .iter()
            .map(|text| {
                let mut counts = TermCounts::new();
                add_terms(
                    &mut counts,
                    text.split_whitespace().map(str::to_string),
                    1.0,
                );
                counts
            })
            .collect();
        let model = TfIdfModel::fit(&counts);
        counts.iter().map(|c| model.vector(c)).collect()
    }

    #[test]
    fn edges_do_not_depend_on_the_number_of_threads() {
        let texts: Vec<String> = (0..300)
            .map(|i| format!("topic{} word{} shared{} common", i % 7, i % 13, i % 3))
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let vectors = vectors(&refs);
        let partition = vec![0; vectors.len()];
        let edges_with = |threads| {
            let config = RefineConfig {
                threads,
                min_edge_similarity: 0.1,
                ..RefineConfig::default()
            };
            neighbour_edges(&vectors, &partition, &config, &mut |_, _| {})
        };
        let single = edges_with(1);
        assert!(!single.is_empty());
        assert_eq!(single, edges_with(2));
        assert_eq!(single, edges_with(3));
    }

    #[test]
    fn keeping_the_best_neighbours_ignores_arrival_order() {
        let candidates = [(0.5, 1), (0.9, 2), (0.5, 0), (0.7, 3), (0.9, 4)];
        let mut forward = Vec::new();
        let mut backward = Vec::new();
        for &candidate in &candidates {
            keep_best(&mut forward, candidate, 3);
        }
        for &candidate in candidates.iter().rev() {
            keep_best(&mut backward, candidate, 3);
        }
        forward.sort_by_key(|x: &(f32, usize)| x.1);
        backward.sort_by_key(|x: &(f32, usize)| x.1);
        assert_eq!(forward, vec![(0.9, 2), (0.7, 3), (0.9, 4)]);
        assert_eq!(forward, backward);
    }
}
