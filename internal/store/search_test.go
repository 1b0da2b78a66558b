package store_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/search"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
	"github.com/masthead-cms/masthead/scripts/searchgen/corpus"
)

// TestSearchLiveAtScale checks public search on a generated newsroom with
// a small ranking window: exact totals with and without facets, filters
// against facets, pages across the window, tags out of readers' reach,
// and facets after a republish.
func TestSearchLiveAtScale(t *testing.T) {
	// Parallel with the other tests of the package, none of which
	// searches; its backends stay one after the other, since they switch
	// the package-wide search settings.
	t.Parallel()
	defer store.SetRankWindow(40)()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const docs = 500
		if db.Dialect() == store.Postgres {
			// Rowids far from 1, so that the newest rows are a few
			// buckets of many.
			sqlDB, _ := db.SQL()
			if _, err := sqlDB.ExecContext(ctx, "SELECT setval('search_documents_rowid_seq', 250000)"); err != nil {
				t.Fatal(err)
			}
		}
		if err := corpus.Load(ctx, db, corpus.Config{Docs: docs, Seed: 3, Batch: 250, Tail: 5000}); err != nil {
			t.Fatal(err)
		}
		searchLive := func(q string, mod func(*search.Request)) search.Result {
			t.Helper()
			parsed, err := search.Parse(q)
			if err != nil {
				t.Fatal(err)
			}
			r := search.Request{Query: parsed, Limit: 10, Facets: true}
			if mod != nil {
				mod(&r)
			}
			res, err := db.SearchLive(ctx, r)
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			return res
		}

		// Without words: the whole index, newest first, counted by
		// search_counts as the matches of a filter would be.
		all := searchLive("", nil)
		if all.Total != docs || len(all.Data) != 10 || sum(all.Facets.Series) != docs || sum(all.Facets.Years) != docs {
			t.Fatalf("browse: total %d, %d hits, facets %+v", all.Total, len(all.Data), all.Facets)
		}
		sameCounts := func(when string) {
			t.Helper()
			counted := searchLive("", nil)
			listed := searchLive("", func(r *search.Request) { r.Type = "briefing" }) // every document
			if counted.Total != listed.Total || !reflect.DeepEqual(counted.Facets, listed.Facets) {
				t.Errorf("%s: counts say %d %+v, the index %d %+v", when, counted.Total, counted.Facets, listed.Total, listed.Facets)
			}
		}
		sameCounts("loaded")
		// Where only a total is compared, one hit is enough: the snippets
		// of ten long documents are most of a search's cost.
		totalOnly := func(r *search.Request) { r.Facets, r.Limit = false, 1 }

		for i, q := range corpus.Queries(3, 5000) {
			if q.Params.Q == "" {
				continue
			}
			with := searchLive(q.Params.Q, nil)
			without := searchLive(q.Params.Q, func(r *search.Request) { r.Facets = false })
			if with.Total != without.Total || sum(with.Facets.Series) != with.Total || sum(with.Facets.Years) != with.Total {
				t.Errorf("%q: total %d with facets, %d without; facets %+v", q.Params.Q, with.Total, without.Total, with.Facets)
			}
			if want := min(with.Total, 10); len(with.Data) != want || len(without.Data) != want {
				t.Errorf("%q: %d and %d hits, want %d", q.Params.Q, len(with.Data), len(without.Data), want)
			}
			// Filtering on a facet's value finds as many as it counts; every
			// other query is enough to cover each kind of the mix, and
			// halves the package's longest test.
			if with.Total == 0 || with.Total > 300 || i%2 == 1 {
				continue
			}
			for _, y := range with.Facets.Years {
				year, _ := strconv.Atoi(y.Value)
				if got := searchLive(q.Params.Q, func(r *search.Request) { r.Year = year; r.Facets, r.Limit = false, 1 }); got.Total != y.Count {
					t.Errorf("%q year %d: total %d, facet %d", q.Params.Q, year, got.Total, y.Count)
				}
			}
			for _, tp := range with.Facets.Topics {
				if got := searchLive(q.Params.Q, func(r *search.Request) { r.Topic, r.Limit = tp.Value, 1 }); got.Total != tp.Count {
					t.Errorf("%q topic %s: total %d, facet %d", q.Params.Q, tp.Value, got.Total, tp.Count)
				}
			}
			series := map[string]int{}
			for _, s := range with.Facets.Series {
				series[s.Value] = s.Count
			}
			for _, s := range corpus.Series {
				want := series[s.Slug]
				for _, child := range corpus.Series {
					if child.Parent == s.Slug {
						want += series[child.Slug]
					}
				}
				if got := searchLive(q.Params.Q, func(r *search.Request) { r.Series, r.Limit = s.Slug, 1 }); got.Total != want {
					t.Errorf("%q series %s: total %d, facets say %d", q.Params.Q, s.Slug, got.Total, want)
				}
			}
		}

		// Pages walk every match once, across the end of the window.
		for _, q := range []string{"policy", `"north korea"`, "government OR security"} {
			first := searchLive(q, nil)
			seen := map[string]bool{}
			for offset := 0; offset < min(first.Total, 200); offset += 30 {
				page := searchLive(q, func(r *search.Request) { r.Offset, r.Limit, r.Facets = offset, 30, false })
				for _, h := range page.Data {
					if seen[h.ID] {
						t.Fatalf("%q: %s twice (offset %d)", q, h.ID, offset)
					}
					seen[h.ID] = true
				}
			}
			if want := min(first.Total, 210); len(seen) != want {
				t.Errorf("%q: pages showed %d of %d matches", q, len(seen), want)
			}
		}

		// Phrases found through pairs (PostgreSQL) and long prefixes
		// expanded to their terms (SQLite) find what positions and
		// FTS5's own prefix search find.
		var shortcuts []string
		for _, h := range searchLive("", func(r *search.Request) { r.Limit = 12 }).Data {
			words := search.Words(h.Summary)
			for i := 0; i+2 < len(words); i += 5 {
				shortcuts = append(shortcuts, `"`+words[i]+" "+words[i+1]+`"`, `"`+words[i]+" "+words[i+1]+" "+words[i+2]+`"`)
				for n := 5; n <= len(words[i]) && n <= 9; n++ {
					shortcuts = append(shortcuts, words[i][:n]+"*", words[i+1]+" "+words[i][:n]+"*")
				}
			}
		}
		shortcuts = append(shortcuts, `"rule of law"`, `"the north korea"`, `"north korea" OR security`, `policy -"north korea"`,
			`"north korea" "supply chain"`, `"of the"`, `"korea korea"`, `minist* -"north korea"`, `"ad hoc bas*"`)
		for _, q := range shortcuts {
			fast := searchLive(q, totalOnly)
			var slow search.Result
			store.WithoutShortcuts(func() { slow = searchLive(q, totalOnly) })
			if fast.Total != slow.Total {
				t.Errorf("%s: total %d, %d without shortcuts", q, fast.Total, slow.Total)
			}
		}

		// A reader's word never matches a tag.
		for _, s := range corpus.Series {
			tag := "s" + hex.EncodeToString([]byte(s.Slug)) + "0"
			if got := searchLive(tag, nil); got.Total != 0 {
				t.Errorf("the word %q found %d documents", tag, got.Total)
			}
		}

		// A republished document moves to its new topic at once.
		before := searchLive("", func(r *search.Request) { r.Topic = "walruses" })
		hit := all.Data[3]
		// A body of long words, more pairs than a PostgreSQL vector holds.
		var body strings.Builder
		body.WriteString("Walrus colonies. A walrus tusk.")
		for i := 0; i < 12000; i++ {
			fmt.Fprintf(&body, " pinnipedologicalobservation%d", i)
		}
		d := search.Doc{DocumentID: hit.ID, SeriesSlug: hit.Series.Slug, Slug: hit.Slug, Type: hit.Type, PublishedAt: hit.PublishedAt,
			Title: hit.Title, Summary: hit.Summary, Body: body.String(), Topics: []string{"walruses"}}
		if err := db.PutLive(ctx, d); err != nil {
			t.Fatal(err)
		}
		after := searchLive("", func(r *search.Request) { r.Topic = "walruses" })
		walrus := searchLive("walrus", nil)
		if before.Total != 0 || after.Total != 1 || walrus.Total != 1 || walrus.Data[0].ID != hit.ID ||
			fmt.Sprint(walrus.Facets.Topics) != "[{walruses 1}]" {
			t.Errorf("republished: before %d, after %d, walrus %+v", before.Total, after.Total, walrus)
		}
		for q, want := range map[string]int{`"walrus tusk"`: 1, `"tusk walrus"`: 0, `"walrus tusk" OR "north korea"`: -1} {
			got := searchLive(q, func(r *search.Request) { r.Facets = false })
			var slow search.Result
			store.WithoutShortcuts(func() { slow = searchLive(q, func(r *search.Request) { r.Facets = false }) })
			if (want >= 0 && got.Total != want) || got.Total != slow.Total {
				t.Errorf("%s after the long body: total %d (%d without shortcuts), want %d", q, got.Total, slow.Total, want)
			}
		}
		sameCounts("republished")
		if got := searchLive("", nil); got.Total != docs || got.Data[0].ID != hit.ID {
			t.Errorf("after republishing: total %d, newest %+v", got.Total, got.Data[0])
		}
	})
}

func sum(counts []search.FacetCount) int {
	n := 0
	for _, c := range counts {
		n += c.Count
	}
	return n
}

// TestPorterStable checks porterStable against FTS5's own stemmer: every
// word it calls stable must come out of the tokenizer unchanged.
func TestPorterStable(t *testing.T) {
	t.Parallel()
	db := storetest.OpenSQLite(t)
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, stmt := range []string{
		"CREATE VIRTUAL TABLE temp.stem USING fts5(x, tokenize='porter unicode61 remove_diacritics 2')",
		"CREATE VIRTUAL TABLE temp.stem_v USING fts5vocab(temp, stem, instance)",
	} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	var words []string
	for _, w := range strings.Fields(`ministry ministers minist ministri calibr calibrate industri industr defens defense trilater
		trilat operational oper congress happiness hopeful relational conditional valenci hesitanci digitizer
		conformabli radicalli differentli vileli analogousli vietnamization predication operator feudalism
		decisiveness hopefulness callousness formaliti sensitiviti sensibiliti triplicate formative formalize
		electriciti electrical goodness revival allowance inference airliner gyroscopic adjustable defensible
		irritant replacement adjustment dependent adoption homologou communism activate angulariti homologous
		effective bowdlerize agreed feed plastered bled motoring sing conflated troubled sized hopping tanned
		falling hissing fizzed failing filing happy sky cats caress ponies ties abc12 2024 x9y seoul korea
		pyongyang tokyo washington beijing alliance summit sanction sanctions tariff tariffs chip chips xanmirsunzor
		praver venpra wilsto zorpu junpel calrinnev indust minis secur securiti nation national nationalist`) {
		words = append(words, w)
		for n := 3; n < len(w); n++ {
			words = append(words, w[:n])
		}
	}
	for i, w := range words {
		if _, err := conn.ExecContext(ctx, "INSERT INTO temp.stem(rowid, x) VALUES (?, ?)", i+1, w); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := conn.QueryContext(ctx, "SELECT doc, term FROM temp.stem_v")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	stable := 0
	for rows.Next() {
		var doc int
		var term string
		if err := rows.Scan(&doc, &term); err != nil {
			t.Fatal(err)
		}
		w := words[doc-1]
		if store.PorterStable(w) {
			stable++
			if term != w {
				t.Errorf("porterStable(%q), but FTS5 makes it %q", w, term)
			}
		}
	}
	if stable < 100 {
		t.Errorf("only %d stable words checked", stable)
	}
}
