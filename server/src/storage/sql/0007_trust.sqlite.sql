-- Identity verification and what visitors may see, per site.
ALTER TABLE sites ADD COLUMN identity_secret TEXT;
ALTER TABLE sites ADD COLUMN identity_mode TEXT NOT NULL DEFAULT 'optional';
ALTER TABLE sites ADD COLUMN visitor_sources TEXT NOT NULL DEFAULT 'articles_and_fixes';

-- Secrets of this installation (derived conversation tokens, opaque answer ids,
-- salted client-address hashes). Not a site's: one row per purpose.
CREATE TABLE install_secrets (
    name TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);

-- Opaque answer ids given to visitors, mapped back to the document.
CREATE TABLE visitor_answers (
    site_id TEXT NOT NULL REFERENCES sites(site_id),
    public_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    PRIMARY KEY (site_id, public_id)
);

-- Who a session came from (a salted hash of the client address, never the
-- address) and the error fingerprint of an event, for volume rules.
ALTER TABLE sessions ADD COLUMN client_hash TEXT;
CREATE INDEX sessions_by_client ON sessions (site_id, client_hash, first_seen_ms);
ALTER TABLE events ADD COLUMN fingerprint TEXT;
CREATE INDEX events_by_fingerprint ON events (site_id, fingerprint, at_ms);

-- Idempotency keys expire: the purge reads them by age.
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (at_ms);

-- Answers stored for replayed starts and escalations held plaintext conversation
-- tokens (starts) and no caller or body check: they are dropped; a replay of
-- such a key is refused as expired.
DELETE FROM idempotency_keys WHERE scope = 'start' OR scope LIKE 'escalate:%';
