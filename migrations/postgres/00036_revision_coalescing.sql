-- +goose Up
-- Revisions are states someone chose, not keystrokes (issue 18): an
-- autosave by the same person soon after amends the head revision.
-- updated_at is its last write (created_at stays its first), writes how
-- many writes it holds, checkpoint that its author asked for it to be
-- kept as it is (never amended).
ALTER TABLE revisions ADD COLUMN updated_at TIMESTAMPTZ;
ALTER TABLE revisions ADD COLUMN writes INTEGER NOT NULL DEFAULT 1;
ALTER TABLE revisions ADD COLUMN checkpoint BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE revisions SET updated_at = created_at;

-- +goose Down
ALTER TABLE revisions DROP COLUMN checkpoint;
ALTER TABLE revisions DROP COLUMN writes;
ALTER TABLE revisions DROP COLUMN updated_at;
