CREATE TABLE sites (
    site_id TEXT PRIMARY KEY,
    public_key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    allowed_origins TEXT NOT NULL DEFAULT '[]',
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE sessions (
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    id TEXT NOT NULL,
    first_seen_ms BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL,
    PRIMARY KEY (site_id, id)
);

CREATE TABLE events (
    seq BIGSERIAL PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    session_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    received_ms BIGINT NOT NULL,
    kind TEXT NOT NULL,
    route TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (site_id, session_id, client_id)
);

CREATE INDEX events_by_session ON events (site_id, session_id, at_ms);
