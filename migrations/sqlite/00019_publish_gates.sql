-- +goose Up
-- Publish gates: a series may require a credit role (an editor) on every
-- document before it goes live; a scheduled document the clock could not
-- publish keeps the reasons (a JSON list of blockers) until it can.
ALTER TABLE series ADD COLUMN requires_credit TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN publish_blockers TEXT;

-- +goose Down
ALTER TABLE documents DROP COLUMN publish_blockers;
ALTER TABLE series DROP COLUMN requires_credit;
