-- +goose Up
-- Newsletter editions (issue 14): each series' newsletter settings; one
-- send per (document, series), unique so that no publish, however
-- repeated or raced, mails a list twice; the audience a send froze when
-- it started, one row per recipient, unique per (document, address) so
-- that an address on a parent's and a child's list gets one copy; and
-- the suppressed addresses, kept as hashes only.
CREATE TABLE newsletter_settings (
    series_id        TEXT PRIMARY KEY REFERENCES series(id),
    enabled          BOOLEAN NOT NULL DEFAULT FALSE,
    from_name        TEXT NOT NULL DEFAULT '',
    from_address     TEXT NOT NULL DEFAULT '',
    reply_to         TEXT NOT NULL DEFAULT '',
    send_on_publish  BOOLEAN NOT NULL DEFAULT FALSE,
    footer           TEXT NOT NULL DEFAULT '',
    include_children BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at       DATETIME NOT NULL
);

CREATE TABLE edition_sends (
    id          TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    series_id   TEXT NOT NULL REFERENCES series(id),
    status      TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'paused', 'done')),
    reason      TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    started_at  DATETIME,
    finished_at DATETIME,
    UNIQUE (document_id, series_id)
);
CREATE INDEX edition_sends_status ON edition_sends(status);

CREATE TABLE send_recipients (
    id            TEXT PRIMARY KEY,
    send_id       TEXT NOT NULL REFERENCES edition_sends(id) ON DELETE CASCADE,
    document_id   TEXT NOT NULL,
    subscriber_id TEXT NOT NULL,
    email         TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'bounced', 'skipped')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    response      TEXT NOT NULL DEFAULT '',
    message_id    TEXT NOT NULL DEFAULT '',
    lease_until   DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    UNIQUE (document_id, email)
);
CREATE INDEX send_recipients_due ON send_recipients(send_id, lease_until) WHERE status = 'queued';
CREATE INDEX send_recipients_status ON send_recipients(send_id, status, id);

CREATE TABLE mail_suppressions (
    address_hash TEXT PRIMARY KEY,
    reason       TEXT NOT NULL,
    created_at   DATETIME NOT NULL
);

-- +goose Down
DROP TABLE mail_suppressions;
DROP TABLE send_recipients;
DROP TABLE edition_sends;
DROP TABLE newsletter_settings;
