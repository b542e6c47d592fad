-- The first version a vulnerability affects, when it came in after the oldest
-- branch the advisory names was opened: the affected ranges start there
-- instead of at the beginning of that branch's history.
ALTER TABLE advisories ADD COLUMN affected_from TEXT;
