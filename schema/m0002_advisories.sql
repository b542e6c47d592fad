-- Advisories, their timeline and a full-text index, all inside the sealed store.

CREATE TABLE advisories (
    id                  TEXT PRIMARY KEY NOT NULL,
    year                INTEGER NOT NULL,
    seq                 INTEGER NOT NULL,
    project             TEXT NOT NULL REFERENCES projects(name) ON UPDATE CASCADE,
    status              TEXT NOT NULL CHECK (status IN ('draft', 'confirmed', 'fixing', 'ready', 'prereleased',
                                                        'approved', 'published', 'withdrawn')),
    private_title       TEXT NOT NULL,
    public_title        TEXT,
    vulnerability_type  TEXT,
    description         TEXT,
    solution            TEXT,
    branches            TEXT NOT NULL DEFAULT '[]',   -- JSON array of branch names
    cwes                TEXT NOT NULL DEFAULT '[]',   -- JSON array of integers
    reporters           TEXT NOT NULL DEFAULT '[]',   -- JSON array of {name, contact}
    reported_at         TEXT,
    fixers              TEXT NOT NULL DEFAULT '[]',
    coordinators        TEXT NOT NULL DEFAULT '[]',
    credits             TEXT NOT NULL DEFAULT '[]',   -- JSON array of {name, contact, type}
    sa_id               TEXT,
    cve_id              TEXT,
    ghsa_id             TEXT,
    reference_urls      TEXT NOT NULL DEFAULT '[]',   -- JSON array of URLs
    risk_vector         TEXT,
    cvss31_vector       TEXT,
    cvss40_vector       TEXT,
    disclosure_at       TEXT,
    created_at          TEXT NOT NULL,
    created_by          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (year, seq)
) STRICT;

CREATE INDEX advisories_project ON advisories(project, status);

CREATE TABLE timeline (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    advisory   TEXT NOT NULL REFERENCES advisories(id) ON DELETE CASCADE,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    summary    TEXT NOT NULL,
    detail     TEXT
) STRICT;

CREATE INDEX timeline_advisory ON timeline(advisory, seq);

CREATE VIRTUAL TABLE advisory_search USING fts5(
    id UNINDEXED, private_title, public_title, vulnerability_type, description, people, external_ids,
    tokenize = 'unicode61 remove_diacritics 2'
);
