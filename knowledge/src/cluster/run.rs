//! One clustering run: analyse, group near-duplicates, link nearest neighbours, merge,
//! describe and name the clusters.

use std::collections::HashMap;

use super::agglomerate::{self, RefineConfig};
use super::features::{self, FieldWeights};
use super::ids::{self, ClusterId, PreviousAssignments};
use super::minhash::{self, MinHashConfig};
use super::neighbours;
use super::text::Analyzer;
use super::vectors::{self, SparseVector, TfIdfModel};
use crate::ticket::{ResolvedTicket, TicketId};

/// Everything clustering can be tuned with.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ClusterConfig {
    /// Near-duplicate grouping.
    pub minhash: MinHashConfig,
    /// Similarity refinement.
    pub refine: RefineConfig,
    /// Field weights of the similarity.
    pub weights: FieldWeights,
}

/// A stage of a clustering run, reported to a progress callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Analysing tickets into terms.
    Analyse,
    /// Building TF-IDF vectors and MinHash signatures, grouping near-duplicates.
    NearDuplicates,
    /// Finding nearest neighbours.
    Neighbours,
    /// Merging groups into clusters and naming them.
    Merge,
    /// Drafting articles for the clusters (reported by drafts).
    Draft,
}

/// Progress of a long run: stage, items done, items in total.
pub type Progress<'a> = &'a mut dyn FnMut(Stage, usize, usize);

/// One cluster of tickets about the same problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// The stable id.
    pub id: ClusterId,
    /// The product area all members share.
    pub product_area: Option<String>,
    /// Indices of the member tickets in the input, ascending.
    pub members: Vec<usize>,
    /// Index of the most representative member (closest to the centroid).
    pub medoid: usize,
    /// The members ordered by closeness to the centroid (the medoid first).
    pub representatives: Vec<usize>,
    /// Mean cosine similarity of the members to the centroid (0 … 1).
    pub cohesion: f32,
}

/// The result of clustering a collection.
#[derive(Debug, Clone, Default)]
pub struct Clustering {
    /// Clusters, largest first (ties by id).
    pub clusters: Vec<Cluster>,
    /// For every input ticket, the index of its cluster in `clusters`.
    pub cluster_of: Vec<usize>,
    /// The TF-IDF vectors of the input tickets, by input index.
    pub vectors: Vec<SparseVector>,
}

impl Clustering {
    /// The cluster id of every ticket, for storing and passing to the next run.
    pub fn assignments(&self, tickets: &[ResolvedTicket]) -> PreviousAssignments {
        tickets
            .iter()
            .zip(&self.cluster_of)
            .filter_map(|(ticket, &cluster)| {
                Some((ticket.id.clone(), self.clusters.get(cluster)?.id.clone()))
            })
            .collect()
    }
}

/// Clusters resolved tickets. `previous` (the assignments of the last run, possibly
/// empty) keeps cluster ids stable.
pub fn cluster_tickets(
    tickets: &[ResolvedTicket],
    config: &ClusterConfig,
    previous: &PreviousAssignments,
    progress: Progress<'_>,
) -> Clustering {
    let analyzer = Analyzer::default();
    let mut counts: Vec<vectors::TermCounts> = Vec::with_capacity(tickets.len());
    let mut signatures: Vec<Vec<u64>> = Vec::with_capacity(tickets.len());
    for (index, ticket) in tickets.iter().enumerate() {
        if index % 4096 == 0 {
            progress(Stage::Analyse, index, tickets.len());
        }
        let analysed = features::ticket_features(ticket, &analyzer, &config.weights);
        let shingles = minhash::shingles(&analysed.problem_terms);
        signatures.push(minhash::signature(&shingles, &config.minhash));
        counts.push(analysed.counts);
    }
    progress(Stage::Analyse, tickets.len(), tickets.len());
    let partition = partition_by_area(tickets);
    progress(Stage::NearDuplicates, 0, tickets.len());

    let model = TfIdfModel::fit(&counts);
    let vectors: Vec<SparseVector> = counts.iter().map(|c| model.vector(c)).collect();
    drop(counts);

    let mut groups = agglomerate::Groups::new(&vectors);
    for (a, b) in minhash::near_duplicate_pairs(&signatures, &partition, &config.minhash) {
        groups.union(a, b, &vectors);
    }
    let edges =
        neighbours::neighbour_edges(&vectors, &partition, &config.refine, &mut |done, total| {
            progress(Stage::Neighbours, done, total)
        });
    progress(Stage::Merge, 0, edges.len());
    groups.merge_along(&edges, &vectors, config.refine.min_merge_similarity);

    let mut members_of_root: HashMap<usize, Vec<usize>> = HashMap::new();
    for index in 0..tickets.len() {
        let root = groups.root(index);
        members_of_root.entry(root).or_default().push(index);
    }
    let mut clusters: Vec<Cluster> = members_of_root
        .into_iter()
        .map(|(root, members)| {
            let centroid = groups.centroid(root, &vectors).clone();
            describe_cluster(tickets, &vectors, members, &centroid)
        })
        .collect();
    ids::assign_ids(&mut clusters, tickets, previous);
    clusters.sort_by(|x, y| y.members.len().cmp(&x.members.len()).then(x.id.cmp(&y.id)));

    let mut cluster_of = vec![0; tickets.len()];
    for (cluster_index, cluster) in clusters.iter().enumerate() {
        for &member in &cluster.members {
            cluster_of[member] = cluster_index;
        }
    }
    Clustering {
        clusters,
        cluster_of,
        vectors,
    }
}

fn describe_cluster(
    tickets: &[ResolvedTicket],
    vectors: &[SparseVector],
    members: Vec<usize>,
    centroid: &HashMap<u32, f32>,
) -> Cluster {
    let norm = centroid
        .values()
        .map(|w| w * w)
        .sum::<f32>()
        .sqrt()
        .max(f32::EPSILON);
    let similarity_to_centroid = |index: usize| -> f32 {
        vectors[index]
            .entries()
            .iter()
            .filter_map(|(term, weight)| centroid.get(term).map(|c| c * weight))
            .sum::<f32>()
            / norm
    };
    let mut ranked: Vec<(f32, usize)> = members
        .iter()
        .map(|&member| (similarity_to_centroid(member), member))
        .collect();
    let total: f32 = ranked.iter().map(|(similarity, _)| similarity).sum();
    ranked.sort_by(|x, y| {
        y.0.total_cmp(&x.0)
            .then(tickets[x.1].id.cmp(&tickets[y.1].id))
    });
    let representatives: Vec<usize> = ranked.into_iter().map(|(_, member)| member).collect();
    let medoid = representatives.first().copied().unwrap_or(members[0]);
    Cluster {
        id: ClusterId(String::new()),
        product_area: tickets[members[0]].product_area.clone(),
        cohesion: total / members.len() as f32,
        medoid,
        representatives,
        members,
    }
}

fn partition_by_area(tickets: &[ResolvedTicket]) -> Vec<u32> {
    let mut areas: HashMap<Option<&str>, u32> = HashMap::new();
    tickets
        .iter()
        .map(|ticket| {
            let next = areas.len() as u32;
            *areas.entry(ticket.product_area.as_deref()).or_insert(next)
        })
        .collect()
}

/// The share of tickets present in both assignments that kept their cluster id.
pub fn kept_assignments(before: &PreviousAssignments, after: &PreviousAssignments) -> f32 {
    let common: Vec<&TicketId> = before.keys().filter(|id| after.contains_key(*id)).collect();
    if common.is_empty() {
        return 1.0;
    }
    let kept = common
        .iter()
        .filter(|id| before.get(**id) == after.get(**id))
        .count();
    kept as f32 / common.len() as f32
}
