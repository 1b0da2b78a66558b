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

// postgresMatcher matches through the GIN index on tsv. ts_rank uses the
// weights of the tsvector (title A, summary and names B, body C).
func postgresMatcher(q search.Query, table, headlineText string) matcher {
	expr, args := tsQuery(q)
	m := matcher{
		from:     " FROM (SELECT " + expr + " AS query) tq, " + table + " d JOIN series s ON s.slug = d.series_slug WHERE d.tsv @@ tq.query",
		fromArgs: args,
		rank:     "ts_rank(d.tsv, tq.query) DESC, d.rowid DESC",
		snippet:  "ts_headline('english', " + headlineText + ", tq.query, ?)",
		snipArg:  []any{"StartSel=" + search.MarkStart + ", StopSel=" + search.MarkEnd + ", MaxWords=30, MinWords=12, MaxFragments=1, FragmentDelimiter=\" … \""},
	}
	return m
}
