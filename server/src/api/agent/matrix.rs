//! The site's escalation matrix, versioned: read the version in force, or put a
//! new one (TOML, validated before it is stored; earlier versions are kept).

use axum::extract::State;
use serde::Serialize;

use super::auth::{AdminSettings, Agent};
use crate::api::AppState;
use crate::api::error::{ApiError, ErrorCode};
use crate::api::json::Json;

/// A matrix version.
#[derive(Debug, Serialize)]
pub struct MatrixDto {
    /// Increasing per site; 0 means the built-in sample matrix is in force.
    version: i64,
    /// The matrix as TOML.
    source: String,
}

pub(super) async fn get_matrix(
    State(state): State<AppState>,
    agent: Agent<AdminSettings>,
) -> Result<Json<MatrixDto>, ApiError> {
    let site_id = agent.site_id.as_str();
    let dto = match state.store.site_matrix(site_id).await? {
        Some(stored) => MatrixDto {
            version: stored.version,
            source: stored.source,
        },
        None => MatrixDto {
            version: 0,
            source: crate::flow::DEFAULT_MATRIX.to_owned(),
        },
    };
    Ok(Json(dto))
}

pub(super) async fn put_matrix(
    State(state): State<AppState>,
    agent: Agent<AdminSettings>,
    source: String,
) -> Result<Json<MatrixDto>, ApiError> {
    let site_id = agent.site_id.as_str();
    waymark_core::matrix::load_toml(&source).map_err(|err| {
        ApiError::new(
            ErrorCode::InvalidValue,
            format!("the escalation matrix is invalid: {err}"),
        )
    })?;
    let version = state.store.put_site_matrix(site_id, &source).await?;
    tracing::info!(site = %site_id, version, "escalation matrix stored");
    Ok(Json(MatrixDto { version, source }))
}
