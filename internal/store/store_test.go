package store_test

import (
	"context"
	"testing"

	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

func TestMigrateFromEmptyToHead(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		list, err := db.Migrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) < 2 {
			t.Fatalf("want at least 2 migrations, got %d", len(list))
		}
		for _, m := range list {
			if !m.Applied {
				t.Errorf("migration %d (%s) not applied", m.Version, m.Name)
			}
		}
		pending, err := db.HasPendingMigrations(ctx)
		if err != nil || pending {
			t.Fatalf("pending = %v, %v; want none", pending, err)
		}
		// Migrating again is a no-op.
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
	})
}
