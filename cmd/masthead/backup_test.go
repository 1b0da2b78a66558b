package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/store"
)

// TestBackupCopiesTheDatabase backs up a SQLite database with a user in it
// and opens the copy: it is a complete, migrated database.
func TestBackupCopiesTheDatabase(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	if _, _, err := runCmd(t, e, "a-long-password\n", "user", "create", "--email", "w@example.org", "--name", "W"); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "copy.db")
	stdout, _, err := runCmd(t, e, "", "backup", "--out", out)
	if err != nil || !strings.Contains(stdout, out) {
		t.Fatalf("backup: %q, %v", stdout, err)
	}
	// The copy is a database of its own: open it from its own data dir.
	dir := t.TempDir()
	if err := copyFile(out, store.SQLitePath(dir)); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if pending, err := db.HasPendingMigrations(context.Background()); err != nil || pending {
		t.Fatalf("copy: pending=%v, %v", pending, err)
	}
	if n, err := db.CountUsers(context.Background()); err != nil || n != 1 {
		t.Fatalf("copy has %d users, %v", n, err)
	}
	if _, _, err := runCmd(t, e, "", "backup", "--out", out); err == nil {
		t.Error("backup overwrote an existing file")
	}
	if _, _, err := runCmd(t, e, "", "backup"); exitCode(err) != 2 {
		t.Errorf("backup without --out: %v", err)
	}
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o600)
}
