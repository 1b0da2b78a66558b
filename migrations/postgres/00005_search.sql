-- +goose Up
-- Public search: one row per live document with a weighted tsvector
-- (title A, summary and names B, body C) under a GIN index. A document's
-- row is replaced on every publish, so ids grow in publish order (the
-- newest matches are the highest ids) and an id's row never changes:
-- caches keyed by id stay valid. topic_list holds the exact topics (a
-- JSON array) for facets; tags holds one token per filterable value
-- (series and parent, type, year, topics, plus one every row has), indexed
-- apart from the text so that no reader's word can match a tag: see
-- internal/store/search.go.
CREATE TABLE search_documents (
    rowid        BIGSERIAL PRIMARY KEY,
    document_id  TEXT NOT NULL UNIQUE REFERENCES documents(id) ON DELETE CASCADE,
    series_slug  TEXT NOT NULL,
    parent_slug  TEXT,
    slug         TEXT NOT NULL,
    type         TEXT NOT NULL,
    year         INTEGER NOT NULL,
    published_at TIMESTAMPTZ NOT NULL,
    topic_list   TEXT NOT NULL,
    tags         TEXT NOT NULL,
    title        TEXT NOT NULL,
    summary      TEXT NOT NULL,
    topics       TEXT NOT NULL,
    contributors TEXT NOT NULL,
    body         TEXT NOT NULL,
    tsv          tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') ||
        setweight(to_tsvector('english', summary), 'B') ||
        setweight(to_tsvector('english', topics || ' ' || contributors), 'B') ||
        setweight(to_tsvector('english', body), 'C')
    ) STORED,
    tags_tsv     tsvector GENERATED ALWAYS AS (to_tsvector('simple', tags)) STORED
);
CREATE INDEX search_documents_tsv ON search_documents USING GIN (tsv);
CREATE INDEX search_documents_tags ON search_documents USING GIN (tags_tsv);

CREATE TABLE staff_search (
    rowid       BIGSERIAL PRIMARY KEY,
    document_id TEXT NOT NULL UNIQUE REFERENCES documents(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    tsv         tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'C')
    ) STORED
);
CREATE INDEX staff_search_tsv ON staff_search USING GIN (tsv);

-- +goose Down
DROP TABLE staff_search;
DROP TABLE search_documents;
