package storetest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/migrations"
)

// Migrating a database from nothing takes most of a short test's time
// (about 0.1 s on SQLite, 0.3–0.7 s on PostgreSQL, and the suite opens
// over a thousand), so each dialect's migrations run once into a template
// that every test copies: a file on SQLite, a template database on
// PostgreSQL. A template is named after the migrations it holds, so a
// changed or added migration gets a new one, and test processes running
// at once share it.

// migrationsKey names the migrations of dialect by their content.
func migrationsKey(dialect string) (string, error) {
	fsys, err := migrations.For(dialect)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	err = fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, path)
		fmt.Fprintf(h, "%s %d\n", path, len(b))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:16], err
}

var sqliteTemplate = sync.OnceValues(buildSQLiteTemplate)

// buildSQLiteTemplate migrates a database once and leaves a standalone
// copy of it (VACUUM INTO: no WAL beside it) in the temporary folder.
func buildSQLiteTemplate() (string, error) {
	key, err := migrationsKey(store.SQLite)
	if err != nil {
		return "", err
	}
	path := filepath.Join(os.TempDir(), "masthead-storetest-sqlite-"+key+".db")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	dir, err := os.MkdirTemp("", "masthead-storetest-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{DataDir: dir})
	if err != nil {
		return "", err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return "", err
	}
	sqlDB, err := db.SQL()
	if err != nil {
		return "", err
	}
	// Written beside its final name and renamed, so that a process
	// running at the same time never copies half a file.
	partial := filepath.Join(dir, "template.db")
	if _, err := sqlDB.ExecContext(ctx, "VACUUM INTO ?", partial); err != nil {
		return "", err
	}
	return path, os.Rename(partial, path)
}

// copySQLiteTemplate puts a migrated database into dataDir.
func copySQLiteTemplate(t testing.TB, dataDir string) {
	t.Helper()
	src, err := sqliteTemplate()
	if err != nil {
		t.Fatalf("storetest: SQLite template: %v", err)
	}
	in, err := os.Open(src)
	if err != nil {
		t.Fatalf("storetest: SQLite template: %v", err)
	}
	defer in.Close()
	out, err := os.Create(store.SQLitePath(dataDir))
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatalf("storetest: copy the SQLite template: %v", err)
	}
	if err := out.Close(); err != nil {
		t.Fatalf("storetest: %v", err)
	}
}

var postgresTemplate = sync.OnceValues(buildPostgresTemplate)

// buildPostgresTemplate makes sure the server has a template database with
// every migration applied, and returns its name. An advisory lock keeps
// test processes starting together from building it twice; a database
// left unmarked by a process that died while building is built again.
func buildPostgresTemplate() (string, error) {
	key, err := migrationsKey(store.Postgres)
	if err != nil {
		return "", err
	}
	name := "masthead_tmpl_" + key
	ctx := context.Background()
	admin, err := sql.Open("pgx", os.Getenv(EnvPostgres))
	if err != nil {
		return "", err
	}
	defer admin.Close()
	conn, err := admin.Conn(ctx) // the lock belongs to one session
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(hashtext($1))", name); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, "SELECT pg_advisory_unlock(hashtext($1))", name) //nolint:errcheck // the session ends anyway
	var ready sql.NullBool
	err = conn.QueryRowContext(ctx, "SELECT datistemplate FROM pg_database WHERE datname = $1", name).Scan(&ready)
	switch {
	case err == nil && ready.Bool:
		return name, nil
	case err == nil:
		if _, err := conn.ExecContext(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			return "", err
		}
	case err != sql.ErrNoRows:
		return "", err
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	u, err := databaseURL(os.Getenv(EnvPostgres), name)
	if err != nil {
		return "", err
	}
	db, err := store.Open(ctx, store.Options{URL: u})
	if err != nil {
		return "", err
	}
	err = db.Migrate(ctx)
	db.Close() // no session may stay on a template that is copied
	if err != nil {
		return "", err
	}
	_, err = conn.ExecContext(ctx, "ALTER DATABASE "+name+" IS_TEMPLATE true")
	return name, err
}

// clonePostgresTemplate creates a migrated database for t from the
// template and returns its URL; the database is dropped when t ends.
func clonePostgresTemplate(t testing.TB) string {
	t.Helper()
	tmpl, err := postgresTemplate()
	if err != nil {
		t.Fatalf("storetest: PostgreSQL template: %v", err)
	}
	return createDatabase(t, "t_", " TEMPLATE "+tmpl)
}

// createDatabase creates a database for t named with prefix and a random
// token (CREATE DATABASE name options) and returns its URL; it is
// dropped when t ends.
func createDatabase(t testing.TB, prefix, options string) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	name := prefix + strings.ToLower(cms.RandomToken(8))
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name + options); err != nil {
		t.Fatalf("storetest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		if _, err := db.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			t.Logf("storetest: drop database %s: %v", name, err)
		}
	})
	u, err := databaseURL(base, name)
	if err != nil {
		t.Fatalf("storetest: %s: %v", EnvPostgres, err)
	}
	return u
}

// databaseURL is base with its database replaced by name, and commits
// that do not wait for the WAL flush: a test database need not survive a
// crash, and the PostgreSQL suite runs several times faster so.
func databaseURL(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	q := u.Query()
	if q.Get("synchronous_commit") == "" {
		q.Set("synchronous_commit", "off")
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// EmptyPostgresDatabase creates an empty database of its own for t —
// not a schema, and not from the template: nothing is migrated, as on a
// first start — and returns its URL; it is dropped when t ends. It skips
// t when no PostgreSQL server is configured.
func EmptyPostgresDatabase(t testing.TB) string {
	t.Helper()
	skipWithoutPostgres(t)
	return createDatabase(t, "e_", "")
}
