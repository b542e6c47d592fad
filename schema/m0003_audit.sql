-- The signed, hash-chained audit trail, and the keys of former members so
-- that their entries stay verifiable after they leave.

CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY NOT NULL,
    at           TEXT NOT NULL,
    member       TEXT NOT NULL,
    signing_key  TEXT NOT NULL,
    action       TEXT NOT NULL,
    object       TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    signature    TEXT NOT NULL
) STRICT;

CREATE INDEX audit_log_object ON audit_log(object);

CREATE TABLE former_members (
    name         TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    signing_key  TEXT NOT NULL,
    role         TEXT NOT NULL,
    removed_at   TEXT NOT NULL,
    removed_by   TEXT NOT NULL
) STRICT;
