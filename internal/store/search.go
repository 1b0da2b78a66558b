package store

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/masthead-cms/masthead/internal/search"
)

// Public search works the same way on both engines, so that it answers
// the same and stays fast at 100,000 documents and beyond:
//
//   - Filters (a series with its children, type, year, topic) are tokens
//     in each row's tags, matched through the full-text index together
//     with the reader's words, never through a join. No word a reader
//     types can match a tag (see tagToken).
//   - The total is exact: the index counts every match.
//   - Ranking: the newest rankWindow matches (rowids follow publish
//     order) are ranked by relevance — bm25 on SQLite, ts_rank on
//     PostgreSQL, the title weighing most — and come first; older matches
//     follow, newest first. A search with up to rankWindow matches is
//     simply ranked by relevance; a very common one is ranked by
//     relevance among its newest rankWindow matches, so its cost does not
//     grow with the index.
//   - Facets are counted from the list of matching rowids with a cache of
//     each rowid's series, type, year and topics (search_facets.go).
//   - The total (or the list, with facets) and the page of hits run at
//     the same time on two connections.
//
// Snippets are made for the page's hits only.

// rankWindow is how many of the newest matches are ranked by relevance
// (a variable for tests only).
var rankWindow = 1000

// Tag tokens: a marker (SQLite), a kind letter, the value in hex and a
// final "0" — letters and digits otherwise, so that no stemmer changes
// them and no two values share one. On SQLite the marker, U+E000, is a
// token character of the index (migrations/sqlite/00005_search.sql) that
// a reader's words, letters and digits only, never contain; PostgreSQL
// keeps tags in a tsvector of their own.
const (
	tagSeries = 's' // the document's series and its parent
	tagType   = 't'
	tagYear   = 'y'
	tagTopic  = 'k'
)

func (db *DB) tagToken(kind byte, value string) string {
	marker := "\ue000"
	if db.dialect == Postgres {
		marker = ""
	}
	return marker + string(kind) + hex.EncodeToString([]byte(value)) + "0"
}

// liveTags is the tags column of a document's row.
func (db *DB) liveTags(d search.Doc) string {
	tags := []string{db.tagToken(tagSeries, d.SeriesSlug), db.tagToken(tagType, d.Type),
		db.tagToken(tagYear, strconv.Itoa(d.PublishedAt.UTC().Year()))}
	if d.ParentSlug != nil && *d.ParentSlug != d.SeriesSlug {
		tags = append(tags, db.tagToken(tagSeries, *d.ParentSlug))
	}
	for _, t := range d.Topics {
		tags = append(tags, db.tagToken(tagTopic, t))
	}
	return strings.Join(tags, " ")
}

// filterTags are the tags every match of r must have.
func (db *DB) filterTags(r search.Request) []string {
	var tags []string
	if r.Series != "" {
		tags = append(tags, db.tagToken(tagSeries, r.Series))
	}
	if r.Type != "" {
		tags = append(tags, db.tagToken(tagType, r.Type))
	}
	if r.Year != 0 {
		tags = append(tags, db.tagToken(tagYear, strconv.Itoa(r.Year)))
	}
	if r.Topic != "" {
		tags = append(tags, db.tagToken(tagTopic, r.Topic))
	}
	return tags
}

const liveColumns = "(document_id, series_slug, parent_slug, slug, type, year, published_at, topic_list, tags, title, summary, topics, contributors, body)"

func (db *DB) liveValues(d search.Doc) []any {
	topics := d.Topics
	if topics == nil {
		topics = []string{}
	}
	list, _ := json.Marshal(topics)
	return []any{d.DocumentID, d.SeriesSlug, d.ParentSlug, d.Slug, d.Type, d.PublishedAt.UTC().Year(), d.PublishedAt.UTC(),
		string(list), db.liveTags(d), d.Title, d.Summary, strings.Join(d.Topics, " "), strings.Join(d.Contributors, " "), d.Body}
}

// PutLive indexes a live document, replacing its previous entry. The new
// row gets a new, higher rowid: rowids follow publish order.
func (db *DB) PutLive(ctx context.Context, d search.Doc) error {
	return db.PutLiveBatch(ctx, []search.Doc{d})
}

// PutLiveBatch indexes several live documents at once, in order, as
// PutLive would one by one. Writing them in a few statements lets the
// full-text index take them in one go (bulk loads, reindex).
func (db *DB) PutLiveBatch(ctx context.Context, docs []search.Doc) error {
	for len(docs) > 0 {
		n := min(len(docs), 200)
		ids := make([]string, n)
		rows := make([]string, n)
		var args []any
		for i, d := range docs[:n] {
			ids[i] = d.DocumentID
			rows[i] = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
			args = append(args, db.liveValues(d)...)
		}
		if err := db.q(ctx).Exec("DELETE FROM search_documents WHERE document_id IN ?", ids).Error; err != nil {
			return wrap(err)
		}
		if err := db.q(ctx).Exec("INSERT INTO search_documents "+liveColumns+" VALUES "+strings.Join(rows, ", "), args...).Error; err != nil {
			return wrap(err)
		}
		docs = docs[n:]
	}
	return nil
}

// DeleteLive removes a document from the public index.
func (db *DB) DeleteLive(ctx context.Context, documentID string) error {
	return wrap(db.q(ctx).Exec("DELETE FROM search_documents WHERE document_id = ?", documentID).Error)
}

// StaffEntry is a document's head revision as the staff index holds it.
type StaffEntry struct{ DocumentID, Title, Body string }

// PutStaff indexes a document's head revision for staff search.
func (db *DB) PutStaff(ctx context.Context, documentID, title, body string) error {
	return db.PutStaffBatch(ctx, []StaffEntry{{documentID, title, body}})
}

// PutStaffBatch indexes several head revisions at once, as PutStaff
// would one by one.
func (db *DB) PutStaffBatch(ctx context.Context, entries []StaffEntry) error {
	for len(entries) > 0 {
		n := min(len(entries), 500)
		ids := make([]string, n)
		rows := make([]string, n)
		var args []any
		for i, e := range entries[:n] {
			ids[i] = e.DocumentID
			rows[i] = "(?, ?, ?)"
			args = append(args, e.DocumentID, e.Title, e.Body)
		}
		if err := db.q(ctx).Exec("DELETE FROM staff_search WHERE document_id IN ?", ids).Error; err != nil {
			return wrap(err)
		}
		if err := db.q(ctx).Exec("INSERT INTO staff_search (document_id, title, body) VALUES "+strings.Join(rows, ", "), args...).Error; err != nil {
			return wrap(err)
		}
		entries = entries[n:]
	}
	return nil
}

// hitRow is a public hit as selected.
type hitRow struct {
	HitRowid    int64
	DocumentID  string
	Type        string
	SeriesSlug  string
	SeriesName  string
	Slug        string
	Title       string
	Summary     string
	PublishedAt time.Time
	Snippet     string
}

func (r hitRow) hit() search.Hit {
	return search.Hit{ID: r.DocumentID, Type: r.Type, Series: search.SeriesRef{Slug: r.SeriesSlug, Name: r.SeriesName},
		Slug: r.Slug, Title: r.Title, Summary: r.Summary, Snippet: r.Snippet, PublishedAt: r.PublishedAt}
}

const hitColumns = `d.rowid AS hit_rowid, d.document_id, d.type, d.series_slug, s.name AS series_name, d.slug, d.title, d.summary, d.published_at`

// liveQuery is a public search compiled for one engine.
type liveQuery struct {
	// from is "FROM … WHERE …" selecting the matches, with args; rowid is
	// their rowid column.
	from  string
	args  []any
	rowid string
	// rank scores a match, lower is better; empty: newest first only.
	rank     string
	rankArgs []any
	// list aggregates the matches' rowids as comma-separated text.
	list string
	// hits selects hitColumns and a snippet for the rowids given as the
	// last argument; with hitsRange, the smallest and largest of them
	// come before it (FTS5 then evaluates the query once over that range
	// instead of once per rowid).
	hits      string
	hitsArgs  []any
	hitsRange bool
}

// SearchLive runs a public search on the store's engine.
func (db *DB) SearchLive(ctx context.Context, r search.Request) (search.Result, error) {
	res := search.Result{Data: []search.Hit{}}
	if r.Query.OnlyStopWords {
		return res, nil
	}
	lq, err := db.liveQuery(ctx, r)
	if err != nil {
		return res, err
	}
	// The total (or the list of matches, for facets) on one connection,
	// the page of hits on another.
	err = db.both(func() error {
		if !r.Facets {
			return wrap(db.q(ctx).Raw("SELECT COUNT(*) "+lq.from, lq.args...).Scan(&res.Total).Error)
		}
		var agg *string
		var list []int64
		if err := db.q(ctx).Raw("SELECT "+lq.list+" "+lq.from, lq.args...).Scan(&agg).Error; err != nil {
			return wrap(err)
		}
		if agg != nil {
			list = parseRowids(*agg)
		}
		res.Total = len(list)
		c := db.facetCacheFor()
		if err := c.fill(ctx, db, list); err != nil {
			return err
		}
		res.Facets = c.count(list)
		return nil
	}, func() error {
		ids, err := db.pageIDs(ctx, lq, r.Offset, r.Limit)
		if err != nil || len(ids) == 0 {
			return err
		}
		args := append([]any{}, lq.hitsArgs...)
		if lq.hitsRange {
			lo, hi := ids[0], ids[0]
			for _, id := range ids {
				lo, hi = min(lo, id), max(hi, id)
			}
			args = append(args, lo, hi)
		}
		var rows []hitRow
		if err := db.q(ctx).Raw(lq.hits, append(args, ids)...).Scan(&rows).Error; err != nil {
			return wrap(err)
		}
		byID := make(map[int64]hitRow, len(rows))
		for _, row := range rows {
			byID[row.HitRowid] = row
		}
		for _, id := range ids {
			if row, ok := byID[id]; ok {
				res.Data = append(res.Data, row.hit())
			}
		}
		return nil
	})
	return res, err
}

// both runs f and g at once, each on its own connection, and returns the
// first error. Inside a transaction, which has one connection, it runs
// them in turn.
func (db *DB) both(f, g func() error) error {
	if db.inTx() {
		if err := f(); err != nil {
			return err
		}
		return g()
	}
	var wg sync.WaitGroup
	var gErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		gErr = g()
	}()
	fErr := f()
	wg.Wait()
	if fErr != nil {
		return fErr
	}
	return gErr
}

// pageIDs returns the rowids of the matches at [offset, offset+limit):
// the newest rankWindow matches best first, then the older ones newest
// first.
func (db *DB) pageIDs(ctx context.Context, lq liveQuery, offset, limit int) ([]int64, error) {
	var ids []int64
	if lq.rank == "" {
		err := db.q(ctx).Raw("SELECT "+lq.rowid+" "+lq.from+" ORDER BY "+lq.rowid+" DESC LIMIT ? OFFSET ?",
			append(lq.args, limit, offset)...).Scan(&ids).Error
		return ids, wrap(err)
	}
	if offset < rankWindow {
		n := min(limit, rankWindow-offset)
		q := "SELECT w.id FROM (SELECT " + lq.rowid + " AS id, " + lq.rank + " AS score " + lq.from +
			" ORDER BY " + lq.rowid + " DESC LIMIT ?) w ORDER BY w.score, w.id DESC LIMIT ? OFFSET ?"
		args := append(append(append([]any{}, lq.rankArgs...), lq.args...), rankWindow, n, offset)
		if err := db.q(ctx).Raw(q, args...).Scan(&ids).Error; err != nil {
			return nil, wrap(err)
		}
		if len(ids) < n {
			return ids, nil // fewer matches than the window
		}
	}
	if rest := offset + limit - max(offset, rankWindow); rest > 0 {
		var older []int64
		err := db.q(ctx).Raw("SELECT "+lq.rowid+" "+lq.from+" ORDER BY "+lq.rowid+" DESC LIMIT ? OFFSET ?",
			append(append([]any{}, lq.args...), rest, max(offset, rankWindow))...).Scan(&older).Error
		if err != nil {
			return nil, wrap(err)
		}
		ids = append(ids, older...)
	}
	return ids, nil
}

func (db *DB) liveQuery(ctx context.Context, r search.Request) (liveQuery, error) {
	if db.dialect == Postgres {
		return postgresLiveQuery(r, db.filterTags(r)), nil
	}
	expand, err := db.expandPrefixes(ctx, r.Query)
	return sqliteLiveQuery(r, db.filterTags(r), expand), err
}
