-- +goose Up
-- Releases: named sets of documents published together, in one
-- transaction, by hand or at a scheduled time. version guards every write,
-- so a scheduled release fires once however many instances race for it.
CREATE TABLE releases (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    state         TEXT NOT NULL, -- open, scheduled, published
    scheduled_for DATETIME,
    published_at  DATETIME,
    version       INTEGER NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    -- Why the clock could not fire a scheduled release at its time (JSON
    -- list of blockers), NULL when nothing blocks it.
    publish_blockers TEXT
);
CREATE INDEX releases_due ON releases(scheduled_for) WHERE state = 'scheduled';

CREATE TABLE release_items (
    release_id  TEXT NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    PRIMARY KEY (release_id, document_id)
);
CREATE INDEX release_items_document ON release_items(document_id);

-- +goose Down
DROP TABLE release_items;
DROP TABLE releases;
