//! What the reports API answers, as the Reports page reads it (the server's
//! `reports` DTOs; formulas in `docs/metrics.md`).

use std::collections::BTreeMap;

use serde::Deserialize;

/// Every metric of one group (the server's `Metrics`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[allow(missing_docs)]
pub struct Metrics {
    pub tickets: u64,
    pub escalated: u64,
    pub escalation_rate: Option<f64>,
    pub time_to_escalation_ms: Option<i64>,
    pub ack_sla_decided: u64,
    pub ack_sla_met: Option<f64>,
    pub resolution_sla_decided: u64,
    pub resolution_sla_met: Option<f64>,
    pub post_escalation_resolution_ms: Option<i64>,
    pub resolved: u64,
    pub first_contact_resolution: Option<f64>,
    pub multi_turn_depth: Option<f64>,
    pub suggestion_sets: Option<u64>,
    pub deflections: Option<u64>,
    pub deflection_rate: Option<f64>,
    pub escalated_after_suggestion: Option<u64>,
    pub escalated_after_suggestion_rate: Option<f64>,
    pub csat_escalated: Option<f64>,
    pub csat_escalated_answers: u64,
    pub csat_not_escalated: Option<f64>,
    pub csat_not_escalated_answers: u64,
    pub median_handle_time_ms: Option<i64>,
    pub capacity_reclaimed_ms: Option<i64>,
    pub alerts_raised: u64,
    pub alerts_confirmed: u64,
    pub alerts_dismissed: u64,
    pub alerts_open: u64,
    pub alerts_confirmed_rate: Option<f64>,
}

/// One slice.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SliceMetrics {
    /// Its key.
    pub key: String,
    /// Its metrics.
    pub metrics: Metrics,
}

/// One bucket of the series.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[allow(missing_docs)]
pub struct SeriesPoint {
    pub start_ms: i64,
    pub tickets: u64,
    pub escalated: u64,
    pub escalation_rate: Option<f64>,
    pub suggestion_sets: u64,
    pub deflections: u64,
}

/// The funnel.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[allow(missing_docs)]
pub struct FunnelCounts {
    pub suggestion_sets: u64,
    pub deflected: u64,
    pub escalated: u64,
    pub escalated_above_first_tier: u64,
}

/// `GET …/reports/metrics`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[allow(missing_docs)]
pub struct MetricsReport {
    pub truncated: bool,
    pub covered_until_ms: i64,
    pub totals: Metrics,
    pub slices: Vec<SliceMetrics>,
    pub bucket_ms: i64,
    pub series: Vec<SeriesPoint>,
    pub funnel: FunnelCounts,
}

/// An example ticket of the review.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[allow(missing_docs)]
pub struct Example {
    pub ticket_id: String,
    pub subject: String,
    pub at_ms: i64,
    pub what: String,
}

/// One trigger of the review.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[allow(missing_docs)]
pub struct TriggerReview {
    pub source: String,
    pub trigger: String,
    pub fired: u64,
    pub rerouted: u64,
    pub dismissed: u64,
    pub over: u64,
    pub over_rate: Option<f64>,
    pub examples: Vec<Example>,
}

/// An under-triggered ticket.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[allow(missing_docs)]
pub struct UnderExample {
    pub kind: String,
    pub tier: String,
    pub ticket_id: String,
    pub subject: String,
    pub at_ms: i64,
    pub what: String,
}

/// `GET …/reports/review`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[allow(missing_docs)]
pub struct ReviewReport {
    pub tickets: u64,
    pub triggers: Vec<TriggerReview>,
    pub escalated_by_hand: u64,
    pub breached_without_rule: u64,
    pub under: u64,
    pub under_rate: Option<f64>,
    pub under_examples: Vec<UnderExample>,
}

/// One matrix's replay outcome.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[allow(missing_docs)]
pub struct ReplaySummary {
    pub escalations: u64,
    pub per_tier: BTreeMap<String, u64>,
    pub per_rule: BTreeMap<String, u64>,
    pub without_decision: u64,
    pub agrees: u64,
    pub over_triggered: u64,
    pub under_triggered: u64,
}

/// A ticket the proposed matrix treats differently.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[allow(missing_docs)]
pub struct ReplayChange {
    pub ticket_id: String,
    pub subject: String,
    pub actual_tier: Option<String>,
    pub current_rule: Option<String>,
    pub current_action: String,
    pub current_verdict: Option<String>,
    pub proposed_rule: Option<String>,
    pub proposed_action: String,
    pub proposed_verdict: Option<String>,
    pub proposed_explanation: String,
}

/// `POST …/reports/replay`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[allow(missing_docs)]
pub struct ReplayComparison {
    pub tickets: u64,
    pub truncated: bool,
    pub current: ReplaySummary,
    pub proposed: ReplaySummary,
    pub changes: Vec<ReplayChange>,
}
