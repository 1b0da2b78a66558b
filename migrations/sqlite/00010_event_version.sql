-- +goose Up
-- A workflow event records the document version its actor named (the
-- If-Match of the API call, the version an editor form was loaded at), so
-- that an approval says which text the approver saw. NULL: they named
-- none, and the action applied to the head as it was.
ALTER TABLE workflow_events ADD COLUMN based_on_version INTEGER;

-- +goose Down
ALTER TABLE workflow_events DROP COLUMN based_on_version;
