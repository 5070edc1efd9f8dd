//! Per-site integration endpoints: signed webhooks, Slack incoming webhooks,
//! Jira and Linear issue creation. The secret is write-only.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};

use super::auth::{AdminSettings, Agent};
use crate::api::AppState;
use crate::api::error::{ApiError, ErrorCode};
use crate::api::json::Json;
use crate::storage::jobs::{EndpointRecord, EventName, JobKind};
use crate::storage::now_ms;

/// An endpoint as agents see it (no secret).
#[derive(Debug, Serialize)]
pub struct EndpointDto {
    id: String,
    kind: JobKind,
    url: String,
    events: Vec<EventName>,
    options: serde_json::Map<String, serde_json::Value>,
    active: bool,
    created_at_ms: i64,
}

impl From<EndpointRecord> for EndpointDto {
    fn from(e: EndpointRecord) -> Self {
        Self {
            id: e.id,
            kind: e.kind,
            url: e.url,
            events: e.events,
            options: e.options,
            active: e.active,
            created_at_ms: e.created_at_ms,
        }
    }
}

/// A new or replaced endpoint.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointBody {
    /// `webhook`, `slack`, `jira` or `linear`.
    kind: Option<JobKind>,
    /// Where deliveries go (http or https).
    url: String,
    /// Signing secret (webhook) or API token (Jira, Linear); at least 16 characters for webhooks.
    #[serde(default)]
    secret: Option<String>,
    /// Events to receive; empty for all.
    #[serde(default)]
    events: Vec<EventName>,
    /// `project` and `issue_type` (Jira), `team_id` (Linear).
    #[serde(default)]
    options: serde_json::Map<String, serde_json::Value>,
    /// Whether deliveries are made (default true).
    #[serde(default)]
    active: Option<bool>,
}

fn check(body: &EndpointBody, kind: JobKind, secret: &str) -> Result<(), ApiError> {
    let invalid = |message: &str| Err(ApiError::new(ErrorCode::InvalidValue, message.to_owned()));
    let url: Result<url::Url, _> = body.url.parse();
    match url {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {}
        _ => return invalid("url must be an http or https URL"),
    }
    match kind {
        JobKind::Email => return invalid("kind must be webhook, slack, jira or linear"),
        JobKind::Webhook if secret.len() < 16 => {
            return invalid("secret must be at least 16 characters for a webhook");
        }
        JobKind::Jira if !body.options.contains_key("project") => {
            return invalid("options.project is required for jira");
        }
        JobKind::Linear if !body.options.contains_key("team_id") => {
            return invalid("options.team_id is required for linear");
        }
        _ => {}
    }
    Ok(())
}

pub(super) async fn list(
    State(state): State<AppState>,
    agent: Agent<AdminSettings>,
) -> Result<Json<Vec<EndpointDto>>, ApiError> {
    let endpoints = state.store.endpoints(&agent.site_id).await?;
    Ok(Json(endpoints.into_iter().map(EndpointDto::from).collect()))
}

pub(super) async fn create(
    State(state): State<AppState>,
    agent: Agent<AdminSettings>,
    Json(body): Json<EndpointBody>,
) -> Result<Json<EndpointDto>, ApiError> {
    let site_id = agent.site_id.as_str();
    let kind = body.kind.unwrap_or(JobKind::Webhook);
    let secret = body.secret.clone().unwrap_or_default();
    check(&body, kind, &secret)?;
    let endpoint = EndpointRecord {
        id: crate::flow::new_id("wh")?,
        kind,
        url: body.url,
        secret,
        events: body.events,
        options: body.options,
        active: body.active.unwrap_or(true),
        created_at_ms: now_ms(),
    };
    state.store.insert_endpoint(site_id, &endpoint).await?;
    Ok(Json(endpoint.into()))
}

pub(super) async fn update(
    State(state): State<AppState>,
    agent: Agent<AdminSettings>,
    Path((_, endpoint_id)): Path<(String, String)>,
    Json(body): Json<EndpointBody>,
) -> Result<Json<EndpointDto>, ApiError> {
    let site_id = agent.site_id.as_str();
    let existing = state
        .store
        .endpoint(site_id, &endpoint_id)
        .await?
        .ok_or_else(|| {
            ApiError::new(ErrorCode::NotFound, format!("no endpoint `{endpoint_id}`"))
        })?;
    if body.kind.is_some_and(|kind| kind != existing.kind) {
        return Err(ApiError::new(
            ErrorCode::InvalidValue,
            "kind cannot change: create a new endpoint",
        ));
    }
    let secret = body.secret.clone().unwrap_or(existing.secret.clone());
    check(&body, existing.kind, &secret)?;
    let endpoint = EndpointRecord {
        url: body.url,
        secret,
        events: body.events,
        options: body.options,
        active: body.active.unwrap_or(existing.active),
        ..existing
    };
    state.store.update_endpoint(site_id, &endpoint).await?;
    Ok(Json(endpoint.into()))
}
