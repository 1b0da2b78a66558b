// Package storetest opens real, migrated databases for tests: a SQLite file
// in a temporary directory, and — when MASTHEAD_TEST_DATABASE_URL is set — a
// fresh database on that PostgreSQL server, both copied from a template
// migrated once. Each database is removed when the test ends.
package storetest

import (
	"context"
	"database/sql"
	"flag"
	"net/url"
	"os"
	"strconv"
	"testing"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/store"
)

// EnvPostgres names the variable that switches the PostgreSQL suites on.
const EnvPostgres = "MASTHEAD_TEST_DATABASE_URL"

// Backend is one database a test body runs against.
type Backend struct {
	Name string
	// Open returns a new, empty, migrated database for t.
	Open func(t testing.TB) *store.DB
	// URL returns a new, empty, unmigrated database URL for t ("" for
	// SQLite, with DataDir set instead) — for tests of the binary itself.
	URL func(t testing.TB) (databaseURL, dataDir string)
	// Migrated is URL's database with the migrations already applied,
	// copied from the template: for tests of the binary that are not
	// about migrating.
	Migrated func(t testing.TB) (databaseURL, dataDir string)
}

// Backends lists SQLite and, when configured, PostgreSQL. When CI=true
// and PostgreSQL is not configured the test fails rather than skipping.
func Backends(t testing.TB) []Backend {
	b := []Backend{{Name: store.SQLite, Open: OpenSQLite, URL: sqliteURL, Migrated: migratedSQLite}}
	if os.Getenv(EnvPostgres) != "" {
		b = append(b, Backend{Name: store.Postgres, Open: OpenPostgres, URL: PostgresURL, Migrated: migratedPostgres})
	} else if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: the PostgreSQL suite must run in CI", EnvPostgres)
	}
	return b
}

// Run runs body once per backend as a subtest named after it.
func Run(t *testing.T, body func(t *testing.T, db *store.DB)) {
	for _, b := range Backends(t) {
		t.Run(b.Name, func(t *testing.T) { body(t, b.Open(t)) })
	}
}

func sqliteURL(t testing.TB) (string, string) { return "", t.TempDir() }

func migratedSQLite(t testing.TB) (string, string) {
	dir := t.TempDir()
	copySQLiteTemplate(t, dir)
	return "", dir
}

func migratedPostgres(t testing.TB) (string, string) {
	skipWithoutPostgres(t)
	return clonePostgresTemplate(t), ""
}

// OpenSQLite returns a migrated SQLite database in a temporary directory.
func OpenSQLite(t testing.TB) *store.DB {
	_, dir := migratedSQLite(t)
	return openMigrated(t, store.Options{DataDir: dir})
}

// OpenPostgres returns a fresh migrated PostgreSQL database, skipping the
// test when no server is configured.
func OpenPostgres(t testing.TB) *store.DB {
	skipWithoutPostgres(t)
	return openMigrated(t, store.Options{URL: clonePostgresTemplate(t)})
}

// PostgresURL creates a fresh schema and returns a URL whose search_path
// points at it. The schema is dropped when the test ends.
func PostgresURL(t testing.TB) (string, string) {
	skipWithoutPostgres(t)
	base := os.Getenv(EnvPostgres)
	schema := "t_" + cms.RandomToken(6)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("storetest: create schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		if _, err := db.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Logf("storetest: drop schema %s: %v", schema, err)
		}
	})
	return withSearchPath(t, base, schema), ""
}

func skipWithoutPostgres(t testing.TB) {
	if os.Getenv(EnvPostgres) == "" {
		t.Skipf("PostgreSQL suite skipped: set %s (e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)", EnvPostgres)
	}
}

func withSearchPath(t testing.TB, base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	// A test database need not survive a crash: commits that do not wait
	// for the WAL flush make the PostgreSQL suite several times faster.
	if q.Get("synchronous_commit") == "" {
		q.Set("synchronous_commit", "off")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func openMigrated(t testing.TB, opts store.Options) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if db.Dialect() == store.Postgres {
		capPool(t, db)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	return db
}

// testPoolSize caps each test's PostgreSQL pool. Tests run in parallel,
// each on its own schema, and the server's max_connections (100 by
// default) must hold them all; no test needs more than this at once.
const testPoolSize = 6

func capPool(t testing.TB, db *store.DB) {
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	sqlDB.SetMaxOpenConns(testPoolSize)
	sqlDB.SetMaxIdleConns(testPoolSize)
}

// Parallel is how many tests of a package run at once when -parallel
// is not given, instead of one per core: they mostly wait on a database,
// a browser or a mail server, not on a core. Two packages at a time
// (go test's -p on two cores) × Parallel × testPoolSize stays under
// PostgreSQL's default max_connections (100).
const Parallel = 6

// Main runs a package's tests with Parallel as the default -parallel;
// call it from TestMain: os.Exit(storetest.Main(m)).
func Main(m *testing.M) int {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		if err := flag.Set("test.parallel", strconv.Itoa(Parallel)); err != nil {
			panic(err)
		}
	}
	return m.Run()
}
