ALTER TABLE conversations ADD COLUMN account TEXT;
