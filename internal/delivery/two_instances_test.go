package delivery_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// Issue 4, item 3: a publish or unpublish is visible on the same instance
// within 50 ms, and on another instance on the same database within 1 s.
const (
	sameInstanceBound  = 50 * time.Millisecond
	otherInstanceBound = time.Second
	pollEvery          = 20 * time.Millisecond
)

// openStore opens a second (or first) handle on an existing database.
func openStore(t *testing.T, opts store.Options) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// visibility is what a reader sees of one document on one instance.
type visibility struct {
	doc   int // status of GET /delivery/v1/documents/{series}/{slug}
	total int // total of the series listing
	feed  int // items in the series' JSON feed
}

func look(t *testing.T, anon *apptest.Client) visibility {
	t.Helper()
	var v visibility
	v.doc = anon.Do("GET", "/delivery/v1/documents/korea-view/beijing-calibrates", nil).Status
	var p page
	anon.Do("GET", "/delivery/v1/documents?series=korea-view", nil).Want(http.StatusOK).Decode(&p)
	v.total = p.Total
	r := anon.Do("GET", "/delivery/v1/feeds/korea-view.json", nil).Want(http.StatusOK)
	if f := parseFeed(t, "korea-view.json", r.Body); f != nil {
		v.feed = len(f.Items)
	}
	return v
}

var (
	shownEverywhere = visibility{doc: http.StatusOK, total: 1, feed: 1}
	goneEverywhere  = visibility{doc: http.StatusNotFound, total: 0, feed: 0}
)

// waitFor polls until anon sees want or bound has passed twice over, and
// returns when, after since, the first look that saw it began (or a
// negative duration if never). Counting from the look's start measures
// the content, not how long a busy machine takes to answer three requests.
func waitFor(t *testing.T, anon *apptest.Client, want visibility, since time.Time, bound time.Duration) (time.Duration, visibility) {
	t.Helper()
	for {
		began := time.Since(since)
		v := look(t, anon)
		if v == want {
			return began, v
		}
		elapsed := time.Since(since)
		if elapsed > 2*bound {
			return -1, v
		}
		time.Sleep(pollEvery)
	}
}

// delay formats what waitFor measured.
func delay(d time.Duration) string {
	if d < 0 {
		return "never (gave up after twice the bound)"
	}
	return d.Round(100 * time.Microsecond).String()
}

// TestPublishIsVisibleAtOnce: on one instance, every cached route shows a
// publish and an unpublish as soon as the call returns.
func TestPublishIsVisibleAtOnce(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		d := k.act(k.writer, k.create(k.writer, briefing("korea-view", "Beijing Calibrates", "beijing-calibrates")), "submit")
		d = k.act(k.editor, d, "approve")
		if v := look(t, k.anon); v != goneEverywhere { // fills the caches
			t.Fatalf("before publishing: %+v", v)
		}

		d = k.act(k.publisher, d, "publish")
		published := time.Now()
		took, v := waitFor(t, k.anon, shownEverywhere, published, sameInstanceBound)
		t.Logf("publish visible on the same instance after %s", delay(took))
		if took < 0 || took > sameInstanceBound {
			t.Errorf("publish: visible after %s (saw %+v), want within %v", delay(took), v, sameInstanceBound)
		}

		k.act(k.publisher, d, "unpublish")
		unpublished := time.Now()
		took, v = waitFor(t, k.anon, goneEverywhere, unpublished, sameInstanceBound)
		t.Logf("unpublish visible on the same instance after %s", delay(took))
		if took < 0 || took > sameInstanceBound {
			t.Errorf("unpublish: gone after %s (saw %+v), want within %v", delay(took), v, sameInstanceBound)
		}
	})
}

// TestTwoInstancesShareDelivery: two full apps on one database; what one
// publishes or unpublishes, the other shows within a second although it
// had the old answers cached.
func TestTwoInstancesShareDelivery(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			var opts store.Options
			if b.Name == store.Postgres {
				opts.URL, _ = storetest.PostgresURL(t)
			} else {
				opts.DataDir = t.TempDir()
			}
			dbA := openStore(t, opts)
			dbB := openStore(t, opts)
			envA := apptest.New(t, dbA)
			envB := apptest.New(t, dbB) // the admin exists already: EnsureAdmin leaves it
			k := openDesk(t, envA)
			readerB := envB.Anonymous()
			envB.Login(apptest.AdminEmail, apptest.AdminPassword) // B serves the same accounts
			d := k.act(k.writer, k.create(k.writer, briefing("korea-view", "Beijing Calibrates", "beijing-calibrates")), "submit")
			d = k.act(k.editor, d, "approve")

			// Both instances start their background work (B's watch of the
			// delivery version among it) now.
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(cancel)
			envA.App.Run(ctx, time.Second)
			envB.App.Run(ctx, time.Second)

			// B, just started, serves and caches the "nothing published"
			// answers; a publish on A must reach it all the same.
			if v := look(t, readerB); v != goneEverywhere {
				t.Fatalf("B before publishing: %+v", v)
			}
			d = k.act(k.publisher, d, "publish")
			published := time.Now()
			if v := look(t, k.anon); v != shownEverywhere {
				t.Errorf("A right after its own publish: %+v", v)
			}
			took, v := waitFor(t, readerB, shownEverywhere, published, otherInstanceBound)
			t.Logf("%s: publish on A (B freshly started) visible on B after %s", b.Name, delay(took))
			if took < 0 || took > otherInstanceBound {
				t.Errorf("publish on A shortly after B started: B shows it after %s (saw %+v), want within %v", delay(took), v, otherInstanceBound)
			}

			// B caches the document; an unpublish on A must reach it.
			readerB.Do("GET", "/delivery/v1/documents/korea-view/beijing-calibrates", nil).Want(http.StatusOK)
			d = k.act(k.publisher, d, "unpublish")
			unpublished := time.Now()
			took, v = waitFor(t, readerB, goneEverywhere, unpublished, otherInstanceBound)
			t.Logf("%s: unpublish on A visible on B after %s", b.Name, delay(took))
			if took < 0 || took > otherInstanceBound {
				t.Errorf("unpublish on A: B still shows it after %s (saw %+v), want gone within %v", delay(took), v, otherInstanceBound)
			}

			// Publish again, B having cached the empty answers.
			d = k.act(k.writer, d, "submit")
			d = k.act(k.editor, d, "approve")
			if v := look(t, readerB); v != goneEverywhere {
				t.Errorf("B before re-publishing: %+v", v)
			}
			d = k.act(k.publisher, d, "publish")
			republished := time.Now()
			took, v = waitFor(t, readerB, shownEverywhere, republished, otherInstanceBound)
			t.Logf("%s: re-publish on A visible on B after %s", b.Name, delay(took))
			if took < 0 || took > otherInstanceBound {
				t.Errorf("re-publish on A: B shows it after %s (saw %+v), want within %v", delay(took), v, otherInstanceBound)
			}

			// A rename on A re-renders what B serves, too.
			readerB.Do("GET", "/delivery/v1/documents/korea-view/beijing-calibrates", nil).Want(http.StatusOK)
			k.admin.Do("PATCH", "/api/v1/series/korea-view", map[string]any{"name": "Korea View Weekly"}).Want(http.StatusOK)
			renamed := time.Now()
			var name string
			took = -1
			for time.Since(renamed) < 2*otherInstanceBound {
				var got delivered
				readerB.Do("GET", "/delivery/v1/documents/korea-view/beijing-calibrates", nil).Want(http.StatusOK).Decode(&got)
				if name = got.Series.Name; name == "Korea View Weekly" {
					took = time.Since(renamed)
					break
				}
				time.Sleep(pollEvery)
			}
			t.Logf("%s: series rename on A visible on B after %s", b.Name, delay(took))
			if took < 0 || took > otherInstanceBound {
				t.Errorf("series rename on A: B shows %q after %s, want the new name within %v", name, delay(took), otherInstanceBound)
			}
		})
	}
}
