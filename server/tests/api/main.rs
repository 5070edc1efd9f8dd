//! API tests of the server, in-process (no port), on SQLite and — when
//! `WAYMARK_TEST_POSTGRES` is set — on PostgreSQL too.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod access;
mod accounts;
mod agent_actions;
mod answers;
mod bad_input;
mod cli_user;
mod flow;
mod gaps;
mod harness;
mod idempotency;
mod identity;
mod ingest;
mod jobs;
mod knowledge_drafts;
mod knowledge_log;
mod live;
mod message_order;
mod metrics;
mod policy;
mod receivers;
mod reports;
mod scrubbing;
mod sites;
mod trail;
mod widget_settings;
mod workspace;
