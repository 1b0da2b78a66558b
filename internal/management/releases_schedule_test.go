package management_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/cms"
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

// TestScheduledReleaseBlockedAtItsTime: an item edited after the release
// was scheduled blocks it at its time. The release stays scheduled with the
// reason in publish_blockers, one release.publish_blocked audit event over
// several ticks, and it fires at the first tick after the item is approved
// again.
func TestScheduledReleaseBlockedAtItsTime(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		e := newRelEnv(t, env)
		clock := &sharedClock{now: time.Now().UTC().Truncate(time.Second)}
		env.App.Content.SetClock(clock.Now)
		env.App.Releases.SetClock(clock.Now)
		docs, ids := e.approvedN(t, 2)
		at := clock.Now().Add(time.Minute)
		r := e.create(t, "Blocked launch", ids)
		e.publisher.Do("POST", r.path()+"/schedule", map[string]any{"at": at.Format(time.RFC3339)}).Want(http.StatusOK)
		e.editor.Do("PATCH", "/api/v1/documents/"+docs[1].ID, map[string]any{"title": "Launch piece, rewritten"},
			"If-Match", fmt.Sprintf(`"%d"`, docs[1].Version)).Want(http.StatusOK)

		clock.Set(at)
		for range 3 {
			if n, err := env.App.Releases.PublishDue(ctx); err != nil || n != 0 {
				t.Fatalf("PublishDue = %d, %v; want nothing published", n, err)
			}
		}
		var blocked struct {
			State           string        `json:"state"`
			PublishBlockers []cms.Blocker `json:"publish_blockers"`
		}
		e.admin.Do("GET", r.path(), nil).Want(http.StatusOK).Decode(&blocked)
		if blocked.State != "scheduled" || len(blocked.PublishBlockers) != 1 ||
			blocked.PublishBlockers[0].DocumentID != docs[1].ID || blocked.PublishBlockers[0].Reason != "not_approved" {
			t.Fatalf("release at its time: %+v, want scheduled, blocked by the rewritten item", blocked)
		}
		for _, d := range docs {
			if now := e.doc(t, d.ID); now.LiveRevision != nil {
				t.Errorf("%q is live while its release is blocked", now.Title)
			}
		}
		if n := audits(t, env, "release.publish_blocked", r.ID); n != 1 {
			t.Errorf("%d release.publish_blocked events over three ticks, want 1", n)
		}

		// Approved again (by other eyes than the rewriter's), it fires at
		// the next tick, and the reasons are gone.
		e.admin.Do("POST", "/api/v1/documents/"+docs[1].ID+"/transitions", map[string]any{"action": "approve"}).Want(http.StatusOK)
		if n, err := env.App.Releases.PublishDue(ctx); err != nil || n != 1 {
			t.Fatalf("PublishDue after the fix = %d, %v; want the release", n, err)
		}
		var fired struct {
			State           string        `json:"state"`
			PublishBlockers []cms.Blocker `json:"publish_blockers"`
		}
		e.admin.Do("GET", r.path(), nil).Want(http.StatusOK).Decode(&fired)
		if fired.State != "published" || len(fired.PublishBlockers) != 0 {
			t.Errorf("release after the fix: %+v", fired)
		}
	})
}
