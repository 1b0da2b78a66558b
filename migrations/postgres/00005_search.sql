-- +goose Up
-- Public search: one row per live document. A document's row is replaced
-- on every publish, so ids grow in publish order (the newest matches are
-- the highest ids) and an id's row never changes: caches keyed by id stay
-- valid. topic_list holds the exact topics (a JSON array) for facets; tags
-- holds one token per filterable value (series and parent, type, year,
-- topics): see internal/store/search.go.
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
    body         TEXT NOT NULL
);

-- What searches match, in rows of their own: narrow rows (the vectors are
-- stored out of line) make the heap visits of a bitmap scan cheap.
--   tsv   the words, weighted: title A, summary and names B, body C;
--   tags  the filter tokens, apart from the words so that no reader's
--         word can match a tag, and the row's bucket of 1,024 rowids
--         ("b97"), so that "among the newest rows" is a condition the
--         index answers too;
--   pairs every two words one or two positions apart ("north 1 korea",
--         "rule 2 law" across a stop word): a two-word phrase is one
--         pair, found by the index alone; longer phrases are narrowed by
--         their pairs before their positions are checked.
-- One GIN index covers all three, so that a search is one index scan
-- whatever it combines (store/search_postgres.go never ORs conditions
-- on different columns): the planner never checks a vector row by row.
-- Kept in step with search_documents by a trigger and a cascade.
CREATE TABLE search_text (
    rowid    BIGINT PRIMARY KEY REFERENCES search_documents(rowid) ON DELETE CASCADE,
    tsv      tsvector NOT NULL,
    tags     tsvector NOT NULL,
    pairs    tsvector NOT NULL,
    overflow BOOLEAN NOT NULL -- pairs is just "overflow" (see search_pairs)
);
CREATE INDEX search_text_match ON search_text USING GIN (tsv, tags, pairs);

-- The pairs of a vector. A vector holds at most 16,383 positions, so at
-- most about 33,000 pairs; should they still outgrow what a vector may
-- hold (words of hundreds of letters), the row gets the one pair
-- "overflow" instead, and phrases are checked on its positions.
-- +goose StatementBegin
CREATE FUNCTION search_pairs(v tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    WITH p AS MATERIALIZED (SELECT u.lexeme, q.pos::int AS pos FROM unnest(v) u, unnest(u.positions) AS q(pos)),
    x AS (SELECT array_agg(DISTINCT x) AS a, sum(length(x)) AS n FROM (
        SELECT a.lexeme || ' 1 ' || b.lexeme AS x FROM p a JOIN p b ON b.pos = a.pos + 1
        UNION ALL
        SELECT a.lexeme || ' 2 ' || b.lexeme FROM p a JOIN p b ON b.pos = a.pos + 2
    ) pairs)
    SELECT CASE WHEN a IS NULL THEN ''::tsvector
                WHEN n > 400000 THEN array_to_tsvector(ARRAY['overflow'])
                ELSE array_to_tsvector(a) END FROM x
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION search_text_index() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v tsvector;
    p tsvector;
BEGIN
    v := setweight(to_tsvector('english', NEW.title), 'A') ||
         setweight(to_tsvector('english', NEW.summary), 'B') ||
         setweight(to_tsvector('english', NEW.topics || ' ' || NEW.contributors), 'B') ||
         setweight(to_tsvector('english', NEW.body), 'C');
    p := search_pairs(v);
    INSERT INTO search_text (rowid, tsv, tags, pairs, overflow)
    VALUES (NEW.rowid, v, to_tsvector('simple', NEW.tags || ' b' || (NEW.rowid / 1024)::text), p,
            p = array_to_tsvector(ARRAY['overflow']));
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER search_documents_index AFTER INSERT ON search_documents
    FOR EACH ROW EXECUTE FUNCTION search_text_index();

-- How many live documents there are, in all ('', '') and per series,
-- topic and year: what a search without words or filters answers (the
-- "Total Index" of a search page and its facets) without counting. Every
-- change takes the row ('', '') first, so that concurrent writers queue
-- there rather than deadlock on the others.
CREATE TABLE search_counts (
    facet TEXT NOT NULL,
    value TEXT NOT NULL,
    n     BIGINT NOT NULL,
    PRIMARY KEY (facet, value)
);

-- +goose StatementBegin
CREATE FUNCTION search_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r search_documents;
    d int;
BEGIN
    IF TG_OP = 'INSERT' THEN r := NEW; d := 1; ELSE r := OLD; d := -1; END IF;
    INSERT INTO search_counts (facet, value, n) VALUES ('', '', d)
    ON CONFLICT (facet, value) DO UPDATE SET n = search_counts.n + d;
    INSERT INTO search_counts (facet, value, n)
    SELECT f, v, d FROM (
        SELECT 'series' AS f, r.series_slug AS v
        UNION SELECT 'year', r.year::text
        UNION SELECT 'topic', t FROM jsonb_array_elements_text(r.topic_list::jsonb) t
    ) x ORDER BY f, v
    ON CONFLICT (facet, value) DO UPDATE SET n = search_counts.n + d;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER search_documents_count AFTER INSERT OR DELETE ON search_documents
    FOR EACH ROW EXECUTE FUNCTION search_count();

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
DROP TABLE search_counts;
DROP TABLE search_text;
DROP TABLE search_documents;
DROP FUNCTION search_count();
DROP FUNCTION search_text_index();
DROP FUNCTION search_pairs(tsvector);
