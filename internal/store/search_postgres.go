package store

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
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

// pgSearch is a public search compiled for PostgreSQL: conditions on
// search_text t, the narrow table of vectors (see the migration).
type pgSearch struct {
	where string // conditions on t
	args  []any
	// rank is the tsquery that ts_rank scores matches with; empty
	// without words.
	rank     string
	rankArgs []any
	hitsSQL  string // hitColumns and a snippet for the rowids given last
	hitsArgs []any
}

// compilePostgres compiles a public search for the GIN index over
// search_text: tsv finds the words, tags the filters, pairs the phrases.
// A phrase of two words (up to two positions apart) is exactly one pair,
// so its matches come from the index alone, where checking the positions
// of tsv would read the vector of every row holding both words. Longer
// phrases are narrowed by their pairs, then checked on tsv.
func (db *DB) compilePostgres(ctx context.Context, r search.Request) (liveSearch, error) {
	var where []string
	var args []any
	if tags := db.filterTags(r); len(tags) > 0 {
		where = append(where, "t.tags @@ to_tsquery('simple', ?)")
		args = append(args, strings.Join(tags, " & "))
	}
	s := &pgSearch{hitsSQL: "SELECT " + hitColumns + ", d.summary AS snippet FROM search_documents d JOIN series s ON s.slug = d.series_slug WHERE d.rowid IN ?"}
	if !r.Query.Empty() {
		pairs, err := db.phrasePairs(ctx, r.Query)
		if err != nil {
			return nil, err
		}
		w, a := pgMatch(r.Query, pairs)
		where, args = append(where, w...), append(args, a...)
		s.rank, s.rankArgs = tsQuery(r.Query)
		s.hitsSQL = "SELECT " + hitColumns + ", ts_headline('english', d.summary || ' ' || d.body, tq.query, ?) AS snippet" +
			" FROM (SELECT " + s.rank + " AS query) tq, search_documents d JOIN series s ON s.slug = d.series_slug WHERE d.rowid IN ?"
		s.hitsArgs = append([]any{"StartSel=" + search.MarkStart + ", StopSel=" + search.MarkEnd +
			", MaxWords=30, MinWords=12, MaxFragments=1, FragmentDelimiter=\" … \""}, s.rankArgs...)
	}
	if len(where) == 0 {
		where = []string{"TRUE"}
	}
	s.where, s.args = strings.Join(where, " AND "), args
	return s, nil
}

// phrase is what a phrase of the query becomes in pairs: its tokens (in
// the order of its words), and whether they say all the phrase does.
type phrase struct {
	tokens []string
	exact  bool
}

// usePairs is false only in tests comparing pairs with positions.
var usePairs = true

var tsvectorEntry = regexp.MustCompile(`'((?:[^']|'')*)':([0-9,]+)`)

// phrasePairs asks PostgreSQL what each phrase of q is made of (its
// lexemes and their positions, stop words leaving gaps, as
// phraseto_tsquery sees them) and returns the pairs of each, by its text.
func (db *DB) phrasePairs(ctx context.Context, q search.Query) (map[string]phrase, error) {
	if !usePairs {
		return nil, nil
	}
	var texts []string
	seen := map[string]bool{}
	for _, g := range append(q.Groups, search.Group{Terms: q.Excluded}) {
		for _, t := range g.Terms {
			if text := strings.Join(t.Words, " "); len(t.Words) > 1 && !t.Prefix && !seen[text] {
				seen[text] = true
				texts = append(texts, text)
			}
		}
	}
	if len(texts) == 0 {
		return nil, nil
	}
	values := make([]string, len(texts))
	args := make([]any, 0, 2*len(texts))
	for i, text := range texts {
		values[i] = "(?::int, ?::text)"
		args = append(args, i, text)
	}
	var rows []struct {
		I int
		V string
	}
	err := db.q(ctx).Raw("SELECT i, to_tsvector('english', w)::text AS v FROM (VALUES "+strings.Join(values, ", ")+") p(i, w)", args...).
		Scan(&rows).Error
	if err != nil {
		return nil, wrap(err)
	}
	out := map[string]phrase{}
	for _, row := range rows {
		type at struct {
			lexeme string
			pos    int
		}
		var all []at
		for _, m := range tsvectorEntry.FindAllStringSubmatch(row.V, -1) {
			for _, p := range strings.Split(m[2], ",") {
				n, err := strconv.Atoi(p)
				if err != nil {
					return nil, fmt.Errorf("store: tsvector %q: %w", row.V, err)
				}
				all = append(all, at{strings.ReplaceAll(m[1], "''", "'"), n})
			}
		}
		sort.Slice(all, func(i, j int) bool { return all[i].pos < all[j].pos })
		var p phrase
		for i := 1; i < len(all); i++ {
			if d := all[i].pos - all[i-1].pos; d >= 1 && d <= 2 {
				p.tokens = append(p.tokens, all[i-1].lexeme+" "+strconv.Itoa(d)+" "+all[i].lexeme)
			}
		}
		p.exact = len(all) == 2 && len(p.tokens) == 1
		if len(p.tokens) > 0 {
			out[texts[row.I]] = p
		}
	}
	return out, nil
}

// tsLexeme quotes a lexeme for tsquery input.
func tsLexeme(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'"
}

// pgMatch compiles q to conditions on search_text t: the words (and
// exclusions) in one tsquery on tsv, phrases of two words on pairs.
// Every condition is one the GIN index answers, ANDed: an OR of
// conditions on different columns would let the planner check vectors
// row by row. So a group mixing words and phrases is all matched on tsv.
// A row whose pairs overflowed (see the migration) passes the pairs
// condition and is checked on tsv instead (t.overflow is a plain column:
// checking it costs nothing).
func pgMatch(q search.Query, pairs map[string]phrase) ([]string, []any) {
	var where []string
	var args []any
	var words []search.Group // what tsv matches
	overflow := tsLexeme(pairsOverflow)
	for _, g := range q.Groups {
		var exact []string
		var prefilter []string
		for _, t := range g.Terms {
			p, ok := pairs[strings.Join(t.Words, " ")]
			if !ok || t.Prefix {
				exact = nil
				break
			}
			quoted := make([]string, len(p.tokens))
			for i, tok := range p.tokens {
				quoted[i] = tsLexeme(tok)
			}
			if p.exact {
				exact = append(exact, quoted[0])
			} else if len(g.Terms) == 1 {
				prefilter = quoted
			}
		}
		switch {
		case len(exact) == len(g.Terms):
			expr, a := tsQuery(search.Query{Groups: []search.Group{g}})
			where = append(where, "t.pairs @@ ?::tsquery", "(NOT t.overflow OR t.tsv @@ ("+expr+"))")
			args = append(append(args, strings.Join(append(exact, overflow), " | ")), a...)
			continue
		case len(prefilter) > 0:
			// Narrowed by its pairs, checked on tsv.
			where = append(where, "t.pairs @@ ?::tsquery")
			args = append(args, "("+strings.Join(prefilter, " & ")+") | "+overflow)
		}
		words = append(words, g)
	}
	if len(words) > 0 || len(q.Excluded) > 0 {
		expr, a := tsQuery(search.Query{Groups: words, Excluded: q.Excluded})
		if len(words) == 0 {
			expr = strings.TrimPrefix(expr, "() && ")
		}
		where = append(where, "t.tsv @@ ("+expr+")")
		args = append(args, a...)
	}
	return where, args
}

// pairsOverflow is the pair of a row whose pairs would not fit a vector.
const pairsOverflow = "overflow"

// run gives the search its own transaction in which the planner may only
// use bitmap scans: it costs a check of tsv @@ as nothing, while each
// one reads and decompresses a vector of kilobytes, so left alone it
// walks the primary key or the whole table checking vectors where the
// GIN index answers from its posting lists. JIT compilation is off too:
// it costs more than these statements take. And every statement is
// planned for its own values: the driver prepares statements once, and a
// generic plan, blind to how common a word or a tag is, may check
// vectors row by row (400 ms instead of 1).
func (s *pgSearch) run(ctx context.Context, db *DB, fn func(c *DB) error) error {
	if db.inTx() {
		return fn(db)
	}
	return db.InTx(ctx, func(tx *DB) error {
		err := tx.q(ctx).Exec("SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true), " +
			"set_config('jit', 'off', true), set_config('plan_cache_mode', 'force_custom_plan', true)").Error
		if err != nil {
			return wrap(err)
		}
		return fn(tx)
	})
}

func (s *pgSearch) count(ctx context.Context, c *DB) (int, error) {
	var n int
	err := c.q(ctx).Raw("SELECT COUNT(*) FROM search_text t WHERE "+s.where, s.args...).Scan(&n).Error
	return n, wrap(err)
}

func (s *pgSearch) list(ctx context.Context, c *DB) ([]int64, error) {
	return scanRowids(c, ctx, "SELECT string_agg(t.rowid::text, ',') FROM search_text t WHERE "+s.where, s.args)
}

func (s *pgSearch) page(ctx context.Context, c *DB, offset, limit int) ([]int64, error) {
	n := offset + limit
	if s.rank != "" {
		n = max(n, rankWindow)
	}
	newest, err := s.newest(ctx, c, n)
	if err != nil {
		return nil, err
	}
	if s.rank == "" {
		if offset >= len(newest) {
			return nil, nil
		}
		return newest[offset:min(len(newest), n)], nil
	}
	window := newest[:min(len(newest), rankWindow)]
	var rows []struct {
		ID    int64
		Score float64
	}
	if len(window) > 0 {
		err = c.q(ctx).Raw("SELECT t.rowid AS id, -ts_rank(t.tsv, tq.query) AS score FROM (SELECT "+s.rank+" AS query) tq, search_text t WHERE t.rowid IN ?",
			append(append([]any{}, s.rankArgs...), window)...).Scan(&rows).Error
		if err != nil {
			return nil, wrap(err)
		}
	}
	scores := make(map[int64]float64, len(rows))
	for _, r := range rows {
		scores[r.ID] = r.Score
	}
	return rankPage(newest, scores, offset, limit), nil
}

// bucketSize is how many rowids share a bucket tag (the migration's
// trigger divides by it too).
const bucketSize = 1024

// newest returns the rowids of the newest n matches. Rather than ordering
// every match, it looks among the newest rows first — those of the
// buckets holding the newest 4n rowids, then as many more as the matches
// found there say are needed — so that the index scan and the heap visits
// stay small whatever the query. Buckets are tags: the index answers
// them with the rest of the search.
func (s *pgSearch) newest(ctx context.Context, c *DB, n int) ([]int64, error) {
	var top int64 // at least the largest rowid
	if err := c.q(ctx).Raw("SELECT last_value FROM search_documents_rowid_seq").Scan(&top).Error; err != nil {
		return nil, wrap(err)
	}
	span := int64(4*n + 64)
	for {
		var ids []int64
		q := "SELECT t.rowid FROM search_text t WHERE " + s.where
		args := append([]any{}, s.args...)
		first, last := max(top-span, 0)/bucketSize, top/bucketSize
		if first > 0 && last-first < 256 {
			buckets := make([]string, 0, last-first+1)
			for b := first; b <= last; b++ {
				buckets = append(buckets, "b"+strconv.FormatInt(b, 10))
			}
			q += " AND t.tags @@ to_tsquery('simple', ?)"
			args = append(args, strings.Join(buckets, " | "))
		} else {
			span = top // everything
		}
		if err := c.q(ctx).Raw(q+" ORDER BY t.rowid DESC LIMIT ?", append(args, n)...).Scan(&ids).Error; err != nil {
			return nil, wrap(err)
		}
		if len(ids) >= n || span >= top {
			return ids, nil
		}
		if len(ids) == 0 {
			span *= 16
		} else {
			span = span * int64(n) / int64(len(ids)) * 3 / 2
		}
	}
}

func (s *pgSearch) hits(ctx context.Context, c *DB, ids []int64) ([]hitRow, error) {
	var rows []hitRow
	err := c.q(ctx).Raw(s.hitsSQL, append(append([]any{}, s.hitsArgs...), ids)...).Scan(&rows).Error
	return rows, wrap(err)
}
