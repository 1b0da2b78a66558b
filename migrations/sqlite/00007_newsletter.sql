-- +goose Up
-- Mailing lists: subscribers per series with double opt-in, and an outbox
-- of mail the worker sends over SMTP.
CREATE TABLE subscribers (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL,
    series_id       TEXT NOT NULL REFERENCES series(id),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'unsubscribed')),
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    confirmed_at    DATETIME,
    unsubscribed_at DATETIME,
    last_mailed_at  DATETIME,
    UNIQUE (email, series_id)
);
CREATE INDEX subscribers_series_status ON subscribers(series_id, status);

CREATE TABLE mail_outbox (
    id              TEXT PRIMARY KEY,
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    sent_at         DATETIME,
    failed_at       DATETIME,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox(next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- +goose Down
DROP TABLE mail_outbox;
DROP TABLE subscribers;
