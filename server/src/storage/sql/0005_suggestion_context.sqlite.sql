ALTER TABLE suggestions ADD COLUMN route TEXT;
ALTER TABLE suggestions ADD COLUMN fingerprint TEXT;
ALTER TABLE suggestions ADD COLUMN best_score REAL;
CREATE INDEX suggestions_by_time ON suggestions (site_id, at_ms);
