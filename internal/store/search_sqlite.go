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

// sqliteMatcher matches through the FTS5 index. bm25 weighs the title
// ten times the body, the summary, topics and names four times.
func sqliteMatcher(q search.Query) matcher {
	return matcher{
		from:     " FROM search_fts JOIN search_documents d ON d.rowid = search_fts.rowid JOIN series s ON s.slug = d.series_slug WHERE search_fts MATCH ?",
		fromArgs: []any{fts5Query(q)},
		rank:     "bm25(search_fts, 10.0, 4.0, 1.0, 4.0, 4.0), d.rowid DESC",
		snippet:  "snippet(search_fts, -1, ?, ?, '…', 24)",
		snipArg:  []any{search.MarkStart, search.MarkEnd},
	}
}
