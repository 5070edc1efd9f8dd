//! Prometheus metrics: what operators watch. Counters and latency histograms are kept in
//! process ([`Metrics`]); queue depth, the outbox, the index and live streams are read at
//! each scrape ([`Gauges`]), so they are true at that instant and need no bookkeeping.
//!
//! - [`exposition`]: the text format.
//!
//! The HTTP side (the `/metrics` route, its access check and the per-request middleware) is
//! `api::metrics`.

pub mod exposition;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use exposition::{Exposition, Kind};

/// Upper bounds (seconds) of the request latency buckets.
pub const LATENCY_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The route label of a request no route matched (raw paths would explode the series).
pub const UNMATCHED_ROUTE: &str = "unmatched";

#[derive(Debug, Default, Clone)]
struct Latency {
    buckets: [u64; LATENCY_BUCKETS.len()],
    count: u64,
    sum_seconds: f64,
}

#[derive(Debug, Default)]
struct Http {
    /// (method, route template) → latency.
    latency: BTreeMap<(String, String), Latency>,
    /// (method, route template, status) → requests.
    requests: BTreeMap<(String, String, u16), u64>,
}

/// The in-process series. Cheap to share behind an `Arc`.
#[derive(Debug, Default)]
pub struct Metrics {
    http: Mutex<Http>,
    events_stored: AtomicU64,
    events_duplicate: AtomicU64,
}

/// What a scrape reads from the store, the index and the live hub.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gauges {
    /// Open tickets by tier.
    pub open_tickets_by_tier: Vec<(String, i64)>,
    /// Outbox jobs by state.
    pub jobs_by_state: Vec<(String, i64)>,
    /// Seconds the oldest due pending job has waited.
    pub job_lag_seconds: f64,
    /// Documents in the knowledge index (`None` without an index).
    pub index_documents: Option<u64>,
    /// Event streams open (console and widget).
    pub live_streams: usize,
}

impl Metrics {
    /// Records one answered request: `route` is the matched route template.
    pub fn record_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut http = self.http.lock().unwrap_or_else(PoisonError::into_inner);
        let latency = http
            .latency
            .entry((method.to_owned(), route.to_owned()))
            .or_default();
        latency.count += 1;
        latency.sum_seconds += seconds;
        for (bucket, bound) in latency.buckets.iter_mut().zip(LATENCY_BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
        *http
            .requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_insert(0) += 1;
    }

    /// Records an event batch: events stored and events already known.
    pub fn record_events(&self, stored: u64, duplicates: u64) {
        self.events_stored.fetch_add(stored, Ordering::Relaxed);
        self.events_duplicate
            .fetch_add(duplicates, Ordering::Relaxed);
    }

    /// Every series as Prometheus text.
    pub fn render(&self, gauges: &Gauges) -> String {
        let mut out = Exposition::default();
        out.family(
            "waymark_build_info",
            Kind::Gauge,
            "The running version (always 1).",
        );
        out.sample(
            "waymark_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))],
            1.0,
        );
        self.render_http(&mut out);
        out.family(
            "waymark_events_accepted_total",
            Kind::Counter,
            "Page events accepted from widgets and stored (the ingest rate is its rate()).",
        );
        out.sample(
            "waymark_events_accepted_total",
            &[],
            self.events_stored.load(Ordering::Relaxed) as f64,
        );
        out.family(
            "waymark_events_duplicate_total",
            Kind::Counter,
            "Page events received again (same client event id) and not stored twice.",
        );
        out.sample(
            "waymark_events_duplicate_total",
            &[],
            self.events_duplicate.load(Ordering::Relaxed) as f64,
        );
        out.family(
            "waymark_tickets_open",
            Kind::Gauge,
            "Tickets not resolved or closed, by tier: the queue depth.",
        );
        for (tier, count) in &gauges.open_tickets_by_tier {
            out.sample("waymark_tickets_open", &[("tier", tier)], *count as f64);
        }
        out.family(
            "waymark_jobs",
            Kind::Gauge,
            "Outbox jobs (emails, webhooks, Slack, Jira, Linear) by state.",
        );
        for (state, count) in &gauges.jobs_by_state {
            out.sample("waymark_jobs", &[("state", state)], *count as f64);
        }
        let backlog: i64 = gauges
            .jobs_by_state
            .iter()
            .filter(|(state, _)| state == "pending" || state == "running")
            .map(|(_, count)| count)
            .sum();
        out.family(
            "waymark_outbox_backlog",
            Kind::Gauge,
            "Deliveries not done yet (pending and running jobs).",
        );
        out.sample("waymark_outbox_backlog", &[], backlog as f64);
        out.family(
            "waymark_job_lag_seconds",
            Kind::Gauge,
            "How long the oldest due pending job has waited (0 when none is due).",
        );
        out.sample("waymark_job_lag_seconds", &[], gauges.job_lag_seconds);
        if let Some(documents) = gauges.index_documents {
            out.family(
                "waymark_index_documents",
                Kind::Gauge,
                "Documents (resolved tickets and articles) in the knowledge index.",
            );
            out.sample("waymark_index_documents", &[], documents as f64);
        }
        out.family(
            "waymark_live_streams",
            Kind::Gauge,
            "Event streams open now (console and widget conversations).",
        );
        out.sample("waymark_live_streams", &[], gauges.live_streams as f64);
        out.finish()
    }

    fn render_http(&self, out: &mut Exposition) {
        let http = self.http.lock().unwrap_or_else(PoisonError::into_inner);
        out.family(
            "waymark_http_requests_total",
            Kind::Counter,
            "HTTP requests answered, by method, route template and status.",
        );
        for ((method, route, status), count) in &http.requests {
            out.sample(
                "waymark_http_requests_total",
                &[
                    ("method", method.as_str()),
                    ("route", route.as_str()),
                    ("status", status.to_string().as_str()),
                ],
                *count as f64,
            );
        }
        out.family(
            "waymark_http_request_duration_seconds",
            Kind::Histogram,
            "Time until the answer starts, by method and route template.",
        );
        for ((method, route), latency) in &http.latency {
            for (bound, count) in LATENCY_BUCKETS.iter().zip(latency.buckets) {
                out.sample(
                    "waymark_http_request_duration_seconds_bucket",
                    &[
                        ("method", method.as_str()),
                        ("route", route.as_str()),
                        ("le", exposition::format_value(*bound).as_str()),
                    ],
                    count as f64,
                );
            }
            let labels = [("method", method.as_str()), ("route", route.as_str())];
            out.sample(
                "waymark_http_request_duration_seconds_bucket",
                &[labels[0], labels[1], ("le", "+Inf")],
                latency.count as f64,
            );
            out.sample(
                "waymark_http_request_duration_seconds_sum",
                &labels,
                latency.sum_seconds,
            );
            out.sample(
                "waymark_http_request_duration_seconds_count",
                &labels,
                latency.count as f64,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative() {
        let metrics = Metrics::default();
        metrics.record_request("GET", "/api/v1/sites/{site_id}/tickets", 200, 0.003);
        metrics.record_request("GET", "/api/v1/sites/{site_id}/tickets", 200, 0.2);
        metrics.record_request("GET", "/api/v1/sites/{site_id}/tickets", 404, 20.0);
        let text = metrics.render(&Gauges::default());
        let route = r#"method="GET",route="/api/v1/sites/{site_id}/tickets""#;
        for (le, count) in [
            ("0.005", 1),
            ("0.1", 1),
            ("0.25", 2),
            ("10", 2),
            ("+Inf", 3),
        ] {
            let line = format!(
                "waymark_http_request_duration_seconds_bucket{{{route},le=\"{le}\"}} {count}\n"
            );
            assert!(text.contains(&line), "{line} missing in\n{text}");
        }
        assert!(text.contains(&format!(
            "waymark_http_requests_total{{{route},status=\"404\"}} 1\n"
        )));
        assert!(text.contains(&format!(
            "waymark_http_request_duration_seconds_count{{{route}}} 3\n"
        )));
    }

    #[test]
    fn the_backlog_is_pending_and_running() {
        let gauges = Gauges {
            jobs_by_state: vec![
                ("dead".to_owned(), 1),
                ("done".to_owned(), 7),
                ("pending".to_owned(), 2),
                ("running".to_owned(), 1),
            ],
            ..Gauges::default()
        };
        let text = Metrics::default().render(&gauges);
        assert!(text.contains("waymark_outbox_backlog 3\n"), "{text}");
        assert!(text.contains("waymark_jobs{state=\"dead\"} 1\n"));
    }
}
