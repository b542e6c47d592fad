-- Days a project releases nothing (holidays, a freeze): whole UTC days from
-- first_day to last_day, both included, written YYYY-MM-DD. Every calendar
-- check of a release or a disclosure keeps out of them.

CREATE TABLE project_blackouts (
    project    TEXT NOT NULL REFERENCES projects(name) ON DELETE CASCADE ON UPDATE CASCADE,
    first_day  TEXT NOT NULL CHECK (first_day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    last_day   TEXT NOT NULL CHECK (last_day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    PRIMARY KEY (project, first_day, last_day),
    CHECK (first_day <= last_day)
) STRICT;
