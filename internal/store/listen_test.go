package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/published"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// TestChangesAreHeardOnlyOnCommit: a change bumped in a transaction that
// rolls back is never heard; the one after it, committed, is heard first,
// with the version it moved to. A second batch too large to name goes out
// as one "all". SQLite says at once that it cannot listen.
func TestChangesAreHeardOnlyOnCommit(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		heard := make(chan published.Change, 16)
		ready := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- db.ListenChanges(ctx, func() { close(ready) }, func(c published.Change) { heard <- c })
		}()
		if db.Dialect() == store.SQLite {
			if err := <-done; !errors.Is(err, published.ErrCannotListen) {
				t.Fatalf("SQLite ListenChanges = %v, want ErrCannotListen", err)
			}
			return
		}
		select {
		case <-ready:
		case err := <-done:
			t.Fatalf("ListenChanges: %v", err)
		case <-time.After(15 * time.Second):
			t.Fatal("not listening within 15s")
		}

		rolledBack := errors.New("roll back")
		err := db.InTx(ctx, func(tx *store.DB) error {
			if err := tx.BumpDeliveryVersion(ctx, published.Change{Kind: published.ChangeDocument, ID: "rolled-back"}); err != nil {
				return err
			}
			return rolledBack
		})
		if !errors.Is(err, rolledBack) {
			t.Fatalf("rolled-back transaction: %v", err)
		}
		err = db.InTx(ctx, func(tx *store.DB) error {
			return tx.BumpDeliveryVersion(ctx, published.Change{Kind: published.ChangeSeries, ID: "korea-view"})
		})
		if err != nil {
			t.Fatal(err)
		}
		v, err := db.DeliveryVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := published.Change{Kind: published.ChangeSeries, ID: "korea-view", Version: v}
		if got := next(t, heard); got != want {
			t.Fatalf("first change heard: %+v, want %+v (the rolled-back one must not be)", got, want)
		}

		many := make([]published.Change, 65)
		for i := range many {
			many[i] = published.Change{Kind: published.ChangeDocument, ID: "d"}
		}
		if err := db.BumpDeliveryVersion(ctx, many...); err != nil {
			t.Fatal(err)
		}
		if got := next(t, heard); got.Kind != published.ChangeAll || got.Version != v+1 {
			t.Fatalf("a batch of 65: heard %+v, want one %q at version %d", got, published.ChangeAll, v+1)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("ListenChanges after cancel: %v", err)
		}
	})
}

func next(t *testing.T, heard <-chan published.Change) published.Change {
	t.Helper()
	select {
	case c := <-heard:
		return c
	case <-time.After(15 * time.Second):
		t.Fatal("nothing heard within 15s")
		return published.Change{}
	}
}
