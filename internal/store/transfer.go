package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/masthead-cms/masthead/internal/cms"
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
	{name: "preview_links", orderBy: "id"},
	{name: "webhooks", orderBy: "id"},
	{name: "subscribers", orderBy: "id"},
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

// Import writes rows from next (until it returns ok false) into this
// database in one transaction. The database must be migrated to the
// export's schema and hold no content or accounts yet; anything wrong
// rolls the whole import back. It returns the rows written per table.
func (db *DB) Import(ctx context.Context, next func() (table string, row Row, ok bool, err error)) (map[string]int, error) {
	counts := map[string]int{}
	err := db.InTx(ctx, func(tx *DB) error {
		if err := tx.checkEmpty(ctx); err != nil {
			return err
		}
		types := map[string]map[string]string{}
		for _, t := range transferTables {
			ct, err := tx.columnTypes(ctx, t.name)
			if err != nil {
				return err
			}
			types[t.name] = ct
			if seeded[t.name] {
				if err := tx.q(ctx).Exec("DELETE FROM " + t.name).Error; err != nil {
					return wrap(err)
				}
			}
		}
		for {
			table, row, ok, err := next()
			if err != nil || !ok {
				return err
			}
			cols, known := types[table]
			if !known {
				return cms.Errorf(cms.CodeInvalid, "import: %q is not a table an export holds", table)
			}
			if err := tx.insertRow(ctx, table, cols, row); err != nil {
				return fmt.Errorf("import %s row %d: %w", table, counts[table]+1, err)
			}
			counts[table]++
		}
	})
	if err != nil {
		return nil, err
	}
	return counts, db.resetSequences(ctx)
}

// checkEmpty refuses to import over content or accounts.
func (db *DB) checkEmpty(ctx context.Context) error {
	for _, t := range transferTables {
		if seeded[t.name] {
			continue
		}
		var n int64
		if err := db.q(ctx).Raw("SELECT COUNT(*) FROM " + t.name).Scan(&n).Error; err != nil {
			return wrap(err)
		}
		if n > 0 {
			return cms.Errorf(cms.CodeConflict, "import needs an empty database, and table %s has %d rows", t.name, n)
		}
	}
	return nil
}

// columnTypes maps a table's columns to their declared types, upper case.
func (db *DB) columnTypes(ctx context.Context, table string) (map[string]string, error) {
	rows, err := db.q(ctx).Raw("SELECT * FROM " + table + " WHERE 1 = 0").Rows()
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, wrap(err)
	}
	out := make(map[string]string, len(cts))
	for _, ct := range cts {
		out[ct.Name()] = strings.ToUpper(ct.DatabaseTypeName())
	}
	return out, nil
}

func (db *DB) insertRow(ctx context.Context, table string, types map[string]string, row Row) error {
	cols := make([]string, 0, len(row))
	args := make([]any, 0, len(row))
	for c, v := range row {
		typ, ok := types[c]
		if !ok {
			return cms.Errorf(cms.CodeInvalid, "import: table %s has no column %q", table, c)
		}
		val, err := importValue(typ, v)
		if err != nil {
			return cms.Errorf(cms.CodeInvalid, "import: %s.%s: %v", table, c, err)
		}
		cols = append(cols, c)
		args = append(args, val)
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
	stmt := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES (" + marks + ")"
	return wrap(db.q(ctx).Exec(stmt, args...).Error)
}

// importValue turns a decoded JSON value into what the column's type
// takes on this engine: SQLite keeps booleans as 0/1 and PostgreSQL wants
// true/false; times arrive as text.
func importValue(typ string, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch {
	case strings.Contains(typ, "BOOL"):
		switch x := v.(type) {
		case bool:
			return x, nil
		case json.Number:
			return x.String() != "0", nil
		}
	case strings.Contains(typ, "TIME") || strings.Contains(typ, "DATE"):
		if s, ok := v.(string); ok {
			return parseTime(s)
		}
	case strings.Contains(typ, "INT"):
		if n, ok := v.(json.Number); ok {
			return strconv.ParseInt(n.String(), 10, 64)
		}
	default:
		switch x := v.(type) {
		case string:
			return x, nil
		case json.Number:
			return x.String(), nil
		}
	}
	return nil, fmt.Errorf("%v does not fit a %s column", v, typ)
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05"}

func parseTime(s string) (time.Time, error) {
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time", s)
}

// resetSequences moves PostgreSQL's id sequences past the imported ids
// (SQLite's AUTOINCREMENT follows explicit ids by itself).
func (db *DB) resetSequences(ctx context.Context) error {
	if db.dialect != Postgres {
		return nil
	}
	for _, t := range serialTables {
		stmt := fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false)", t, t)
		if err := db.q(ctx).Exec(stmt).Error; err != nil {
			return wrap(err)
		}
	}
	return nil
}
