-- The people credited in release notes and the organization each one's
-- credits go to: the credits file the team keeps ('embargo people import
-- FILE') or one person at a time ('embargo people set USER --org ORG').
-- drupal.org usernames are case-insensitive, so a person is keyed by the
-- lowercased username (`key`) and keeps the spelling given (`username`).

CREATE TABLE people (
    key           TEXT PRIMARY KEY NOT NULL CHECK (key <> ''),
    username      TEXT NOT NULL CHECK (username <> ''),
    organization  TEXT CHECK (organization IS NULL OR organization <> ''),
    display_name  TEXT CHECK (display_name IS NULL OR display_name <> ''),
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL
) STRICT, WITHOUT ROWID;
