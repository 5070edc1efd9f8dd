//! `GET /config`, `POST /suggest` (thin over `knowledge`), `GET /answers/{id}` (an
//! answer opened in the panel) and `POST /suggest/feedback` (what was shown and
//! whether it helped: deflection).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use waymark_core::wire::{
    AnswerDetail, SiteConfig, SuggestFeedback, SuggestRequest, SuggestResponse,
};

use super::fields::Bounded;
use super::{SiteKey, authorize_site};
use crate::api::AppState;
use crate::api::error::ApiError;
use crate::api::json::Json;
use crate::flow::site_matrix;
use crate::flow::suggest as flow;
use crate::storage::now_ms;

pub(super) async fn site_config(
    State(state): State<AppState>,
    key: SiteKey,
    headers: HeaderMap,
) -> Result<Json<SiteConfig>, ApiError> {
    let site = authorize_site(&state, &key, &headers).await?;
    let matrix = site_matrix(&state.store, &site.id).await?;
    let settings = crate::api::agent::widget_settings::stored(&state, &site.id).await?;
    Ok(Json(SiteConfig {
        v: waymark_core::wire::PROTOCOL_VERSION,
        theme: settings.theme(),
        privacy: settings.privacy(),
        error_pages: settings.error_pages,
        signals: settings.signals,
        proactive_rules: matrix.proactive_rules(),
        locale: settings.locale,
        ..SiteConfig::default()
    }))
}

pub(super) async fn suggest(
    State(state): State<AppState>,
    key: SiteKey,
    headers: HeaderMap,
    Json(request): Json<SuggestRequest>,
) -> Result<Json<SuggestResponse>, ApiError> {
    request.check_bounds()?;
    let site = authorize_site(&state, &key, &headers).await?;
    let response = flow::suggest(
        &state.store,
        state.knowledge.as_deref(),
        &site.id,
        &request,
        now_ms(),
    )
    .await?;
    Ok(Json(response))
}

pub(super) async fn answer(
    State(state): State<AppState>,
    key: SiteKey,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<AnswerDetail>, ApiError> {
    let site = authorize_site(&state, &key, &headers).await?;
    Ok(Json(
        crate::flow::visitors::answer_detail(
            &state.store,
            state.knowledge.as_deref(),
            &site.id,
            &id,
        )
        .await?,
    ))
}

pub(super) async fn feedback(
    State(state): State<AppState>,
    key: SiteKey,
    headers: HeaderMap,
    Json(request): Json<SuggestFeedback>,
) -> Result<StatusCode, ApiError> {
    request.check_bounds()?;
    let site = authorize_site(&state, &key, &headers).await?;
    flow::feedback(&state.store, &site.id, &request, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}
