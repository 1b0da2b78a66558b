package server

import (
	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
)

// Allow is the route-level permission check every route table uses: the
// table names the action and the object, the one enforcer decides. It runs
// after authentication has put the actor in the request's context; a
// request without one is the zero actor, whom the enforcer refuses.
func Allow(az *authz.Enforcer, act string, obj authz.Object) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			actor, _ := cms.ActorFrom(c.Request().Context())
			if err := az.Can(actor, act, obj); err != nil {
				return err
			}
			return next(c)
		}
	}
}
