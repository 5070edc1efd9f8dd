CREATE TABLE kb_drafts (
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    id TEXT NOT NULL,
    origin TEXT NOT NULL,
    title TEXT NOT NULL,
    body_markdown TEXT NOT NULL,
    product_area TEXT,
    routes TEXT NOT NULL DEFAULT '[]',
    errors TEXT NOT NULL DEFAULT '[]',
    generated TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '[]',
    evidence_count BIGINT NOT NULL DEFAULT 0,
    flags TEXT NOT NULL DEFAULT '[]',
    state TEXT NOT NULL,
    reason TEXT,
    article_id TEXT,
    edited BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    built_at_ms BIGINT NOT NULL,
    PRIMARY KEY (site_id, id)
);

CREATE INDEX kb_drafts_by_state ON kb_drafts (site_id, state, updated_at_ms);

CREATE TABLE kb_history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    subject TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);

CREATE INDEX kb_history_by_subject ON kb_history (site_id, subject, subject_id, seq);

CREATE TABLE kb_articles (
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    body_markdown TEXT NOT NULL,
    product_area TEXT,
    routes TEXT NOT NULL DEFAULT '[]',
    errors TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    draft_id TEXT,
    superseded_by TEXT,
    published_by TEXT NOT NULL,
    published_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    PRIMARY KEY (site_id, id)
);

CREATE TABLE kb_cluster_assignments (
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    ticket_id TEXT NOT NULL,
    cluster_id TEXT NOT NULL,
    PRIMARY KEY (site_id, ticket_id)
);

CREATE TABLE answer_opens (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    session_id TEXT NOT NULL,
    answer_id TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);

CREATE INDEX answer_opens_by_answer ON answer_opens (site_id, answer_id);
