package store

import (
	"strings"

	"github.com/masthead-cms/masthead/internal/search"
)

// fts5Query compiles a parsed query to FTS5 syntax. Every word is quoted,
// and words are letters and digits only (search.Parse guarantees it), so
// the result is always valid FTS5 and never more than the reader asked.
func fts5Query(q search.Query) string {
	groups := make([]string, 0, len(q.Groups))
	for _, g := range q.Groups {
		alts := make([]string, 0, len(g.Terms))
		for _, t := range g.Terms {
			alts = append(alts, fts5Term(t))
		}
		groups = append(groups, "("+strings.Join(alts, " OR ")+")")
	}
	expr := "(" + strings.Join(groups, " AND ") + ")"
	for _, t := range q.Excluded {
		expr += " NOT " + fts5Term(t)
	}
	return expr
}

func fts5Term(t search.Term) string {
	s := `"` + strings.Join(t.Words, " ") + `"`
	if t.Prefix {
		s += "*"
	}
	return s
}

// fts5Text restricts a query to the text columns: a reader's words never
// match the tags column.
func fts5Text(q search.Query) string {
	return "{title summary body topics contributors} : (" + fts5Query(q) + ")"
}

// fts5Tags matches rows having every tag (tags are letters and digits).
func fts5Tags(tags []string) string {
	return `{tags} : ("` + strings.Join(tags, `" AND "`) + `")`
}

// sqliteLiveQuery compiles a public search for FTS5. bm25 weighs the
// title ten times the body, the summary, topics and names four times, and
// tags not at all.
func sqliteLiveQuery(r search.Request) liveQuery {
	tags := filterTags(r)
	const hitsFrom = " FROM search_documents d JOIN series s ON s.slug = d.series_slug"
	if r.Query.Empty() {
		if len(tags) == 0 {
			return liveQuery{from: "FROM search_documents d", rowid: "d.rowid", list: "group_concat(d.rowid)",
				hits: "SELECT " + hitColumns + ", d.summary AS snippet" + hitsFrom + " WHERE d.rowid IN ?"}
		}
		return liveQuery{from: "FROM search_fts WHERE search_fts MATCH ?", args: []any{fts5Tags(tags)},
			rowid: "search_fts.rowid", list: "group_concat(search_fts.rowid)",
			hits: "SELECT " + hitColumns + ", d.summary AS snippet" + hitsFrom + " WHERE d.rowid IN ?"}
	}
	text := fts5Text(r.Query)
	expr := text
	if len(tags) > 0 {
		expr += " AND " + fts5Tags(tags)
	}
	return liveQuery{
		from: "FROM search_fts WHERE search_fts MATCH ?", args: []any{expr},
		rowid: "search_fts.rowid", list: "group_concat(search_fts.rowid)",
		rank: "bm25(search_fts, 10.0, 4.0, 1.0, 4.0, 4.0, 0.0)",
		hits: "SELECT " + hitColumns + ", snippet(search_fts, -1, ?, ?, '…', 24) AS snippet" +
			" FROM search_fts JOIN search_documents d ON d.rowid = search_fts.rowid JOIN series s ON s.slug = d.series_slug" +
			" WHERE search_fts MATCH ? AND search_fts.rowid IN ?",
		hitsArgs: []any{search.MarkStart, search.MarkEnd, text},
	}
}
