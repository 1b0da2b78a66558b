package admin

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/server"
)

// loginCSRFCookie carries the sign-in form's CSRF token before there is a
// session (double submit): another site cannot read it to forge a sign-in.
const loginCSRFCookie = "masthead_login_csrf"

type loginData struct {
	Email string
	Next  string
	CSRF  string
	Error string
}

func (h *handler) loginPage(c echo.Context) error {
	return h.showLogin(c, http.StatusOK, loginData{Next: safeNext(c.QueryParam("next"))})
}

func (h *handler) showLogin(c echo.Context, status int, d loginData) error {
	d.CSRF = cms.RandomToken(24)
	c.SetCookie(&http.Cookie{Name: loginCSRFCookie, Value: d.CSRF, Path: "/admin/login", HttpOnly: true,
		Secure: h.SecureCookies, SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	return h.render(c, status, "login.html", "Sign in", d)
}

// login signs in with the same service, throttle and session as the API.
func (h *handler) login(c echo.Context) error {
	d := loginData{Email: strings.TrimSpace(c.FormValue("email")), Next: safeNext(c.FormValue("next"))}
	ck, err := c.Cookie(loginCSRFCookie)
	token := c.FormValue(csrfField)
	if err != nil || token == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(token)) != 1 {
		d.Error = "The sign-in form expired. Please try again."
		return h.showLogin(c, http.StatusForbidden, d)
	}
	u, _, cookie, err := h.Auth.Login(c.Request().Context(), d.Email, c.FormValue("password"), c.RealIP())
	if err != nil {
		var ce *cms.Error
		if !asCMS(err, &ce) {
			return err
		}
		d.Error = ce.Message
		status := http.StatusUnauthorized
		if ce.Code == cms.CodeTooManyRequests {
			status = http.StatusTooManyRequests
		}
		return h.showLogin(c, status, d)
	}
	c.SetCookie(h.sessionCookie(cookie, int(h.Auth.SessionTTL().Seconds())))
	c.SetCookie(&http.Cookie{Name: loginCSRFCookie, Path: "/admin/login", MaxAge: -1})
	if d.Next == "" {
		d.Next = "/admin"
	}
	return h.redirect(c, d.Next, "ok", "Signed in as "+u.Name+".")
}

func (h *handler) logout(c echo.Context) error {
	if ck, err := c.Cookie(auth.SessionCookie); err == nil {
		if err := h.Auth.Logout(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	c.SetCookie(h.sessionCookie("", -1))
	return h.redirect(c, "/admin/login", "ok", "Signed out.")
}

func (h *handler) sessionCookie(value string, maxAge int) *http.Cookie {
	return server.SessionCookie(value, maxAge, h.SecureCookies)
}

// safeNext keeps a post-sign-in redirect inside the UI, so that a link
// cannot send someone elsewhere after they sign in.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/admin") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return ""
	}
	return next
}
