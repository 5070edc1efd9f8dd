//! The scale benchmark: index build rate and suggest latency on synthetic corpora.
