package admin_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// signsIn reports whether email and password sign in through the API.
func signsIn(env *apptest.Env, email, password string) bool {
	r := env.Anonymous().Do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password})
	return r.Status == http.StatusOK
}

func passwordForm(current, next, again string) url.Values {
	return url.Values{"current_password": {current}, "new_password": {next}, "new_password_again": {again}}
}

func TestAccountPage(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		page := get(t, n.writer, "/admin", http.StatusOK)
		contains(t, page, `<a href="/admin/account">Account</a>`)
		page = get(t, n.writer, "/admin/account", http.StatusOK)
		contains(t, page, "<h1>Your account</h1>", "writer@example.org", "author on korea-view",
			`action="/admin/account/password"`, `name="current_password"`, `name="new_password_again"`,
			`autocomplete="current-password"`, `aria-current="page">Account`)
		csrfOf(t, page)
	})
}

func TestChangePasswordInTheUI(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		const email, old, next = "writer@example.org", "password-writer@example.org", "a-new-password-1"
		n := setup(t, env)
		elsewhere := env.Login(email, old) // the same writer in another browser

		for _, tc := range []struct {
			name   string
			form   url.Values
			status int
			says   string
		}{
			{"the new password twice differently", passwordForm(old, next, next+"x"), http.StatusUnprocessableEntity, "does not match the new password"},
			{"too short", passwordForm(old, "short", "short"), http.StatusUnprocessableEntity, "must be at least 10 characters"},
			{"the same as before", passwordForm(old, old, old), http.StatusUnprocessableEntity, "must differ from your current password"},
			{"wrong current password", passwordForm("not-my-password", next, next), http.StatusForbidden, "is not your current password"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				page := post(t, n.writer.For(t), "/admin/account/password", tc.form, tc.status)
				contains(t, page, tc.says, `aria-invalid="true"`, "<h1>Your account</h1>")
				lacks(t, page, "Password changed")
			})
		}
		if !signsIn(env, email, old) || signsIn(env, email, next) {
			t.Fatal("a refused change changed the password")
		}
		elsewhere.Do("GET", "/api/v1/me", nil).Want(http.StatusOK)

		t.Run("a forged form is refused", func(t *testing.T) {
			post(t, n.writer.For(t), "/admin/account/password", url.Values{"csrf_token": {"forged"},
				"current_password": {old}, "new_password": {next}, "new_password_again": {next}}, http.StatusForbidden)
			if signsIn(env, email, next) {
				t.Fatal("a forged form changed the password")
			}
		})

		page := post(t, n.writer, "/admin/account/password", passwordForm(old, next, next), http.StatusOK)
		// The redirect lands signed in, on the renewed session with its
		// new CSRF token.
		contains(t, page, "Password changed.", "<h1>Your account</h1>", "writer@example.org")
		fresh := csrfOf(t, page)
		if fresh == n.writer.CSRF {
			t.Error("the CSRF token did not change with the session")
		}
		n.writer.CSRF = fresh
		post(t, n.writer, "/admin/tokens", url.Values{"name": {"after the change"}, "scopes": {"read"}}, http.StatusOK)
		elsewhere.Do("GET", "/api/v1/me", nil).Want(http.StatusUnauthorized)
		if signsIn(env, email, old) || !signsIn(env, email, next) {
			t.Error("after the change the old password still signs in, or the new one does not")
		}
	})
}

func TestTooManyWrongPasswordsInTheUI(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setup(t, env)
		const old = "password-writer@example.org"
		for i := range 5 {
			post(t, n.writer, "/admin/account/password", passwordForm("guess-"+strconv.Itoa(i), "a-new-password-1", "a-new-password-1"), http.StatusForbidden)
		}
		page := post(t, n.writer, "/admin/account/password", passwordForm(old, "a-new-password-1", "a-new-password-1"), http.StatusTooManyRequests)
		contains(t, page, "too many failed sign-in attempts")
		get(t, n.writer, "/admin/account", http.StatusOK) // still signed in
	})
}
