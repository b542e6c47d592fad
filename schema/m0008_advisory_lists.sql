-- An advisory's lists (branches, CWEs, reporters, fixers, coordinators,
-- credits, references), one row per element instead of a JSON array in one
-- column: two members who each add a credit on their own machine add two
-- rows, and a team sync keeps both.

CREATE TABLE advisory_items (
    advisory  TEXT NOT NULL REFERENCES advisories(id) ON DELETE CASCADE ON UPDATE CASCADE,
    list      TEXT NOT NULL CHECK (list IN ('branches', 'cwes', 'reporters', 'fixers', 'coordinators', 'credits', 'references')),
    -- What the element is: a branch name, a CWE number, a URL, a person's name.
    item      TEXT NOT NULL CHECK (item <> ''),
    -- Where it stands in its list (ties, from two machines, by item).
    position  INTEGER NOT NULL,
    -- A person's contact and, for credits, the credit type.
    contact   TEXT,
    type      TEXT,
    PRIMARY KEY (advisory, list, item)
) STRICT, WITHOUT ROWID;

INSERT OR IGNORE INTO advisory_items (advisory, list, item, position)
    SELECT a.id, 'branches', j.value, j.key FROM advisories a, json_each(a.branches) j WHERE j.value <> '';
INSERT OR IGNORE INTO advisory_items (advisory, list, item, position)
    SELECT a.id, 'cwes', CAST(j.value AS TEXT), j.key FROM advisories a, json_each(a.cwes) j;
INSERT OR IGNORE INTO advisory_items (advisory, list, item, position)
    SELECT a.id, 'references', j.value, j.key FROM advisories a, json_each(a.reference_urls) j WHERE j.value <> '';
INSERT OR IGNORE INTO advisory_items (advisory, list, item, position, contact, type)
    SELECT a.id, 'reporters', json_extract(j.value, '$.name'), j.key, json_extract(j.value, '$.contact'), json_extract(j.value, '$.type')
    FROM advisories a, json_each(a.reporters) j WHERE json_extract(j.value, '$.name') <> '';
INSERT OR IGNORE INTO advisory_items (advisory, list, item, position, contact, type)
    SELECT a.id, 'fixers', json_extract(j.value, '$.name'), j.key, json_extract(j.value, '$.contact'), json_extract(j.value, '$.type')
    FROM advisories a, json_each(a.fixers) j WHERE json_extract(j.value, '$.name') <> '';
INSERT OR IGNORE INTO advisory_items (advisory, list, item, position, contact, type)
    SELECT a.id, 'coordinators', json_extract(j.value, '$.name'), j.key, json_extract(j.value, '$.contact'), json_extract(j.value, '$.type')
    FROM advisories a, json_each(a.coordinators) j WHERE json_extract(j.value, '$.name') <> '';
INSERT OR IGNORE INTO advisory_items (advisory, list, item, position, contact, type)
    SELECT a.id, 'credits', json_extract(j.value, '$.name'), j.key, json_extract(j.value, '$.contact'), json_extract(j.value, '$.type')
    FROM advisories a, json_each(a.credits) j WHERE json_extract(j.value, '$.name') <> '';

ALTER TABLE advisories DROP COLUMN branches;
ALTER TABLE advisories DROP COLUMN cwes;
ALTER TABLE advisories DROP COLUMN reporters;
ALTER TABLE advisories DROP COLUMN fixers;
ALTER TABLE advisories DROP COLUMN coordinators;
ALTER TABLE advisories DROP COLUMN credits;
ALTER TABLE advisories DROP COLUMN reference_urls;
