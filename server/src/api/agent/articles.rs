//! Articles: the performance table (shown, opened, solved it, escalated after;
//! sortable), one article with its rendered body, figures and history, and taking
//! an article down or marking it superseded (`ManageKnowledge`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use waymark_core::markdown;

use super::auth::{Agent, ManageKnowledge, ReadTickets};
use super::drafts::actor;
use crate::api::AppState;
use crate::api::error::{ApiError, ErrorCode};
use crate::api::json::Json;
use crate::flow::knowledge::{self as flow, PerformanceSort, review};
use crate::storage::knowledge::{
    ArticleCounters, ArticleRecord, ArticleStatus, HistoryEntry, Subject,
};

/// The article named in a path.
#[derive(Debug, Deserialize)]
pub(super) struct ArticlePath {
    article_id: String,
}

/// One article whole.
#[derive(Debug, Serialize)]
pub(super) struct ArticleDto {
    id: String,
    title: String,
    body_markdown: String,
    body_html: String,
    product_area: Option<String>,
    routes: Vec<String>,
    errors: Vec<String>,
    status: ArticleStatus,
    version: i64,
    draft_id: Option<String>,
    superseded_by: Option<String>,
    published_by: String,
    published_at_ms: i64,
    updated_at_ms: i64,
    counters: ArticleCounters,
    history: Vec<HistoryEntry>,
}

pub(super) async fn article_dto(
    state: &AppState,
    site_id: &str,
    article: &ArticleRecord,
) -> Result<ArticleDto, ApiError> {
    Ok(ArticleDto {
        id: article.id.clone(),
        title: article.title.clone(),
        body_markdown: article.body_markdown.clone(),
        body_html: markdown::render_html(&article.body_markdown),
        product_area: article.product_area.clone(),
        routes: article.routes.clone(),
        errors: article.errors.clone(),
        status: article.status,
        version: article.version,
        draft_id: article.draft_id.clone(),
        superseded_by: article.superseded_by.clone(),
        published_by: article.published_by.clone(),
        published_at_ms: article.published_at_ms,
        updated_at_ms: article.updated_at_ms,
        counters: state.store.article_counters(site_id, &article.id).await?,
        history: state
            .store
            .knowledge_history(site_id, Subject::Article, &article.id)
            .await?,
    })
}

/// Order of the performance table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PerformanceQuery {
    sort: Option<String>,
    order: Option<String>,
}

pub(super) async fn performance(
    State(state): State<AppState>,
    agent: Agent<ReadTickets>,
    query: Result<Query<PerformanceQuery>, QueryRejection>,
) -> Result<Json<Vec<flow::ArticlePerformance>>, ApiError> {
    let Query(query) = query.map_err(|rejection| {
        ApiError::new(
            ErrorCode::InvalidValue,
            format!(
                "query string: {} (expected sort, order)",
                rejection.body_text()
            ),
        )
    })?;
    let sort = match query.sort.as_deref() {
        None => PerformanceSort::default(),
        Some(name) => PerformanceSort::parse(name).ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidValue,
                format!(
                    "sort must be shown, opened, solved, escalated_after, escalation_rate, published or title, got `{name}`"
                ),
            )
        })?,
    };
    let ascending = match query.order.as_deref() {
        None | Some("desc") => false,
        Some("asc") => true,
        Some(other) => {
            return Err(ApiError::new(
                ErrorCode::InvalidValue,
                format!("order must be asc or desc, got `{other}`"),
            ));
        }
    };
    let rows = flow::article_performance(
        &state.store,
        state.knowledge.as_deref(),
        &agent.site_id,
        sort,
        ascending,
    )
    .await?;
    Ok(Json(rows))
}

pub(super) async fn get(
    State(state): State<AppState>,
    agent: Agent<ReadTickets>,
    Path(ArticlePath { article_id }): Path<ArticlePath>,
) -> Result<Json<ArticleDto>, ApiError> {
    let article = state
        .store
        .article(&agent.site_id, &article_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no article `{article_id}`")))?;
    Ok(Json(article_dto(&state, &agent.site_id, &article).await?))
}

/// Why an article is taken down.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct UnpublishBody {
    reason: Option<String>,
}

pub(super) async fn unpublish(
    State(state): State<AppState>,
    agent: Agent<ManageKnowledge>,
    Path(ArticlePath { article_id }): Path<ArticlePath>,
    Json(body): Json<UnpublishBody>,
) -> Result<Json<ArticleDto>, ApiError> {
    let article = review::unpublish(
        &state.store,
        state.knowledge.as_deref(),
        &agent.site_id,
        &article_id,
        body.reason.as_deref(),
        actor(&agent),
    )
    .await?;
    Ok(Json(article_dto(&state, &agent.site_id, &article).await?))
}

/// The article that replaces this one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SupersedeBody {
    by: String,
}

pub(super) async fn supersede(
    State(state): State<AppState>,
    agent: Agent<ManageKnowledge>,
    Path(ArticlePath { article_id }): Path<ArticlePath>,
    Json(body): Json<SupersedeBody>,
) -> Result<Json<ArticleDto>, ApiError> {
    let article = review::supersede(
        &state.store,
        state.knowledge.as_deref(),
        &agent.site_id,
        &article_id,
        body.by.trim(),
        actor(&agent),
    )
    .await?;
    Ok(Json(article_dto(&state, &agent.site_id, &article).await?))
}
