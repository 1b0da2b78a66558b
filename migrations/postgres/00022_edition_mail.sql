-- +goose Up
-- An edition is a multipart mail from its series: the HTML alternative of
-- the text body, the series' sender and reply-to (empty: the site's
-- transactional sender), and a mailto: way out besides the link.
ALTER TABLE mail_outbox ADD COLUMN html TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN from_name TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN from_addr TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN reply_to TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN unsubscribe_mailto TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE mail_outbox DROP COLUMN unsubscribe_mailto;
ALTER TABLE mail_outbox DROP COLUMN reply_to;
ALTER TABLE mail_outbox DROP COLUMN from_addr;
ALTER TABLE mail_outbox DROP COLUMN from_name;
ALTER TABLE mail_outbox DROP COLUMN html;
