//! The job runner's surface: the routes of alerts, incidents, webhook endpoints
//! and outbox jobs (deliveries with their dead letters and manual redelivery),
//! and the unsubscribe link of emails.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use serde::{Deserialize, Serialize};

use super::auth::{AdminSettings, Agent};
use super::{alerts, incidents, webhooks};
use crate::api::error::{ApiError, ErrorCode};
use crate::api::json::Json;
use crate::api::{AppState, RouteTable, Verb};
use crate::storage::jobs::{JobCounts, JobId, JobKind, JobRecord, JobState};
use crate::storage::now_ms;

/// The routes of this module (full paths) and their router.
pub fn routes() -> (Router<AppState>, Vec<(Verb, &'static str)>) {
    RouteTable::default()
        .add(Verb::Get, "/api/v1/sites/{site_id}/jobs", list_jobs)
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/jobs/{job_id}/redeliver",
            redeliver,
        )
        .add(
            Verb::Get,
            "/api/v1/sites/{site_id}/webhooks",
            webhooks::list,
        )
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/webhooks",
            webhooks::create,
        )
        .add(
            Verb::Put,
            "/api/v1/sites/{site_id}/webhooks/{endpoint_id}",
            webhooks::update,
        )
        .add(Verb::Get, "/api/v1/sites/{site_id}/alerts", alerts::list)
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/alerts/{alert_id}/decision",
            alerts::decide,
        )
        .add(
            Verb::Get,
            "/api/v1/sites/{site_id}/incidents",
            incidents::list,
        )
        .add(
            Verb::Get,
            "/api/v1/sites/{site_id}/incidents/{incident_id}",
            incidents::detail,
        )
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/incidents/{incident_id}/resolve",
            incidents::resolve,
        )
        .add(Verb::Get, "/api/v1/unsubscribe/{token}", unsubscribe_page)
        .add(Verb::Post, "/api/v1/unsubscribe/{token}", unsubscribe)
        .finish()
}

/// A job as agents see it.
#[derive(Debug, Serialize)]
pub struct JobDto {
    id: i64,
    kind: JobKind,
    state: JobState,
    attempts: i64,
    run_at_ms: i64,
    deadline_ms: i64,
    last_error: Option<String>,
    event: Option<String>,
    endpoint: Option<String>,
    to: Option<String>,
    created_at_ms: i64,
    updated_at_ms: i64,
}

impl From<JobRecord> for JobDto {
    fn from(job: JobRecord) -> Self {
        let text = |key: &str| {
            job.payload
                .get(key)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        Self {
            id: job.id.0,
            kind: job.kind,
            state: job.state,
            attempts: job.attempts,
            run_at_ms: job.run_at_ms,
            deadline_ms: job.deadline_ms,
            last_error: job.last_error.clone(),
            event: text("event"),
            endpoint: text("endpoint"),
            to: text("to"),
            created_at_ms: job.created_at_ms,
            updated_at_ms: job.updated_at_ms,
        }
    }
}

/// The job list with counts over every site.
#[derive(Debug, Serialize)]
pub struct JobsDto {
    counts: JobCounts,
    jobs: Vec<JobDto>,
}

/// `?state=dead` lists the dead letters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobsQuery {
    #[serde(default)]
    state: Option<JobState>,
}

async fn list_jobs(
    State(state): State<AppState>,
    agent: Agent<AdminSettings>,
    Query(query): Query<JobsQuery>,
) -> Result<Json<JobsDto>, ApiError> {
    let site_id = agent.site_id.as_str();
    let jobs = state.store.jobs(site_id, query.state, 500).await?;
    Ok(Json(JobsDto {
        counts: state.store.job_counts().await?,
        jobs: jobs.into_iter().map(JobDto::from).collect(),
    }))
}

async fn redeliver(
    State(state): State<AppState>,
    agent: Agent<AdminSettings>,
    Path((_, job_id)): Path<(String, i64)>,
) -> Result<Json<JobDto>, ApiError> {
    let site_id = agent.site_id.as_str();
    let id = JobId(job_id);
    let job = state
        .store
        .job(site_id, id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no job `{job_id}`")))?;
    if !state.store.redeliver_job(site_id, id, now_ms()).await? {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "job `{job_id}` is {:?}: only dead or delivered jobs are redelivered",
                job.state
            ),
        ));
    }
    let job = state.store.job(site_id, id).await?.unwrap_or(job);
    Ok(Json(job.into()))
}

async fn unsubscribe_page(Path(token): Path<String>) -> Html<String> {
    let token: String = token.chars().filter(char::is_ascii_alphanumeric).collect();
    Html(format!(
        "<!doctype html><meta charset=utf-8><title>Unsubscribe</title>\
         <form method=post action=\"/api/v1/unsubscribe/{token}\">\
         <p>Stop receiving emails about your support requests?</p>\
         <button type=submit>Unsubscribe</button></form>"
    ))
}

/// What an unsubscribe did.
#[derive(Debug, Serialize)]
pub struct UnsubscribedDto {
    unsubscribed: bool,
}

async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<UnsubscribedDto>, ApiError> {
    let hash = crate::flow::hash_token(&token);
    match state.store.unsubscribe(&hash, now_ms()).await? {
        Some(_) => Ok(Json(UnsubscribedDto { unsubscribed: true })),
        None => Err(ApiError::new(
            ErrorCode::NotFound,
            "unknown or expired unsubscribe link",
        )),
    }
}
