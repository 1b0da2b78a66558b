package store

import (
	"strings"

	"github.com/masthead-cms/masthead/internal/search"
)

// tsQuery compiles a parsed query to a tsquery expression whose words are
// all bound parameters: plainto/phraseto_tsquery for words and phrases,
// to_tsquery only for prefixes, whose word is letters and digits
// (search.Parse guarantees it) followed by ":*".
func tsQuery(q search.Query) (string, []any) {
	var args []any
	term := func(t search.Term) string {
		words := t.Words
		if !t.Prefix {
			args = append(args, strings.Join(words, " "))
			if len(words) == 1 {
				return "plainto_tsquery('english', ?)"
			}
			return "phraseto_tsquery('english', ?)"
		}
		prefix := words[len(words)-1] + ":*"
		if len(words) == 1 {
			args = append(args, prefix)
			return "to_tsquery('english', ?)"
		}
		args = append(args, strings.Join(words[:len(words)-1], " "), prefix)
		return "tsquery_phrase(phraseto_tsquery('english', ?), to_tsquery('english', ?))"
	}
	groups := make([]string, 0, len(q.Groups))
	for _, g := range q.Groups {
		alts := make([]string, 0, len(g.Terms))
		for _, t := range g.Terms {
			alts = append(alts, term(t))
		}
		groups = append(groups, "("+strings.Join(alts, " || ")+")")
	}
	expr := "(" + strings.Join(groups, " && ") + ")"
	for _, t := range q.Excluded {
		expr += " && !!" + term(t)
	}
	return expr, args
}

// postgresLiveQuery compiles a public search for PostgreSQL: the GIN
// index on tsv finds the words, the one on tags_tsv the filters. ts_rank
// uses the weights of the tsvector (title A, summary and names B, body C).
func postgresLiveQuery(r search.Request, tags []string) liveQuery {
	var tagsWhere string
	var tagsArgs []any
	if len(tags) > 0 {
		tagsWhere = " AND d.tags_tsv @@ to_tsquery('simple', ?)"
		tagsArgs = []any{strings.Join(tags, " & ")}
	}
	const hitsFrom = " FROM search_documents d JOIN series s ON s.slug = d.series_slug"
	if r.Query.Empty() {
		return liveQuery{from: "FROM search_documents d WHERE TRUE" + tagsWhere, args: tagsArgs, rowid: "d.rowid",
			list: "string_agg(d.rowid::text, ',')",
			hits: "SELECT " + hitColumns + ", d.summary AS snippet" + hitsFrom + " WHERE d.rowid IN ?"}
	}
	expr, args := tsQuery(r.Query)
	return liveQuery{
		from: "FROM (SELECT " + expr + " AS query) tq, search_documents d WHERE d.tsv @@ tq.query" + tagsWhere,
		args: append(args, tagsArgs...), rowid: "d.rowid", list: "string_agg(d.rowid::text, ',')",
		rank: "-ts_rank(d.tsv, tq.query)",
		hits: "SELECT " + hitColumns + ", ts_headline('english', d.summary || ' ' || d.body, tq.query, ?) AS snippet" +
			" FROM (SELECT " + expr + " AS query) tq, search_documents d JOIN series s ON s.slug = d.series_slug WHERE d.rowid IN ?",
		hitsArgs: append([]any{"StartSel=" + search.MarkStart + ", StopSel=" + search.MarkEnd +
			", MaxWords=30, MinWords=12, MaxFragments=1, FragmentDelimiter=\" … \""}, args...),
	}
}
