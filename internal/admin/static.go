package admin

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
)

// assets are the static files, each also reachable under a name that
// carries a hash of its content ("app.3f2a9c1b7d0e.css"). Pages link the
// hashed names, which never change meaning, so browsers may keep them
// forever; a new build links new names.
type assets struct {
	files  map[string]asset // by served name, hashed and plain
	hashed map[string]string
}

type asset struct {
	body      []byte
	mediaType string
	immutable bool
}

// loadAssets reads and hashes every static file once, at start.
func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{files: map[string]asset{}, hashed: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ext := path.Ext(p)
		hashed := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		mt := mime.TypeByExtension(ext)
		if mt == "" {
			mt = "text/plain; charset=utf-8"
		}
		a.files[p] = asset{body: body, mediaType: mt}
		a.files[hashed] = asset{body: body, mediaType: mt, immutable: true}
		a.hashed[p] = hashed
		return nil
	})
	return a, err
}

// url is the content-hash URL of a static file. A name that is not a
// static file is a programming error caught by the template tests.
func (a *assets) url(name string) string {
	if h, ok := a.hashed[name]; ok {
		return "/admin/static/" + h
	}
	return "/admin/static/missing/" + name
}

// static serves a static file. Hashed names are immutable; plain names
// (for people typing URLs) must be revalidated.
func (h *handler) static(c echo.Context) error {
	name := c.Param("*")
	f, ok := h.assets.files[name]
	if !ok {
		return cms.NotFound("file")
	}
	hdr := c.Response().Header()
	if f.immutable {
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hdr.Set("Cache-Control", "no-cache")
	}
	hdr.Set("Content-Type", f.mediaType)
	http.ServeContent(c.Response(), c.Request(), name, time.Time{}, bytes.NewReader(f.body))
	return nil
}
