//! The agent API under `/api/v1`: sessions, the queue and ticket actions, site
//! settings, and the console's login. Every site route takes the [`auth::Agent`]
//! extractor (a user's API token or console session, membership of the path's
//! site, the role's permission); request bodies are strict (unknown fields are
//! refused).
//!
//! - [`auth`]: the extractor.
//! - [`requests`]: `Idempotency-Key` and `If-Match` of agent actions.
//! - [`account`]: login, logout, who am I, password change, my sites.
//! - [`sessions`]: sessions and page trails.
//! - [`tickets`]: the queue (views, filters, counts, cursor pages), ticket detail and actions.
//! - [`workspace`]: internal notes, assignment, removing collaborators.
//! - [`stream`]: the site's live changes as Server-Sent Events, for the console.
//! - [`matrix`]: the site's versioned escalation matrix.
//! - [`answers`]: similar resolved tickets and likely answers for a ticket.
//! - [`knowledge`]: suggestion sets with their verdicts (deflection), knowledge gaps.
//! - [`drafts`]: article drafts: list, read, evidence, build, edit, review, publish, reject.
//! - [`articles`]: article performance, one article, unpublish, supersede.
//! - [`widget_settings`]: theme, privacy, error pages, signals and strings of the widget.
//! - [`reports`]: escalation metrics, the over-/under-triggering review, matrix replay.
//! - [`jobs`]: outbox jobs and dead letters, and the routes of [`alerts`],
//!   [`incidents`] and [`webhooks`] (endpoints of signed webhooks, Slack, Jira, Linear).

pub mod account;
pub mod alerts;
pub mod answers;
pub mod articles;
pub mod auth;
pub mod drafts;
pub mod incidents;
pub mod jobs;
pub mod knowledge;
pub mod matrix;
pub mod reports;
pub mod requests;
pub mod sessions;
pub mod stream;
pub mod tickets;
pub mod webhooks;
pub mod widget_settings;
pub mod workspace;

use axum::Router;

use super::{AppState, RouteTable, Verb};

/// The agent routes (full paths) and the router serving them.
pub fn routes() -> (Router<AppState>, Vec<(Verb, &'static str)>) {
    RouteTable::default()
        .add(Verb::Post, "/api/v1/auth/login", account::login)
        .add(Verb::Get, "/api/v1/auth/me", account::me)
        .add(Verb::Post, "/api/v1/auth/logout", account::logout)
        .add(
            Verb::Post,
            "/api/v1/auth/password",
            account::change_password,
        )
        .add(Verb::Get, "/api/v1/sites", account::sites)
        .add(
            Verb::Get,
            "/api/v1/sites/{site_id}/members",
            account::members,
        )
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
            "/api/v1/sites/{site_id}/knowledge/drafts",
            drafts::list,
        )
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/knowledge/drafts/build",
            drafts::build_now,
        )
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/knowledge/drafts/from-ticket",
            drafts::from_ticket,
        )
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/knowledge/drafts/from-gap",
            drafts::from_gap,
        )
        .add(
            Verb::Get,
            "/api/v1/sites/{site_id}/knowledge/drafts/{draft_id}",
            drafts::get,
        )
        .add(
            Verb::Put,
            "/api/v1/sites/{site_id}/knowledge/drafts/{draft_id}",
            drafts::edit,
        )
        .add(
            Verb::Get,
            "/api/v1/sites/{site_id}/knowledge/drafts/{draft_id}/evidence",
            drafts::evidence,
        )
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/knowledge/drafts/{draft_id}/review",
            drafts::start_review,
        )
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/knowledge/drafts/{draft_id}/publish",
            drafts::publish,
        )
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/knowledge/drafts/{draft_id}/reject",
            drafts::reject,
        )
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/knowledge/preview",
            drafts::preview,
        )
        .add(
            Verb::Get,
            "/api/v1/sites/{site_id}/knowledge/articles",
            articles::performance,
        )
        .add(
            Verb::Get,
            "/api/v1/sites/{site_id}/knowledge/articles/{article_id}",
            articles::get,
        )
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/knowledge/articles/{article_id}/unpublish",
            articles::unpublish,
        )
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/knowledge/articles/{article_id}/supersede",
            articles::supersede,
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
            "/api/v1/sites/{site_id}/tickets/counts",
            tickets::queue_counts,
        )
        .add(
            Verb::Get,
            "/api/v1/sites/{site_id}/stream",
            stream::site_stream,
        )
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
            Verb::Delete,
            "/api/v1/sites/{site_id}/tickets/{ticket_id}/collaborators/{collaborator}",
            workspace::remove_collaborator,
        )
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/tickets/{ticket_id}/notes",
            workspace::internal_note,
        )
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/tickets/{ticket_id}/assign",
            workspace::assign,
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
        .add(
            Verb::Get,
            "/api/v1/sites/{site_id}/reports/metrics",
            reports::metrics,
        )
        .add(
            Verb::Get,
            "/api/v1/sites/{site_id}/reports/review",
            reports::review,
        )
        .add(
            Verb::Post,
            "/api/v1/sites/{site_id}/reports/replay",
            reports::replay,
        )
        .finish()
}

/// The ticket named in a path (`…/tickets/{ticket_id}…`).
#[derive(Debug, serde::Deserialize)]
pub(crate) struct TicketPath {
    pub(crate) ticket_id: String,
}

/// The session named in a path (`…/sessions/{session_id}…`).
#[derive(Debug, serde::Deserialize)]
pub(crate) struct SessionPath {
    session_id: String,
}
