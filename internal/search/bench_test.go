package search_test

import (
	"context"
	"sort"
	"testing"
	"time"

	searchsvc "github.com/masthead-cms/masthead/internal/search"
	"github.com/masthead-cms/masthead/internal/store/storetest"
	"github.com/masthead-cms/masthead/scripts/searchgen/corpus"
)

// BenchmarkSearch times the public search path (Service.Search) over a
// generated newsroom of 5,000 briefings on each backend, per class of the
// benchmark's query mix, for quick regression checks:
//
//	go test -run '^$' -bench Search ./internal/search/
//
// scripts/bench-search measures the bars at 100,000 documents.
func BenchmarkSearch(b *testing.B) {
	const docs = 5000
	ctx := context.Background()
	queries := corpus.Queries(1, 0)
	var classes []string
	byClass := map[string][]corpus.Query{}
	for _, q := range queries {
		if byClass[q.Class] == nil {
			classes = append(classes, q.Class)
		}
		byClass[q.Class] = append(byClass[q.Class], q)
	}
	for _, backend := range storetest.Backends(b) {
		b.Run(backend.Name, func(b *testing.B) {
			db := backend.Open(b)
			start := time.Now()
			if err := corpus.Load(ctx, db, corpus.Config{Docs: docs, Seed: 1}); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: %d documents written in %s", backend.Name, docs, time.Since(start).Round(time.Millisecond))
			svc := searchsvc.NewService(db, nil, corpus.BaseURL)
			for _, q := range queries { // warm up
				if _, err := svc.Search(ctx, q.Params); err != nil {
					b.Fatalf("%+v: %v", q.Params, err)
				}
			}
			run := func(b *testing.B, qs []corpus.Query) {
				var took []time.Duration
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					q := qs[i%len(qs)]
					t := time.Now()
					if _, err := svc.Search(ctx, q.Params); err != nil {
						b.Fatalf("%+v: %v", q.Params, err)
					}
					took = append(took, time.Since(t))
				}
				b.StopTimer()
				sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
				b.ReportMetric(float64(took[(len(took)*95+99)/100-1].Microseconds())/1000, "p95-ms")
			}
			b.Run("all", func(b *testing.B) { run(b, queries) })
			for _, c := range classes {
				b.Run(c, func(b *testing.B) { run(b, byClass[c]) })
			}
		})
	}
}
