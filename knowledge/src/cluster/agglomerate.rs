//! Refinement of near-duplicate groups by TF-IDF similarity: nearest neighbours
//! through an inverted index, then merges in order of similarity (Kruskal), each
//! accepted only while the two groups' centroids stay similar, so chains of
//! loosely related tickets do not collapse into one cluster.

use std::collections::HashMap;

use super::vectors::SparseVector;

/// How tickets are linked into clusters after near-duplicate grouping.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RefineConfig {
    /// Nearest neighbours kept per ticket.
    pub neighbours: usize,
    /// Cosine similarity from which two tickets are linked.
    pub min_edge_similarity: f32,
    /// Centroid cosine similarity two groups need to be merged.
    pub min_merge_similarity: f32,
    /// How many of a ticket's highest-weighted terms are used to find candidates.
    pub candidate_terms: usize,
    /// Terms in more tickets than this are not used to find candidates.
    pub max_postings: usize,
}

impl Default for RefineConfig {
    fn default() -> Self {
        RefineConfig {
            neighbours: 10,
            min_edge_similarity: 0.3,
            min_merge_similarity: 0.45,
            candidate_terms: 10,
            max_postings: 5000,
        }
    }
}

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

/// The nearest neighbours of every ticket within its partition, as sorted edges.
///
/// Each pair is scored once, from the earlier ticket's highest-weighted terms: the
/// postings are sorted by ticket, so only the later part of each list is read. Both
/// tickets of a scored pair keep it among their best `neighbours`.
pub fn neighbour_edges(
    vectors: &[SparseVector],
    partition: &[u32],
    config: &RefineConfig,
    progress: &mut dyn FnMut(usize, usize),
) -> Vec<Edge> {
    let postings = build_postings(vectors, config.max_postings);
    let mut accumulator = vec![0.0f32; vectors.len()];
    let mut touched: Vec<usize> = Vec::new();
    let mut best: Vec<Vec<(f32, usize)>> = vec![Vec::new(); vectors.len()];
    for (index, vector) in vectors.iter().enumerate() {
        if index % 1024 == 0 {
            progress(index, vectors.len());
        }
        let mut top_terms: Vec<(u32, f32)> = vector.entries().to_vec();
        top_terms.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        top_terms.truncate(config.candidate_terms);
        for (term, weight) in top_terms {
            let Some(list) = postings.get(&term) else {
                continue;
            };
            let later = list.partition_point(|(other, _)| *other as usize <= index);
            for &(other, other_weight) in &list[later..] {
                let other = other as usize;
                if partition[other] != partition[index] {
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
            let similarity = vector.cosine(&vectors[other]);
            if similarity >= config.min_edge_similarity {
                keep_best(&mut best[index], (similarity, other), config.neighbours);
                keep_best(&mut best[other], (similarity, index), config.neighbours);
            }
        }
        for other in touched.drain(..) {
            accumulator[other] = 0.0;
        }
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
    progress(vectors.len(), vectors.len());
    edges.sort_by(|x, y| {
        y.similarity
            .total_cmp(&x.similarity)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    edges.dedup_by(|x, y| x.a == y.a && x.b == y.b);
    edges
}

/// Keeps the `limit` most similar neighbours (ties: smaller index first).
fn keep_best(neighbours: &mut Vec<(f32, usize)>, candidate: (f32, usize), limit: usize) {
    let worse = |x: &(f32, usize), y: &(f32, usize)| x.0 < y.0 || (x.0 == y.0 && x.1 > y.1);
    if neighbours.len() < limit {
        neighbours.push(candidate);
        return;
    }
    let Some((weakest, _)) = neighbours.iter().enumerate().min_by(|(_, x), (_, y)| {
        if worse(x, y) {
            std::cmp::Ordering::Less
        } else if worse(y, x) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    }) else {
        return;
    };
    if worse(&neighbours[weakest], &candidate) {
        neighbours[weakest] = candidate;
    }
}

fn build_postings(vectors: &[SparseVector], max_postings: usize) -> HashMap<u32, Vec<(u32, f32)>> {
    let mut postings: HashMap<u32, Vec<(u32, f32)>> = HashMap::new();
    for (index, vector) in vectors.iter().enumerate() {
        for &(term, weight) in vector.entries() {
            postings
                .entry(term)
                .or_default()
                .push((index as u32, weight));
        }
    }
    postings.retain(|_, list| list.len() <= max_postings);
    postings
}

/// Union-find over tickets whose roots carry the sum of their members' vectors.
#[derive(Debug)]
pub struct Groups {
    parent: Vec<usize>,
    size: Vec<usize>,
    centroid: HashMap<usize, HashMap<u32, f32>>,
    norm_squared: Vec<f32>,
}

impl Groups {
    /// Every ticket in a group of its own.
    pub fn new(vectors: &[SparseVector]) -> Groups {
        Groups {
            parent: (0..vectors.len()).collect(),
            size: vec![1; vectors.len()],
            centroid: HashMap::new(),
            norm_squared: vectors
                .iter()
                .map(|v| v.entries().iter().map(|(_, w)| w * w).sum())
                .collect(),
        }
    }

    /// The representative of a ticket's group.
    pub fn root(&mut self, mut index: usize) -> usize {
        while self.parent[index] != index {
            self.parent[index] = self.parent[self.parent[index]];
            index = self.parent[index];
        }
        index
    }

    /// The summed vector of a group, keyed by term id.
    pub fn centroid(&mut self, root: usize, vectors: &[SparseVector]) -> &HashMap<u32, f32> {
        self.centroid
            .entry(root)
            .or_insert_with(|| vectors[root].entries().iter().copied().collect())
    }

    /// The cosine similarity of two groups' centroids.
    pub fn centroid_cosine(&mut self, a: usize, b: usize, vectors: &[SparseVector]) -> f32 {
        let (small, large) = if self.size[a] <= self.size[b] {
            (a, b)
        } else {
            (b, a)
        };
        self.centroid(small, vectors);
        self.centroid(large, vectors);
        let Some(small_map) = self.centroid.remove(&small) else {
            return 0.0;
        };
        let dot: f32 = match self.centroid.get(&large) {
            Some(large_map) => small_map
                .iter()
                .filter_map(|(term, weight)| large_map.get(term).map(|other| weight * other))
                .sum(),
            None => 0.0,
        };
        self.centroid.insert(small, small_map);
        let norms = (self.norm_squared[a] * self.norm_squared[b]).sqrt();
        if norms > 0.0 { dot / norms } else { 0.0 }
    }

    /// Merges two groups (the smaller into the larger); returns the new root.
    pub fn union(&mut self, a: usize, b: usize, vectors: &[SparseVector]) -> usize {
        let (root_a, root_b) = (self.root(a), self.root(b));
        if root_a == root_b {
            return root_a;
        }
        let (small, large) = if self.size[root_a] < self.size[root_b]
            || (self.size[root_a] == self.size[root_b] && root_a > root_b)
        {
            (root_a, root_b)
        } else {
            (root_b, root_a)
        };
        self.centroid(small, vectors);
        self.centroid(large, vectors);
        let small_map = self.centroid.remove(&small).unwrap_or_default();
        let large_map = self.centroid.entry(large).or_default();
        let mut dot = 0.0;
        for (term, weight) in small_map {
            let slot = large_map.entry(term).or_insert(0.0);
            dot += *slot * weight;
            *slot += weight;
        }
        self.norm_squared[large] += self.norm_squared[small] + 2.0 * dot;
        self.parent[small] = large;
        self.size[large] += self.size[small];
        large
    }

    /// Links groups along edges in order, merging while centroids stay similar.
    pub fn merge_along(&mut self, edges: &[Edge], vectors: &[SparseVector], min_merge: f32) {
        for edge in edges {
            let (root_a, root_b) = (self.root(edge.a), self.root(edge.b));
            if root_a == root_b {
                continue;
            }
            if self.centroid_cosine(root_a, root_b, vectors) >= min_merge {
                self.union(root_a, root_b, vectors);
            }
        }
    }
}
