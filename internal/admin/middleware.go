package admin

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/server"
)

// csrfField is the hidden form field that carries the session's CSRF
// token; scripts send it as the auth.CSRFHeader header instead.
const csrfField = "csrf_token"

// contentSecurityPolicy allows nothing inline and nothing from elsewhere:
// every script and style is a file under /admin/static.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// secureHeaders sets the headers of every UI response. Pages show private
// drafts, so they are never stored by caches; static files override that.
func (h *handler) secureHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		hdr := c.Response().Header()
		hdr.Set("Content-Security-Policy", contentSecurityPolicy)
		hdr.Set("X-Content-Type-Options", "nosniff")
		hdr.Set("X-Frame-Options", "DENY")
		hdr.Set("Referrer-Policy", "same-origin")
		hdr.Set("Cache-Control", "no-store")
		return next(c)
	}
}

// handleErrors turns an error into an HTML page; a missing session
// becomes a trip to sign-in. The editor's scripts ask for JSON: their
// errors go on to server.ErrorHandler, the one writer of problem
// responses, like every API error.
func (h *handler) handleErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if err == nil || c.Response().Committed || wantsJSON(c) {
			return err
		}
		if cms.IsCode(err, cms.CodeUnauthenticated) {
			return redirectToLogin(c)
		}
		p := server.ProblemFor(err)
		if p.Status >= 500 {
			h.Logger.Error("request failed", "err", err, "method", c.Request().Method, "path", c.Request().URL.Path,
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		}
		return h.render(c, p.Status, "error.html", p.Title, p)
	}
}

func wantsJSON(c echo.Context) bool {
	return strings.Contains(c.Request().Header.Get("Accept"), "application/json")
}

func redirectToLogin(c echo.Context) error {
	next := c.Request().URL.RequestURI()
	if c.Request().Method != http.MethodGet {
		next = "/admin"
	}
	return c.Redirect(http.StatusSeeOther, "/admin/login?next="+url.QueryEscape(next))
}

type sessionKey struct{}

// signedIn is the person behind a request and their session's CSRF token.
type signedIn struct {
	User auth.User
	CSRF string
}

func sessionOf(c echo.Context) (signedIn, bool) {
	s, ok := c.Request().Context().Value(sessionKey{}).(signedIn)
	return s, ok
}

// actorOf returns the signed-in actor; without one, the zero actor, whom
// the enforcer refuses.
func actorOf(c echo.Context) cms.Actor {
	a, _ := cms.ActorFrom(c.Request().Context())
	return a
}

// authenticate resolves the session cookie and checks the CSRF token of
// every POST, from the hidden form field or the header scripts send.
func (h *handler) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		cookie, err := req.Cookie(auth.SessionCookie)
		if err != nil || cookie.Value == "" {
			return cms.Errorf(cms.CodeUnauthenticated, "sign in first")
		}
		u, sess, err := h.Auth.SessionUser(req.Context(), cookie.Value)
		if err != nil {
			return err
		}
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			token := req.Header.Get(auth.CSRFHeader)
			if token == "" {
				token = c.FormValue(csrfField)
			}
			if !auth.CheckCSRF(sess, token) {
				return cms.Errorf(cms.CodeCSRF, "this form has expired or did not come from Masthead; reload the page and try again")
			}
		}
		actor := cms.Actor{UserID: u.ID, Email: u.Email, Name: u.Name, Via: "session"}
		ctx := context.WithValue(cms.WithActor(req.Context(), actor), sessionKey{}, signedIn{User: u, CSRF: sess.CSRFToken})
		c.SetRequest(req.WithContext(ctx))
		return next(c)
	}
}

// allow is server.Allow with this API's enforcer.
func (h *handler) allow(act string, obj authz.Object) echo.MiddlewareFunc {
	return server.Allow(h.Authz, act, obj)
}

func (h *handler) notFound(c echo.Context) error {
	return cms.NotFound("page")
}

// problemFields maps a validation error's field problems by field name,
// for showing each next to its input.
func problemFields(err error) (map[string]string, bool) {
	var ce *cms.Error
	if !errors.As(err, &ce) || ce.Code != cms.CodeInvalid {
		return nil, false
	}
	out := map[string]string{}
	for _, f := range ce.Fields {
		out[f.Field] = f.Message
	}
	if len(out) == 0 {
		out[""] = ce.Message
	}
	return out, true
}

func asCMS(err error, target **cms.Error) bool { return errors.As(err, target) }
