package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// transferTable is one table that export writes and import reads, in an
// order that satisfies the foreign keys. Left out on purpose: sessions and
// the login and sign-up throttles (one installation's traffic), the webhook
// and mail outboxes (operational queues and logs), and the public search
// index, which is engine-specific and rebuilt from the delivered documents.
type transferTable struct {
	name    string
	orderBy string   // a deterministic order that also puts parents first
	skip    []string // columns the database computes
}

var transferTables = []transferTable{
	{name: "users", orderBy: "id"},
	{name: "api_tokens", orderBy: "id"},
	{name: "series", orderBy: "id"}, // and parents first: see exportTable
	{name: "content_types", orderBy: "id"},
	{name: "contributors", orderBy: "id"},
	{name: "media_assets", orderBy: "id"},
	{name: "documents", orderBy: "id"},
	{name: "document_topics", orderBy: "document_id, topic"},
	{name: "revisions", orderBy: "document_id, number"},
	{name: "document_approvals", orderBy: "document_id, revision, user_id"},
	{name: "credits", orderBy: "document_id, position"},
	{name: "comments", orderBy: "id"},
	{name: "workflow_events", orderBy: "id"},
	{name: "audit_events", orderBy: "id"},
	{name: "casbin_rule", orderBy: "id"},
	{name: "policy_version", orderBy: "id"},
	{name: "site_state", orderBy: "id"},
	{name: "delivered_documents", orderBy: "document_id"},
	{name: "delivered_topics", orderBy: "document_id, topic"},
	{name: "delivered_contributors", orderBy: "document_id, contributor"},
	{name: "delivered_media", orderBy: "document_id, asset_id"},
	{name: "preview_links", orderBy: "id"},
	{name: "releases", orderBy: "id"},
	{name: "release_items", orderBy: "release_id, position"},
	{name: "webhooks", orderBy: "id"},
	{name: "subscribers", orderBy: "id"},
	{name: "redirects", orderBy: "id"},
	{name: "import_items", orderBy: "source, kind, item_key"},
	{name: "staff_search", orderBy: "document_id", skip: []string{"rowid", "tsv"}},
}

// seeded tables get rows from the migrations themselves (the shipped
// content types, the policy version); import replaces those rows.
var seeded = map[string]bool{"content_types": true, "policy_version": true, "site_state": true}

// serialTables have PostgreSQL sequences to move past imported ids.
var serialTables = []string{"workflow_events", "audit_events", "casbin_rule"}

// Row is one exported row: column name to value (strings, numbers, bools,
// RFC 3339 times, or nil).
type Row map[string]any

// SchemaVersion is the newest migration applied: an export only goes into
// a database of the same schema.
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	list, err := db.Migrations(ctx)
	if err != nil {
		return 0, err
	}
	var v int64
	for _, m := range list {
		if m.Applied && m.Version > v {
			v = m.Version
		}
	}
	return v, nil
}

// Export calls emit for every row of every transferred table, from one
// consistent snapshot: on SQLite a copy made with VACUUM INTO (so that
// writers are never blocked), on PostgreSQL a read-only repeatable-read
// transaction.
func (db *DB) Export(ctx context.Context, emit func(table string, row Row) error) error {
	if db.dialect == SQLite {
		return db.exportSQLite(ctx, emit)
	}
	opts := &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	return db.g.WithContext(ctx).Transaction(func(g *gorm.DB) error {
		return (&DB{g: g, dialect: db.dialect}).exportTables(ctx, emit)
	}, opts)
}

func (db *DB) exportSQLite(ctx context.Context, emit func(table string, row Row) error) error {
	dir, err := os.MkdirTemp("", "masthead-export-")
	if err != nil {
		return fmt.Errorf("store: export: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := db.Backup(ctx, SQLitePath(dir)); err != nil {
		return err
	}
	snapshot, err := Open(ctx, Options{DataDir: dir})
	if err != nil {
		return err
	}
	defer snapshot.Close()
	return snapshot.exportTables(ctx, emit)
}

func (db *DB) exportTables(ctx context.Context, emit func(table string, row Row) error) error {
	for _, t := range transferTables {
		if err := db.exportTable(ctx, t, emit); err != nil {
			return fmt.Errorf("store: export %s: %w", t.name, err)
		}
	}
	return nil
}

func (db *DB) exportTable(ctx context.Context, t transferTable, emit func(table string, row Row) error) error {
	query := "SELECT * FROM " + t.name + " ORDER BY " + t.orderBy
	if t.name == "series" {
		// Depth in the parent tree, so that a child never precedes its parent.
		query = `WITH RECURSIVE tree (id, depth) AS (
			SELECT id, 0 FROM series WHERE parent_id IS NULL
			UNION ALL SELECT s.id, tree.depth + 1 FROM series s JOIN tree ON s.parent_id = tree.id)
			SELECT series.* FROM series JOIN tree ON tree.id = series.id ORDER BY tree.depth, series.id`
	}
	rows, err := db.q(ctx).Raw(query).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return err
	}
	cols := make([]string, len(cts))
	for i, ct := range cts {
		cols[i] = ct.Name()
	}
	for rows.Next() {
		values := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range values {
			ptrs[i] = &values[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		row := Row{}
		for i, c := range cols {
			if !slices.Contains(t.skip, c) {
				row[c] = exportValue(strings.ToUpper(cts[i].DatabaseTypeName()), values[i])
			}
		}
		if err := emit(t.name, row); err != nil {
			return err
		}
	}
	return rows.Err()
}

// exportValue makes a driver value portable: times in RFC 3339 UTC, bytes
// as text, booleans as JSON booleans (SQLite hands them out as 0 and 1).
func exportValue(typ string, v any) any {
	if n, ok := v.(int64); ok && strings.Contains(typ, "BOOL") {
		return n != 0
	}
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []byte:
		return string(x)
	default:
		return x
	}
}
