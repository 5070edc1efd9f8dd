//! Retrieval evaluation and the scale benchmark.
//!
//! - [`dataset`]: loads a dataset directory (`corpus.jsonl` + `queries.jsonl`).
//! - [`metrics`]: MRR@10, Recall@k, nDCG@10, latency percentiles.
//! - [`harness`]: the [`Retriever`] trait and the run that times and scores it.
//! - [`baseline`]: tantivy with default settings over one concatenated field.
//! - [`calibrate`]: fitting the confidence model and the likely-fix threshold.
//! - [`replay`]: learning from use, replayed offline.
//! - [`report`]: the comparison table and its JSON form; confidence calibration.
//! - [`synthetic`]: larger corpora generated from a dataset's vocabulary.
//! - [`bench`]: index build rate and suggest latency at scale.

pub mod baseline;
pub mod bench;
pub mod calibrate;
pub mod dataset;
pub mod harness;
pub mod metrics;
pub mod replay;
pub mod report;
pub mod synthetic;

pub use bench::{BENCH_INDEX_CONFIG, ScaleFigures, bench_table, bench_waymark};
pub use dataset::{Dataset, EvalQuery};
pub use harness::{QueryOutcome, Retriever, WaymarkRetriever, evaluate, score};
pub use metrics::{LatencySummary, RetrievalMetrics};
pub use report::{Calibration, EvalReport, FeedbackReplay, SystemReport};
