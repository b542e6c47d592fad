-- After the disclosure: amendments of a published advisory, the CVE record
-- duty, and the emergency path when a fix leaked or is exploited.

CREATE TABLE advisory_revisions (
    advisory  TEXT NOT NULL REFERENCES advisories(id) ON DELETE CASCADE,
    number    INTEGER NOT NULL CHECK (number >= 2),
    at        TEXT NOT NULL,
    by        TEXT NOT NULL,
    reason    TEXT NOT NULL,
    changed   TEXT NOT NULL,
    PRIMARY KEY (advisory, number)
) STRICT;

CREATE TABLE cve_duties (
    advisory      TEXT PRIMARY KEY NOT NULL REFERENCES advisories(id) ON DELETE CASCADE,
    state         TEXT NOT NULL CHECK (state IN ('requested', 'reserved', 'published')),
    requested_at  TEXT,
    requested_to  TEXT,
    reserved_at   TEXT,
    published_at  TEXT,
    url           TEXT
) STRICT;

CREATE TABLE emergencies (
    advisory  TEXT PRIMARY KEY NOT NULL REFERENCES advisories(id) ON DELETE CASCADE,
    at        TEXT NOT NULL,
    by        TEXT NOT NULL,
    reason    TEXT NOT NULL
) STRICT;

-- An advisory imported from OSV keeps the record's id, its publication time
-- and its affected ranges as given, instead of recomputing them from tags.
CREATE TABLE imported_osv (
    advisory   TEXT PRIMARY KEY NOT NULL REFERENCES advisories(id) ON DELETE CASCADE,
    osv_id     TEXT NOT NULL UNIQUE,
    published  TEXT,
    modified   TEXT NOT NULL
) STRICT;

CREATE TABLE imported_ranges (
    advisory    TEXT NOT NULL REFERENCES advisories(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    introduced  TEXT,
    fixed       TEXT NOT NULL,
    PRIMARY KEY (advisory, position)
) STRICT;
