-- +goose Up
-- Mail to a list names the list (List-Id, RFC 2919): the series' slug,
-- the label under the sender's domain, and its name; mail that a machine
-- sends on its own says so (Auto-Submitted: auto-generated, RFC 3834).
-- Every mail queued so far is a confirmation, which is both, but the
-- outbox does not say of which series, so only the second is filled in.
ALTER TABLE mail_outbox ADD COLUMN list_id TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN list_name TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN auto_submitted BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE mail_outbox SET auto_submitted = TRUE;

-- +goose Down
ALTER TABLE mail_outbox DROP COLUMN auto_submitted;
ALTER TABLE mail_outbox DROP COLUMN list_name;
ALTER TABLE mail_outbox DROP COLUMN list_id;
