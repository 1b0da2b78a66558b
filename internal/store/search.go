package store

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
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
	docs = lastOfEach(docs, func(d search.Doc) string { return d.DocumentID })
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

// lastOfEach keeps the last of the items sharing a key, in order: what
// writing them one by one would leave.
func lastOfEach[T any](items []T, key func(T) string) []T {
	last := make(map[string]int, len(items))
	for i, it := range items {
		last[key(it)] = i
	}
	if len(last) == len(items) {
		return items
	}
	out := make([]T, 0, len(last))
	for i, it := range items {
		if last[key(it)] == i {
			out = append(out, it)
		}
	}
	return out
}

// DeleteLive removes a document from the public index.
func (db *DB) DeleteLive(ctx context.Context, documentID string) error {
	return wrap(db.q(ctx).Exec("DELETE FROM search_documents WHERE document_id = ?", documentID).Error)
}

// StaffEntry is a document's head revision as the staff index holds it.
type StaffEntry = search.StaffEntry

// PutStaff indexes a document's head revision for staff search.
func (db *DB) PutStaff(ctx context.Context, documentID, title, body string) error {
	return db.PutStaffBatch(ctx, []StaffEntry{{DocumentID: documentID, Title: title, Body: body}})
}

// PutStaffBatch indexes several head revisions at once, as PutStaff
// would one by one.
func (db *DB) PutStaffBatch(ctx context.Context, entries []StaffEntry) error {
	entries = lastOfEach(entries, func(e StaffEntry) string { return e.DocumentID })
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

// liveSearch is a public search compiled for one engine. Its methods run
// on the handle they are given (see run).
type liveSearch interface {
	// run calls fn with a handle set up for the search's statements.
	run(ctx context.Context, db *DB, fn func(c *DB) error) error
	count(ctx context.Context, c *DB) (int, error)
	// list returns the rowids of every match.
	list(ctx context.Context, c *DB) ([]int64, error)
	// page returns the rowids of the matches at [offset, offset+limit):
	// the newest rankWindow matches best first (or, without words,
	// everything newest first), then older matches newest first.
	page(ctx context.Context, c *DB, offset, limit int) ([]int64, error)
	// hits returns the hits of rowids, in any order, with snippets.
	hits(ctx context.Context, c *DB, ids []int64) ([]hitRow, error)
}

// SearchLive runs a public search on the store's engine.
func (db *DB) SearchLive(ctx context.Context, r search.Request) (search.Result, error) {
	res := search.Result{Data: []search.Hit{}}
	if r.Query.OnlyStopWords {
		return res, nil
	}
	ls, err := db.compileLive(ctx, r)
	if err != nil {
		return res, err
	}
	everything := r.Query.Empty() && len(db.filterTags(r)) == 0
	// The total (or the list of matches, for facets) on one connection,
	// the page of hits on another.
	err = db.both(func() error {
		if everything {
			return db.countEverything(ctx, &res, r.Facets)
		}
		return ls.run(ctx, db, func(c *DB) error {
			if !r.Facets {
				n, err := ls.count(ctx, c)
				res.Total = n
				return err
			}
			list, err := ls.list(ctx, c)
			if err != nil {
				return err
			}
			res.Total = len(list)
			fc := db.facetCacheFor()
			if err := fc.fill(ctx, c, list); err != nil {
				return err
			}
			res.Facets = fc.count(list)
			return nil
		})
	}, func() error {
		return ls.run(ctx, db, func(c *DB) error {
			ids, err := ls.page(ctx, c, r.Offset, r.Limit)
			if err != nil || len(ids) == 0 {
				return err
			}
			rows, err := ls.hits(ctx, c, ids)
			if err != nil {
				return err
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
	})
	return res, err
}

// countEverything answers the total and facets of a search without
// words or filters from search_counts, which triggers keep.
func (db *DB) countEverything(ctx context.Context, res *search.Result, facets bool) error {
	var rows []struct {
		Facet, Value string
		N            int
	}
	if err := db.q(ctx).Raw("SELECT facet, value, n FROM search_counts WHERE n > 0").Scan(&rows).Error; err != nil {
		return wrap(err)
	}
	f := &search.Facets{Series: []search.FacetCount{}, Topics: []search.FacetCount{}, Years: []search.FacetCount{}}
	for _, row := range rows {
		c := search.FacetCount{Value: row.Value, Count: row.N}
		switch row.Facet {
		case "":
			res.Total = row.N
		case "series":
			f.Series = append(f.Series, c)
		case "topic":
			f.Topics = append(f.Topics, c)
		case "year":
			f.Years = append(f.Years, c)
		}
	}
	if facets {
		sortFacets(f)
		res.Facets = f
	}
	return nil
}

// sortFacets orders series and topics most first, then by value (at most
// 25 topics), and years newest first.
func sortFacets(f *search.Facets) {
	byCount := func(list []search.FacetCount) {
		sort.Slice(list, func(i, j int) bool {
			if list[i].Count != list[j].Count {
				return list[i].Count > list[j].Count
			}
			return list[i].Value < list[j].Value
		})
	}
	byCount(f.Series)
	byCount(f.Topics)
	if len(f.Topics) > 25 {
		f.Topics = f.Topics[:25]
	}
	sort.Slice(f.Years, func(i, j int) bool { return f.Years[i].Value > f.Years[j].Value })
}

func (db *DB) compileLive(ctx context.Context, r search.Request) (liveSearch, error) {
	if db.dialect == Postgres {
		return db.compilePostgres(ctx, r)
	}
	return db.compileSQLite(ctx, r)
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

// rankPage orders the window's rowids by score (lower is better, then
// newest first) and returns [offset, offset+limit) of the result order:
// the window so ordered, then older (the rest of newest, newest first).
func rankPage(newest []int64, scores map[int64]float64, offset, limit int) []int64 {
	window := newest[:min(len(newest), rankWindow)]
	ranked := append([]int64{}, window...)
	sort.SliceStable(ranked, func(i, j int) bool {
		si, sj := scores[ranked[i]], scores[ranked[j]]
		if si != sj {
			return si < sj
		}
		return ranked[i] > ranked[j]
	})
	order := append(ranked, newest[len(window):]...)
	if offset >= len(order) {
		return nil
	}
	return order[offset:min(len(order), offset+limit)]
}

// scanRowids reads a comma-separated rowid list aggregate (NULL when
// nothing matched).
func scanRowids(c *DB, ctx context.Context, query string, args []any) ([]int64, error) {
	var agg *string
	if err := c.q(ctx).Raw(query, args...).Scan(&agg).Error; err != nil {
		return nil, wrap(err)
	}
	if agg == nil {
		return []int64{}, nil
	}
	return parseRowids(*agg), nil
}

// searchIndexes are the GIN indexes of search on PostgreSQL, as the
// migration creates them.
var searchIndexes = []struct{ name, def string }{
	{"search_text_match", "ON search_text USING GIN (tsv, tags, pairs)"},
	{"staff_search_tsv", "ON staff_search USING GIN (tsv)"},
}

// BulkLoadSearch runs load — the writing of many documents, in as many
// transactions as it likes, while nothing searches — with the search
// indexes of PostgreSQL dropped, then builds them again, the same, in one
// go: much faster than growing them a row at a time. On SQLite it just
// runs load (PutLiveBatch and PutStaffBatch already let FTS5 take rows in
// bulk). For tools such as scripts/searchgen; not for a live site, whose
// searches would go without indexes meanwhile.
func (db *DB) BulkLoadSearch(ctx context.Context, load func() error) error {
	if db.dialect != Postgres {
		return load()
	}
	for _, ix := range searchIndexes {
		if err := db.q(ctx).Exec("DROP INDEX IF EXISTS " + ix.name).Error; err != nil {
			return wrap(err)
		}
	}
	loadErr := load()
	// Both at once, each on its own connection. (A larger
	// maintenance_work_mem makes GIN builds slower here, not faster.)
	build := func(ix int) func() error {
		return func() error {
			return wrap(db.q(ctx).Exec("CREATE INDEX IF NOT EXISTS " + searchIndexes[ix].name + " " + searchIndexes[ix].def).Error)
		}
	}
	if err := db.both(build(0), build(1)); err != nil {
		return err
	}
	return loadErr
}

// BulkIndex runs fn, which writes many documents into both search
// indexes, inside this transaction, with PostgreSQL's search indexes
// dropped meanwhile and built again, the same, once fn is done — in the
// same transaction, so that a failure or a crash leaves them as they
// were. Dropping an index locks its table until the transaction ends:
// searches wait for it, so this is for writes into a database nothing
// searches yet (an import into an empty one). On SQLite, whose full-text
// indexes take a transaction's rows in bulk by themselves, it just runs
// fn.
func (db *DB) BulkIndex(ctx context.Context, fn func() error) error {
	if db.dialect != Postgres {
		return fn()
	}
	if !db.inTx() {
		return fmt.Errorf("store: BulkIndex runs inside a transaction")
	}
	for _, ix := range searchIndexes {
		if err := db.q(ctx).Exec("DROP INDEX IF EXISTS " + ix.name).Error; err != nil {
			return wrap(err)
		}
	}
	if err := fn(); err != nil {
		return err
	}
	for _, ix := range searchIndexes {
		if err := db.q(ctx).Exec("CREATE INDEX " + ix.name + " " + ix.def).Error; err != nil {
			return wrap(err)
		}
	}
	return nil
}
