CREATE TABLE jobs (
    seq BIGSERIAL PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    kind TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    run_at_ms BIGINT NOT NULL,
    lease_until_ms BIGINT,
    deadline_ms BIGINT NOT NULL,
    last_error TEXT,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    UNIQUE (site_id, dedupe_key)
);

CREATE INDEX jobs_due ON jobs (state, run_at_ms);

CREATE TABLE webhook_endpoints (
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    events TEXT NOT NULL DEFAULT '[]',
    options TEXT NOT NULL DEFAULT '{}',
    active BIGINT NOT NULL DEFAULT 1,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (site_id, id)
);

CREATE TABLE unsubscribes (
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    address TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    unsubscribed_at_ms BIGINT,
    PRIMARY KEY (site_id, token_hash)
);

CREATE INDEX unsubscribes_by_address ON unsubscribes (site_id, address);

CREATE TABLE alerts (
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    next_step TEXT NOT NULL,
    state TEXT NOT NULL,
    decided_by TEXT,
    decision_note TEXT,
    decided_at_ms BIGINT,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (site_id, id),
    UNIQUE (site_id, ticket_id, kind)
);

CREATE TABLE incidents (
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    opened_at_ms BIGINT NOT NULL,
    resolved_at_ms BIGINT,
    resolved_by TEXT,
    resolution_note TEXT,
    PRIMARY KEY (site_id, id)
);

CREATE INDEX incidents_by_fingerprint ON incidents (site_id, fingerprint, state);

CREATE TABLE incident_links (
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    incident_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    conversation_id TEXT,
    customer TEXT,
    linked_at_ms BIGINT NOT NULL,
    PRIMARY KEY (site_id, incident_id, session_id)
);
