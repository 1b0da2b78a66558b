package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// exportLines is the demo newsroom's export, one line each.
type exportLines []string

// demoExport runs the demo on SQLite and exports it, media included.
func demoExport(t *testing.T) exportLines {
	t.Helper()
	src := sqliteEnv(t).with("MASTHEAD_ADMIN_PASSWORD", "admin-password-1")
	if _, errOut, err := runCmd(t, src, "", "demo", "--password", demoPassword); err != nil {
		t.Fatalf("demo: %v\n%s", err, errOut)
	}
	out, errOut, err := runCmd(t, src, "", "export", "--out", "-")
	if err != nil {
		t.Fatalf("export: %v\n%s", err, errOut)
	}
	return strings.SplitAfter(strings.TrimSuffix(out, "\n"), "\n")
}

// find returns the index of the first line holding s.
func (ls exportLines) find(t *testing.T, s string) int {
	t.Helper()
	for i, l := range ls {
		if strings.Contains(l, s) {
			return i
		}
	}
	t.Fatalf("no export line holds %s", s)
	return -1
}

// edit returns the export with the first line holding s changed by f,
// which gets the line as decoded JSON.
func (ls exportLines) edit(t *testing.T, s string, f func(line map[string]any)) string {
	t.Helper()
	i := ls.find(t, s)
	dec := json.NewDecoder(strings.NewReader(ls[i]))
	dec.UseNumber()
	var line map[string]any
	if err := dec.Decode(&line); err != nil {
		t.Fatal(err)
	}
	f(line)
	b, err := json.Marshal(line)
	if err != nil {
		t.Fatal(err)
	}
	out := append(exportLines{}, ls...)
	out[i] = string(b) + "\n"
	return strings.Join(out, "")
}

func editRow(col string, v any) func(map[string]any) {
	return func(line map[string]any) { line["row"].(map[string]any)[col] = v }
}

// assertNothingImported checks that a refused import left no row (beyond
// what the migrations seed) and no media file.
func assertNothingImported(t *testing.T, e env) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{URL: e["MASTHEAD_DATABASE_URL"], DataDir: e["MASTHEAD_DATA_DIR"]})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows := map[string]int{}
	err = db.Export(ctx, func(table string, _ store.Row) error {
		if table != "content_types" && table != "policy_version" && table != "site_state" {
			rows[table]++
		}
		return nil
	})
	if err != nil || len(rows) != 0 {
		t.Errorf("after a refused import: rows %v (%v)", rows, err)
	}
	var files []string
	_ = filepath.WalkDir(mediaDir(Config{DataDir: e["MASTHEAD_DATA_DIR"]}), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 0 {
		t.Errorf("after a refused import the media folder holds %v", files)
	}
}

// TestImportIsAllOrNothing: an export with a bad line anywhere — among
// the rows, among the media files, or only visible to the domain's rules
// — is refused with an error naming it, leaves the database empty and
// the media folder without files, so importing the good file next works.
// A tampered delivered body is not served: delivery is rendered again
// from the live revision.
func TestImportIsAllOrNothing(t *testing.T) {
	t.Parallel()
	lines := demoExport(t)
	good := strings.Join(lines, "")
	const doc = `"table":"documents"`
	cases := []struct{ name, input, want string }{
		{"a path-like media id", lines.edit(t, `"media":`, func(l map[string]any) { l["media"] = "../../x" }),
			`"../../x" is not a media id`},
		{"a row after the media files", good + lines[lines.find(t, `"table":"users"`)],
			"a table row after the media files"},
		{"media bytes that are not the asset's", lines.edit(t, `"media":`, func(l map[string]any) { l["data"] = []byte("not the image") }),
			"are not the file its media_assets row describes"},
		{"media of no asset", lines.edit(t, `"media":`, func(l map[string]any) { l["media"] = strings.Repeat("0", 32) }),
			"has no media_assets row"},
		{"a NUL in a title", lines.edit(t, doc, editRow("title", "Beijing\x00")),
			"documents row 1: title holds a NUL character"},
		{"an over-long title", lines.edit(t, doc, editRow("title", strings.Repeat("t", 301))),
			"title: is required and at most 300 characters"},
		{"a slug that is a path", lines.edit(t, `"table":"revisions"`, editRow("slug", "../../etc")),
			"slug: must be lower-case letters"},
		{"a dangling reference", lines.edit(t, doc, editRow("series_id", "nope")),
			"series_id nope names no series row"},
		{"a dangling revision", lines.edit(t, doc, editRow("head_revision", json.Number("99"))),
			"names no revisions row"},
	}
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			dst := baseEnv(t, b)
			for _, c := range cases {
				_, _, err := runCmd(t, dst, c.input, "import", "--in", "-")
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("%s: %v, want %q", c.name, err, c.want)
				}
				assertNothingImported(t, dst)
			}

			tamper := func(l map[string]any) {
				row := l["row"].(map[string]any)
				for _, col := range []string{"body", "digest"} {
					row[col] = strings.ReplaceAll(row[col].(string), "Beijing Calibrates", "Tampered <script>alert(1)</script>")
				}
			}
			input := exportLines(strings.SplitAfter(lines.edit(t, `"table":"delivered_documents"`, tamper), "\n"))
			input = exportLines(strings.SplitAfter(input.edit(t, `"table":"staff_search"`, editRow("title", "Tampered")), "\n"))
			out, errOut, err := runCmd(t, dst, strings.Join(input, ""), "import", "--in", "-")
			if err != nil {
				t.Fatalf("the good import after the refused ones: %v\n%s", err, errOut)
			}
			if !strings.Contains(out, "1 media files") || !strings.Contains(out, "indexed 1 live documents") {
				t.Errorf("import output: %s", out)
			}
			in := start(t, dst)
			defer in.Stop()
			document := get(t, in.URL+"/delivery/v1/documents/korea-view/beijing-calibrates-its-approach-to-seoul")
			list := get(t, in.URL+"/delivery/v1/documents")
			for _, body := range [][]byte{document, list} {
				if bytes.Contains(body, []byte("Tampered")) || bytes.Contains(body, []byte("<script>")) ||
					!bytes.Contains(body, []byte("Beijing Calibrates")) {
					t.Errorf("delivery after importing a tampered body:\n%s", body)
				}
			}
			b := newBrowser(t, in.URL)
			b.login("writer@masthead.example", demoPassword)
			tamperedHits := b.do("GET", "/api/v1/search?q=Tampered", nil, http.StatusOK)["total"]
			hits := b.do("GET", "/api/v1/search?q=Beijing", nil, http.StatusOK)["total"]
			if tamperedHits != float64(0) || hits == float64(0) {
				t.Errorf("staff search: %v hits for the tampered title, %v for the document's", tamperedHits, hits)
			}
		})
	}
}
