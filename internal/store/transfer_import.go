package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
)

// derived tables are what import renders again from the rows they derive
// from, in its transaction (see Import's finish), instead of reading them
// from the file: an export carries them, but HTML in a file is not to be
// trusted, and an index is the engine's own.
var derived = map[string]bool{
	"delivered_documents": true, "delivered_topics": true, "delivered_contributors": true, "delivered_media": true, "staff_search": true,
}

// reference is a column (or columns) of a table that names a row of
// another by its key (keyColumns); import resolves every one within the
// file, the foreign keys and the references no constraint declares alike.
type reference struct {
	table  string
	cols   []string
	target string
}

var references = []reference{
	{"api_tokens", []string{"user_id"}, "users"},
	{"series", []string{"parent_id"}, "series"},
	{"contributors", []string{"user_id"}, "users"},
	{"media_assets", []string{"uploader_id"}, "users"},
	{"documents", []string{"type_id"}, "content_types"},
	{"documents", []string{"series_id"}, "series"},
	{"documents", []string{"byline_id"}, "contributors"},
	{"documents", []string{"hero_media_id"}, "media_assets"},
	{"documents", []string{"owner_id"}, "users"},
	{"documents", []string{"id", "head_revision"}, "revisions"},
	{"documents", []string{"id", "live_revision"}, "revisions"},
	{"documents", []string{"id", "approved_revision"}, "revisions"},
	{"document_topics", []string{"document_id"}, "documents"},
	{"revisions", []string{"document_id"}, "documents"},
	{"revisions", []string{"hero"}, "media_assets"},
	{"document_approvals", []string{"document_id", "revision"}, "revisions"},
	{"document_approvals", []string{"user_id"}, "users"},
	{"credits", []string{"document_id"}, "documents"},
	{"credits", []string{"contributor_id"}, "contributors"},
	{"comments", []string{"document_id"}, "documents"},
	{"comments", []string{"author_id"}, "users"},
	{"workflow_events", []string{"document_id"}, "documents"},
	{"preview_links", []string{"document_id"}, "documents"},
	{"releases", []string{"created_by"}, "users"},
	{"release_items", []string{"release_id"}, "releases"},
	{"release_items", []string{"document_id"}, "documents"},
	{"subscribers", []string{"series_id"}, "series"},
	{"redirects", []string{"document_id"}, "documents"},
}

// keyColumns are a referenced table's key, when it is not "id".
var keyColumns = map[string][]string{"revisions": {"document_id", "number"}}

// ImportCheck reads an export's rows before any is written: each must be
// of a table an export holds, name only its columns, hold values of their
// types and only text every engine can store; once all are read, every
// reference must name a row of the file.
type ImportCheck struct {
	types   map[string]map[string]string
	keys    map[string]map[string]bool
	pending []pendingRef
	counts  map[string]int
}

type pendingRef struct {
	where string // "documents row 3"
	ref   reference
	key   string
}

// NewImportCheck starts checking an export for this database, which must
// be migrated and hold no content or accounts yet.
func (db *DB) NewImportCheck(ctx context.Context) (*ImportCheck, error) {
	if err := db.checkEmpty(ctx); err != nil {
		return nil, err
	}
	c := &ImportCheck{types: map[string]map[string]string{}, keys: map[string]map[string]bool{}, counts: map[string]int{}}
	for _, t := range transferTables {
		ct, err := db.columnTypes(ctx, t.name)
		if err != nil {
			return nil, err
		}
		c.types[t.name], c.keys[t.name] = ct, map[string]bool{}
	}
	return c, nil
}

// Row checks one row and notes its key and its references.
func (c *ImportCheck) Row(table string, row Row) error {
	types, ok := c.types[table]
	if !ok {
		return cms.Errorf(cms.CodeInvalid, "import: %q is not a table an export holds", table)
	}
	c.counts[table]++
	where := fmt.Sprintf("%s row %d", table, c.counts[table])
	cols := make([]string, 0, len(row))
	for col := range row {
		cols = append(cols, col)
	}
	sort.Strings(cols) // the same row fails the same way every time
	for _, col := range cols {
		if err := checkValue(types, col, row[col]); err != nil {
			return cms.Errorf(cms.CodeInvalid, "import: %s: %v", where, err)
		}
	}
	if key, ok := keyOf(row, keyOrID(table)); ok {
		c.keys[table][key] = true
	}
	for _, r := range references {
		if key, ok := keyOf(row, r.cols); ok && r.table == table {
			c.pending = append(c.pending, pendingRef{where: where, ref: r, key: key})
		}
	}
	return nil
}

// checkValue checks one column's value of a row.
func checkValue(types map[string]string, col string, v any) error {
	typ, ok := types[col]
	if !ok {
		return fmt.Errorf("the table has no column %q", col)
	}
	if s, ok := v.(string); ok && !cms.StorableText(s) {
		return fmt.Errorf("%s holds a NUL character or bytes that are not UTF-8", col)
	}
	if _, err := importValue(typ, v); err != nil {
		return fmt.Errorf("%s: %v", col, err)
	}
	return nil
}

// Done checks the references once every row is read and returns the rows
// read per table.
func (c *ImportCheck) Done() (map[string]int, error) {
	for _, p := range c.pending {
		if !c.keys[p.ref.target][p.key] {
			return nil, cms.Errorf(cms.CodeInvalid, "import: %s: %s %s names no %s row of the export",
				p.where, strings.Join(p.ref.cols, ", "), strings.ReplaceAll(p.key, "\x00", ", "), p.ref.target)
		}
	}
	return c.counts, nil
}

func keyOrID(table string) []string {
	if cols, ok := keyColumns[table]; ok {
		return cols
	}
	return []string{"id"}
}

// keyOf joins the values of cols in row; ok is false when one is missing
// or null (a null reference names nothing).
func keyOf(row Row, cols []string) (string, bool) {
	parts := make([]string, len(cols))
	for i, col := range cols {
		switch v := row[col].(type) {
		case string:
			parts[i] = v
		case json.Number:
			parts[i] = v.String()
		default:
			return "", false
		}
	}
	return strings.Join(parts, "\x00"), true
}

// Import writes rows from next (until it returns ok false), which an
// ImportCheck passed, into this database in one transaction: it replaces
// the migrations' seeded rows, skips the derived tables, moves
// PostgreSQL's sequences past the imported ids, and then runs finish in
// the same transaction, to check what the domain asks and render the
// derived tables. Anything wrong, finish's error included, rolls the whole
// import back. It returns the rows written per table.
func (db *DB) Import(ctx context.Context, next func() (table string, row Row, ok bool, err error), finish func(tx *DB) error) (map[string]int, error) {
	counts := map[string]int{}
	err := db.InTx(ctx, func(tx *DB) error {
		types, err := tx.prepareImport(ctx)
		if err != nil {
			return err
		}
		b := &rowBatch{db: tx, max: tx.maxParams()}
		for {
			table, row, ok, err := next()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			cols, known := types[table]
			if !known {
				return cms.Errorf(cms.CodeInvalid, "import: %q is not a table an export holds", table)
			}
			if derived[table] {
				continue
			}
			if err := b.add(ctx, table, cols, row, counts[table]+1); err != nil {
				return err
			}
			counts[table]++
		}
		if err := b.flush(ctx); err != nil {
			return err
		}
		if err := tx.resetSequences(ctx); err != nil {
			return err
		}
		return finish(tx)
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}

// prepareImport checks that the database is still empty, deletes the
// seeded rows and returns every transferred table's column types.
func (db *DB) prepareImport(ctx context.Context) (map[string]map[string]string, error) {
	if err := db.checkEmpty(ctx); err != nil {
		return nil, err
	}
	types := map[string]map[string]string{}
	for _, t := range transferTables {
		ct, err := db.columnTypes(ctx, t.name)
		if err != nil {
			return nil, err
		}
		types[t.name] = ct
		if seeded[t.name] {
			if err := db.q(ctx).Exec("DELETE FROM " + t.name).Error; err != nil {
				return nil, wrap(err)
			}
		}
	}
	return types, nil
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

// maxParams is how many bound values one import statement carries. On
// PostgreSQL, near the protocol's 65,535, so that a round trip carries
// as many rows as it can. On SQLite, far below its 32,766: the driver
// (glebarez/go-sqlite) looks each positional value up by scanning the
// values before it, so a statement's binding costs the square of its
// values — about 1,000 makes that negligible, and an in-process
// statement costs little on its own.
func (db *DB) maxParams() int {
	if db.dialect == Postgres {
		return 65_000
	}
	return 1_000
}

// Limits of one import statement besides the bound values: rows, and the
// bytes of text they hold (memory stays flat whatever the export's size).
// Variables for tests only.
var (
	importBatchRows  = 1000
	importBatchBytes = 4 << 20
)

// rowBatch gathers consecutive rows of one table having the same columns
// into one multi-row INSERT: an export holds a table's rows together, all
// with the table's columns, so nearly every statement is a full batch.
type rowBatch struct {
	db    *DB
	max   int // bound values per statement
	table string
	cols  []string
	args  []any
	rows  int
	bytes int
	first int // the file's number of the batch's first row of table
}

// add checks one row, converts its values for the engine and queues it,
// writing the queue first when the row cannot join it.
func (b *rowBatch) add(ctx context.Context, table string, types map[string]string, row Row, number int) error {
	cols := make([]string, 0, len(row))
	for c := range row {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	if table != b.table || !slices.Equal(cols, b.cols) || (b.rows+1)*len(cols) > b.max ||
		b.rows >= importBatchRows || b.bytes >= importBatchBytes {
		if err := b.flush(ctx); err != nil {
			return err
		}
		b.table, b.cols, b.first = table, cols, number
	}
	for _, c := range cols {
		v := row[c]
		if err := checkValue(types, c, v); err != nil {
			return fmt.Errorf("import %s row %d: %w", table, number, cms.Errorf(cms.CodeInvalid, "import: %v", err))
		}
		val, _ := importValue(types[c], v) // checkValue converted it once
		if s, ok := val.(string); ok {
			b.bytes += len(s)
		}
		b.args = append(b.args, val)
	}
	b.rows++
	return nil
}

// flush writes the queued rows in one statement.
func (b *rowBatch) flush(ctx context.Context) error {
	if b.rows == 0 {
		return nil
	}
	mark := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(b.cols)), ", ") + ")"
	var sb strings.Builder
	sb.WriteString("INSERT INTO " + b.table + " (" + strings.Join(b.cols, ", ") + ") VALUES ")
	for i := range b.rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(mark)
	}
	err := b.db.exec(ctx, sb.String(), b.args)
	if err != nil {
		err = fmt.Errorf("import %s rows %d to %d: %w", b.table, b.first, b.first+b.rows-1, err)
	}
	b.args, b.rows, b.bytes = b.args[:0], 0, 0
	return err
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

// exec runs one statement with its bound values.
func (db *DB) exec(ctx context.Context, stmt string, args []any) error {
	return wrap(db.q(ctx).Exec(stmt, args...).Error)
}

// DocumentIDsByPublication lists every document's id, those never
// published first, then in the order they last went live: the order in
// which an import derives them, so that the public index's rowids follow
// publish order as they did where the export came from.
func (db *DB) DocumentIDsByPublication(ctx context.Context) ([]string, error) {
	var ids []string
	err := db.q(ctx).Raw("SELECT id FROM documents ORDER BY CASE WHEN last_published_at IS NULL THEN 0 ELSE 1 END, last_published_at, id").
		Scan(&ids).Error
	return ids, wrap(err)
}
