-- A test command of its own for a release branch: old branches often need
-- another runtime (another PHP version) than the project's newest.

ALTER TABLE project_branches ADD COLUMN test_command TEXT;
