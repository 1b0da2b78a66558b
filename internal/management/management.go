// Package management is the authenticated management API under /api/v1:
// Echo handlers that decode a request, authorize it through the one
// enforcer, call one domain method and encode the answer. Register lists
// every route with the permission it needs.
package management

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/authz"
)

// Deps are the services the management API calls.
type Deps struct {
	Auth  *auth.Service
	Authz *authz.Enforcer
	// SecureCookies marks the session cookie Secure (the base URL is https).
	SecureCookies bool
	// SeriesExists checks the series named in a role assignment.
	SeriesExists func(ctx context.Context, slug string) error
}

type handler struct {
	Deps
}

// Register mounts every management route on g (the /api/v1 group).
func Register(g *echo.Group, d Deps) {
	h := &handler{Deps: d}
	authn := h.authenticate
	allow := h.allow

	g.POST("/auth/login", h.login)
	g.POST("/auth/logout", h.logout, authn)
	g.GET("/me", h.me, authn)

	g.GET("/users", h.listUsers, authn, allow("manage", authz.Users))
	g.POST("/users", h.createUser, authn, allow("manage", authz.Users))
	g.GET("/users/:id", h.getUser, authn, allow("manage", authz.Users))
	g.PATCH("/users/:id", h.updateUser, authn, allow("manage", authz.Users))

	g.GET("/roles", h.listRoles, authn, allow("manage", authz.Roles))
	g.POST("/roles", h.assignRole, authn, allow("manage", authz.Roles))
	g.DELETE("/roles", h.revokeRole, authn, allow("manage", authz.Roles))

	// Every signed-in user manages their own tokens.
	g.GET("/tokens", h.listTokens, authn)
	g.POST("/tokens", h.createToken, authn)
	g.DELETE("/tokens/:id", h.deleteToken, authn)
}
