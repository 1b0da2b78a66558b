// Package store is Masthead's persistence layer and the only importer of
// GORM. One concrete DB, split into a file per entity, runs on SQLite (the
// embedded default) and PostgreSQL. It imports the domain packages for
// their types; they never import it.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/masthead-cms/masthead/internal/cms"
)

// Dialects the store speaks.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// DB is a handle on the database. Inside InTx it is bound to one
// transaction.
type DB struct {
	g       *gorm.DB
	dialect string
	// url and listenName are the root handle's, for ListenChanges: its
	// connection is not the pool's.
	url        string
	listenName string
}

// Options say which database to open.
type Options struct {
	// URL is empty for SQLite in DataDir, or a postgres:// URL.
	URL     string
	DataDir string
}

// SQLitePath is where the embedded database lives inside a data dir.
func SQLitePath(dataDir string) string {
	return filepath.Join(dataDir, "masthead.db")
}

// Open connects to the database Options name. It does not migrate.
func Open(ctx context.Context, opts Options) (*DB, error) {
	dialect, dialector, err := dialectorFor(opts)
	if err != nil {
		return nil, err
	}
	g, err := gorm.Open(dialector, &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		TranslateError:         true,
	})
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dialect, err)
	}
	db := &DB{g: g, dialect: dialect, url: opts.URL, listenName: listenerName()}
	if err := db.configurePool(); err != nil {
		return nil, err
	}
	if err := db.Ping(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

func dialectorFor(opts Options) (string, gorm.Dialector, error) {
	switch {
	case opts.URL == "":
		if err := os.MkdirAll(opts.DataDir, 0o750); err != nil {
			return "", nil, fmt.Errorf("store: data dir: %w", err)
		}
		return SQLite, sqlite.Open(sqliteDSN(SQLitePath(opts.DataDir))), nil
	case strings.HasPrefix(opts.URL, "postgres://"), strings.HasPrefix(opts.URL, "postgresql://"):
		return Postgres, postgres.New(postgres.Config{DSN: opts.URL}), nil
	default:
		return "", nil, errors.New("store: database URL must be empty (SQLite) or postgres://")
	}
}

// sqliteDSN sets the pragmas on every connection the pool opens: WAL,
// foreign keys, a busy timeout, and IMMEDIATE transactions so that
// read-then-write transactions queue instead of failing with SQLITE_BUSY.
// Each connection's page cache is bounded (sqlitePageCacheKiB), so that
// the memory it holds does not grow with the archive: delivery reads
// come from the process's cache of rendered bytes, and the file's pages
// from the operating system's.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", fmt.Sprintf("cache_size(-%d)", sqlitePageCacheKiB))
	q.Add("_pragma", "temp_store(FILE)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// sqlitePageCacheKiB bounds each SQLite connection's page cache (SQLite's
// own default is 2 MiB); of the sqlitePool connections, sqliteIdle stay
// open when idle, so that the caches held idle stay under 4 MiB and
// under load under 8 MiB.
const (
	sqlitePageCacheKiB = 1024
	sqlitePool         = 8
	sqliteIdle         = 4
)

func (db *DB) configurePool() error {
	sqlDB, err := db.g.DB()
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if db.dialect == SQLite {
		// One writer at a time is all SQLite allows; a small pool keeps
		// readers concurrent under WAL without piling up writers.
		sqlDB.SetMaxOpenConns(sqlitePool)
		sqlDB.SetMaxIdleConns(sqliteIdle)
	} else {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(10)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return nil
}

// Dialect returns SQLite or Postgres.
func (db *DB) Dialect() string { return db.dialect }

// SQL returns the underlying *sql.DB, for the migrator and for closing.
func (db *DB) SQL() (*sql.DB, error) { return db.g.DB() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	sqlDB, err := db.g.DB()
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close closes every connection.
func (db *DB) Close() error {
	sqlDB, err := db.g.DB()
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return sqlDB.Close()
}

// InTx runs fn in one transaction: everything fn writes through tx commits
// together or not at all. Nested calls join the outer transaction.
func (db *DB) InTx(ctx context.Context, fn func(tx *DB) error) error {
	return db.g.WithContext(ctx).Transaction(func(g *gorm.DB) error {
		return fn(&DB{g: g, dialect: db.dialect})
	})
}

// lockTx takes a lock named key until the transaction db is bound to
// ends, so that instances doing the same start-up step at once take
// turns: on PostgreSQL a transaction-scoped advisory lock (keyed by the
// schema too, so that two installations in one database do not wait for
// each other); SQLite's IMMEDIATE transactions already take turns.
func (db *DB) lockTx(ctx context.Context, key string) error {
	if db.dialect != Postgres {
		return nil
	}
	return wrap(db.q(ctx).Exec("SELECT pg_advisory_xact_lock(hashtextextended(? || '.' || current_schema(), 0))", "masthead:"+key).Error)
}

// q starts a query bound to ctx.
func (db *DB) q(ctx context.Context) *gorm.DB { return db.g.WithContext(ctx) }

// notFound turns gorm's record-not-found into a cms not-found error.
func notFound(err error, kind string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return cms.NotFound(kind)
	}
	return wrap(err)
}

// wrap maps constraint violations to cms conflicts and prefixes the rest.
func wrap(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return cms.Errorf(cms.CodeConflict, "already exists")
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return cms.Errorf(cms.CodeInvalid, "refers to something that does not exist")
	}
	var ce *cms.Error
	if errors.As(err, &ce) {
		return err
	}
	return fmt.Errorf("store: %w", err)
}

// Backup writes a consistent copy of the SQLite database to path while it
// is in use (VACUUM INTO). PostgreSQL has pg_dump for that.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return errors.New("store: backup copies the SQLite database; for PostgreSQL use pg_dump")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("store: backup: %s exists", path)
	}
	if err := db.q(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}
