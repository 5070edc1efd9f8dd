ALTER TABLE sites ADD COLUMN widget_settings TEXT;
