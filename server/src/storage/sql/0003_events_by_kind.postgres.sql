CREATE INDEX events_by_kind ON events (site_id, kind, at_ms);
