package delivery_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// listedSeries returns the slugs GET /delivery/v1/series lists.
func listedSeries(t *testing.T, k *desk) []string {
	t.Helper()
	var out struct {
		Data []struct {
			Slug string `json:"slug"`
		} `json:"data"`
	}
	k.anon.Do("GET", "/delivery/v1/series", nil).Want(http.StatusOK).Decode(&out)
	var slugs []string
	for _, s := range out.Data {
		slugs = append(slugs, s.Slug)
	}
	return slugs
}

// TestSeriesListShowsWhatIsLive: the public series list names only series
// with something live (a parent counts its children's documents); a
// series' own page answers before its first issue; and a site may list
// every series.
func TestSeriesListShowsWhatIsLive(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		if got := listedSeries(t, k); len(got) != 0 {
			t.Errorf("series listed with nothing live: %v", got)
		}
		k.anon.Do("GET", "/delivery/v1/series/korea-view", nil).Want(http.StatusOK)

		d := k.publishNew(briefing("korea-view", "Beijing Calibrates", "beijing-calibrates"))
		if got := listedSeries(t, k); !slices.Equal(got, []string{"korea-view", "the-peninsula"}) {
			t.Errorf("listed after a publish: %v, want korea-view and its parent", got)
		}
		k.act(k.publisher, d, "unpublish")
		if got := listedSeries(t, k); len(got) != 0 {
			t.Errorf("series listed after the unpublish: %v", got)
		}
	})
}

func TestSeriesListMayShowEverySeries(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) { o.ListEmptySeries = true }})
		k := openDesk(t, env)
		if got := listedSeries(t, k); !slices.Equal(got, []string{"korea-view", "the-peninsula"}) {
			t.Errorf("listed with MASTHEAD_LIST_EMPTY_SERIES: %v, want every series", got)
		}
	})
}
