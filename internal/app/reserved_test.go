package app_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// TestSeriesSlugsThatShadowARouteAreRefused: a new series may not take
// the first segment of a registered route, nor one the reader site
// serves, since a series lives at /{series}; one that exists already (made
// before the route) is reported at start.
func TestSeriesSlugsThatShadowARouteAreRefused(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		admin := env.Admin()
		slugs := []string{"search", "topics", "contributors", "assets", "feed"}
		for _, r := range env.App.Router().Routes() {
			first, _, _ := strings.Cut(strings.TrimPrefix(r.Path, "/"), "/")
			if first != "" && !strings.ContainsAny(first, ":*.") {
				slugs = append(slugs, first)
			}
		}
		for _, slug := range slugs {
			p := problemOf(t, admin.Do("POST", "/api/v1/series", map[string]any{"slug": slug, "name": "Shadow", "kind": "blog"}))
			if p.Status != http.StatusBadRequest || !strings.Contains(string(p.raw), `"slug"`) {
				t.Errorf("series %q: %d %s, want 400 naming the slug", slug, p.Status, p.raw)
			}
		}
		admin.Do("POST", "/api/v1/series", map[string]any{"slug": "searchlight", "name": "Searchlight", "kind": "blog"}).Want(http.StatusCreated)

		// A series made before its slug was a route, as an older build could.
		now := time.Now().UTC()
		old := content.Series{ID: cms.NewID(), Slug: "topics", Name: "Topics", Kind: "blog", ApprovalsRequired: 1, CreatedAt: now, UpdatedAt: now}
		if err := db.CreateSeries(context.Background(), old, cms.AuditEvent{Action: "series.create", ObjectType: "series", ObjectID: old.ID}); err != nil {
			t.Fatal(err)
		}
		logs := &syncBuffer{}
		apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) { o.Logger = slog.New(slog.NewTextHandler(logs, nil)) }})
		if out := logs.String(); !strings.Contains(out, "level=WARN") || !strings.Contains(out, "series=topics") || strings.Contains(out, "series=searchlight") {
			t.Errorf("the start's log does not report the shadowed series alone:\n%s", out)
		}
	})
}

type rawProblem struct {
	Status int
	raw    []byte
}

func problemOf(t *testing.T, r *apptest.Response) rawProblem {
	t.Helper()
	return rawProblem{Status: r.Status, raw: r.Body}
}
