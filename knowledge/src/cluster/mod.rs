//! Clustering of resolved tickets into problems: near-duplicate grouping by
//! MinHash/LSH over word shingles, refined by TF-IDF similarity, never across product
//! areas, with cluster ids that stay stable between runs.
//!
//! - [`text`]: analyser (stems, stop words, exact error codes) and stable hashing.
//! - [`vectors`]: TF-IDF model and sparse unit vectors.
//! - [`minhash`]: signatures, LSH bands, near-duplicate pairs.
//! - [`neighbours`]: nearest-neighbour edges through an inverted index, multi-threaded.
//! - [`agglomerate`]: centroid-checked merging along those edges.
//! - [`features`]: which ticket fields count, with which weight.
//! - [`ids`]: stable cluster ids.
//! - [`run`]: [`cluster_tickets`], one run from tickets to named clusters.

pub mod agglomerate;
pub mod features;
pub mod ids;
pub mod minhash;
pub mod neighbours;
pub mod run;
pub mod text;
pub mod vectors;

pub use agglomerate::RefineConfig;
pub use features::FieldWeights;
pub use ids::{ClusterId, PreviousAssignments};
pub use minhash::MinHashConfig;
pub use run::{
    Cluster, ClusterConfig, Clustering, Progress, Stage, cluster_tickets, kept_assignments,
};
pub use text::Analyzer;
pub use vectors::{SparseVector, TfIdfModel};
