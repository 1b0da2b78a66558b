package site_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// TestThemeReplacesTheDocumentTemplate starts the site with a theme
// folder holding its own document.html and stylesheet.
func TestThemeReplacesTheDocumentTemplate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "document.html", `{{define "content"}}<article class="themed"><h1>Themed: {{.Data.Doc.Title}}</h1>{{range .Data.Sections}}<h2>{{.Label}}</h2>{{end}}</article>{{end}}`)
	writeFile(t, dir, "site.css", "body { color: #000; }\n")
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) { o.ThemeDir = dir }})
		k := openDesk(t, env)
		k.example()
		body := page(t, k.n.Anonymous, "/korea-view/"+exampleSlug, http.StatusOK)
		inOrder(t, body, "Total Index: 1 publication.", `<article class="themed"><h1>Themed: Beijing Calibrates Its Approach to Seoul</h1>`,
			"<h2>What Happened</h2><h2>Implications</h2><h2>Context</h2>")
		if strings.Contains(body, "Return to the Peninsula") {
			t.Errorf("the embedded document template still renders")
		}
		// The theme's stylesheet, under its own hash, immutable.
		i := strings.Index(body, `href="/assets/site.`)
		if i < 0 {
			t.Fatalf("no stylesheet link")
		}
		css := body[i+len(`href="`):]
		css = css[:strings.Index(css, `"`)]
		r := k.n.Anonymous.Do("GET", css, nil).Want(http.StatusOK)
		if string(r.Body) != "body { color: #000; }\n" || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("GET %s: %q, Cache-Control %q", css, r.Body, r.Header.Get("Cache-Control"))
		}
	})
}

// TestBrokenThemeStopsTheStart checks that a template that does not
// parse stops the app from starting, naming the file and its line.
func TestBrokenThemeStopsTheStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "series.html", "{{define \"content\"}}\n<h1>{{.Data.Series.Name}</h1>\n{{end}}")
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		base, _ := url.Parse("http://masthead.test")
		_, err := app.New(context.Background(), db, app.Options{BaseURL: base, MediaDir: t.TempDir(), ThemeDir: dir})
		if err == nil {
			t.Fatal("the app started with a broken theme")
		}
		if path := filepath.Join(dir, "series.html"); !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "series.html:2") {
			t.Errorf("error %q does not name %s and its line 2", err, path)
		}
	})
}

func writeFile(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSiteOff starts with MASTHEAD_SITE=off: no reader page answers, and
// / points to the newsroom and the API instead.
func TestSiteOff(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) { o.SiteOff = true }})
		k := openDesk(t, env)
		k.example()
		if body := page(t, k.n.Anonymous, "/", http.StatusOK); strings.Contains(body, "Total Index") || !strings.Contains(body, `href="/admin"`) {
			t.Errorf("/ with the site off: %s", body)
		}
		for _, path := range []string{"/korea-view", "/korea-view/" + exampleSlug, "/search?q=seoul", "/topics/china"} {
			if body := page(t, k.n.Anonymous, path, http.StatusNotFound); strings.Contains(body, "Total Index") {
				t.Errorf("GET %s answers a site page with the site off", path)
			}
		}
		k.n.Anonymous.Do("GET", "/delivery/v1/documents/korea-view/"+exampleSlug, nil).Want(http.StatusOK) // the API still serves it
	})
}
