package delivery

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// allowMethods are the methods a 405's Allow header may list, in the
// order Echo lists them for the management API.
var allowMethods = []string{
	http.MethodDelete, http.MethodGet, http.MethodHead, http.MethodPatch, http.MethodPost, http.MethodPut,
}

// notFoundOrNotAllowed replaces the catch-all that g.Use adds to the
// group so that its middleware (CORS) runs for every path. Echo prefers
// that catch-all to its own 405, so a wrong method on a delivery route
// would be a 404: this asks the router which methods the path does have
// and answers 405 with them in Allow (as the management API does), or 404
// when no route has the path. OPTIONS never gets here: CORS answers it,
// which is why Allow lists it.
func notFoundOrNotAllowed(c echo.Context) error {
	allow := allowed(c.Echo(), c.Request(), c.Path())
	if allow == nil {
		return echo.ErrNotFound
	}
	c.Response().Header().Set(echo.HeaderAllow, strings.Join(append([]string{http.MethodOptions}, allow...), ", "))
	return echo.ErrMethodNotAllowed
}

// allowed lists the methods with a route of their own at r's path: those
// the router resolves to anything but catchAll, the path of the route
// that answers when none matches.
func allowed(e *echo.Echo, r *http.Request, catchAll string) []string {
	path := r.URL.RawPath
	if path == "" {
		path = r.URL.Path
	}
	var out []string
	for _, m := range allowMethods {
		c := e.NewContext(nil, nil)
		e.Router().Find(m, path, c)
		if p := c.Path(); p != "" && p != catchAll {
			out = append(out, m)
		}
	}
	return out
}
