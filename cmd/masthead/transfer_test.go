package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

const demoPassword = "demo-password-1"

// newsroomView is what readers and staff see of a running instance.
type newsroomView struct {
	document, list, hero []byte
	searchTotal          float64
	staffDocuments       int
}

// look reads the demo's published briefing, the listing, its hero image,
// public search and the writer's desk from a running instance.
func look(t *testing.T, in *instance) newsroomView {
	t.Helper()
	var v newsroomView
	v.document = get(t, in.URL+"/delivery/v1/documents/korea-view/beijing-calibrates-its-approach-to-seoul")
	v.list = get(t, in.URL+"/delivery/v1/documents")
	b := newBrowser(t, in.URL)
	doc := b.do("GET", "/delivery/v1/documents/korea-view/beijing-calibrates-its-approach-to-seoul", nil, http.StatusOK)
	hero, _ := doc["hero"].(map[string]any)
	heroURL, _ := hero["url"].(string)
	_, heroPath, _ := strings.Cut(heroURL, "/media/")
	v.hero = get(t, in.URL+"/media/"+heroPath)
	v.searchTotal, _ = b.do("GET", "/delivery/v1/search?q=Beijing", nil, http.StatusOK)["total"].(float64)
	b.login("writer@masthead.example", demoPassword)
	docs, _ := b.do("GET", "/api/v1/documents", nil, http.StatusOK)["data"].([]any)
	v.staffDocuments = len(docs)
	return v
}

func get(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	return body
}

// TestExportImportMovesANewsroom exports the demo newsroom and imports it
// into an empty database of every backend: readers get the same bytes,
// the same image and search results; staff sign in with their passwords
// and keep working (new events get fresh ids after the imported ones).
func TestExportImportMovesANewsroom(t *testing.T) {
	t.Parallel()
	backends := storetest.Backends(t)
	for _, from := range backends {
		for _, to := range backends {
			t.Run(from.Name+" to "+to.Name, func(t *testing.T) {
				src := baseEnv(t, from).with("MASTHEAD_ADMIN_PASSWORD", "admin-password-1")
				if _, errOut, err := runCmd(t, src, "", "demo", "--password", demoPassword); err != nil {
					t.Fatalf("demo: %v\n%s", err, errOut)
				}
				in := start(t, src)
				before := look(t, in)
				in.Stop()

				file := filepath.Join(t.TempDir(), "newsroom.ndjson")
				if _, errOut, err := runCmd(t, src, "", "export", "--out", file); err != nil {
					t.Fatalf("export: %v\n%s", err, errOut)
				}
				if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("export file: %v, mode %v; want 0600 (it holds password hashes)", err, fi.Mode().Perm())
				}

				dst := baseEnv(t, to)
				out, errOut, err := runCmd(t, dst, "", "import", "--in", file)
				if err != nil {
					t.Fatalf("import: %v\n%s", err, errOut)
				}
				if !strings.Contains(out, "1 media files") || !strings.Contains(out, "indexed 1 live documents") {
					t.Errorf("import output: %s", out)
				}
				// An export carries originals; the variants are made again,
				// the same bytes under the same addresses.
				if out, errOut, err = runCmd(t, dst, "", "media", "variants"); err != nil || !strings.Contains(out, " variants of 1 images") {
					t.Errorf("media variants: %v\n%s%s", err, out, errOut)
				}
				if out, _, err = runCmd(t, dst, "", "media", "variants"); err != nil || !strings.Contains(out, "made 0 variants of 0 images") {
					t.Errorf("media variants again: %v\n%s", err, out)
				}
				in = start(t, dst)
				after := look(t, in)
				if !bytes.Equal(after.document, before.document) || !bytes.Equal(after.list, before.list) {
					t.Errorf("delivery differs after the move:\n%s\n%s", before.document, after.document)
				}
				if !bytes.Equal(after.hero, before.hero) || len(after.hero) == 0 {
					t.Errorf("the hero image differs: %d bytes, want %d", len(after.hero), len(before.hero))
				}
				if after.searchTotal != before.searchTotal || after.searchTotal == 0 ||
					after.staffDocuments != before.staffDocuments || after.staffDocuments == 0 {
					t.Errorf("after the move: %+v, before: %+v", after.summary(), before.summary())
				}
				keepWorking(t, in)
				in.Stop()

				_, _, err = runCmd(t, dst, "", "import", "--in", file)
				if err == nil || !strings.Contains(err.Error(), "empty database") {
					t.Errorf("a second import: %v, want a refusal", err)
				}
			})
		}
	}
}

func (v newsroomView) summary() map[string]any {
	return map[string]any{"search": v.searchTotal, "staff documents": v.staffDocuments}
}

// keepWorking writes after an import: a new document, submitted, which
// adds workflow and audit events next to the imported ones.
func keepWorking(t *testing.T, in *instance) {
	t.Helper()
	b := newBrowser(t, in.URL)
	b.login("writer@masthead.example", demoPassword)
	d := b.do("POST", "/api/v1/documents", map[string]any{"type": "briefing", "series": "korea-view",
		"title": "Written After The Move", "fields": map[string]any{"summary": "S", "what_happened": []string{"W"}, "implications": "I"}},
		http.StatusCreated)
	id, _ := d["id"].(string)
	b.do("POST", "/api/v1/documents/"+id+"/transitions", map[string]any{"action": "submit"}, http.StatusOK)
	events, _ := b.do("GET", "/api/v1/documents/"+id+"/events", nil, http.StatusOK)["data"].([]any)
	if len(events) == 0 {
		t.Error("no events for a document written after the import")
	}
}

// TestImportRefusesBadInput: a file that is not an export, an export of
// another schema, or one broken halfway leaves the database empty.
func TestImportRefusesBadInput(t *testing.T) {
	t.Parallel()
	src := sqliteEnv(t).with("MASTHEAD_ADMIN_PASSWORD", "admin-password-1")
	if _, errOut, err := runCmd(t, src, "", "demo", "--password", demoPassword); err != nil {
		t.Fatalf("demo: %v\n%s", err, errOut)
	}
	stdout, _, err := runCmd(t, src, "", "export", "--out", "-", "--media=false")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(stdout, "\n")
	if len(lines) < 20 || strings.Contains(stdout, `"media":`) {
		t.Fatalf("export to stdout without media: %d lines", len(lines))
	}
	header, rows := lines[0], strings.Join(lines[1:], "")
	cases := map[string]string{
		"not an export":      "hello\n",
		"empty":              "",
		"another schema":     strings.Replace(header, `"schema":`, `"schema":1`, 1) + rows,
		"broken halfway":     header + strings.Join(lines[1:10], "") + "{not json\n",
		"an unknown table":   header + `{"table":"sessions","row":{"id":"x"}}` + "\n",
		"an unknown column":  header + `{"table":"users","row":{"id":"x","is_root":true}}` + "\n",
		"a value that fails": header + `{"table":"users","row":{"id":"x","created_at":"yesterday"}}` + "\n",
	}
	for name, input := range cases {
		t.Run(name, func(t *testing.T) {
			dst := sqliteEnv(t)
			if _, _, err := runCmd(t, dst, input, "import", "--in", "-"); err == nil {
				t.Fatal("import succeeded")
			}
			db, err := store.Open(context.Background(), store.Options{DataDir: dst["MASTHEAD_DATA_DIR"]})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if n, err := db.CountUsers(context.Background()); err == nil && n != 0 {
				t.Errorf("%d users after a refused import", n)
			}
		})
	}
	if _, _, err := runCmd(t, src, "", "import"); exitCode(err) != 2 {
		t.Errorf("import without --in: %v, want a usage error", err)
	}
	if _, _, err := runCmd(t, src, "", "export"); exitCode(err) != 2 {
		t.Errorf("export without --out: %v, want a usage error", err)
	}
}

// TestImportDerivesInBatches: with a batch of two documents, an import of
// a newsroom of seven live documents derives them over four batches, and
// search on the imported newsroom answers what it answered before, totals
// and facets exact. (Not parallel: it sets the batch size.)
func TestImportDerivesInBatches(t *testing.T) {
	old := deriveBatch
	deriveBatch = 2
	defer func() { deriveBatch = old }()
	for _, be := range storetest.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			src := baseEnv(t, be).with("MASTHEAD_ADMIN_PASSWORD", "admin-password-1")
			if _, errOut, err := runCmd(t, src, "", "demo", "--password", demoPassword); err != nil {
				t.Fatalf("demo: %v\n%s", err, errOut)
			}
			in := start(t, src)
			writer, editor, publisher := newBrowser(t, in.URL), newBrowser(t, in.URL), newBrowser(t, in.URL)
			writer.login("writer@masthead.example", demoPassword)
			editor.login("editor@masthead.example", demoPassword)
			publisher.login("publisher@masthead.example", demoPassword)
			for i := range 6 {
				d := writer.do("POST", "/api/v1/documents", map[string]any{"type": "briefing", "series": "korea-view", "topics": []string{"batch", fmt.Sprint("topic-", i%2)},
					"title": fmt.Sprintf("Okapi Briefing %d", i), "fields": map[string]any{"summary": "Okapi sighted.", "what_happened": []string{"Okapi census."}, "implications": "None."}},
					http.StatusCreated)
				id, _ := d["id"].(string)
				writer.do("POST", "/api/v1/documents/"+id+"/transitions", map[string]any{"action": "submit"}, http.StatusOK)
				editor.do("POST", "/api/v1/documents/"+id+"/transitions", map[string]any{"action": "approve"}, http.StatusOK)
				publisher.do("POST", "/api/v1/documents/"+id+"/transitions", map[string]any{"action": "publish"}, http.StatusOK)
			}
			searches := []string{"q=okapi", "q=okapi&topic=topic-1", "q=", "q=beijing", "q=okapi&limit=2"}
			before := map[string][]byte{}
			for _, q := range searches {
				before[q] = get(t, in.URL+"/delivery/v1/search?"+q)
			}
			in.Stop()
			file := filepath.Join(t.TempDir(), "newsroom.ndjson")
			if _, errOut, err := runCmd(t, src, "", "export", "--out", file); err != nil {
				t.Fatalf("export: %v\n%s", err, errOut)
			}
			dst := baseEnv(t, be)
			out, errOut, err := runCmd(t, dst, "", "import", "--in", file)
			if err != nil {
				t.Fatalf("import: %v\n%s", err, errOut)
			}
			if !strings.Contains(out, "indexed 7 live documents") {
				t.Errorf("import output: %s", out)
			}
			in = start(t, dst)
			defer in.Stop()
			for _, q := range searches {
				if after := get(t, in.URL+"/delivery/v1/search?"+q); !bytes.Equal(after, before[q]) {
					t.Errorf("search %s after the import:\n%s\nbefore:\n%s", q, after, before[q])
				}
			}
			var r struct{ Total int }
			if err := json.Unmarshal(before["q=okapi"], &r); err != nil || r.Total != 6 {
				t.Errorf("q=okapi found %d, want 6 (%v)", r.Total, err)
			}
		})
	}
}
