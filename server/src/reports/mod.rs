//! Reports: the escalation metrics, the over-/under-triggering review and the
//! replay of a proposed matrix, computed from what is stored for one site and
//! period. Every formula is stated once here and in `docs/metrics.md`.
//!
//! - [`load`]: the bounded scans the reports read.
//! - [`metrics`]: the metrics, per slice, as a time series and as a funnel.
//! - [`review`]: rules that fired and were undone (over-triggering), tickets
//!   escalated by hand or breached with no rule (under-triggering).
//! - [`replay`]: the period's tickets replayed through the site's matrix and a
//!   proposed one (`waymark rules test` on live data).
//! - [`csv`]: every table as CSV.

pub mod csv;
pub mod load;
pub mod metrics;
pub mod replay;
pub mod review;

use serde::{Deserialize, Serialize};

use crate::config::ProductAreaConfig;
use load::{ReportSuggestionSet, ReportTicket};

pub use load::ReportData;
pub use metrics::{Metrics, MetricsReport, metrics_report};
pub use review::{ReviewReport, review_report};

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
/// The longest period one report covers.
pub const MAX_PERIOD_MS: i64 = 366 * DAY_MS;
/// The period a report covers when none is given.
pub const DEFAULT_PERIOD_MS: i64 = 30 * DAY_MS;

/// `[from_ms, to_ms)`, in ms since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    /// First millisecond in.
    pub from_ms: i64,
    /// First millisecond out.
    pub to_ms: i64,
}

/// Why a period is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// `from_ms` is not before `to_ms`.
    #[error("from_ms ({from_ms}) must be before to_ms ({to_ms})")]
    Empty {
        /// Start.
        from_ms: i64,
        /// End.
        to_ms: i64,
    },
    /// Longer than [`MAX_PERIOD_MS`].
    #[error("the period is longer than 366 days: ask for a shorter one")]
    TooLong,
    /// Before the epoch.
    #[error("from_ms must not be negative")]
    Negative,
}

impl Period {
    /// The period asked for: `to` defaults to `now_ms`, `from` to
    /// [`DEFAULT_PERIOD_MS`] before `to`.
    pub fn asked(
        from_ms: Option<i64>,
        to_ms: Option<i64>,
        now_ms: i64,
    ) -> Result<Self, PeriodError> {
        let to_ms = to_ms.unwrap_or(now_ms);
        let from_ms = from_ms.unwrap_or(to_ms.saturating_sub(DEFAULT_PERIOD_MS));
        if from_ms < 0 {
            return Err(PeriodError::Negative);
        }
        if from_ms >= to_ms {
            return Err(PeriodError::Empty { from_ms, to_ms });
        }
        if to_ms - from_ms > MAX_PERIOD_MS {
            return Err(PeriodError::TooLong);
        }
        Ok(Self { from_ms, to_ms })
    }

    /// The series bucket: an hour for periods up to two days, else a day.
    pub fn bucket_ms(self) -> i64 {
        if self.to_ms - self.from_ms <= 2 * DAY_MS {
            HOUR_MS
        } else {
            DAY_MS
        }
    }
}

/// What the slices are cut by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// The ticket's tier now (the highest it reached).
    #[default]
    Tier,
    /// The lifecycle stage of its first escalation (its stage now if never escalated).
    Stage,
    /// The product area of the page the conversation started on (`[alerts.product_areas]`).
    ProductArea,
    /// The route of the page the conversation (or the suggestion set) came from.
    Route,
    /// The rule that routed the ticket (`none`: a person did).
    Rule,
    /// The ticket's team (`none` when it has none).
    Team,
    /// The ticket's owner (`unassigned`).
    Agent,
    /// Hour of day of creation, UTC (`0`–`23`).
    Hour,
}

impl Dimension {
    /// Every dimension, in the order the console offers them.
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

    /// Whether suggestion sets can be placed in its slices (they know their
    /// route and time, not a ticket's tier, team or owner).
    pub fn applies_to_suggestions(self) -> bool {
        matches!(
            self,
            Dimension::ProductArea | Dimension::Route | Dimension::Hour
        )
    }
}

/// How tickets and suggestion sets are placed in slices.
#[derive(Debug, Clone, Copy)]
pub struct SliceKeys<'a> {
    /// The operator's product areas and their route patterns.
    pub product_areas: &'a std::collections::BTreeMap<String, ProductAreaConfig>,
}

/// The slice of anything without a product area, route or team.
pub const NO_VALUE: &str = "none";

impl SliceKeys<'_> {
    /// The slice `ticket` belongs to.
    pub fn ticket_key(&self, dimension: Dimension, ticket: &ReportTicket) -> String {
        match dimension {
            Dimension::Tier => ticket.tier.clone(),
            Dimension::Stage => escalation_stage(ticket),
            Dimension::ProductArea => self.area(ticket.route.as_deref()),
            Dimension::Route => ticket.route.clone().unwrap_or_else(|| NO_VALUE.into()),
            Dimension::Rule => routing_rule(ticket).unwrap_or_else(|| NO_VALUE.into()),
            Dimension::Team => ticket.team.clone().unwrap_or_else(|| NO_VALUE.into()),
            Dimension::Agent => ticket.owner.clone().unwrap_or_else(|| "unassigned".into()),
            Dimension::Hour => hour_of_day(ticket.created_at_ms).to_string(),
        }
    }

    /// The slice `set` belongs to, where suggestion sets apply.
    pub fn set_key(&self, dimension: Dimension, set: &ReportSuggestionSet) -> Option<String> {
        match dimension {
            Dimension::ProductArea => Some(self.area(set.route.as_deref())),
            Dimension::Route => Some(set.route.clone().unwrap_or_else(|| NO_VALUE.into())),
            Dimension::Hour => Some(hour_of_day(set.at_ms).to_string()),
            _ => None,
        }
    }

    /// The first product area (by name) whose patterns match `route`.
    fn area(&self, route: Option<&str>) -> String {
        route
            .and_then(|route| {
                self.product_areas.iter().find(|(_, area)| {
                    area.routes
                        .iter()
                        .any(|pattern| waymark_core::text::route_matches(pattern, route))
                })
            })
            .map_or_else(|| NO_VALUE.to_owned(), |(name, _)| name.clone())
    }
}

/// Hour of day (UTC) of a time in ms since the epoch.
pub fn hour_of_day(at_ms: i64) -> i64 {
    at_ms.div_euclid(HOUR_MS).rem_euclid(24)
}

/// The lifecycle stage of the ticket's first escalation, or its stage now.
fn escalation_stage(ticket: &ReportTicket) -> String {
    ticket
        .trail
        .iter()
        .find(|entry| entry.action == "escalated")
        .and_then(|entry| entry.detail["handoff"]["stage"].as_str().map(str::to_owned))
        .unwrap_or_else(|| crate::storage::enum_text(&ticket.stage))
}

/// The rule of the first routing (escalation or transfer) a rule made.
pub fn routing_rule(ticket: &ReportTicket) -> Option<String> {
    ticket.trail.iter().find_map(|entry| {
        let routing = entry.action == "escalated" || entry.action == "transferred";
        entry
            .actor
            .strip_prefix("rule:")
            .filter(|_| routing)
            .map(str::to_owned)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_defaults_to_thirty_days_and_refuses_nonsense() {
        let now = 100 * DAY_MS;
        assert_eq!(
            Period::asked(None, None, now),
            Ok(Period {
                from_ms: 70 * DAY_MS,
                to_ms: now
            })
        );
        assert!(matches!(
            Period::asked(Some(5), Some(5), now),
            Err(PeriodError::Empty { .. })
        ));
        assert_eq!(
            Period::asked(Some(0), Some(400 * DAY_MS), now),
            Err(PeriodError::TooLong)
        );
        assert_eq!(
            Period::asked(Some(-1), None, now),
            Err(PeriodError::Negative)
        );
    }

    #[test]
    fn short_periods_are_charted_by_hour_and_long_ones_by_day() {
        assert_eq!(
            Period {
                from_ms: 0,
                to_ms: DAY_MS
            }
            .bucket_ms(),
            HOUR_MS
        );
        assert_eq!(
            Period {
                from_ms: 0,
                to_ms: 7 * DAY_MS
            }
            .bucket_ms(),
            DAY_MS
        );
    }

    #[test]
    fn hour_of_day_is_utc() {
        assert_eq!(hour_of_day(0), 0);
        assert_eq!(hour_of_day(DAY_MS + 14 * HOUR_MS + 59 * 60_000), 14);
        assert_eq!(hour_of_day(-1), 23);
    }
}

#[cfg(test)]
mod slice_tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::config::ProductAreaConfig;

    fn ticket(route: Option<&str>) -> ReportTicket {
        ReportTicket {
            id: "t".into(),
            conversation_id: "c".into(),
            subject: String::new(),
            tier: "tier1".into(),
            team: None,
            owner: None,
            stage: waymark_core::domain::LifecycleStage::Intake,
            escalated: false,
            created_at_ms: 0,
            resolved_at_ms: None,
            route: route.map(str::to_owned),
            customer_turns: 0,
            csat: None,
            trail: Vec::new(),
        }
    }

    #[test]
    fn product_areas_come_from_the_configured_route_patterns() {
        let mut areas = BTreeMap::new();
        areas.insert(
            "billing".to_owned(),
            ProductAreaConfig {
                routes: vec!["/billing/**".into()],
                thresholds: Default::default(),
            },
        );
        let keys = SliceKeys {
            product_areas: &areas,
        };
        let area = |route| keys.ticket_key(Dimension::ProductArea, &ticket(route));
        assert_eq!(area(Some("/billing/invoices")), "billing");
        assert_eq!(area(Some("/reports")), NO_VALUE);
        assert_eq!(area(None), NO_VALUE);
        assert_eq!(
            keys.ticket_key(Dimension::Agent, &ticket(None)),
            "unassigned"
        );
        assert_eq!(keys.ticket_key(Dimension::Rule, &ticket(None)), NO_VALUE);
    }
}
