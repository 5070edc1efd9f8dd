//! The site's escalation matrix, versioned: read the version in force, or put a
//! new one (TOML, validated before it is stored; earlier versions are kept).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde::Serialize;

use super::{authorize, ensure_site};
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
    Path(site_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<MatrixDto>, ApiError> {
    authorize(&state, &headers)?;
    ensure_site(&state, &site_id).await?;
    let dto = match state.store.site_matrix(&site_id).await? {
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
    Path(site_id): Path<String>,
    headers: HeaderMap,
    source: String,
) -> Result<Json<MatrixDto>, ApiError> {
    authorize(&state, &headers)?;
    ensure_site(&state, &site_id).await?;
    waymark_core::matrix::load_toml(&source).map_err(|err| {
        ApiError::new(
            ErrorCode::InvalidValue,
            format!("the escalation matrix is invalid: {err}"),
        )
    })?;
    let version = state.store.put_site_matrix(&site_id, &source).await?;
    tracing::info!(site = %site_id, version, "escalation matrix stored");
    Ok(Json(MatrixDto { version, source }))
}
