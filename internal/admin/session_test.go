package admin_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

func TestSignInAndOut(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		c := env.Anonymous()
		// Not signed in: the dashboard sends you to sign in.
		page := get(t, c, "/admin", http.StatusOK)
		contains(t, page, "Sign in to Masthead", `name="next" value="/admin"`)

		r := c.Do("GET", "/admin/login", nil).Want(http.StatusOK)
		csp := r.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP = %q, want a strict script-src without unsafe-inline", csp)
		}
		if r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("headers: %v", r.Header)
		}
		token := csrfOf(t, string(r.Body))

		// Without the form's token the sign-in is refused.
		post(t, c, "/admin/login", url.Values{"email": {apptest.AdminEmail}, "password": {apptest.AdminPassword}, "csrf_token": {"forged"}}, http.StatusForbidden)
		// A wrong password says so, without telling whether the account exists.
		token = csrfOf(t, get(t, c, "/admin/login", http.StatusOK))
		page = post(t, c, "/admin/login", url.Values{"email": {apptest.AdminEmail}, "password": {"wrong-password"}, "csrf_token": {token}}, http.StatusUnauthorized)
		contains(t, page, "invalid email or password")

		token = csrfOf(t, get(t, c, "/admin/login", http.StatusOK))
		page = post(t, c, "/admin/login", url.Values{"email": {apptest.AdminEmail}, "password": {apptest.AdminPassword},
			"csrf_token": {token}, "next": {"/admin/documents"}}, http.StatusOK)
		contains(t, page, "Signed in as Administrator", "<h1>Documents</h1>")

		// The session is the API's too.
		c.Do("GET", "/api/v1/me", nil).Want(http.StatusOK)

		// Signing out needs the CSRF token, like every POST.
		page = get(t, c, "/admin", http.StatusOK)
		post(t, c, "/admin/logout", url.Values{"csrf_token": {"nope"}}, http.StatusForbidden)
		page = post(t, c, "/admin/logout", url.Values{"csrf_token": {csrfOf(t, page)}}, http.StatusOK)
		contains(t, page, "Signed out.", "Sign in to Masthead")
		c.Do("GET", "/api/v1/me", nil).Want(http.StatusUnauthorized)
	})
}

func TestSignInThrottled(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		c := env.Anonymous()
		status := 0
		for i := 0; i < 6; i++ {
			token := csrfOf(t, get(t, c, "/admin/login", http.StatusOK))
			r := c.Do("POST", "/admin/login", url.Values{"email": {apptest.AdminEmail}, "password": {"wrong-password"}, "csrf_token": {token}}.Encode(),
				"Content-Type", "application/x-www-form-urlencoded")
			status = r.Status
		}
		if status != http.StatusTooManyRequests {
			t.Fatalf("sixth failed sign-in: status %d, want 429", status)
		}
	})
}

func TestNextStaysInTheUI(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		c := env.Anonymous()
		page := get(t, c, "/admin/login?next=https://evil.example/", http.StatusOK)
		contains(t, page, `name="next" value=""`)
		page = get(t, c, "/admin/login?next=//evil.example/admin", http.StatusOK)
		contains(t, page, `name="next" value=""`)
	})
}

var assetRE = regexp.MustCompile(`/admin/static/app\.[0-9a-f]{12}\.css`)

func TestStaticFiles(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		c := env.Anonymous()
		page := get(t, c, "/admin/login", http.StatusOK)
		u := assetRE.FindString(page)
		if u == "" {
			t.Fatalf("the page links no hashed stylesheet")
		}
		r := c.Do("GET", u, nil).Want(http.StatusOK)
		if got := r.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("Cache-Control of %s = %q", u, got)
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") {
			t.Errorf("Content-Type = %q", r.Header.Get("Content-Type"))
		}
		for _, name := range []string{"app.js", "vendor/htmx/htmx.min.js", "vendor/easymde/easymde.min.js", "vendor/easymde/easymde.min.css", "vendor/htmx/LICENSE-htmx.org"} {
			r := c.Do("GET", "/admin/static/"+name, nil).Want(http.StatusOK)
			if r.Header.Get("Cache-Control") != "no-cache" {
				t.Errorf("%s: Cache-Control %q for an unhashed name", name, r.Header.Get("Cache-Control"))
			}
		}
		c.Do("GET", "/admin/static/nope.js", nil).Want(http.StatusNotFound)
		// No page has inline script or style.
		if strings.Contains(page, "<script>") || strings.Contains(page, "<style") || strings.Contains(page, "style=") {
			t.Errorf("inline script or style in the sign-in page")
		}
	})
}

func TestUnknownPage(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		page := get(t, n.writer, "/admin/nope", http.StatusNotFound)
		contains(t, page, "Not Found", "Back to the dashboard")
	})
}
