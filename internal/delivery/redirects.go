package delivery

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
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

// OldPaths answers a GET that nothing else found (404) with a 301 when
// its path is one a redirect keeps — an imported post's old address, or
// a published document's before its slug or series changed — so that the
// reader site, and whatever serves the site root, need nothing of their
// own. The APIs and the newsroom are left alone.
func OldPaths(live *published.Service) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			r := c.Request()
			if err == nil || (r.Method != http.MethodGet && r.Method != http.MethodHead) || !isNotFound(err) ||
				c.Response().Committed || !oldPathCandidate(r.URL.Path) {
				return err
			}
			to, lerr := live.Redirect(r.Context(), r.URL.RequestURI())
			if lerr != nil {
				return err
			}
			return c.Redirect(http.StatusMovedPermanently, to)
		}
	}
}

func isNotFound(err error) bool {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return he.Code == http.StatusNotFound
	}
	return cms.IsCode(err, cms.CodeNotFound)
}

// oldPathCandidate leaves out the APIs, the newsroom and media.
func oldPathCandidate(path string) bool {
	for _, prefix := range []string{"/api/", "/admin", "/delivery/", "/media/"} {
		if strings.HasPrefix(path, prefix) {
			return false
		}
	}
	return true
}
