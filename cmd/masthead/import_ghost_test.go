package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// ghostExport is a Ghost 5 export as Labs → Export writes it: ids as
// strings, dates in ISO 8601, __GHOST_URL__ for the site, a published
// post with a feature image, a draft, a scheduled post, a page, a post
// for paying members, an internal #tag, and three members, one of whom
// took no newsletter.
func ghostExport(scheduled time.Time) string {
	return fmt.Sprintf(`{"db":[{"meta":{"exported_on":1618387200000,"version":"5.80.0"},"data":{
"settings":[{"key":"title","value":"The Korea Desk"},{"key":"description","value":"Briefings"}],
"users":[{"id":"u1","name":"Melissa Cho","slug":"melissa","email":"melissa@example.org"},
         {"id":"u2","name":"Daniel Park","slug":"daniel","email":"daniel@example.org"}],
"tags":[{"id":"t1","name":"China","slug":"china"},{"id":"t2","name":"#internal","slug":"hash-internal"}],
"posts":[
 {"id":"p1","uuid":"6b0e1a6e-0d7c-4b7e-9b59-1d6f8c1e0a01","title":"Beijing Calibrates Its Approach to Seoul","slug":"beijing-calibrates",
  "html":"<p>China raised joint dialogue.</p><script>alert(1)</script><p><img src=\"__GHOST_URL__/content/images/2021/04/hero.png\" alt=\"Xiamen\"></p>",
  "feature_image":"__GHOST_URL__/content/images/2021/04/hero.png","type":"post","status":"published","visibility":"public",
  "custom_excerpt":"China raised joint dialogue with South Korea.",
  "created_at":"2021-04-13T08:00:00.000Z","updated_at":"2021-04-14T10:30:00.000Z","published_at":"2021-04-14T09:00:00.000Z"},
 {"id":"p2","uuid":"6b0e1a6e-0d7c-4b7e-9b59-1d6f8c1e0a02","title":"A Draft","slug":"a-draft","html":"<p>Not yet.</p>",
  "type":"post","status":"draft","visibility":"public","created_at":"2021-04-15T08:00:00.000Z","updated_at":"2021-04-15T08:00:00.000Z","published_at":null},
 {"id":"p3","uuid":"6b0e1a6e-0d7c-4b7e-9b59-1d6f8c1e0a03","title":"Coming Soon","slug":"coming-soon","html":"<p>Later.</p>",
  "type":"post","status":"scheduled","visibility":"public","created_at":"2021-04-15T08:00:00.000Z","updated_at":"2021-04-15T08:00:00.000Z","published_at":%q},
 {"id":"p4","uuid":"6b0e1a6e-0d7c-4b7e-9b59-1d6f8c1e0a04","title":"About","slug":"about","html":"<p>About the desk.</p>",
  "type":"page","status":"published","visibility":"public","created_at":"2021-01-01T08:00:00.000Z","updated_at":"2021-01-01T08:00:00.000Z","published_at":"2021-01-01T08:00:00.000Z"},
 {"id":"p5","uuid":"6b0e1a6e-0d7c-4b7e-9b59-1d6f8c1e0a05","title":"For Members","slug":"for-members","html":"<p>Paid.</p>",
  "type":"post","status":"published","visibility":"paid","created_at":"2021-04-16T08:00:00.000Z","updated_at":"2021-04-16T08:00:00.000Z","published_at":"2021-04-16T08:00:00.000Z"}],
"posts_tags":[{"post_id":"p1","tag_id":"t1","sort_order":0},{"post_id":"p1","tag_id":"t2","sort_order":1}],
"posts_authors":[{"post_id":"p1","author_id":"u1","sort_order":0},{"post_id":"p1","author_id":"u2","sort_order":1},
                 {"post_id":"p2","author_id":"u2","sort_order":0},{"post_id":"p3","author_id":"u1","sort_order":0},
                 {"post_id":"p4","author_id":"u1","sort_order":0},{"post_id":"p5","author_id":"u1","sort_order":0}],
"posts_meta":[{"post_id":"p1","feature_image_alt":"The foreign ministers in Xiamen","feature_image_caption":"Xiamen, April 2021"}],
"members":[{"email":"reader1@example.org","name":"One","subscribed":true,"created_at":"2021-02-01T00:00:00.000Z"},
           {"email":"reader2@example.org","name":"Two","created_at":"2021-02-02T00:00:00.000Z"},
           {"email":"nonews@example.org","name":"Three","subscribed":false,"created_at":"2021-02-03T00:00:00.000Z"}]
}}]}`, scheduled.UTC().Format(time.RFC3339))
}

// writeGhostSite writes the export and the site's content/images folder.
func writeGhostSite(t *testing.T) (exportPath, mediaDir string) {
	t.Helper()
	dir := t.TempDir()
	exportPath = filepath.Join(dir, "ghost.json")
	if err := os.WriteFile(exportPath, []byte(ghostExport(time.Now().Add(72*time.Hour))), 0o644); err != nil {
		t.Fatal(err)
	}
	images := filepath.Join(dir, "ghost", "content", "images", "2021", "04")
	if err := os.MkdirAll(images, 0o755); err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 8, 6))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(images, "hero.png"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return exportPath, filepath.Join(dir, "ghost")
}

// TestImportGhostCommand moves a Ghost site in: posts and pages with
// their dates, statuses, authors, tags and feature image, old links as
// redirects, members as pending subscribers; a second run changes
// nothing.
func TestImportGhostCommand(t *testing.T) {
	t.Parallel()
	path, mediaDir := writeGhostSite(t)
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := baseEnv(t, b).with("MASTHEAD_ADMIN_PASSWORD", "admin-password-1")
			in := start(t, e)
			admin := newBrowser(t, in.URL)
			admin.login("admin@example.org", "admin-password-1")
			admin.do("POST", "/api/v1/series", map[string]any{"slug": "korea-desk", "name": "The Korea Desk", "kind": "newsletter"}, http.StatusCreated)
			in.Stop()

			args := []string{"import", "ghost", path, "--site-url", "https://desk.example.org", "--series", "korea-desk",
				"--media-dir", mediaDir, "--members", "--quiet"}
			out, errOut, err := runCmd(t, e, "", args...)
			if err != nil {
				t.Fatalf("import: %v\n%s%s", err, out, errOut)
			}
			for _, want := range []string{"5 created, 0 updated, 0 unchanged", "members: 2 added to korea-desk as pending"} {
				if !strings.Contains(out, want) {
					t.Errorf("report lacks %q:\n%s", want, out)
				}
			}
			out, _, err = runCmd(t, e, "", args...)
			if err != nil || !strings.Contains(out, "0 created, 0 updated, 5 unchanged") || !strings.Contains(out, "members: 0 added") {
				t.Fatalf("second import: %v\n%s", err, out)
			}
			checkGhostSite(t, start(t, e), "admin-password-1")
		})
	}
}

// checkGhostSite reads the imported site back through the delivery API
// and the management API.
func checkGhostSite(t *testing.T, in *instance, password string) {
	t.Helper()
	defer in.Stop()
	reader := newBrowser(t, in.URL)
	doc := reader.do("GET", "/delivery/v1/documents/korea-desk/beijing-calibrates", nil, http.StatusOK)
	if doc["published_at"] != "2021-04-14T09:00:00Z" {
		t.Errorf("published_at %v, want the Ghost date 2021-04-14T09:00:00Z", doc["published_at"])
	}
	if hero, _ := doc["hero"].(map[string]any); hero == nil || hero["alt"] != "The foreign ministers in Xiamen" {
		t.Errorf("hero %v, want the feature image with its alt text", doc["hero"])
	}
	if body := fmt.Sprint(doc["fields"]); strings.Contains(body, "<script") || strings.Contains(body, "alert(1)") {
		t.Errorf("a script reached delivery: %s", body)
	}
	var live []string
	for _, d := range reader.do("GET", "/delivery/v1/documents?series=korea-desk", nil, http.StatusOK)["data"].([]any) {
		live = append(live, fmt.Sprint(d.(map[string]any)["slug"]))
	}
	if strings.Join(live, " ") != "beijing-calibrates about" {
		t.Errorf("live %v, want the post and the page (the draft, the scheduled and the members' post are not live)", live)
	}
	reader.do("GET", "/delivery/v1/documents/korea-desk/for-members", nil, http.StatusNotFound)
	redirects := fmt.Sprint(reader.do("GET", "/delivery/v1/redirects", nil, http.StatusOK)["data"])
	if !strings.Contains(redirects, "path:/beijing-calibrates ") {
		t.Errorf("no redirect from the Ghost link /beijing-calibrates/: %s", redirects)
	}
	admin := newBrowser(t, in.URL)
	admin.login("admin@example.org", password)
	subs := admin.do("GET", "/api/v1/subscribers?series=korea-desk", nil, http.StatusOK)["data"].([]any)
	if len(subs) != 2 {
		t.Fatalf("%d subscribers, want the 2 members who took the newsletter", len(subs))
	}
	for _, s := range subs {
		if sub := s.(map[string]any); sub["status"] != "pending" || !strings.Contains(fmt.Sprint(sub["consent_basis"]), "Ghost") {
			t.Errorf("subscriber %v, want pending with its consent recorded as imported from Ghost", sub)
		}
	}
}

// TestImportGhostRefusesBrokenFiles: a truncated export and JSON that is
// no Ghost export stop the command, naming the line where it can, and
// write nothing.
func TestImportGhostRefusesBrokenFiles(t *testing.T) {
	t.Parallel()
	full := ghostExport(time.Now().Add(72 * time.Hour))
	files := map[string]struct{ body, want string }{
		"truncated":   {full[:len(full)/2], "line "},
		"not Ghost":   {`{"posts":[{"title":"x"}]}`, "not a Ghost export"},
		"wrong types": {`{"db":[{"meta":{"version":"5.0.0"},"data":{"posts":[{"id":"p1","title":7}]}}]}`, "line 1, column"},
	}
	for _, b := range storetest.Backends(t) {
		for name, f := range files {
			t.Run(b.Name+"/"+name, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "export.json")
				if err := os.WriteFile(path, []byte(f.body), 0o644); err != nil {
					t.Fatal(err)
				}
				e := baseEnv(t, b)
				_, _, err := runCmd(t, e, "", "import", "ghost", path, "--quiet")
				if err == nil || !strings.Contains(err.Error(), f.want) || !strings.Contains(err.Error(), "nothing was imported") {
					t.Fatalf("import of a %s file: %v, want a failure saying %q", name, err, f.want)
				}
				assertNoContent(t, e)
			})
		}
	}
}
