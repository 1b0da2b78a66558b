-- +goose Up
-- Moving a site in (issue 16). A redirect sends an old path (an imported
-- post's <link> path or /?p=ID, or a published document's slug or series
-- before a change) to its document, whose current URL delivery answers
-- with a 301; path is the key, so one old path names one document.
CREATE TABLE redirects (
    id          TEXT PRIMARY KEY,
    path        TEXT NOT NULL UNIQUE,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    source      TEXT NOT NULL, -- import, rename, manual
    created_at  DATETIME NOT NULL
);
CREATE INDEX redirects_document ON redirects(document_id);

-- What an import made of each object of a source (an export's site URL),
-- so that the same file imported again finds its documents, assets,
-- contributors and leaves unchanged what did not change (digest).
CREATE TABLE import_items (
    source     TEXT NOT NULL,
    kind       TEXT NOT NULL, -- post, attachment, author
    item_key   TEXT NOT NULL, -- the post id, the author login
    target_id  TEXT NOT NULL,
    digest     TEXT NOT NULL,
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (source, kind, item_key)
);

-- Imports started through the API: their progress and final report.
CREATE TABLE imports (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL, -- wordpress
    filename   TEXT NOT NULL,
    status     TEXT NOT NULL, -- running, done, failed
    total      INTEGER NOT NULL DEFAULT 0,
    done       INTEGER NOT NULL DEFAULT 0,
    report     TEXT NOT NULL DEFAULT '{}',
    error      TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);

-- Pages (an imported site's "about", "contact"): a body and an optional
-- summary, shipped beside briefing and article.
INSERT INTO content_types (id, name, label, fields, created_at, updated_at) VALUES
('ct-page', 'page', 'Page',
 '[{"name":"summary","label":"Summary","kind":"text","required":false,"max_length":1000},{"name":"body","label":"Body","kind":"rich_text","required":true,"max_length":200000}]',
 CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);

-- +goose Down
DELETE FROM content_types WHERE id = 'ct-page';
DROP TABLE imports;
DROP TABLE import_items;
DROP TABLE redirects;
