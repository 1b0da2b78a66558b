-- +goose Up
-- Mail to a subscriber carries their way out in its List-Unsubscribe
-- headers (RFC 2369, RFC 8058): the link, kept with the queued mail; empty
-- for mail without one.
ALTER TABLE mail_outbox ADD COLUMN list_unsubscribe TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE mail_outbox DROP COLUMN list_unsubscribe;
