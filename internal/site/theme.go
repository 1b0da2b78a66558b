package site

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The embedded theme: one file per page, the layout and the partials
// every page shares, and the one stylesheet.
//
//go:embed templates
var embedded embed.FS

// shared are the templates parsed into every page.
var shared = []string{"layout.html", "partials.html"}

// pages are the page templates, each executed as "layout".
var pages = []string{"home.html", "series.html", "document.html", "contributor.html", "topic.html",
	"search.html", "notfound.html", "error.html"}

// stylesheet is the one CSS file, served under a name with its hash.
const stylesheet = "site.css"

// theme is the parsed templates and the stylesheet.
type theme struct {
	pages map[string]*template.Template
	css   []byte
	// cssName is the stylesheet's hashed file name ("site.3f2a9c1b7d0e.css").
	cssName string
}

// overlay reads a file from the theme folder when it has one of that
// name, else the embedded one.
type overlay struct {
	dir  string // "" for none
	base fs.FS
}

// read returns a file's bytes and where they came from, for messages.
func (o overlay) read(name string) ([]byte, string, error) {
	if o.dir != "" {
		path := filepath.Join(o.dir, name)
		b, err := os.ReadFile(path)
		if err == nil {
			return b, path, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, "", fmt.Errorf("site: theme: %w", err)
		}
	}
	b, err := fs.ReadFile(o.base, name)
	return b, "embedded " + name, err
}

// loadTheme parses every template once, at start. A file that does not
// parse stops the start with its path and the parser's line.
func loadTheme(dir string, funcs template.FuncMap) (*theme, error) {
	if dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("site: MASTHEAD_THEME_DIR %s is not a folder", dir)
		}
	}
	base, _ := fs.Sub(embedded, "templates") // embedded, so Sub cannot fail
	o := overlay{dir: dir, base: base}
	sources := map[string][]byte{}
	for _, name := range append(append([]string{}, shared...), pages...) {
		src, from, err := o.read(name)
		if err != nil {
			return nil, err
		}
		// Each file alone first, so that an error names the file it is in.
		if _, err := template.New(name).Funcs(funcs).Parse(string(src)); err != nil {
			return nil, fmt.Errorf("site: template %s: %w", from, err)
		}
		sources[name] = src
	}
	t := &theme{pages: map[string]*template.Template{}}
	for _, name := range pages {
		// The page is the set's root; the shared files join it by name.
		pt, err := template.New(name).Funcs(funcs).Parse(string(sources[name]))
		if err != nil {
			return nil, fmt.Errorf("site: template %s: %w", name, err)
		}
		for _, part := range shared {
			if _, err := pt.New(part).Parse(string(sources[part])); err != nil {
				return nil, fmt.Errorf("site: template %s: %w", part, err)
			}
		}
		t.pages[name] = pt
	}
	css, _, err := o.read(stylesheet)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(css)
	t.css, t.cssName = css, strings.TrimSuffix(stylesheet, ".css")+"."+hex.EncodeToString(sum[:6])+".css"
	return t, nil
}

// render executes a page into bytes, so that an error is a clean 500
// rather than half a page.
func (t *theme) render(name string, data any) ([]byte, error) {
	pt, ok := t.pages[name]
	if !ok {
		return nil, fmt.Errorf("site: no page %s", name)
	}
	var buf bytes.Buffer
	if err := pt.ExecuteTemplate(&buf, "layout", data); err != nil {
		return nil, fmt.Errorf("site: render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}
