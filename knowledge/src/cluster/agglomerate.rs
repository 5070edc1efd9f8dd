//! Refinement of near-duplicate groups by TF-IDF similarity: merges along
//! nearest-neighbour edges in order of similarity (Kruskal), each accepted only while
//! the two groups' centroids stay similar, so chains of loosely related tickets do not
//! collapse into one cluster.

use std::collections::HashMap;

use super::neighbours::Edge;
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
    /// Of a term's tickets, only this many (those with the highest weight for it) are
    /// read to find candidates.
    pub postings_per_term: usize,
    /// Threads scoring candidate pairs (0: one per available core). The result does
    /// not depend on it. One by default: the server shares its cores with requests,
    /// and on a busy machine a second thread measured slower.
    pub threads: usize,
}

impl Default for RefineConfig {
    fn default() -> Self {
        RefineConfig {
            neighbours: 10,
            min_edge_similarity: 0.3,
            min_merge_similarity: 0.45,
            candidate_terms: 10,
            max_postings: 5000,
            postings_per_term: 5000,
            threads: 1,
        }
    }
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
