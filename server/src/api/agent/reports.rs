//! Reports: the escalation metrics of a period sliced by one dimension, the
//! over-/under-triggering review, and the replay of a proposed matrix over the
//! period's tickets. Each answers JSON, or CSV with `?format=csv` (`table` picks
//! which table). Every member reads metrics and the review; replaying a matrix
//! is for admins and knowledge managers.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::auth::{Agent, ManageKnowledge, ReadTickets};
use crate::api::AppState;
use crate::api::error::{ApiError, ErrorCode};
use crate::api::json::Json;
use crate::reports::{self, Dimension, Period, SliceKeys};

/// JSON (default) or CSV.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// `application/json`.
    #[default]
    Json,
    /// `text/csv`, as a download.
    Csv,
}

/// `?from_ms=&to_ms=&slice=&format=&table=` of the metrics.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsQuery {
    from_ms: Option<i64>,
    to_ms: Option<i64>,
    #[serde(default)]
    slice: Dimension,
    #[serde(default)]
    format: Format,
    #[serde(default)]
    table: MetricsTable,
}

/// Which metrics table a CSV holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricsTable {
    /// One row per slice and the period's totals.
    #[default]
    Slices,
    /// The time series.
    Series,
}

/// `?from_ms=&to_ms=&format=&table=` of the review.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewQuery {
    from_ms: Option<i64>,
    to_ms: Option<i64>,
    #[serde(default)]
    format: Format,
    #[serde(default)]
    table: ReviewTable,
}

/// Which review table a CSV holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewTable {
    /// Rules and early warnings with their over-triggering.
    #[default]
    Triggers,
    /// The under-triggered tickets.
    Under,
}

/// `?format=` of the replay.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayQuery {
    #[serde(default)]
    format: Format,
}

/// The replay's body: a proposed matrix (TOML) and the period.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayBody {
    matrix: String,
    #[serde(default)]
    from_ms: Option<i64>,
    #[serde(default)]
    to_ms: Option<i64>,
}

fn query<T>(query: Result<Query<T>, QueryRejection>, expected: &str) -> Result<T, ApiError> {
    query.map(|Query(q)| q).map_err(|rejection| {
        ApiError::new(
            ErrorCode::InvalidValue,
            format!(
                "query string: {} (expected {expected})",
                rejection.body_text()
            ),
        )
    })
}

fn period(from_ms: Option<i64>, to_ms: Option<i64>) -> Result<Period, ApiError> {
    Period::asked(from_ms, to_ms, crate::storage::now_ms())
        .map_err(|err| ApiError::new(ErrorCode::InvalidValue, err.to_string()))
}

fn csv(name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.csv\""),
            ),
        ],
        body,
    )
        .into_response()
}

pub(super) async fn metrics(
    State(state): State<AppState>,
    agent: Agent<ReadTickets>,
    asked: Result<Query<MetricsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let asked = query(asked, "from_ms, to_ms, slice, format, table")?;
    let period = period(asked.from_ms, asked.to_ms)?;
    let data = state.store.report_data(&agent.site_id, period).await?;
    let keys = SliceKeys {
        product_areas: &state.config.alerts.product_areas,
    };
    let report = reports::metrics_report(&data, period, asked.slice, &keys);
    Ok(match (asked.format, asked.table) {
        (Format::Json, _) => Json(report).into_response(),
        (Format::Csv, MetricsTable::Slices) => csv(
            &format!("metrics-by-{}", crate::storage::enum_text(&asked.slice)),
            reports::csv::metrics_slices(&report),
        ),
        (Format::Csv, MetricsTable::Series) => {
            csv("metrics-series", reports::csv::metrics_series(&report))
        }
    })
}

pub(super) async fn review(
    State(state): State<AppState>,
    agent: Agent<ReadTickets>,
    asked: Result<Query<ReviewQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let asked = query(asked, "from_ms, to_ms, format, table")?;
    let period = period(asked.from_ms, asked.to_ms)?;
    let data = state.store.report_data(&agent.site_id, period).await?;
    let report = reports::review_report(&data, period);
    Ok(match (asked.format, asked.table) {
        (Format::Json, _) => Json(report).into_response(),
        (Format::Csv, ReviewTable::Triggers) => {
            csv("review-triggers", reports::csv::review_triggers(&report))
        }
        (Format::Csv, ReviewTable::Under) => {
            csv("review-under", reports::csv::review_under(&report))
        }
    })
}

pub(super) async fn replay(
    State(state): State<AppState>,
    agent: Agent<ManageKnowledge>,
    asked: Result<Query<ReplayQuery>, QueryRejection>,
    Json(body): Json<ReplayBody>,
) -> Result<Response, ApiError> {
    let asked = query(asked, "format")?;
    let period = period(body.from_ms, body.to_ms)?;
    let proposed = waymark_core::matrix::load_toml(&body.matrix).map_err(|err| {
        ApiError::new(
            ErrorCode::InvalidValue,
            format!("matrix: not a valid escalation matrix: {err}"),
        )
    })?;
    let site_id = agent.site_id.as_str();
    let current = crate::flow::site_matrix(&state.store, site_id).await?;
    let data = state.store.report_data(site_id, period).await?;
    let scope = reports::replay::ReplayScope {
        store: &state.store,
        config: &state.config,
        site_id,
        period,
    };
    let comparison = reports::replay::compare_matrices(scope, &data, &current, &proposed).await?;
    Ok(match asked.format {
        Format::Json => Json(comparison).into_response(),
        Format::Csv => csv("replay-changes", reports::csv::replay_changes(&comparison)),
    })
}
