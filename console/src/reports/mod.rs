//! The Reports page's state and logic: what the reports API answers, the period
//! and slice pickers, the metric shown per chart, the table rows, the CSV links
//! and the words every number is shown in. The view only renders these.

mod charts;
mod csv;
mod model;

pub use csv::{csv_cell, replay_csv};
pub use model::{
    Example, FunnelCounts, Metrics, MetricsReport, ReplayChange, ReplayComparison, ReplaySummary,
    ReviewReport, SeriesPoint, SliceMetrics, TriggerReview, UnderExample,
};

use crate::chart::percent;

/// A period preset of the picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodPreset {
    /// The last 24 hours (hourly buckets).
    Day,
    /// The last 7 days.
    Week,
    /// The last 30 days.
    Month,
    /// The last 90 days.
    Quarter,
}

const DAY_MS: i64 = 24 * 3_600_000;

impl PeriodPreset {
    /// Every preset, as offered.
    pub const ALL: [PeriodPreset; 4] = [
        PeriodPreset::Day,
        PeriodPreset::Week,
        PeriodPreset::Month,
        PeriodPreset::Quarter,
    ];

    /// Its label.
    pub fn label(self) -> &'static str {
        match self {
            PeriodPreset::Day => "Last 24 hours",
            PeriodPreset::Week => "Last 7 days",
            PeriodPreset::Month => "Last 30 days",
            PeriodPreset::Quarter => "Last 90 days",
        }
    }

    /// Its value in the picker.
    pub fn key(self) -> &'static str {
        match self {
            PeriodPreset::Day => "1d",
            PeriodPreset::Week => "7d",
            PeriodPreset::Month => "30d",
            PeriodPreset::Quarter => "90d",
        }
    }

    /// The preset of a picker value.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.key() == key)
    }

    /// `(from_ms, to_ms)` ending at the next whole hour after `now_ms`.
    pub fn range(self, now_ms: i64) -> (i64, i64) {
        let to = (now_ms / 3_600_000 + 1) * 3_600_000;
        let days = match self {
            PeriodPreset::Day => 1,
            PeriodPreset::Week => 7,
            PeriodPreset::Month => 30,
            PeriodPreset::Quarter => 90,
        };
        (to - days * DAY_MS, to)
    }
}

/// What the slices are cut by (the API's `slice`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    /// Tier.
    Tier,
    /// Lifecycle stage of the escalation.
    Stage,
    /// Product area.
    ProductArea,
    /// Page route.
    Route,
    /// The rule that routed it.
    Rule,
    /// Team.
    Team,
    /// Owner.
    Agent,
    /// Hour of day (UTC).
    Hour,
}

impl Dimension {
    /// Every dimension, as offered.
    pub const ALL: [Dimension; 8] = [
        Dimension::Tier,
        Dimension::Stage,
        Dimension::ProductArea,
        Dimension::Route,
        Dimension::Rule,
        Dimension::Team,
        Dimension::Agent,
        Dimension::Hour,
    ];

    /// The API's name.
    pub fn key(self) -> &'static str {
        match self {
            Dimension::Tier => "tier",
            Dimension::Stage => "stage",
            Dimension::ProductArea => "product_area",
            Dimension::Route => "route",
            Dimension::Rule => "rule",
            Dimension::Team => "team",
            Dimension::Agent => "agent",
            Dimension::Hour => "hour",
        }
    }

    /// Its label.
    pub fn label(self) -> &'static str {
        match self {
            Dimension::Tier => "Tier",
            Dimension::Stage => "Lifecycle stage",
            Dimension::ProductArea => "Product area",
            Dimension::Route => "Page route",
            Dimension::Rule => "Rule",
            Dimension::Team => "Team",
            Dimension::Agent => "Agent",
            Dimension::Hour => "Hour of day (UTC)",
        }
    }

    /// The dimension of a picker value.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.key() == key)
    }
}

/// The metric a bar chart shows per slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SliceMetric {
    /// Escalation rate.
    EscalationRate,
    /// Tickets.
    Tickets,
    /// Median time to escalation.
    TimeToEscalation,
    /// Acknowledgement SLA met.
    AckSlaMet,
    /// Resolution SLA met.
    ResolutionSlaMet,
    /// First-contact resolution.
    FirstContactResolution,
    /// Deflection rate.
    DeflectionRate,
    /// Mean customer messages per ticket.
    MultiTurnDepth,
}

impl SliceMetric {
    /// Every metric the bar chart offers.
    pub const ALL: [SliceMetric; 8] = [
        SliceMetric::EscalationRate,
        SliceMetric::Tickets,
        SliceMetric::TimeToEscalation,
        SliceMetric::AckSlaMet,
        SliceMetric::ResolutionSlaMet,
        SliceMetric::FirstContactResolution,
        SliceMetric::DeflectionRate,
        SliceMetric::MultiTurnDepth,
    ];

    /// Picker value.
    pub fn key(self) -> &'static str {
        match self {
            SliceMetric::EscalationRate => "escalation_rate",
            SliceMetric::Tickets => "tickets",
            SliceMetric::TimeToEscalation => "time_to_escalation",
            SliceMetric::AckSlaMet => "ack_sla_met",
            SliceMetric::ResolutionSlaMet => "resolution_sla_met",
            SliceMetric::FirstContactResolution => "first_contact_resolution",
            SliceMetric::DeflectionRate => "deflection_rate",
            SliceMetric::MultiTurnDepth => "multi_turn_depth",
        }
    }

    /// The metric of a picker value.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.key() == key)
    }

    /// Its label.
    pub fn label(self) -> &'static str {
        match self {
            SliceMetric::EscalationRate => "Escalation rate",
            SliceMetric::Tickets => "Tickets",
            SliceMetric::TimeToEscalation => "Time to escalation (median)",
            SliceMetric::AckSlaMet => "Acknowledgement SLA met",
            SliceMetric::ResolutionSlaMet => "Resolution SLA met",
            SliceMetric::FirstContactResolution => "First-contact resolution",
            SliceMetric::DeflectionRate => "Deflection rate",
            SliceMetric::MultiTurnDepth => "Multi-turn depth",
        }
    }

    /// Its value in `metrics`.
    pub fn value(self, m: &Metrics) -> Option<f64> {
        match self {
            SliceMetric::EscalationRate => m.escalation_rate,
            SliceMetric::Tickets => Some(m.tickets as f64),
            SliceMetric::TimeToEscalation => m.time_to_escalation_ms.map(|v| v as f64),
            SliceMetric::AckSlaMet => m.ack_sla_met,
            SliceMetric::ResolutionSlaMet => m.resolution_sla_met,
            SliceMetric::FirstContactResolution => m.first_contact_resolution,
            SliceMetric::DeflectionRate => m.deflection_rate,
            SliceMetric::MultiTurnDepth => m.multi_turn_depth,
        }
    }

    /// A value in words.
    pub fn format(self, value: f64) -> String {
        match self {
            SliceMetric::Tickets => format!("{value:.0}"),
            SliceMetric::TimeToEscalation => duration(value as i64),
            SliceMetric::MultiTurnDepth => format!("{value:.1}"),
            _ => percent(value),
        }
    }
}

/// A duration in words (`45 min`, `2.5 h`, `3.1 d`).
pub fn duration(ms: i64) -> String {
    let minutes = ms as f64 / 60_000.0;
    if minutes < 1.0 {
        format!("{} s", ms / 1000)
    } else if minutes < 90.0 {
        format!("{minutes:.0} min")
    } else if minutes < 48.0 * 60.0 {
        format!("{:.1} h", minutes / 60.0)
    } else {
        format!("{:.1} d", minutes / 1440.0)
    }
}

/// An optional rate in words (`–` when there is nothing to count).
pub fn rate(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), percent)
}

/// An optional duration in words.
pub fn maybe_duration(ms: Option<i64>) -> String {
    ms.map_or_else(|| "–".to_owned(), duration)
}

/// An optional mean in words (one decimal).
pub fn mean(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}"))
}

/// A bucket start as the time axis shows it: `14:00` for hourly buckets, else
/// `Nov 14` (UTC).
pub fn bucket_label(start_ms: i64, bucket_ms: i64) -> String {
    let days = start_ms.div_euclid(DAY_MS);
    if bucket_ms < DAY_MS {
        return format!("{:02}:00", start_ms.rem_euclid(DAY_MS) / 3_600_000);
    }
    let (_, month, day) = civil_from_days(days);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!("{} {day}", MONTHS[usize::try_from(month - 1).unwrap_or(0)])
}

/// A UTC date and time in words (`2023-11-14 09:10`).
pub fn timestamp(at_ms: i64) -> String {
    let (year, month, day) = civil_from_days(at_ms.div_euclid(DAY_MS));
    let minutes = at_ms.rem_euclid(DAY_MS) / 60_000;
    format!(
        "{year}-{month:02}-{day:02} {:02}:{:02}",
        minutes / 60,
        minutes % 60
    )
}

/// Days since the epoch → (year, month, day), proleptic Gregorian.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The query of a report for a period (and slice).
pub fn report_query((from_ms, to_ms): (i64, i64), slice: Option<Dimension>) -> String {
    let mut query = format!("from_ms={from_ms}&to_ms={to_ms}");
    if let Some(slice) = slice {
        query.push_str("&slice=");
        query.push_str(slice.key());
    }
    query
}

/// The CSV download of a report table: `report` is `metrics` or `review`.
pub fn csv_link(site_path: &str, report: &str, query: &str, table: &str) -> String {
    format!("{site_path}/reports/{report}?{query}&format=csv&table={table}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;

    fn report() -> MetricsReport {
        let slice = |key: &str, tickets: u64, escalated: u64| SliceMetrics {
            key: key.into(),
            metrics: Metrics {
                tickets,
                escalated,
                escalation_rate: (tickets > 0).then(|| escalated as f64 / tickets as f64),
                ..Metrics::default()
            },
        };
        MetricsReport {
            truncated: false,
            covered_until_ms: 0,
            totals: Metrics {
                tickets: 6,
                escalated: 3,
                escalation_rate: Some(0.5),
                time_to_escalation_ms: Some(600_000),
                ..Metrics::default()
            },
            slices: vec![slice("tier1", 4, 1), slice("tier2", 2, 2)],
            bucket_ms: DAY_MS,
            series: vec![
                SeriesPoint {
                    start_ms: 1_699_920_000_000,
                    tickets: 4,
                    escalated: 1,
                    escalation_rate: Some(0.25),
                    suggestion_sets: 10,
                    deflections: 4,
                },
                SeriesPoint {
                    start_ms: 1_699_920_000_000 + DAY_MS,
                    tickets: 0,
                    escalated: 0,
                    escalation_rate: None,
                    suggestion_sets: 0,
                    deflections: 0,
                },
            ],
            funnel: FunnelCounts {
                suggestion_sets: 10,
                deflected: 4,
                escalated: 2,
                escalated_above_first_tier: 3,
            },
        }
    }

    #[test]
    fn presets_end_at_the_next_whole_hour() {
        let now = 1_699_920_000_000 + 9 * 3_600_000 + 5 * 60_000;
        let (from, to) = PeriodPreset::Week.range(now);
        assert_eq!(to, 1_699_920_000_000 + 10 * 3_600_000);
        assert_eq!(to - from, 7 * DAY_MS);
        assert_eq!(PeriodPreset::from_key("30d"), Some(PeriodPreset::Month));
        assert_eq!(
            Dimension::from_key("product_area"),
            Some(Dimension::ProductArea)
        );
        assert_eq!(Dimension::from_key("planet"), None);
    }

    #[test]
    fn words_for_times_and_dates() {
        assert_eq!(duration(45 * 60_000), "45 min");
        assert_eq!(duration(150 * 60_000), "2.5 h");
        assert_eq!(duration(3 * DAY_MS), "3.0 d");
        assert_eq!(bucket_label(1_699_920_000_000, DAY_MS), "Nov 14");
        assert_eq!(
            bucket_label(1_699_920_000_000 + 14 * 3_600_000, 3_600_000),
            "14:00"
        );
        assert_eq!(
            timestamp(1_699_920_000_000 + 9 * 3_600_000 + 10 * 60_000),
            "2023-11-14 09:10"
        );
        assert_eq!(timestamp(951_782_400_000), "2000-02-29 00:00");
        assert_eq!(rate(None), "–");
    }

    #[test]
    fn the_charts_come_from_the_report() {
        let report = report();
        let rates = report.rate_chart();
        assert_eq!(rates.lines.len(), 2);
        // The empty second day has no rate: one point per line.
        assert_eq!(rates.lines[0].points.len(), 1);
        assert_eq!(
            rates.lines[0].points[0].title,
            "Nov 14: Escalation rate 25%"
        );
        assert_eq!(
            rates.lines[1].points[0].title,
            "Nov 14: Deflection rate 40%"
        );
        let volume = report.volume_chart();
        assert_eq!(volume.lines[0].points.len(), 2);
        let bars = report.slice_chart(SliceMetric::EscalationRate, |k| k.to_uppercase());
        assert_eq!(bars.bars[0].label, "TIER1");
        assert_eq!(bars.bars[1].value, "100%");
        assert_eq!(bars.bars[0].title, "TIER1: 25% (4 tickets)");
        let funnel = report.funnel_chart();
        assert_eq!(funnel.stages[1].share, "40%");
        assert_eq!(funnel.stages[2].count, 2);
        let headlines = report.headlines();
        assert_eq!(headlines[0].1, "50%");
        assert_eq!(headlines[0].2, "3 of 6 tickets");
        assert_eq!(headlines[1].1, "10 min");
    }

    #[test]
    fn csv_links_carry_the_period_and_table() {
        let query = report_query((1, 2), Some(Dimension::Route));
        assert_eq!(query, "from_ms=1&to_ms=2&slice=route");
        assert_eq!(
            csv_link("/api/v1/sites/demo", "metrics", &query, "slices"),
            "/api/v1/sites/demo/reports/metrics?from_ms=1&to_ms=2&slice=route&format=csv&table=slices"
        );
    }

    #[test]
    fn the_servers_answer_reads() {
        let body = r#"{"period":{"from_ms":0,"to_ms":1},"covered_until_ms":1,"truncated":false,"slice":"tier",
            "totals":{"tickets":1,"escalated":0,"escalation_rate":0.0,"time_to_escalation_ms":null,
              "ack_sla_decided":0,"ack_sla_met":null,"resolution_sla_decided":0,"resolution_sla_met":null,
              "post_escalation_resolution_ms":null,"resolved":0,"first_contact_resolution":null,
              "multi_turn_depth":1.0,"suggestion_sets":0,"deflections":0,"deflection_rate":null,
              "escalated_after_suggestion":0,"escalated_after_suggestion_rate":null,"csat_escalated":null,
              "csat_escalated_answers":0,"csat_not_escalated":null,"csat_not_escalated_answers":0,
              "median_handle_time_ms":null,"capacity_reclaimed_ms":null,"alerts_raised":0,
              "alerts_confirmed":0,"alerts_dismissed":0,"alerts_open":0,"alerts_confirmed_rate":null},
            "slices":[],"bucket_ms":3600000,"series":[],
            "funnel":{"suggestion_sets":0,"deflected":0,"escalated":0,"escalated_above_first_tier":0}}"#;
        let report: MetricsReport = serde_json::from_str(body).expect("reads");
        assert_eq!(report.totals.tickets, 1);
    }
}
