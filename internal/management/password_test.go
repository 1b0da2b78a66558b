package management_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// passwordChange is the body of PUT /api/v1/me/password.
func passwordChange(current, next string) map[string]string {
	return map[string]string{"current_password": current, "new_password": next}
}

func TestChangeOwnPasswordWithSession(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		const email, old, next = "writer@example.org", "password-writer@example.org", "a-new-password-1"
		env.CreateUser(email, "author")
		other := env.Login(email, old) // the same person in another browser

		r := loginReq(env, email, old).Want(http.StatusOK)
		var login struct {
			User struct{ ID string } `json:"user"`
			CSRF string              `json:"csrf_token"`
		}
		r.Decode(&login)
		cookie := sessionCookie(t, r).Value
		do := withCookie(env, cookie)

		changed := do("PUT", "/api/v1/me/password", passwordChange(old, next), "X-CSRF-Token", login.CSRF).Want(http.StatusNoContent)
		renewed := sessionCookie(t, changed)
		if renewed.Value == "" || renewed.Value == cookie || !renewed.HttpOnly || renewed.MaxAge <= 0 {
			t.Fatalf("renewed cookie = %+v; want a new, HttpOnly, lasting session", renewed)
		}

		t.Run("every old session ends", func(t *testing.T) {
			wantProblem(t, do("GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
			wantProblem(t, other.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
		})
		t.Run("the caller stays signed in with a new CSRF token", func(t *testing.T) {
			fresh := withCookie(env, renewed.Value)
			me := fresh("GET", "/api/v1/me", nil).Want(http.StatusOK).JSON()
			csrf, _ := me["csrf_token"].(string)
			if csrf == "" || csrf == login.CSRF {
				t.Fatalf("csrf_token after the change = %q; want a new one", csrf)
			}
			wantProblem(t, fresh("POST", "/api/v1/tokens", map[string]any{"name": "old-csrf"}, "X-CSRF-Token", login.CSRF),
				http.StatusForbidden, "csrf_failed")
			fresh("POST", "/api/v1/tokens", map[string]any{"name": "new-csrf"}, "X-CSRF-Token", csrf).Want(http.StatusCreated)
		})
		t.Run("only the new password signs in", func(t *testing.T) {
			wantProblem(t, loginReq(env, email, old), http.StatusUnauthorized, "unauthenticated")
			loginReq(env, email, next).Want(http.StatusOK)
		})
		t.Run("the change is audited", func(t *testing.T) {
			audit := rows(t, env.DB, "SELECT actor_id, object_type, detail FROM audit_events WHERE action = 'user.password' AND object_id = $1",
				login.User.ID)
			if len(audit) != 1 || audit[0][0] != login.User.ID || audit[0][1] != "user" || !strings.Contains(audit[0][2], "session") {
				t.Errorf("audit = %v; want one user.password event by the user, via session", audit)
			}
			if strings.Contains(audit[0][2], next) || strings.Contains(audit[0][2], old) {
				t.Errorf("the audit detail holds a password: %s", audit[0][2])
			}
		})
	})
}

func TestChangeOwnPasswordWithToken(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		const email, old, next = "editor@example.org", "password-editor@example.org", "a-new-password-2"
		browser := env.CreateUser(email, "editor")
		var created struct {
			Token string `json:"token"`
		}
		browser.Do("POST", "/api/v1/tokens", map[string]any{"name": "ci", "scopes": []string{"read", "write"}}).
			Want(http.StatusCreated).Decode(&created)
		api := env.Anonymous()
		api.Bearer = created.Token

		r := api.Do("PUT", "/api/v1/me/password", passwordChange(old, next)).Want(http.StatusNoContent)
		if cookies := r.Header.Values("Set-Cookie"); len(cookies) != 0 {
			t.Errorf("a token caller got cookies: %v", cookies)
		}
		api.Do("GET", "/api/v1/me", nil).Want(http.StatusOK) // the token stays valid
		wantProblem(t, browser.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
		loginReq(env, email, next).Want(http.StatusOK)

		reader := env.Login(email, next)
		var ro struct {
			Token string `json:"token"`
		}
		reader.Do("POST", "/api/v1/tokens", map[string]any{"name": "ro", "scopes": []string{"read"}}).Want(http.StatusCreated).Decode(&ro)
		readOnly := env.Anonymous()
		readOnly.Bearer = ro.Token
		wantProblem(t, readOnly.Do("PUT", "/api/v1/me/password", passwordChange(next, "a-new-password-3")), http.StatusForbidden, "forbidden")
		loginReq(env, email, next).Want(http.StatusOK)
	})
}

// TestChangeOwnPasswordRefused: nothing changes, and wrong guesses count
// on the account's sign-in throttle.
func TestChangeOwnPasswordRefused(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		const email, pw = "author@example.org", "password-author@example.org"
		c := env.CreateUser(email, "author")
		noCSRF := *c
		noCSRF.CSRF = ""
		for _, tc := range []struct {
			name   string
			client *apptest.Client
			body   any
			status int
			code   string
			fields []string
		}{
			{"anonymous", env.Anonymous(), passwordChange(pw, "a-new-password-1"), 401, "unauthenticated", nil},
			{"without the CSRF token", &noCSRF, passwordChange(pw, "a-new-password-1"), 403, "csrf_failed", nil},
			{"too short", c, passwordChange(pw, "short"), 400, "invalid", []string{"new_password"}},
			{"too long", c, passwordChange(pw, strings.Repeat("p", 1025)), 400, "invalid", []string{"new_password"}},
			{"the same as before", c, passwordChange(pw, pw), 400, "invalid", []string{"new_password"}},
			{"no current password", c, passwordChange("", "a-new-password-1"), 400, "invalid", []string{"current_password"}},
			{"unknown field", c, map[string]string{"current_password": pw, "new_password": "a-new-password-1", "email": "x@example.org"},
				400, "invalid", []string{"email"}},
			{"wrong current password", c, passwordChange("not-my-password", "a-new-password-1"), 403, "forbidden", []string{"current_password"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := wantProblem(t, tc.client.Do("PUT", "/api/v1/me/password", tc.body), tc.status, tc.code)
				if tc.fields != nil {
					wantFields(t, p, tc.fields...)
				}
			})
		}
		c.Do("GET", "/api/v1/me", nil).Want(http.StatusOK) // still signed in
		loginReq(env, email, pw).Want(http.StatusOK)       // and the password is unchanged; this forgets the failure

		t.Run("wrong guesses are throttled like sign-ins", func(t *testing.T) {
			for range 5 {
				wantProblem(t, c.Do("PUT", "/api/v1/me/password", passwordChange("not-my-password", "a-new-password-1")),
					http.StatusForbidden, "forbidden")
			}
			retryAfter(t, c.Do("PUT", "/api/v1/me/password", passwordChange(pw, "a-new-password-1")))
			retryAfter(t, loginReq(env, email, pw)) // the same throttle as the sign-in form
			c.Do("GET", "/api/v1/me", nil).Want(http.StatusOK)
		})
	})
}
