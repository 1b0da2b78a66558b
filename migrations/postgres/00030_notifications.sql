-- +goose Up
-- Notifications (issue 19): one row per recipient and event, read in the
-- app; the mail goes through mail_outbox. No document foreign key: a
-- notification about a deleted document is left out when listed, like one
-- the recipient may no longer read. Mail preferences hold only the kinds
-- a person set (unset kinds are mailed). A digest row per person and UTC
-- day is claimed by the one instance that sends it.
CREATE TABLE notifications (
    id           TEXT PRIMARY KEY,
    recipient_id TEXT NOT NULL REFERENCES users(id),
    kind         TEXT NOT NULL,
    document_id  TEXT,
    actor_id     TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    read_at      TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX notifications_recipient ON notifications(recipient_id, created_at, id);
CREATE INDEX notifications_unread ON notifications(recipient_id, created_at) WHERE read_at IS NULL;

CREATE TABLE notification_prefs (
    user_id TEXT NOT NULL REFERENCES users(id),
    kind    TEXT NOT NULL,
    mail    BOOLEAN NOT NULL,
    PRIMARY KEY (user_id, kind)
);

CREATE TABLE notification_digests (
    user_id    TEXT NOT NULL REFERENCES users(id),
    day        TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, day)
);

-- Edit locks (issue 19): one soft lock per document, a lease that the
-- editor's heartbeat renews; a lapsed lease is free to take.
CREATE TABLE document_locks (
    document_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    holder_id   TEXT NOT NULL REFERENCES users(id),
    since       TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE document_locks;
DROP TABLE notification_digests;
DROP TABLE notification_prefs;
DROP TABLE notifications;
