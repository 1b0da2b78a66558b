package store

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/masthead-cms/masthead/migrations"
)

// MigrationState is one migration and whether it has been applied.
type MigrationState struct {
	Version int64
	Name    string
	Applied bool
}

// migrationLockID is the PostgreSQL advisory lock key that serialises
// migrations between instances starting at once. Advisory locks are
// database-wide, so the key is derived from the database and schema: two
// Masthead installations in two schemas of one database never wait for
// each other.
func (db *DB) migrationLockID() (int64, error) {
	var name string
	if err := db.g.Raw("SELECT current_database() || '.' || current_schema()").Scan(&name).Error; err != nil {
		return 0, fmt.Errorf("store: migration lock: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("masthead-migrations:" + name))
	return int64(h.Sum64() & math.MaxInt64), nil
}

func (db *DB) migrator() (*goose.Provider, error) {
	fsys, err := migrations.For(db.dialect)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	sqlDB, err := db.SQL()
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.dialect == Postgres {
		dialect = goose.DialectPostgres
		id, err := db.migrationLockID()
		if err != nil {
			return nil, err
		}
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(id))
		if err != nil {
			return nil, fmt.Errorf("store: migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, sqlDB, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration, each in its own transaction.
// On PostgreSQL it holds an advisory lock, so that of two instances
// starting together one migrates and the other waits, then finds nothing
// to do; on SQLite a process that loses the race tries again.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.migrator()
	if err != nil {
		return err
	}
	// Most starts find nothing to do; asking first takes no lock.
	if pending, err := p.HasPending(ctx); err == nil && !pending {
		return nil
	}
	for {
		before, err := p.GetDBVersion(ctx)
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		_, err = p.Up(ctx)
		if err == nil {
			return nil
		}
		// SQLite has no lock goose can hold between processes. Two
		// processes starting on one file both run a pending migration,
		// each in its own IMMEDIATE transaction: the second fails and
		// rolls back whole, and trying again finds the first one's work
		// applied. Only while the version moves, so that a migration
		// that fails by itself fails the start.
		after, verr := p.GetDBVersion(ctx)
		if db.dialect != SQLite || verr != nil || after <= before {
			return fmt.Errorf("store: migrate: %w", err)
		}
	}
}

// Migrations lists every known migration with its state.
func (db *DB) Migrations(ctx context.Context) ([]MigrationState, error) {
	p, err := db.migrator()
	if err != nil {
		return nil, err
	}
	status, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migration status: %w", err)
	}
	out := make([]MigrationState, 0, len(status))
	for _, s := range status {
		out = append(out, MigrationState{
			Version: s.Source.Version,
			Name:    s.Source.Path,
			Applied: s.State == goose.StateApplied,
		})
	}
	return out, nil
}

// HasPendingMigrations reports whether a migration is not applied yet;
// readiness depends on it. It takes no lock, so it never waits for a
// migrating instance.
func (db *DB) HasPendingMigrations(ctx context.Context) (bool, error) {
	p, err := db.migrator()
	if err != nil {
		return false, err
	}
	has, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("store: pending migrations: %w", err)
	}
	return has, nil
}
