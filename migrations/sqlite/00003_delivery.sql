-- +goose Up
-- What the delivery API serves: the pre-rendered JSON of each document's
-- live revision, written in the same transaction as the publish. Nothing
-- that is not live is ever in these tables.
CREATE TABLE delivered_documents (
    document_id  TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    series_id    TEXT NOT NULL REFERENCES series(id),
    series_slug  TEXT NOT NULL,
    parent_slug  TEXT,
    type         TEXT NOT NULL,
    slug         TEXT NOT NULL,
    title        TEXT NOT NULL,
    revision     INTEGER NOT NULL,
    published_at DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL,
    body         TEXT NOT NULL,
    UNIQUE (series_slug, slug)
);
CREATE INDEX delivered_documents_published ON delivered_documents(published_at DESC, document_id DESC);

CREATE TABLE delivered_topics (
    document_id TEXT NOT NULL REFERENCES delivered_documents(document_id) ON DELETE CASCADE,
    topic       TEXT NOT NULL,
    PRIMARY KEY (document_id, topic)
);
CREATE INDEX delivered_topics_topic ON delivered_topics(topic);

CREATE TABLE delivered_contributors (
    document_id TEXT NOT NULL REFERENCES delivered_documents(document_id) ON DELETE CASCADE,
    contributor TEXT NOT NULL, -- slug, credited or in the byline
    PRIMARY KEY (document_id, contributor)
);
CREATE INDEX delivered_contributors_contributor ON delivered_contributors(contributor);

-- site_state holds instance-wide values: a counter every delivery change
-- bumps (instances drop their caches when it moves) and the key that signs
-- cursors and preview links.
CREATE TABLE site_state (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    delivery_version INTEGER NOT NULL,
    signing_key      TEXT NOT NULL
);

CREATE TABLE preview_links (
    id          TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    created_by  TEXT NOT NULL,
    expires_at  DATETIME NOT NULL,
    revoked_at  DATETIME,
    uses        INTEGER NOT NULL DEFAULT 0,
    last_used_at DATETIME,
    created_at  DATETIME NOT NULL
);
CREATE INDEX preview_links_document ON preview_links(document_id);

-- +goose Down
DROP TABLE preview_links;
DROP TABLE site_state;
DROP TABLE delivered_contributors;
DROP TABLE delivered_topics;
DROP TABLE delivered_documents;
