-- Lint findings the team decided to keep ('embargo lint ID --accept-finding
-- KEY'), remembered on the advisory: pre-release and publication honour them
-- until they are revoked ('--revoke-finding KEY'). Where and what the finding
-- was when accepted is kept for the listing, also once it is no longer found.

CREATE TABLE accepted_findings (
    advisory     TEXT NOT NULL REFERENCES advisories(id) ON DELETE CASCADE ON UPDATE CASCADE,
    key          TEXT NOT NULL CHECK (key <> ''),
    location     TEXT NOT NULL,
    term         TEXT NOT NULL,
    accepted_at  TEXT NOT NULL,
    accepted_by  TEXT NOT NULL,
    PRIMARY KEY (advisory, key)
) STRICT, WITHOUT ROWID;
