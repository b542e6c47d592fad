-- External approvers: members who may approve with their signing key but hold
-- no age recipient, so the data key is never wrapped for them. SQLite cannot
-- relax a NOT NULL column in place, so the table is rebuilt.

CREATE TABLE members_new (
    name         TEXT PRIMARY KEY NOT NULL,
    recipient    TEXT UNIQUE,
    signing_key  TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'preparer', 'qa', 'publisher', 'security')),
    added_at     TEXT NOT NULL,
    added_by     TEXT,
    external     INTEGER NOT NULL DEFAULT 0 CHECK (external IN (0, 1)),
    CHECK ((external = 1 AND recipient IS NULL AND role = 'security') OR (external = 0 AND recipient IS NOT NULL))
) STRICT;

INSERT INTO members_new (name, recipient, signing_key, role, added_at, added_by)
    SELECT name, recipient, signing_key, role, added_at, added_by FROM members;
DROP TABLE members;
ALTER TABLE members_new RENAME TO members;

CREATE TABLE former_members_new (
    name         TEXT NOT NULL,
    recipient    TEXT,
    signing_key  TEXT NOT NULL,
    role         TEXT NOT NULL,
    removed_at   TEXT NOT NULL,
    removed_by   TEXT NOT NULL,
    external     INTEGER NOT NULL DEFAULT 0 CHECK (external IN (0, 1))
) STRICT;

INSERT INTO former_members_new (name, recipient, signing_key, role, removed_at, removed_by)
    SELECT name, recipient, signing_key, role, removed_at, removed_by FROM former_members;
DROP TABLE former_members;
ALTER TABLE former_members_new RENAME TO former_members;
