package delivery_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
	"github.com/masthead-cms/masthead/internal/webhook"
)

// threeInstances starts three Mastheads on one database (the same SQLite
// file, or the same PostgreSQL schema), each with its own connection pool.
func threeInstances(t *testing.T, b storetest.Backend) [3]*apptest.Env {
	t.Helper()
	url, dir := b.URL(t)
	var envs [3]*apptest.Env
	for i := range envs {
		db, err := store.Open(t.Context(), store.Options{URL: url, DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		envs[i] = apptest.New(t, db)
		// As in production, each instance drops its delivery cache when
		// another one changes what is live.
		go envs[i].App.Live.Watch(t.Context(), 20*time.Millisecond)
	}
	return envs
}

// TestExpiryUnpublishesOnceAcrossThreeInstances: at expires_at, three
// instances racing the clock withdraw the document exactly once — one
// expire event by the system, one document.unpublished webhook — and it
// leaves every public route.
func TestExpiryUnpublishesOnceAcrossThreeInstances(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			envs := threeInstances(t, b)
			k := openDesk(t, envs[0])
			k.admin.Do("POST", "/api/v1/webhooks", map[string]any{"url": "https://hooks.example.org/masthead",
				"events": []string{"document.unpublished"}}).Want(http.StatusCreated)
			d := k.publishNew(briefing("korea-view", "Beijing for a While", "beijing-for-a-while"))
			expiry := time.Now().UTC().Add(time.Minute).Truncate(time.Microsecond)
			d = decodeMdoc(k.plan(k.publisher, d, "expiry", expiry.Format(time.RFC3339Nano)).Want(http.StatusOK))
			known := []docRef{{"korea-view", "beijing-for-a-while"}}
			live := []liveDoc{{id: d.ID, series: "korea-view", slug: "beijing-for-a-while", title: "Beijing for a While",
				typ: "briefing", topics: []string{"china", "diplomacy"}}}

			race := func(at time.Time) int {
				var wg sync.WaitGroup
				var counts [3]int
				var errs [3]error
				start := make(chan struct{})
				for i, env := range envs {
					env.App.Content.SetClock(func() time.Time { return at })
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						counts[i], errs[i] = env.App.Content.ExpireDue(t.Context())
					}()
				}
				close(start)
				wg.Wait()
				for i, err := range errs {
					if err != nil {
						t.Fatalf("ExpireDue on instance %d: %v", i, err)
					}
				}
				return counts[0] + counts[1] + counts[2]
			}
			if n := race(expiry.Add(-time.Millisecond)); n != 0 {
				t.Fatalf("expired %d before its time", n)
			}
			assertOnlyLive(t, k.anon, "before the expiry", known, live)
			if n := race(expiry); n != 1 {
				t.Errorf("expired %d times, want once", n)
			}
			if n := race(expiry.Add(time.Minute)); n != 0 {
				t.Errorf("expired again: %d", n)
			}
			time.Sleep(150 * time.Millisecond) // a few Watch intervals
			assertOnlyLive(t, k.anon, "after the expiry", known, nil)

			got := k.get(k.publisher, d)
			if got.State != "draft" || got.LiveRevision != nil || got.Version != d.Version+1 {
				t.Errorf("after the expiry: %+v, want a draft, one write", got)
			}
			var events struct {
				Data []struct {
					Action, From, To string
					ActorID          string `json:"actor_id"`
				} `json:"data"`
			}
			k.publisher.Do("GET", "/api/v1/documents/"+d.ID+"/events", nil).Want(http.StatusOK).Decode(&events)
			expires := 0
			for _, e := range events.Data {
				if e.Action == "expire" {
					expires++
					if e.ActorID != "system" || e.From != "published" || e.To != "draft" {
						t.Errorf("expire event %+v", e)
					}
				}
			}
			if expires != 1 {
				t.Errorf("%d expire events, want 1: %+v", expires, events.Data)
			}
			if n := outboxCount(t, envs[0], webhook.EventUnpublished); n != 1 {
				t.Errorf("%d document.unpublished webhook messages, want 1", n)
			}
		})
	}
}

// outboxCount counts the webhook messages of event waiting in the outbox.
func outboxCount(t *testing.T, env *apptest.Env, event string) int {
	t.Helper()
	far := time.Now().Add(24 * time.Hour)
	msgs, err := env.DB.ClaimDue(t.Context(), far, far.Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if m.Event == event {
			n++
		}
	}
	return n
}
