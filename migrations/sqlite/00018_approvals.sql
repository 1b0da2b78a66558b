-- +goose Up
-- A series may ask for a second approval (issue 13): approvals_required
-- is 1 or 2. Each approval of a document's revision is kept, so that the
-- second editor can be told apart from the first; only the rows for the
-- head revision of the current submission count (an edit or a new
-- submission starts the count again).
ALTER TABLE series ADD COLUMN approvals_required INTEGER NOT NULL DEFAULT 1
    CHECK (approvals_required IN (1, 2));
CREATE TABLE document_approvals (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    revision    INTEGER NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users(id),
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (document_id, revision, user_id)
);

-- +goose Down
DROP TABLE document_approvals;
ALTER TABLE series DROP COLUMN approvals_required;
