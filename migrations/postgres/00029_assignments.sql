-- +goose Up
-- Team coordination (issue 19): a document may wait for one person (its
-- assignee, who may act on it in its state) by a due time. Both are
-- planning, not content: they live on the document, not in its revisions.
-- Users are deactivated, never deleted, so the id stays meaningful.
-- The dashboard's "Assigned to me" and "Overdue" use the partial indexes.
ALTER TABLE documents ADD COLUMN assignee_id TEXT;
ALTER TABLE documents ADD COLUMN due_at TIMESTAMPTZ;
CREATE INDEX documents_assignee ON documents(assignee_id) WHERE assignee_id IS NOT NULL;
CREATE INDEX documents_due ON documents(due_at) WHERE due_at IS NOT NULL;

-- +goose Down
DROP INDEX documents_due;
DROP INDEX documents_assignee;
ALTER TABLE documents DROP COLUMN due_at;
ALTER TABLE documents DROP COLUMN assignee_id;
