package management

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/server"
)

type (
	sessionKey struct{}
	tokenKey   struct{}
)

// sessionFrom returns the browser session of the request, if it came with
// one rather than a token.
func sessionFrom(ctx context.Context) (auth.Session, bool) {
	s, ok := ctx.Value(sessionKey{}).(auth.Session)
	return s, ok
}

// tokenFrom returns the API token of the request, if it came with one
// rather than a session.
func tokenFrom(ctx context.Context) (auth.Token, bool) {
	t, ok := ctx.Value(tokenKey{}).(auth.Token)
	return t, ok
}

func isWrite(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// authenticate resolves the actor from a bearer token or a session cookie.
// Cookie-authenticated writes must carry the session's CSRF token; tokens
// need none (a browser never sends them on its own).
func (h *handler) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		ctx := req.Context()
		write := isWrite(req.Method)
		var actor cms.Actor
		if bearer, ok := strings.CutPrefix(req.Header.Get(echo.HeaderAuthorization), "Bearer "); ok {
			u, t, err := h.Auth.TokenUser(ctx, strings.TrimSpace(bearer))
			if err != nil {
				return err
			}
			if !t.Allows(write) {
				return tokenRefused(t)
			}
			actor = tokenActor(u)
			ctx = context.WithValue(ctx, tokenKey{}, t)
		} else if cookie, err := req.Cookie(auth.SessionCookie); err == nil && cookie.Value != "" {
			u, sess, err := h.Auth.SessionUser(ctx, cookie.Value)
			if err != nil {
				return err
			}
			if write && !auth.CheckCSRF(sess, req.Header.Get(auth.CSRFHeader)) {
				return cms.Errorf(cms.CodeCSRF, "missing or wrong %s header", auth.CSRFHeader)
			}
			actor = cms.Actor{UserID: u.ID, Email: u.Email, Name: u.Name, Via: "session"}
			ctx = context.WithValue(ctx, sessionKey{}, sess)
		} else {
			return cms.Errorf(cms.CodeUnauthenticated, "sign in or send an API token")
		}
		c.SetRequest(req.WithContext(cms.WithActor(ctx, actor)))
		return next(c)
	}
}

// tokenOnly resolves the actor from a bearer token that grants scope,
// and from nothing else: a route for machines (a mail relay reporting
// bounces) is not one a browser session should reach, and a token that
// does not carry the scope changes nothing (403).
func (h *handler) tokenOnly(scope string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			bearer, ok := strings.CutPrefix(req.Header.Get(echo.HeaderAuthorization), "Bearer ")
			if !ok {
				return cms.Errorf(cms.CodeUnauthenticated, "send an API token with the %s scope", scope)
			}
			u, t, err := h.Auth.TokenUser(req.Context(), strings.TrimSpace(bearer))
			if err != nil {
				return err
			}
			if !t.Grants(scope) {
				return cms.Errorf(cms.CodeForbidden, "this token lacks the %s scope", scope)
			}
			ctx := context.WithValue(req.Context(), tokenKey{}, t)
			c.SetRequest(req.WithContext(cms.WithActor(ctx, tokenActor(u))))
			return next(c)
		}
	}
}

// tokenRefused says why a token does not reach a route: it may only
// read, or its only scope is one for a single machine route.
func tokenRefused(t auth.Token) error {
	if t.Grants(auth.ScopeRead) {
		return cms.Errorf(cms.CodeForbidden, "this token may only read")
	}
	return cms.Errorf(cms.CodeForbidden, "this token's scopes (%s) do not reach this route", strings.Join(t.Scopes, ", "))
}

func tokenActor(u auth.User) cms.Actor {
	return cms.Actor{UserID: u.ID, Email: u.Email, Name: u.Name, Via: "token"}
}

// allow is server.Allow with this API's enforcer.
func (h *handler) allow(act string, obj authz.Object) echo.MiddlewareFunc {
	return server.Allow(h.Authz, act, obj)
}

// actorOf returns the authenticated actor; routes without authenticate get
// the zero actor, whom the enforcer refuses.
func actorOf(c echo.Context) cms.Actor {
	a, _ := cms.ActorFrom(c.Request().Context())
	return a
}
