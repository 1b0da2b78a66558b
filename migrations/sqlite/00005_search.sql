-- +goose Up
-- Public search: one row per live document, indexed by an FTS5
-- external-content table kept in step by triggers. A document's row is
-- replaced on every publish and AUTOINCREMENT never reuses a rowid, so
-- rowids follow publish order (the newest matches are the highest rowids)
-- and a rowid's row never changes: caches keyed by rowid stay valid.
-- Small columns come first so that reading them never touches the body.
-- topic_list holds the exact topics (a JSON array) for facets; tags holds
-- one token per filterable value (series and parent, type, year, topics,
-- plus one every row has), searched only through the tags column: see
-- internal/store/search.go.
CREATE TABLE search_documents (
    rowid        INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id  TEXT NOT NULL UNIQUE REFERENCES documents(id) ON DELETE CASCADE,
    series_slug  TEXT NOT NULL,
    parent_slug  TEXT,
    slug         TEXT NOT NULL,
    type         TEXT NOT NULL,
    year         INTEGER NOT NULL,
    published_at DATETIME NOT NULL,
    topic_list   TEXT NOT NULL,
    tags         TEXT NOT NULL,
    title        TEXT NOT NULL,
    summary      TEXT NOT NULL,
    topics       TEXT NOT NULL,
    contributors TEXT NOT NULL,
    body         TEXT NOT NULL
);
-- Covers what facets read, so reading it skips the wide rows.
CREATE INDEX search_documents_facets ON search_documents(rowid, series_slug, type, year, topic_list);

-- Tags start with U+E000, a private-use character made a token character
-- here: a reader's words are letters and digits only, so they never match
-- a tag, without a column filter (which would cost every query).
CREATE VIRTUAL TABLE search_fts USING fts5(
    title, summary, body, topics, contributors, tags,
    content='search_documents', content_rowid='rowid',
    tokenize="porter unicode61 remove_diacritics 2 tokenchars ''", prefix='2 3 4'
);

-- The index's terms, for expanding long prefixes (store/search_sqlite.go).
CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, row);

-- How many live documents there are, in all ('', '') and per series,
-- topic and year: what a search without words or filters answers (the
-- "Total Index" of a search page and its facets) without counting.
CREATE TABLE search_counts (
    facet TEXT NOT NULL,
    value TEXT NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (facet, value)
) WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN
    INSERT INTO search_fts(rowid, title, summary, body, topics, contributors, tags)
    VALUES (new.rowid, new.title, new.summary, new.body, new.topics, new.contributors, new.tags);
    INSERT INTO search_counts (facet, value, n)
    VALUES ('', '', 1), ('series', new.series_slug, 1), ('year', CAST(new.year AS TEXT), 1)
    ON CONFLICT (facet, value) DO UPDATE SET n = n + 1;
    INSERT INTO search_counts (facet, value, n)
    SELECT DISTINCT 'topic', value, 1 FROM json_each(new.topic_list) WHERE true
    ON CONFLICT (facet, value) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN
    INSERT INTO search_fts(search_fts, rowid, title, summary, body, topics, contributors, tags)
    VALUES ('delete', old.rowid, old.title, old.summary, old.body, old.topics, old.contributors, old.tags);
    UPDATE search_counts SET n = n - 1
    WHERE (facet, value) IN (VALUES ('', ''), ('series', old.series_slug), ('year', CAST(old.year AS TEXT)))
       OR (facet = 'topic' AND value IN (SELECT value FROM json_each(old.topic_list)));
END;
-- +goose StatementEnd

-- Staff search: one row per document, its head revision, kept in step on
-- every write.
CREATE TABLE staff_search (
    rowid       INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT NOT NULL UNIQUE REFERENCES documents(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL
);

CREATE VIRTUAL TABLE staff_fts USING fts5(
    title, body, content='staff_search', content_rowid='rowid',
    tokenize='porter unicode61 remove_diacritics 2', prefix='2 3 4'
);

-- +goose StatementBegin
CREATE TRIGGER staff_search_ai AFTER INSERT ON staff_search BEGIN
    INSERT INTO staff_fts(rowid, title, body) VALUES (new.rowid, new.title, new.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER staff_search_ad AFTER DELETE ON staff_search BEGIN
    INSERT INTO staff_fts(staff_fts, rowid, title, body) VALUES ('delete', old.rowid, old.title, old.body);
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE staff_fts;
DROP TABLE staff_search;
DROP TABLE search_vocab;
DROP TABLE search_fts;
DROP TABLE search_documents;
DROP TABLE search_counts;
