//! The agent API under `/api/v1`: sessions, the queue and ticket actions. Every
//! call carries `Authorization: Bearer <auth.api_token>`; request bodies are
//! strict (unknown fields are refused).
//!
//! - [`sessions`]: sessions and page trails.
//! - [`tickets`]: the queue, ticket detail and actions.
//! - [`matrix`]: the site's versioned escalation matrix.
//! - [`answers`]: similar resolved tickets and likely answers for a ticket.
//! - [`knowledge`]: suggestion sets with their verdicts (deflection), knowledge gaps.
//! - [`widget_settings`]: theme, privacy, error pages, signals and strings of the widget.

pub mod answers;
pub mod knowledge;
pub mod matrix;
pub mod sessions;
pub mod tickets;
pub mod widget_settings;

use axum::Router;
use axum::http::{HeaderMap, header};

use super::error::{ApiError, ErrorCode};
use super::{AppState, RouteTable, Verb};

/// The agent routes (full paths) and the router serving them.
pub fn routes() -> (Router<AppState>, Vec<(Verb, &'static str)>) {
    RouteTable::default()
        .add(
            Verb::Get,
            "/api/v1/sites/{site_id}/sessions",
            sessions::list_sessions,
        )
        .add(
            Verb::Get,
            "/api/v1/sites/{site_id}/sessions/{session_id}/events",
            sessions::session_events,
        )
        .add(
            Verb::Get,
            "/api/v1/sites/{site_id}/sessions/{session_id}/suggestions",
            knowledge::session_suggestions,
        )
        .add(
            Verb::Get,
            "/api/v1/sites/{site_id}/knowledge/gaps",
            knowledge::gaps,
        )
        .add(
            Verb::Get,
            "/api/v1/sites/{site_id}/matrix",
            matrix::get_matrix,
        )
        .add(
            Verb::Put,
            "/api/v1/sites/{site_id}/matrix",
            matrix::put_matrix,
        )
        .add(
            Verb::Get,
            "/api/v1/sites/{site_id}/widget-settings",
            widget_settings::get_settings,
        )
        .add(
            Verb::Put,
            "/api/v1/sites/{site_id}/widget-settings",
            widget_settings::put_settings,
        )
        .add(Verb::Get, "/api/v1/sites/{site_id}/tickets", tickets::queue)
        .add(
            Verb::Get,
            "/api/v1/sites/{site_id}/tickets/{ticket_id}",
            tickets::detail,
        )
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/tickets/{ticket_id}/acknowledge",
            tickets::acknowledge,
        )
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/tickets/{ticket_id}/reply",
            tickets::reply,
        )
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/tickets/{ticket_id}/escalate",
            tickets::escalate,
        )
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/tickets/{ticket_id}/transfer",
            tickets::transfer,
        )
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/tickets/{ticket_id}/collaborators",
            tickets::add_collaborator,
        )
        .add(
            Verb::Put,
            "/api/v1/sites/{site_id}/tickets/{ticket_id}/handoff-note",
            tickets::confirm_note,
        )
        .add(
            Verb::Get,
            "/api/v1/sites/{site_id}/tickets/{ticket_id}/resolution",
            tickets::suggested_resolution,
        )
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/tickets/{ticket_id}/resolve",
            tickets::resolve,
        )
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/tickets/{ticket_id}/reopen",
            tickets::reopen,
        )
        .add(
            Verb::Get,
            "/api/v1/sites/{site_id}/tickets/{ticket_id}/answers",
            answers::ticket_answers,
        )
        .finish()
}

pub(crate) fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let expected = state.config.auth.api_token.as_deref().ok_or_else(|| {
        ApiError::new(
            ErrorCode::Unauthorized,
            "the agent API is disabled: set auth.api_token (WAYMARK_API_TOKEN)",
        )
    })?;
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Unauthorized,
                "missing `Authorization: Bearer <token>` header",
            )
        })?;
    if constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::Unauthorized,
            "the bearer token is not valid",
        ))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) async fn ensure_site(state: &AppState, site_id: &str) -> Result<(), ApiError> {
    match state.store.site(site_id).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::new(
            ErrorCode::NotFound,
            format!("no site `{site_id}`"),
        )),
    }
}
