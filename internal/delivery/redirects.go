package delivery

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/published"
)

// listRedirects answers GET /redirects: every old path that leads to a
// live document and the URL it answers with, for a front end of its own;
// with ?path=, a 301 from that old path.
func (s *Handler) listRedirects(c echo.Context) error {
	if p := c.QueryParam("path"); p != "" {
		to, err := s.live.Redirect(c.Request().Context(), p)
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusMovedPermanently, to)
	}
	list, err := s.live.Redirects(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", s.cfg.CacheControl)
	return c.JSON(http.StatusOK, map[string]any{"data": list, "total": len(list)})
}

// OldPaths answers a GET that would be a 404 with a 301 when its path is
// one a redirect keeps — an imported post's old address, or a published
// document's before its slug or series changed. It watches the status
// written, not the handler's error, so whatever answers the site root
// (the reader site's own not-found page included) needs nothing of its
// own; a path is looked up only on its way to a 404. The APIs, the
// newsroom and media are left alone.
func OldPaths(live *published.Service) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if (r.Method != http.MethodGet && r.Method != http.MethodHead) || !oldPathCandidate(r.URL.Path) {
				return next(c)
			}
			// WordPress's own permalinks (/?p=ID, /?page_id=ID) name the
			// home page, which answers 200: they are looked up first.
			if q := r.URL.Query(); r.URL.Path == "/" && (q.Has("p") || q.Has("page_id")) {
				if to, err := live.Redirect(r.Context(), r.URL.RequestURI()); err == nil {
					return c.Redirect(http.StatusMovedPermanently, to)
				}
			}
			res := c.Response()
			w := &oldPathWriter{ResponseWriter: res.Writer, lookup: func() (string, bool) {
				to, err := live.Redirect(r.Context(), r.URL.RequestURI())
				return to, err == nil
			}}
			// It stays for the error handler, which writes after the
			// middleware returns; Echo gives the next request a new writer.
			res.Writer = w
			return next(c)
		}
	}
}

// oldPathWriter turns a 404 into a 301 to where the old path's document
// is now, and drops the not-found body.
type oldPathWriter struct {
	http.ResponseWriter
	lookup     func() (string, bool)
	redirected bool
}

func (w *oldPathWriter) WriteHeader(code int) {
	if code == http.StatusNotFound {
		if to, ok := w.lookup(); ok {
			h := w.Header()
			for _, k := range []string{"Content-Type", "Content-Length", "Content-Security-Policy", "ETag", "Last-Modified"} {
				h.Del(k)
			}
			h.Set("Location", to)
			w.redirected = true
			w.ResponseWriter.WriteHeader(http.StatusMovedPermanently)
			return
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *oldPathWriter) Write(b []byte) (int, error) {
	if w.redirected {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *oldPathWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// oldPathCandidate leaves out the APIs, the newsroom and media.
func oldPathCandidate(path string) bool {
	for _, prefix := range []string{"/api/", "/admin", "/delivery/", "/media/"} {
		if strings.HasPrefix(path, prefix) {
			return false
		}
	}
	return true
}
