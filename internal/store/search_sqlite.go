package store

import (
	"context"
	"strings"

	"github.com/masthead-cms/masthead/internal/search"
)

// fts5Query compiles a parsed query to FTS5 syntax. Every word is quoted,
// and words are letters and digits only (search.Parse guarantees it), so
// the result is always valid FTS5 and never more than the reader asked.
// expand maps a prefix to the index terms it stands for (see
// expandPrefixes); other prefixes stay prefix queries.
func fts5Query(q search.Query, expand map[string][]string) string {
	groups := make([]string, 0, len(q.Groups))
	for _, g := range q.Groups {
		alts := make([]string, 0, len(g.Terms))
		for _, t := range g.Terms {
			alts = append(alts, fts5Term(t, expand))
		}
		groups = append(groups, "("+strings.Join(alts, " OR ")+")")
	}
	expr := "(" + strings.Join(groups, " AND ") + ")"
	for _, t := range q.Excluded {
		expr += " NOT " + fts5Term(t, expand)
	}
	return expr
}

func fts5Term(t search.Term, expand map[string][]string) string {
	if terms, ok := expand[prefixKey(t)]; ok {
		return `("` + strings.Join(terms, `" OR "`) + `")`
	}
	s := `"` + strings.Join(t.Words, " ") + `"`
	if t.Prefix {
		s += "*"
	}
	return s
}

func prefixKey(t search.Term) string {
	if !t.Prefix || len(t.Words) != 1 {
		return ""
	}
	return t.Words[0]
}

// Long prefixes. FTS5 answers a prefix its prefix index does not cover
// (prefix='2 3 4') by merging the whole doclist of every term under it
// before returning the first row, for every statement — 10 to 30 ms for a
// common prefix at 100,000 documents. An OR of those terms is read
// lazily instead. So a prefix longer than 4 is replaced by the OR of the
// index terms it covers (read from search_vocab), which matches exactly
// the same rows — provided that the prefix is what the tokenizer makes of
// it: FTS5 runs a query's prefix through the porter stemmer too
// ("operational*" searches "oper*"). expandablePrefix accepts only
// prefixes no porter rule can change; the others stay prefix queries.
const (
	maxIndexedPrefix = 4
	maxExpansion     = 64
)

func expandablePrefix(p string) bool {
	if len(p) <= maxIndexedPrefix {
		return false
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false // unicode61 might fold it
		}
	}
	// Every porter rule removes or rewrites one of these endings.
	switch p[len(p)-1] {
	case 's', 'd', 'y', 'e', 'i':
		return false
	}
	for _, suffix := range []string{"ing", "ant", "ent", "er", "or", "ion", "ism", "al", "ful", "ll", "ic", "ou"} {
		if strings.HasSuffix(p, suffix) {
			return false
		}
	}
	return true
}

// expandPrefixes reads the index terms under each expandable prefix of q;
// a prefix with too many terms, or none, is left alone.
func (db *DB) expandPrefixes(ctx context.Context, q search.Query) (map[string][]string, error) {
	var out map[string][]string
	for _, g := range append(q.Groups, search.Group{Terms: q.Excluded}) {
		for _, t := range g.Terms {
			p := prefixKey(t)
			if !expandablePrefix(p) {
				continue
			}
			if _, done := out[p]; done {
				continue
			}
			upper := p[:len(p)-1] + string(p[len(p)-1]+1)
			var terms []string
			err := db.q(ctx).Raw("SELECT term FROM search_vocab WHERE term >= ? AND term < ? LIMIT ?", p, upper, maxExpansion+1).
				Scan(&terms).Error
			if err != nil {
				return nil, wrap(err)
			}
			if len(terms) == 0 || len(terms) > maxExpansion {
				continue
			}
			if out == nil {
				out = map[string][]string{}
			}
			out[p] = terms
		}
	}
	return out, nil
}

// fts5Tags matches rows having every tag (tags are letters and digits
// after their marker).
func fts5Tags(tags []string) string {
	return `("` + strings.Join(tags, `" AND "`) + `")`
}

// sqliteLiveQuery compiles a public search for FTS5. bm25 weighs the
// title ten times the body, the summary, topics and names four times, and
// tags not at all.
func sqliteLiveQuery(r search.Request, tags []string, expand map[string][]string) liveQuery {
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
	text := fts5Query(r.Query, expand)
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
			" WHERE search_fts MATCH ? AND search_fts.rowid BETWEEN ? AND ? AND +search_fts.rowid IN ?",
		hitsArgs: []any{search.MarkStart, search.MarkEnd, text}, hitsRange: true,
	}
}
