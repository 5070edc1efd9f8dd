//! The Reports page's charts, laid out from a metrics report (geometry in
//! `crate::chart`).

use super::{MetricsReport, SliceMetric, bucket_label, maybe_duration, mean, rate};
use crate::chart::{BarChart, Funnel, LineChart, Series, percent};

impl MetricsReport {
    /// The time-series chart: escalation rate and deflection rate per bucket.
    pub fn rate_chart(&self) -> LineChart {
        let labels: Vec<String> = self
            .series
            .iter()
            .map(|p| bucket_label(p.start_ms, self.bucket_ms))
            .collect();
        let deflection = self
            .series
            .iter()
            .map(|p| {
                (p.suggestion_sets > 0).then(|| p.deflections as f64 / p.suggestion_sets as f64)
            })
            .collect();
        LineChart::new(
            &labels,
            &[
                Series {
                    name: "Escalation rate",
                    class: "series-escalation",
                    values: self.series.iter().map(|p| p.escalation_rate).collect(),
                },
                Series {
                    name: "Deflection rate",
                    class: "series-deflection",
                    values: deflection,
                },
            ],
            percent,
        )
    }

    /// The volume chart: tickets and suggestion sets per bucket.
    pub fn volume_chart(&self) -> LineChart {
        let labels: Vec<String> = self
            .series
            .iter()
            .map(|p| bucket_label(p.start_ms, self.bucket_ms))
            .collect();
        LineChart::new(
            &labels,
            &[
                Series {
                    name: "Tickets",
                    class: "series-tickets",
                    values: self.series.iter().map(|p| Some(p.tickets as f64)).collect(),
                },
                Series {
                    name: "Suggestion sets",
                    class: "series-sets",
                    values: self
                        .series
                        .iter()
                        .map(|p| Some(p.suggestion_sets as f64))
                        .collect(),
                },
            ],
            |v| format!("{v:.0}"),
        )
    }

    /// Bars of `metric` per slice, slice keys named by `name` (agents' names).
    pub fn slice_chart(&self, metric: SliceMetric, name: impl Fn(&str) -> String) -> BarChart {
        let rows: Vec<(String, Option<f64>, String)> = self
            .slices
            .iter()
            .map(|slice| {
                let tickets = slice.metrics.tickets;
                let detail = match metric {
                    SliceMetric::DeflectionRate => {
                        format!(
                            "{} suggestion sets",
                            slice.metrics.suggestion_sets.unwrap_or(0)
                        )
                    }
                    SliceMetric::Tickets => String::new(),
                    _ => format!("{tickets} tickets"),
                };
                (name(&slice.key), metric.value(&slice.metrics), detail)
            })
            .collect();
        BarChart::new(&rows, |v| metric.format(v))
    }

    /// The funnel from suggestion to deflection to a person.
    pub fn funnel_chart(&self) -> Funnel {
        Funnel::new(&[
            (
                "Suggestions shown",
                self.funnel.suggestion_sets,
                "funnel-shown",
            ),
            (
                "Solved (deflected)",
                self.funnel.deflected,
                "funnel-deflected",
            ),
            ("Needed a person", self.funnel.escalated, "funnel-escalated"),
        ])
    }

    /// The headline figures: label, value in words, what it counts.
    pub fn headlines(&self) -> Vec<(&'static str, String, String)> {
        let t = &self.totals;
        vec![
            (
                "Escalation rate",
                rate(t.escalation_rate),
                format!("{} of {} tickets", t.escalated, t.tickets),
            ),
            (
                "Time to escalation",
                maybe_duration(t.time_to_escalation_ms),
                "median".to_owned(),
            ),
            (
                "Acknowledgement SLA met",
                rate(t.ack_sla_met),
                format!("{} decided", t.ack_sla_decided),
            ),
            (
                "Resolution SLA met",
                rate(t.resolution_sla_met),
                format!("{} decided", t.resolution_sla_decided),
            ),
            (
                "Resolution after escalation",
                maybe_duration(t.post_escalation_resolution_ms),
                "median".to_owned(),
            ),
            (
                "First-contact resolution",
                rate(t.first_contact_resolution),
                format!("of {} resolved", t.resolved),
            ),
            (
                "Multi-turn depth",
                mean(t.multi_turn_depth),
                "customer messages per ticket".to_owned(),
            ),
            (
                "Deflection",
                rate(t.deflection_rate),
                format!(
                    "{} of {} suggestion sets",
                    t.deflections.unwrap_or(0),
                    t.suggestion_sets.unwrap_or(0)
                ),
            ),
            (
                "Escalated after a suggestion",
                rate(t.escalated_after_suggestion_rate),
                format!("{} sets", t.escalated_after_suggestion.unwrap_or(0)),
            ),
            (
                "CSAT escalated / not",
                format!(
                    "{} / {}",
                    mean(t.csat_escalated),
                    mean(t.csat_not_escalated)
                ),
                format!(
                    "{} and {} ratings",
                    t.csat_escalated_answers, t.csat_not_escalated_answers
                ),
            ),
            (
                "Capacity reclaimed",
                maybe_duration(t.capacity_reclaimed_ms),
                format!(
                    "deflections × {} median handle time",
                    maybe_duration(t.median_handle_time_ms)
                ),
            ),
            (
                "Early warnings confirmed",
                rate(t.alerts_confirmed_rate),
                format!(
                    "{} confirmed, {} dismissed, {} open",
                    t.alerts_confirmed, t.alerts_dismissed, t.alerts_open
                ),
            ),
        ]
    }
}
