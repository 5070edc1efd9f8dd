CREATE TABLE site_matrices (
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    version BIGINT NOT NULL,
    source TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (site_id, version)
);

CREATE TABLE conversations (
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    status TEXT NOT NULL,
    customer_id TEXT,
    customer_name TEXT,
    customer_email TEXT,
    page TEXT,
    rule TEXT,
    rejected_answers TEXT NOT NULL DEFAULT '[]',
    notice TEXT,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    PRIMARY KEY (site_id, id),
    UNIQUE (site_id, idempotency_key)
);

CREATE TABLE messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    conversation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    idempotency_key TEXT,
    author TEXT NOT NULL,
    author_name TEXT,
    text TEXT NOT NULL,
    sentiment REAL,
    at_ms BIGINT NOT NULL,
    UNIQUE (site_id, id),
    UNIQUE (site_id, conversation_id, idempotency_key)
);

CREATE INDEX messages_by_conversation ON messages (site_id, conversation_id, seq);

CREATE TABLE tickets (
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    state TEXT NOT NULL,
    tier TEXT NOT NULL,
    team TEXT,
    owner TEXT,
    collaborators TEXT NOT NULL DEFAULT '[]',
    priority TEXT NOT NULL,
    escalation_type TEXT,
    stage TEXT NOT NULL,
    subject TEXT NOT NULL,
    escalated BIGINT NOT NULL DEFAULT 0,
    at_tier_since_ms BIGINT NOT NULL,
    ack_due_ms BIGINT,
    acknowledged_at_ms BIGINT,
    resolution_due_ms BIGINT,
    resolved_at_ms BIGINT,
    resolution TEXT,
    fired_rules TEXT NOT NULL DEFAULT '[]',
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    PRIMARY KEY (site_id, id),
    UNIQUE (site_id, conversation_id)
);

CREATE TABLE ticket_trail (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    ticket_id TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);

CREATE INDEX ticket_trail_by_ticket ON ticket_trail (site_id, ticket_id, seq);

CREATE TABLE handoff_notes (
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    ticket_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    source TEXT NOT NULL,
    note TEXT NOT NULL,
    author TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    PRIMARY KEY (site_id, ticket_id, version)
);

CREATE TABLE suggestions (
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    query_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    query TEXT NOT NULL,
    answers TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    PRIMARY KEY (site_id, query_id)
);

CREATE TABLE suggestion_feedback (
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    idempotency_key TEXT NOT NULL,
    session_id TEXT NOT NULL,
    query_id TEXT NOT NULL,
    answer_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    PRIMARY KEY (site_id, idempotency_key)
);

CREATE TABLE csat (
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    conversation_id TEXT NOT NULL,
    ticket_id TEXT,
    idempotency_key TEXT NOT NULL,
    score BIGINT NOT NULL,
    comment TEXT,
    at_ms BIGINT NOT NULL,
    PRIMARY KEY (site_id, conversation_id)
);

CREATE TABLE idempotency_keys (
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    response TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    PRIMARY KEY (site_id, scope, key)
);
