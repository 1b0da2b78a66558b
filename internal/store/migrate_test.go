package store_test

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"testing"

	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
	"github.com/masthead-cms/masthead/migrations"
)

// migrationFiles lists the embedded migration files of a dialect.
func migrationFiles(t *testing.T, dialect string) []string {
	t.Helper()
	fsys, err := migrations.For(dialect)
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("no %s migrations: %v", dialect, err)
	}
	return names
}

func TestMigrationStatus(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			url, dir := b.URL(t)
			db, err := store.Open(ctx, store.Options{URL: url, DataDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			files := migrationFiles(t, db.Dialect())
			check := func(applied bool) {
				t.Helper()
				list, err := db.Migrations(ctx)
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for i, m := range list {
					names = append(names, m.Name)
					if m.Applied != applied {
						t.Errorf("migration %s applied = %v, want %v", m.Name, m.Applied, applied)
					}
					if i > 0 && m.Version <= list[i-1].Version {
						t.Errorf("migrations out of order: %v", list)
					}
				}
				if !slices.Equal(names, files) {
					t.Errorf("migrations %v, want the files %v", names, files)
				}
				pending, err := db.HasPendingMigrations(ctx)
				if err != nil || pending == applied {
					t.Errorf("HasPendingMigrations = %v, %v with all applied = %v", pending, err, applied)
				}
			}
			check(false)
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			check(true)
		})
	}
}

// TestConcurrentMigrationOnPostgres starts several instances on one empty
// schema at once: all succeed and each migration is applied exactly once.
func TestConcurrentMigrationOnPostgres(t *testing.T) {
	t.Parallel()
	for round := range 2 {
		t.Run(fmt.Sprintf("round %d", round+1), func(t *testing.T) {
			ctx := context.Background()
			url, _ := storetest.PostgresURL(t)
			const instances = 4
			dbs := make([]*store.DB, instances)
			for i := range dbs {
				db, err := store.Open(ctx, store.Options{URL: url})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				dbs[i] = db
			}
			start := make(chan struct{})
			errs := make(chan error, instances)
			for _, db := range dbs {
				go func() {
					<-start
					errs <- db.Migrate(ctx)
				}()
			}
			close(start)
			for range instances {
				if err := <-errs; err != nil {
					t.Errorf("Migrate: %v", err)
				}
			}
			sqlDB, err := dbs[0].SQL()
			if err != nil {
				t.Fatal(err)
			}
			rows, err := sqlDB.Query("SELECT version_id, COUNT(*) FROM goose_db_version WHERE version_id > 0 GROUP BY version_id ORDER BY version_id")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			recorded := map[int64]int{}
			for rows.Next() {
				var v int64
				var n int
				if err := rows.Scan(&v, &n); err != nil {
					t.Fatal(err)
				}
				recorded[v] = n
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			list, err := dbs[1].Migrations(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(recorded) != len(list) {
				t.Errorf("goose_db_version records %v, want the %d migrations", recorded, len(list))
			}
			for _, m := range list {
				if recorded[m.Version] != 1 || !m.Applied {
					t.Errorf("migration %d (%s) recorded %d times, applied %v; want once", m.Version, m.Name, recorded[m.Version], m.Applied)
				}
			}
		})
	}
}
