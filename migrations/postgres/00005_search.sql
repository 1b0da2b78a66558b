-- +goose Up
-- Public search: one row per live document with a weighted tsvector
-- (title A, summary and names B, body C) under a GIN index. ids grow in
-- publish order, so the newest matches are the highest ids.
CREATE TABLE search_documents (
    rowid        BIGSERIAL PRIMARY KEY,
    document_id  TEXT NOT NULL UNIQUE REFERENCES documents(id) ON DELETE CASCADE,
    series_slug  TEXT NOT NULL,
    parent_slug  TEXT,
    slug         TEXT NOT NULL,
    type         TEXT NOT NULL,
    year         INTEGER NOT NULL,
    published_at TIMESTAMPTZ NOT NULL,
    title        TEXT NOT NULL,
    summary      TEXT NOT NULL,
    body         TEXT NOT NULL,
    topics       TEXT NOT NULL,
    contributors TEXT NOT NULL,
    tsv          tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') ||
        setweight(to_tsvector('english', summary), 'B') ||
        setweight(to_tsvector('english', topics || ' ' || contributors), 'B') ||
        setweight(to_tsvector('english', body), 'C')
    ) STORED
);
CREATE INDEX search_documents_tsv ON search_documents USING GIN (tsv);
CREATE INDEX search_documents_series ON search_documents(series_slug);

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
