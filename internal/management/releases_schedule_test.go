package management_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
	"github.com/masthead-cms/masthead/internal/webhook"
)

// sharedClock is one settable clock for several instances.
type sharedClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *sharedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *sharedClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// TestScheduledReleaseFiresOnceAcrossInstances: a release of three, one
// of which is also scheduled on its own for the same second, with three
// instances on one database running both schedulers at once. Each document
// is published once, the release fires once, and the outbox holds three
// document.published and one release.published.
func TestScheduledReleaseFiresOnceAcrossInstances(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			databaseURL, dataDir := b.URL(t)
			open := func() *store.DB {
				db, err := store.Open(ctx, store.Options{URL: databaseURL, DataDir: dataDir})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				// Three pools on one server: keep each as small as
				// storetest's, so parallel tests fit max_connections.
				sqlDB, err := db.SQL()
				if err != nil {
					t.Fatal(err)
				}
				sqlDB.SetMaxOpenConns(6)
				return db
			}
			clock := &sharedClock{now: time.Now().UTC().Truncate(time.Second)}
			first := apptest.New(t, open())
			envs := []*apptest.Env{first}
			e := newRelEnv(t, first)
			for range 2 {
				envs = append(envs, apptest.New(t, open()))
			}
			for _, env := range envs {
				env.App.Content.SetClock(clock.Now)
				env.App.Releases.SetClock(clock.Now)
			}

			docs, ids := e.approvedN(t, 3)
			at := clock.Now().Add(10 * time.Second)
			when := map[string]any{"action": "schedule", "at": at.Format(time.RFC3339)}
			e.publisher.Do("POST", "/api/v1/documents/"+ids[1]+"/transitions", when).Want(http.StatusOK)
			r := e.create(t, "Same second", ids)
			e.publisher.Do("POST", r.path()+"/schedule", map[string]any{"at": at.Format(time.RFC3339)}).Want(http.StatusOK)

			race := func() {
				var wg sync.WaitGroup
				start := make(chan struct{})
				for _, env := range envs {
					for _, fire := range []func(context.Context) (int, error){env.App.Content.PublishDue, env.App.Releases.PublishDue} {
						wg.Add(1)
						go func() {
							defer wg.Done()
							<-start
							if _, err := fire(ctx); err != nil {
								t.Errorf("scheduler: %v", err)
							}
						}()
					}
				}
				close(start)
				wg.Wait()
			}
			race() // before the time: nothing
			e.wantNotLive(t, []relDoc{docs[0], docs[2]})
			clock.Set(at)
			race()
			race() // and again: nothing more

			for _, d := range docs {
				evs, err := first.DB.FindEvents(ctx, d.ID)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, ev := range evs {
					if ev.To == "published" {
						n++
					}
				}
				if now := e.doc(t, d.ID); n != 1 || now.State != "published" || now.LiveRevision == nil {
					t.Errorf("%q: %d publish events, state %s, live %v; want published once", d.Title, n, now.State, now.LiveRevision)
				}
			}
			if now := e.release(t, r.ID); now.State != "published" {
				t.Errorf("release is %s", now.State)
			}
			counts, releases := outbox(t, first.DB)
			if counts[webhook.EventPublished] != 3 || counts[webhook.EventReleasePublished] != 1 || len(releases) != 1 || len(releases[0].Documents) != 3 {
				t.Errorf("outbox %v (release payloads %+v), want 3 document.published and 1 release.published naming all three", counts, releases)
			}
		})
	}
}
