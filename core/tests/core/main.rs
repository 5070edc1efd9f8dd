//! Integration tests of `waymark-core`: the sample matrix, every condition kind with
//! its boundaries, matrix errors, replay, detectors, scrubbing, wire compatibility
//! and property tests.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod conditions;
mod matrix_errors;
mod properties;
mod replay;
mod sample_matrix;
mod scrub;
mod support;
mod tidy;
mod widget_flow;
