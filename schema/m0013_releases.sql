-- Releases as a first-class object (`embargo release plan`): every kind a team
-- makes (patch, critical, minor, major, security), one version per branch,
-- the advisories and issues it carries, its tag, QA and publication.

CREATE TABLE releases (
    id            TEXT PRIMARY KEY,                 -- REL-2026-001
    year          INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    project       TEXT NOT NULL REFERENCES projects(name) ON UPDATE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('patch', 'critical', 'minor', 'major', 'security')),
    status        TEXT NOT NULL CHECK (status IN ('planned', 'tagged', 'published')),
    planned_at    TEXT,                             -- the release time, UTC
    stability     TEXT CHECK (stability IN ('alpha', 'beta', 'rc')),
    violations    TEXT NOT NULL DEFAULT '',         -- rules broken on purpose, with the reason
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    tagged_at     TEXT,
    tagged_by     TEXT,
    published_at  TEXT,
    published_by  TEXT,
    node_url      TEXT,
    sa_url        TEXT,
    UNIQUE (year, seq)
) STRICT;

-- One version per release branch. `new_branch` is set when the release starts
-- a branch (a minor or major release of a project that branches per minor).
CREATE TABLE release_versions (
    release       TEXT NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    branch        TEXT NOT NULL,                    -- the branch the release is made from
    new_branch    TEXT,
    version       TEXT NOT NULL,
    previous      TEXT,                             -- the last release before it, if any
    tagged_head   TEXT,                             -- the branch head the tag was made on (with the changelog)
    tag_commit    TEXT,
    tag_object    TEXT,
    PRIMARY KEY (release, branch)
) STRICT, WITHOUT ROWID;

-- The advisories a release carries (a security release carries one or more).
CREATE TABLE release_advisories (
    advisory      TEXT PRIMARY KEY REFERENCES advisories(id) ON DELETE CASCADE ON UPDATE CASCADE,
    release       TEXT NOT NULL REFERENCES releases(id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- Issues the release must carry (checked by `release verify`) and the upgrade
-- path of a breaking change.
CREATE TABLE release_issues (
    release       TEXT NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    issue         INTEGER NOT NULL,
    upgrade_path  TEXT,
    PRIMARY KEY (release, issue)
) STRICT, WITHOUT ROWID;

-- QA results, newest last; the newest counts.
CREATE TABLE release_qa (
    release       TEXT NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    at            TEXT NOT NULL,
    by            TEXT NOT NULL,
    passed        INTEGER NOT NULL CHECK (passed IN (0, 1)),
    note          TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (release, at, by)
) STRICT, WITHOUT ROWID;
