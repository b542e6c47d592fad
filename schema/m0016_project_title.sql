-- The name people know a project by ("AI (Artificial Intelligence)"), which
-- the SA shows as its Project and in its title; the store's project name stays
-- its key.
ALTER TABLE projects ADD COLUMN title TEXT;
