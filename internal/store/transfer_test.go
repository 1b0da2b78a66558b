package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

type tableRow struct {
	Table string    `json:"table"`
	Row   store.Row `json:"row"`
}

// newsroomRows is a small export's rows: an account, a series, a type,
// a document with its revision, and the document's delivered row.
const newsroomRows = `
{"table":"users","row":{"id":"u1","email":"a@example.org","name":"A","password_hash":"x","active":true,"created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z"}}
{"table":"series","row":{"id":"s1","slug":"s","name":"S","kind":"blog","created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z"}}
{"table":"content_types","row":{"id":"ct","name":"note","label":"Note","fields":"[]","created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z"}}
{"table":"documents","row":{"id":"d1","type_id":"ct","series_id":"s1","title":"T","slug":"t","owner_id":"u1","state":"published","head_revision":1,"live_revision":1,"version":1,"created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z"}}
{"table":"revisions","row":{"document_id":"d1","number":1,"title":"T","slug":"t","fields":"{}","topics":"[]","author_id":"u1","created_at":"2024-01-01T00:00:00Z"}}
{"table":"delivered_documents","row":{"document_id":"d1","series_id":"s1","series_slug":"s","type":"note","slug":"t","title":"T","revision":1,"published_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z","body":"<script>alert(1)</script>"}}
`

func rowsOf(t *testing.T, ndjson string) []tableRow {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(ndjson))
	dec.UseNumber()
	var out []tableRow
	for dec.More() {
		var r tableRow
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// edit returns rows with the first row of table changed by f.
func edit(t *testing.T, table string, f func(store.Row)) []tableRow {
	rows := rowsOf(t, newsroomRows)
	for _, r := range rows {
		if r.Table == table {
			f(r.Row)
			break
		}
	}
	return rows
}

func check(db *store.DB, rows []tableRow) error {
	c, err := db.NewImportCheck(context.Background())
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := c.Row(r.Table, r.Row); err != nil {
			return err
		}
	}
	_, err = c.Done()
	return err
}

func feed(rows []tableRow) func() (string, store.Row, bool, error) {
	return func() (string, store.Row, bool, error) {
		if len(rows) == 0 {
			return "", nil, false, nil
		}
		r := rows[0]
		rows = rows[1:]
		return r.Table, r.Row, true, nil
	}
}

// exported counts a database's rows per table, as an export sees them.
func exported(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	n := map[string]int{}
	if err := db.Export(context.Background(), func(table string, _ store.Row) error { n[table]++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTransferImportCheckRefuses: rows of no table or column, values of
// the wrong type, text PostgreSQL cannot hold and references to rows the
// file lacks are refused before anything is written.
func TestTransferImportCheckRefuses(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		if err := check(db, rowsOf(t, newsroomRows)); err != nil {
			t.Fatalf("a good file: %v", err)
		}
		cases := []struct {
			name, want string
			rows       []tableRow
		}{
			{"an unknown table", `"sessions" is not a table`, append(rowsOf(t, newsroomRows), tableRow{"sessions", store.Row{"id": "x"}})},
			{"an unknown column", `no column "is_root"`, edit(t, "users", func(r store.Row) { r["is_root"] = true })},
			{"a NUL in a title", "documents row 1: title holds a NUL", edit(t, "documents", func(r store.Row) { r["title"] = "A\x00B" })},
			{"bytes that are not UTF-8", "users row 1: name holds a NUL character or bytes that are not UTF-8", edit(t, "users", func(r store.Row) { r["name"] = "\xff" })},
			{"a string for a number", "head_revision", edit(t, "documents", func(r store.Row) { r["head_revision"] = "1" })},
			{"a dangling series", "documents row 1: series_id nope names no series row", edit(t, "documents", func(r store.Row) { r["series_id"] = "nope" })},
			{"a dangling live revision", "live_revision d1, 2 names no revisions row", edit(t, "documents", func(r store.Row) { r["live_revision"] = json.Number("2") })},
			{"a dangling hero", "hero_media_id m1 names no media_assets row", edit(t, "documents", func(r store.Row) { r["hero_media_id"] = "m1" })},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if err := check(db, c.rows); err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("got %v, want %q", err, c.want)
				}
			})
		}
	})
}

// TestTransferImportIsOneTransaction: a failing finish rolls every row
// back, so the next import finds the database empty; the derived tables
// are never read from the file.
func TestTransferImportIsOneTransaction(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		empty := exported(t, db)
		refusal := errors.New("the domain says no")
		_, err := db.Import(ctx, feed(rowsOf(t, newsroomRows)), func(tx *store.DB) error {
			if n, err := tx.CountUsers(ctx); err != nil || n != 1 {
				t.Errorf("finish runs after the rows: %d users, %v", n, err)
			}
			return refusal
		})
		if !errors.Is(err, refusal) {
			t.Fatalf("import: %v, want finish's error", err)
		}
		if after := exported(t, db); len(after) != len(empty) || after["users"] != 0 || after["content_types"] != empty["content_types"] {
			t.Fatalf("after a failed import: %v; empty: %v", after, empty)
		}
		if err := check(db, rowsOf(t, newsroomRows)); err != nil {
			t.Fatalf("the check after a failed import: %v", err)
		}
		counts, err := db.Import(ctx, feed(rowsOf(t, newsroomRows)), func(*store.DB) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		if counts["documents"] != 1 || counts["delivered_documents"] != 0 {
			t.Errorf("counts: %v", counts)
		}
		if got := exported(t, db); got["documents"] != 1 || got["delivered_documents"] != 0 || got["content_types"] != 1 {
			t.Errorf("after the import: %v", got)
		}
		if _, err := db.NewImportCheck(ctx); err == nil || !strings.Contains(err.Error(), "empty database") {
			t.Errorf("a second import: %v, want a refusal", err)
		}
	})
}

// TestTransferCarriesReleases: a release and its items leave in an export
// and come back in an import; an item naming a document the file lacks is
// refused.
func TestTransferCarriesReleases(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rows := rowsOf(t, newsroomRows+`
{"table":"releases","row":{"id":"r1","name":"Launch","state":"open","version":2,"created_by":"u1","created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z"}}
{"table":"release_items","row":{"release_id":"r1","document_id":"d1","position":0}}
`)
		bad := append(rowsOf(t, newsroomRows+`
{"table":"releases","row":{"id":"r1","name":"Launch","state":"open","version":2,"created_by":"u1","created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z"}}
`), tableRow{Table: "release_items", Row: store.Row{"release_id": "r1", "document_id": "nope", "position": 0}})
		if err := check(db, bad); err == nil {
			t.Error("an item naming a missing document passed the check")
		}
		if _, err := db.Import(ctx, feed(rows), func(*store.DB) error { return nil }); err != nil {
			t.Fatal(err)
		}
		r, err := db.FindRelease(ctx, "r1")
		if err != nil || r.Name != "Launch" || r.Version != 2 || len(r.Documents) != 1 || r.Documents[0] != "d1" {
			t.Errorf("imported release %+v, %v", r, err)
		}
		if got := exported(t, db); got["releases"] != 1 || got["release_items"] != 1 {
			t.Errorf("export after the import: %v", got)
		}
	})
}

// TestTransferImportInBatches: rows go in several rows to a statement
// (here at most 4, so every table of more than four rows takes several),
// rows of a table that lack a column start a statement of their own, and
// every value arrives whole; a row failing in the last statement rolls
// back the statements before it.
func TestTransferImportInBatches(t *testing.T) {
	defer store.SetImportBatch(4)()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rows := rowsOf(t, newsroomRows)
		var docs, revs []tableRow
		for i := 2; i <= 11; i++ {
			id := fmt.Sprintf("d%d", i)
			doc := store.Row{"id": id, "type_id": "ct", "series_id": "s1", "title": fmt.Sprintf("Title %d ‘quoted’", i), "slug": fmt.Sprintf("t%d", i),
				"owner_id": "u1", "state": "draft", "head_revision": json.Number("1"), "version": json.Number("1"),
				"created_at": "2024-01-02T03:04:05Z", "updated_at": "2024-01-02T03:04:05Z"}
			if i == 6 {
				doc["due_at"] = "2024-02-01T00:00:00Z" // a row of other columns
			}
			docs = append(docs, tableRow{"documents", doc})
			revs = append(revs, tableRow{"revisions", store.Row{"document_id": id, "number": json.Number("1"), "title": doc["title"],
				"slug": doc["slug"], "fields": "{}", "topics": "[]", "author_id": "u1", "created_at": "2024-01-02T03:04:05Z"}})
		}
		var all []tableRow
		for _, r := range rows {
			all = append(all, r)
			switch r.Table {
			case "documents":
				all = append(all, docs...)
			case "revisions":
				all = append(all, revs...)
			}
		}
		empty := exported(t, db)
		// The same rows with a duplicate revision last: nothing stays.
		bad := append(append([]tableRow{}, all[:len(all)-1]...), tableRow{"revisions", revs[0].Row}, all[len(all)-1])
		if _, err := db.Import(ctx, feed(bad), func(*store.DB) error { return nil }); err == nil {
			t.Fatal("an import with a duplicate row succeeded")
		}
		if after := exported(t, db); after["documents"] != 0 || after["revisions"] != 0 || after["users"] != 0 || after["content_types"] != empty["content_types"] {
			t.Fatalf("after a failed import: %v", after)
		}
		counts, err := db.Import(ctx, feed(all), func(*store.DB) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		if counts["documents"] != 11 || counts["revisions"] != 11 {
			t.Errorf("counts: %v", counts)
		}
		got := map[string]store.Row{}
		if err := db.Export(ctx, func(table string, r store.Row) error {
			if table == "documents" {
				got[r["id"].(string)] = r
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			id := d.Row["id"].(string)
			g := got[id]
			if g == nil || g["title"] != d.Row["title"] || g["slug"] != d.Row["slug"] || g["created_at"] != "2024-01-02T03:04:05Z" {
				t.Errorf("document %s: %v", id, g)
			}
		}
		if got["d6"]["due_at"] != "2024-02-01T00:00:00Z" || got["d7"]["due_at"] != nil {
			t.Errorf("due_at of d6 and d7: %v, %v", got["d6"]["due_at"], got["d7"]["due_at"])
		}
	})
}
