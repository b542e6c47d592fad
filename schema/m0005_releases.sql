-- Pre-releases (the bundle the security team reviews), approvals bound to a
-- pre-release, the publication journal, and project release settings.

ALTER TABLE projects ADD COLUMN required_paths TEXT NOT NULL DEFAULT '[]';
ALTER TABLE projects ADD COLUMN committer TEXT;

CREATE TABLE prereleases (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    advisory      TEXT NOT NULL REFERENCES advisories(id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    manifest      TEXT NOT NULL,
    manifest_hash TEXT NOT NULL,
    bundle_name   TEXT NOT NULL,
    bundle_hash   TEXT NOT NULL,
    recipients    TEXT NOT NULL DEFAULT '[]',
    superseded    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX prereleases_advisory ON prereleases(advisory, seq);

CREATE TABLE approvals (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    advisory      TEXT NOT NULL REFERENCES advisories(id) ON DELETE CASCADE,
    prerelease    INTEGER NOT NULL REFERENCES prereleases(seq),
    manifest_hash TEXT NOT NULL,
    approved_at   TEXT NOT NULL,
    approved_by   TEXT NOT NULL,
    external      TEXT,
    evidence      TEXT,
    void          INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE publication_steps (
    advisory      TEXT NOT NULL REFERENCES advisories(id) ON DELETE CASCADE,
    prerelease    INTEGER NOT NULL,
    step          TEXT NOT NULL,
    done_at       TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (advisory, prerelease, step)
) STRICT;
