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
// the same rows, as long as the tokenizer leaves the prefix and every one
// of those terms as they are: FTS5 runs query words through the porter
// stemmer too ("operational*" searches "oper*", and the index term
// "defens" would be searched as "defen"). porterStable tells which words
// no porter rule changes; otherwise the prefix stays a prefix query.
const (
	maxIndexedPrefix = 4
	maxExpansion     = 8
)

// expandPrefixes is false only in tests comparing both ways.
var expandPrefixes = true

// porterSuffixes are every ending a rule of FTS5's porter stemmer
// (sqlite/ext/fts5/fts5_tokenize.c, steps 1b to 5b) removes or rewrites;
// step 1a removes a final "s" unless it is "ss".
var porterSuffixes = []string{
	"eed", "ed", "ing", "y",
	"ational", "tional", "enci", "anci", "izer", "logi", "bli", "alli", "entli", "eli", "ousli", "ization",
	"ation", "ator", "alism", "iveness", "fulness", "ousness", "aliti", "iviti", "biliti",
	"icate", "ative", "alize", "iciti", "ical", "ful", "ness",
	"al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou", "ism",
	"ate", "iti", "ous", "ive", "ize",
	"e", "ll",
}

// porterStable reports whether FTS5's tokenizer returns w, a word of
// lower-case ASCII letters and digits, unchanged.
func porterStable(w string) bool {
	if len(w) < 3 || len(w) > 64 {
		return true // passed through unstemmed
	}
	for i := 0; i < len(w); i++ {
		if c := w[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false // unicode61 might fold it: do not guess
		}
	}
	if strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
		return false
	}
	for _, suffix := range porterSuffixes {
		if strings.HasSuffix(w, suffix) {
			return false
		}
	}
	return true
}

// expandPrefixes reads the index terms under each long prefix of q. A
// prefix with more than maxExpansion terms is left alone: an OR of many
// terms costs more than FTS5's merge (and many terms under a long prefix
// are mostly rare ones); so is one with none, or with a term the stemmer
// would change.
func (db *DB) expandPrefixes(ctx context.Context, q search.Query) (map[string][]string, error) {
	if !expandPrefixes {
		return nil, nil
	}
	var out map[string][]string
	for _, g := range append(q.Groups, search.Group{Terms: q.Excluded}) {
		for _, t := range g.Terms {
			p := prefixKey(t)
			if len(p) <= maxIndexedPrefix || !porterStable(p) {
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
			stable := true
			for _, term := range terms {
				stable = stable && porterStable(term)
			}
			if !stable {
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

// sqliteSearch is a public search compiled for FTS5.
type sqliteSearch struct {
	from  string // "FROM … WHERE …" selecting the matches
	args  []any
	rowid string // their rowid column
	agg   string // their rowids as comma-separated text
	// rank scores a match (bm25: lower is better); empty without words.
	rank string
	// hits selects hitColumns and a snippet for the rowids given last;
	// with hitsRange their smallest and largest come before them, so that
	// FTS5 evaluates the query once over that range instead of once per
	// rowid.
	hitsSQL   string
	hitsArgs  []any
	hitsRange bool
}

// compileSQLite compiles a public search for FTS5. bm25 weighs the title
// ten times the body, the summary, topics and names four times, and tags
// not at all.
func (db *DB) compileSQLite(ctx context.Context, r search.Request) (liveSearch, error) {
	tags := db.filterTags(r)
	const hitsFrom = " FROM search_documents d JOIN series s ON s.slug = d.series_slug"
	browseHits := "SELECT " + hitColumns + ", d.summary AS snippet" + hitsFrom + " WHERE d.rowid IN ?"
	if r.Query.Empty() {
		if len(tags) == 0 {
			return &sqliteSearch{from: "FROM search_documents d", rowid: "d.rowid", agg: "group_concat(d.rowid)", hitsSQL: browseHits}, nil
		}
		return &sqliteSearch{from: "FROM search_fts WHERE search_fts MATCH ?", args: []any{fts5Tags(tags)},
			rowid: "search_fts.rowid", agg: "group_concat(search_fts.rowid)", hitsSQL: browseHits}, nil
	}
	expand, err := db.expandPrefixes(ctx, r.Query)
	if err != nil {
		return nil, err
	}
	text := fts5Query(r.Query, expand)
	expr := text
	if len(tags) > 0 {
		expr += " AND " + fts5Tags(tags)
	}
	return &sqliteSearch{
		from: "FROM search_fts WHERE search_fts MATCH ?", args: []any{expr},
		rowid: "search_fts.rowid", agg: "group_concat(search_fts.rowid)",
		rank: "bm25(search_fts, 10.0, 4.0, 1.0, 4.0, 4.0, 0.0)",
		hitsSQL: "SELECT " + hitColumns + ", snippet(search_fts, -1, ?, ?, '…', 24) AS snippet" +
			" FROM search_fts JOIN search_documents d ON d.rowid = search_fts.rowid JOIN series s ON s.slug = d.series_slug" +
			" WHERE search_fts MATCH ? AND search_fts.rowid BETWEEN ? AND ? AND +search_fts.rowid IN ?",
		hitsArgs: []any{search.MarkStart, search.MarkEnd, text}, hitsRange: true,
	}, nil
}

func (s *sqliteSearch) run(_ context.Context, db *DB, fn func(c *DB) error) error { return fn(db) }

func (s *sqliteSearch) count(ctx context.Context, c *DB) (int, error) {
	var n int
	err := c.q(ctx).Raw("SELECT COUNT(*) "+s.from, s.args...).Scan(&n).Error
	return n, wrap(err)
}

func (s *sqliteSearch) list(ctx context.Context, c *DB) ([]int64, error) {
	return scanRowids(c, ctx, "SELECT "+s.agg+" "+s.from, s.args)
}

// page ranks inside FTS5's own statement (bm25 needs its cursor): the
// newest rankWindow matches, walked backwards by rowid, sorted by score.
func (s *sqliteSearch) page(ctx context.Context, c *DB, offset, limit int) ([]int64, error) {
	var ids []int64
	if s.rank == "" {
		err := c.q(ctx).Raw("SELECT "+s.rowid+" "+s.from+" ORDER BY "+s.rowid+" DESC LIMIT ? OFFSET ?",
			append(append([]any{}, s.args...), limit, offset)...).Scan(&ids).Error
		return ids, wrap(err)
	}
	if offset < rankWindow {
		n := min(limit, rankWindow-offset)
		q := "SELECT w.id FROM (SELECT " + s.rowid + " AS id, " + s.rank + " AS score " + s.from +
			" ORDER BY " + s.rowid + " DESC LIMIT ?) w ORDER BY w.score, w.id DESC LIMIT ? OFFSET ?"
		if err := c.q(ctx).Raw(q, append(append([]any{}, s.args...), rankWindow, n, offset)...).Scan(&ids).Error; err != nil {
			return nil, wrap(err)
		}
		if len(ids) < n {
			return ids, nil // fewer matches than the window
		}
	}
	if rest := offset + limit - max(offset, rankWindow); rest > 0 {
		var older []int64
		err := c.q(ctx).Raw("SELECT "+s.rowid+" "+s.from+" ORDER BY "+s.rowid+" DESC LIMIT ? OFFSET ?",
			append(append([]any{}, s.args...), rest, max(offset, rankWindow))...).Scan(&older).Error
		if err != nil {
			return nil, wrap(err)
		}
		ids = append(ids, older...)
	}
	return ids, nil
}

func (s *sqliteSearch) hits(ctx context.Context, c *DB, ids []int64) ([]hitRow, error) {
	args := append([]any{}, s.hitsArgs...)
	if s.hitsRange {
		lo, hi := ids[0], ids[0]
		for _, id := range ids {
			lo, hi = min(lo, id), max(hi, id)
		}
		args = append(args, lo, hi)
	}
	var rows []hitRow
	err := c.q(ctx).Raw(s.hitsSQL, append(args, ids)...).Scan(&rows).Error
	return rows, wrap(err)
}
