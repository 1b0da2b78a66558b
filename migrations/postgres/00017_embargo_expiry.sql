-- +goose Up
-- Publishing control (issue 13): an embargo holds a document back until an
-- instant, whatever its schedule; an expiry takes a live document down at
-- one. Both are planning, not content: they live on the document, not in
-- its revisions. The scheduler finds due expiries by the partial index.
ALTER TABLE documents ADD COLUMN embargo_until TIMESTAMPTZ;
ALTER TABLE documents ADD COLUMN expires_at TIMESTAMPTZ;
CREATE INDEX documents_expires ON documents(expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX documents_embargo ON documents(embargo_until) WHERE embargo_until IS NOT NULL;

-- +goose Down
DROP INDEX documents_embargo;
DROP INDEX documents_expires;
ALTER TABLE documents DROP COLUMN expires_at;
ALTER TABLE documents DROP COLUMN embargo_until;
