package app_test

import (
	"context"
	neturl "net/url"
	"sync"
	"testing"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// TestStartTogether starts several instances at once on one empty
// database, each with its own connection pool as separate processes have:
// migrations, the policy seed and the first admin all run at the same
// moment, every instance starts, and there is one admin with one role.
func TestStartTogether(t *testing.T) {
	t.Parallel()
	const instances = 4
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			url, dir := b.URL(t)
			if dir == "" {
				dir = t.TempDir()
			}
			ctx := context.Background()
			dbs := make([]*store.DB, instances)
			for i := range dbs {
				db, err := store.Open(ctx, store.Options{URL: url, DataDir: dir})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				dbs[i] = db
			}
			// Each step of the start races on its own, all instances at
			// the same moment, so that one step's lock does not stagger
			// the next: migrations, then the rest of building the app
			// (the policy seed, the signing key), then the first admin.
			apps := make([]*app.App, instances)
			base, _ := neturl.Parse("http://masthead.test")
			steps := []struct {
				name string
				run  func(i int) error
			}{
				{"migrate", func(i int) error { return dbs[i].Migrate(ctx) }},
				{"build", func(i int) (err error) {
					apps[i], err = app.New(ctx, dbs[i], app.Options{BaseURL: base, MediaDir: t.TempDir(), Auth: auth.Config{PasswordParams: auth.FastPasswordParams}})
					return err
				}},
				{"first admin", func(i int) error { return apps[i].EnsureAdmin(ctx, "admin@example.org", "the-admin-password") }},
			}
			for _, step := range steps {
				errs := make([]error, instances)
				start := make(chan struct{})
				var wg sync.WaitGroup
				for i := range instances {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						errs[i] = step.run(i)
					}()
				}
				close(start)
				wg.Wait()
				for i, err := range errs {
					if err != nil {
						t.Errorf("%s, instance %d: %v", step.name, i, err)
					}
				}
				if t.Failed() {
					return
				}
			}
			db := apps[0].DB
			if n, err := db.CountUsers(ctx); err != nil || n != 1 {
				t.Fatalf("users = %d, %v; want the one admin", n, err)
			}
			u, err := db.FindUserByEmail(ctx, "admin@example.org")
			if err != nil {
				t.Fatal(err)
			}
			for i, a := range apps {
				if err := a.Authz.Reload(ctx); err != nil {
					t.Fatal(err)
				}
				roles := a.Authz.Assignments(u.ID)
				if len(roles) != 1 || roles[0].Role != "admin" {
					t.Errorf("instance %d sees the admin's roles as %+v, want admin once", i, roles)
				}
			}
			if _, _, _, err := apps[1].Auth.Login(ctx, "admin@example.org", "the-admin-password", "127.0.0.1"); err != nil {
				t.Errorf("the admin cannot sign in: %v", err)
			}
			if pending, err := db.HasPendingMigrations(ctx); err != nil || pending {
				t.Errorf("pending migrations = %v, %v", pending, err)
			}
		})
	}
}
