package store

import (
	"context"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/search"
)

// PutLive indexes a live document, replacing its previous entry. The new
// row gets a new, higher rowid: rowids follow publish order.
func (db *DB) PutLive(ctx context.Context, d search.Doc) error {
	if err := db.DeleteLive(ctx, d.DocumentID); err != nil {
		return err
	}
	return wrap(db.q(ctx).Exec(`INSERT INTO search_documents
(document_id, series_slug, parent_slug, slug, type, year, published_at, title, summary, body, topics, contributors)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.DocumentID, d.SeriesSlug, d.ParentSlug, d.Slug, d.Type, d.PublishedAt.UTC().Year(), d.PublishedAt.UTC(),
		d.Title, d.Summary, d.Body, strings.Join(d.Topics, " "), strings.Join(d.Contributors, " ")).Error)
}

// DeleteLive removes a document from the public index.
func (db *DB) DeleteLive(ctx context.Context, documentID string) error {
	return wrap(db.q(ctx).Exec("DELETE FROM search_documents WHERE document_id = ?", documentID).Error)
}

// PutStaff indexes a document's head revision for staff search.
func (db *DB) PutStaff(ctx context.Context, documentID, title, body string) error {
	if err := db.q(ctx).Exec("DELETE FROM staff_search WHERE document_id = ?", documentID).Error; err != nil {
		return wrap(err)
	}
	return wrap(db.q(ctx).Exec("INSERT INTO staff_search (document_id, title, body) VALUES (?, ?, ?)",
		documentID, title, body).Error)
}

// liveFilter is the WHERE part a public search's filters add, on
// search_documents aliased d.
func liveFilter(r search.Request) (string, []any) {
	var where []string
	var args []any
	if r.Series != "" {
		where = append(where, "(d.series_slug = ? OR d.parent_slug = ?)")
		args = append(args, r.Series, r.Series)
	}
	if r.Type != "" {
		where = append(where, "d.type = ?")
		args = append(args, r.Type)
	}
	if r.Topic != "" {
		where = append(where, "EXISTS (SELECT 1 FROM delivered_topics t WHERE t.document_id = d.document_id AND t.topic = ?)")
		args = append(args, r.Topic)
	}
	if r.Year != 0 {
		where = append(where, "d.year = ?")
		args = append(args, r.Year)
	}
	if len(where) == 0 {
		return "", nil
	}
	return " AND " + strings.Join(where, " AND "), args
}

// hitRow is a public hit as selected.
type hitRow struct {
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

const hitColumns = `d.document_id, d.type, d.series_slug, s.name AS series_name, d.slug, d.title, d.summary, d.published_at`

// SearchLive runs a public search on the store's engine.
func (db *DB) SearchLive(ctx context.Context, r search.Request) (search.Result, error) {
	res := search.Result{Data: []search.Hit{}}
	if r.Query.OnlyStopWords {
		return res, nil
	}
	if r.Query.Empty() {
		return db.browseLive(ctx, r)
	}
	m := db.matcher(r.Query)
	filter, fargs := liveFilter(r)
	if err := db.q(ctx).Raw("SELECT COUNT(*) "+m.from+filter, append(m.args(), fargs...)...).Scan(&res.Total).Error; err != nil {
		return res, wrap(err)
	}
	if res.Total > 0 && r.Offset < res.Total {
		var rows []hitRow
		query := "SELECT " + hitColumns + ", " + m.snippet + " AS snippet " + m.from + filter +
			" ORDER BY " + m.rank + " LIMIT ? OFFSET ?"
		args := append(append(append(m.snippetArgs(), m.args()...), fargs...), m.rankArgs()...)
		args = append(args, r.Limit, r.Offset)
		if err := db.q(ctx).Raw(query, args...).Scan(&rows).Error; err != nil {
			return res, wrap(err)
		}
		for _, row := range rows {
			res.Data = append(res.Data, row.hit())
		}
	}
	if r.Facets {
		f, err := db.facets(ctx, m.from+filter, append(m.args(), fargs...))
		if err != nil {
			return res, err
		}
		res.Facets = f
	}
	return res, nil
}

// browseLive answers a search without words: the newest live documents
// and the size of the index (the "Total Index" of a search page).
func (db *DB) browseLive(ctx context.Context, r search.Request) (search.Result, error) {
	res := search.Result{Data: []search.Hit{}}
	filter, fargs := liveFilter(r)
	from := " FROM search_documents d JOIN series s ON s.slug = d.series_slug WHERE 1 = 1" + filter
	if err := db.q(ctx).Raw("SELECT COUNT(*)"+from, fargs...).Scan(&res.Total).Error; err != nil {
		return res, wrap(err)
	}
	var rows []hitRow
	err := db.q(ctx).Raw("SELECT "+hitColumns+", d.summary AS snippet"+from+" ORDER BY d.rowid DESC LIMIT ? OFFSET ?",
		append(fargs, r.Limit, r.Offset)...).Scan(&rows).Error
	if err != nil {
		return res, wrap(err)
	}
	for _, row := range rows {
		res.Data = append(res.Data, row.hit())
	}
	if r.Facets {
		if res.Facets, err = db.facets(ctx, from, fargs); err != nil {
			return res, err
		}
	}
	return res, nil
}

// facets counts the matches of from (a FROM … WHERE clause over d) by
// series, topic and year.
func (db *DB) facets(ctx context.Context, from string, args []any) (*search.Facets, error) {
	f := &search.Facets{}
	queries := []struct {
		sql string
		dst *[]search.FacetCount
	}{
		{"SELECT d.series_slug AS value, COUNT(*) AS count " + from + " GROUP BY d.series_slug ORDER BY count DESC, value", &f.Series},
		{"SELECT t.topic AS value, COUNT(*) AS count " + strings.Replace(from, " WHERE ", " JOIN delivered_topics t ON t.document_id = d.document_id WHERE ", 1) +
			" GROUP BY t.topic ORDER BY count DESC, value LIMIT 25", &f.Topics},
		{"SELECT CAST(d.year AS TEXT) AS value, COUNT(*) AS count " + from + " GROUP BY d.year ORDER BY d.year DESC", &f.Years},
	}
	for _, q := range queries {
		*q.dst = []search.FacetCount{}
		if err := db.q(ctx).Raw(q.sql, args...).Scan(q.dst).Error; err != nil {
			return nil, wrap(err)
		}
	}
	return f, nil
}

// matcher is a compiled query for one engine: the FROM … WHERE clause
// that selects matches (over search_documents d joined to series s), the
// ranking and snippet expressions, and their parameters.
type matcher struct {
	from, rank, snippet string
	fromArgs            []any
	rankArg, snipArg    []any
}

func (m matcher) args() []any        { return m.fromArgs }
func (m matcher) rankArgs() []any    { return m.rankArg }
func (m matcher) snippetArgs() []any { return m.snipArg }

func (db *DB) matcher(q search.Query) matcher {
	if db.dialect == Postgres {
		return postgresMatcher(q, "search_documents", "d.summary || ' ' || d.body")
	}
	return sqliteMatcher(q)
}
