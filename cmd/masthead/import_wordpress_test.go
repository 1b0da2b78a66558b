package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// assertNoContent checks that nothing but what building the app seeds
// (the migrations' rows, the policy) is in the database.
func assertNoContent(t *testing.T, e env) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{URL: e["MASTHEAD_DATABASE_URL"], DataDir: e["MASTHEAD_DATA_DIR"]})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows := map[string]int{}
	err = db.Export(ctx, func(table string, _ store.Row) error {
		switch table {
		case "content_types", "policy_version", "site_state", "casbin_rule":
		default:
			rows[table]++
		}
		return nil
	})
	if err != nil || len(rows) != 0 {
		t.Errorf("rows %v (%v), want none", rows, err)
	}
}

// wxrFixture is a file of the shared WXR fixtures (see the wordpress
// package's tests), or a skip.
func wxrFixture(t *testing.T, name string) string {
	t.Helper()
	dir := os.Getenv("MASTHEAD_TEST_WXR_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "fixtures", "wxr") // from cmd/masthead, beside the module root
	}
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("WordPress export fixture %s not found (set MASTHEAD_TEST_WXR_DIR or put the fixtures in ../shared/fixtures/wxr): %v", name, err)
	}
	return path
}

// TestImportWordPressRefusesBrokenFiles: a truncated export and an XML
// file that is no export stop the command with the line at fault, and
// the database stays as it was — not even the first admin is created.
func TestImportWordPressRefusesBrokenFiles(t *testing.T) {
	t.Parallel()
	theme, err := os.ReadFile(wxrFixture(t, "theme-unit-test-data.xml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string]string{
		"truncated":    string(theme[:len(theme)/2]),
		"not WXR":      "<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <title>An Atom feed</title>\n</feed>\n",
		"RSS, not WXR": "<?xml version=\"1.0\"?>\n<rss version=\"2.0\">\n<channel>\n<title>A feed</title>\n<item><title>Post</title></item>\n</channel>\n</rss>\n",
	}
	lineRE := regexp.MustCompile(`line \d+, column \d+`)
	for _, b := range storetest.Backends(t) {
		for name, body := range files {
			t.Run(b.Name+"/"+name, func(t *testing.T) {
				path := filepath.Join(dir, strings.ReplaceAll(b.Name+name, " ", "-")+".xml")
				if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
				e := baseEnv(t, b)
				_, _, err := runCmd(t, e, "", "import", "wordpress", path, "--quiet")
				if err == nil || exitCode(err) == 0 {
					t.Fatalf("import of a %s file: %v, want a failure", name, err)
				}
				if !lineRE.MatchString(err.Error()) {
					t.Errorf("the error does not name the line: %v", err)
				}
				assertNoContent(t, e)
			})
		}
	}
}

// TestImportWordPressCommand imports the smallest export, then again,
// and with --dry-run into an empty database, which stays empty.
func TestImportWordPressCommand(t *testing.T) {
	t.Parallel()
	path := wxrFixture(t, "wxr-simple.xml")
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			dry := baseEnv(t, b)
			out, errOut, err := runCmd(t, dry, "", "import", "wordpress", "--dry-run", path, "--quiet")
			if err != nil || !strings.Contains(out, "1 created") || !strings.Contains(out, "dry run") {
				t.Fatalf("dry run: %v\n%s%s", err, out, errOut)
			}
			assertNoContent(t, dry)

			e := baseEnv(t, b).with("MASTHEAD_ADMIN_PASSWORD", "admin-password-1")
			out, errOut, err = runCmd(t, e, "", "import", "wordpress", path, "--series", "archive", "--quiet")
			if err != nil || !strings.Contains(out, "1 created, 0 updated, 0 unchanged") || !strings.Contains(out, "published 1") {
				t.Fatalf("import: %v\n%s%s", err, out, errOut)
			}
			out, _, err = runCmd(t, e, "", "import", "wordpress", path, "--series", "archive", "--quiet")
			if err != nil || !strings.Contains(out, "0 created, 0 updated, 1 unchanged") || !strings.Contains(out, "nothing changed") {
				t.Fatalf("second import: %v\n%s", err, out)
			}
		})
	}
}
