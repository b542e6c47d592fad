-- Every table names its rows by a primary key: the store's journal records
-- the rows a commit changed by their key (SQLite's session extension leaves
-- a table without one out), and the team log merges rows by it. A former
-- member is one removal: their name, their signing key and when.

CREATE TABLE former_members_keyed (
    name         TEXT NOT NULL,
    recipient    TEXT,
    signing_key  TEXT NOT NULL,
    role         TEXT NOT NULL,
    removed_at   TEXT NOT NULL,
    removed_by   TEXT NOT NULL,
    external     INTEGER NOT NULL DEFAULT 0 CHECK (external IN (0, 1)),
    PRIMARY KEY (name, signing_key, removed_at)
) STRICT, WITHOUT ROWID;

INSERT OR IGNORE INTO former_members_keyed (name, recipient, signing_key, role, removed_at, removed_by, external)
    SELECT name, recipient, signing_key, role, removed_at, removed_by, external FROM former_members;
DROP TABLE former_members;
ALTER TABLE former_members_keyed RENAME TO former_members;
