-- embargo store schema, version 1. Append-only: never edit after release;
-- add mNNNN_name.sql files instead.

CREATE TABLE store_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE members (
    name         TEXT PRIMARY KEY NOT NULL,
    recipient    TEXT NOT NULL UNIQUE,
    signing_key  TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'preparer', 'qa', 'publisher', 'security')),
    added_at     TEXT NOT NULL,
    added_by     TEXT
) STRICT;

CREATE TABLE projects (
    name          TEXT PRIMARY KEY NOT NULL,
    repo_path     TEXT NOT NULL,
    remote        TEXT NOT NULL,
    package_name  TEXT NOT NULL,
    policy        TEXT NOT NULL DEFAULT 'drupal',
    test_command  TEXT,
    build_command TEXT,
    created_at    TEXT NOT NULL
) STRICT;

CREATE TABLE project_branches (
    project   TEXT NOT NULL REFERENCES projects(name) ON DELETE CASCADE ON UPDATE CASCADE,
    branch    TEXT NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (project, branch)
) STRICT;
