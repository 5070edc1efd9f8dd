CREATE INDEX tickets_by_created ON tickets (site_id, created_at_ms);
CREATE INDEX conversations_by_session ON conversations (site_id, session_id);
CREATE INDEX suggestion_feedback_by_query ON suggestion_feedback (site_id, query_id, outcome);
