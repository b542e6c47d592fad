-- Private patch series: one ordered series per advisory and branch. The
-- patch text itself is an encrypted blob beside the database.

CREATE TABLE patches (
    advisory     TEXT NOT NULL REFERENCES advisories(id) ON DELETE CASCADE,
    branch       TEXT NOT NULL,
    position     INTEGER NOT NULL,
    blob         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    message      TEXT NOT NULL,
    author       TEXT NOT NULL,
    author_date  TEXT NOT NULL,
    patch_id     TEXT NOT NULL,
    files        TEXT NOT NULL DEFAULT '[]',
    size         INTEGER NOT NULL,
    added_at     TEXT NOT NULL,
    added_by     TEXT NOT NULL,
    PRIMARY KEY (advisory, branch, position)
) STRICT;

CREATE TABLE patch_checks (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    advisory     TEXT NOT NULL REFERENCES advisories(id) ON DELETE CASCADE,
    branch       TEXT NOT NULL,
    checked_at   TEXT NOT NULL,
    head         TEXT NOT NULL,
    series       TEXT NOT NULL,
    result       TEXT NOT NULL CHECK (result IN ('clean', 'conflict', 'tests-passed', 'tests-failed')),
    detail       TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX patch_checks_advisory ON patch_checks(advisory, branch, seq);
