package search_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	searchsvc "github.com/masthead-cms/masthead/internal/search"
)

// Answers are cached, but never past a change to what is live, made on
// this instance or on another one sharing the database: totals, facets
// and hits follow every publish and unpublish at once.
func TestSearchCacheFollowsPublishes(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		other := apptest.New(t, env.DB) // a second instance on the same database
		ctx := context.Background()
		find := func(s *searchsvc.Service) searchsvc.Result {
			t.Helper()
			res, err := s.Search(ctx, searchsvc.Params{Q: "okapi"})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		here, there := env.App.Search, other.App.Search
		if r, s := find(here), find(there); r.Total != 0 || s.Total != 0 {
			t.Fatalf("before publishing: totals %d and %d", r.Total, s.Total)
		}
		a := n.draft(t, n.writer, "korea-view", "The okapi census", "Okapi numbers rose.", "wildlife")
		n.publish(t, a)
		for name, s := range map[string]*searchsvc.Service{"this instance": here, "another instance": there} {
			r := find(s)
			if r.Total != 1 || len(r.Data) != 1 || r.Data[0].ID != a.ID || r.Facets == nil || len(r.Facets.Topics) != 1 {
				t.Errorf("%s after a publish: %+v", name, r)
			}
			// A caller changing an answer does not change the cached one.
			r.Data[0].Title = "changed"
			if again := find(s); again.Data[0].Title != "The okapi census" {
				t.Errorf("%s: the cached answer changed with the caller's copy: %q", name, again.Data[0].Title)
			}
		}
		b := n.draft(t, n.writer, "the-peninsula", "Okapi and giraffes", "The okapi is a giraffid.", "wildlife")
		n.publish(t, b)
		if r := find(there); r.Total != 2 || r.Facets.Topics[0].Count != 2 {
			t.Errorf("another instance after a second publish: total %d, facets %+v", r.Total, r.Facets)
		}
		n.publisher.Do("POST", "/api/v1/documents/"+a.ID+"/transitions", map[string]any{"action": "unpublish"}).Want(http.StatusOK)
		for name, s := range map[string]*searchsvc.Service{"this instance": here, "another instance": there} {
			if r := find(s); r.Total != 1 || len(r.Data) != 1 || r.Data[0].ID != b.ID {
				t.Errorf("%s after an unpublish: %+v", name, r)
			}
		}
		here.Invalidate()
		if r := find(here); r.Total != 1 {
			t.Errorf("after Invalidate: total %d", r.Total)
		}
	})
}
