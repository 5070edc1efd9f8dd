-- Every write to the knowledge index, in commit order: each replica's index
-- follows this log (and an empty index is rebuilt from it).
CREATE TABLE knowledge_log (
    seq BIGSERIAL PRIMARY KEY,
    site_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
    document TEXT,
    at_ms BIGINT NOT NULL,
    CHECK ((op = 'upsert') = (document IS NOT NULL))
);

CREATE INDEX knowledge_log_doc ON knowledge_log (site_id, doc_id, seq);
