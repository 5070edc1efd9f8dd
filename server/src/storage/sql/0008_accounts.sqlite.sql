CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled_at_ms BIGINT,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until_ms BIGINT,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);

CREATE TABLE site_members (
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (site_id, user_id)
);

CREATE INDEX site_members_by_user ON site_members (user_id);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    label TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE user_sessions (
    session_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at_ms BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL
);

CREATE INDEX user_sessions_by_user ON user_sessions (user_id);

ALTER TABLE tickets ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

CREATE TABLE agent_requests (
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    user_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    result TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    PRIMARY KEY (site_id, user_id, idempotency_key)
);
