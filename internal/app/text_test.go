package app_test

import (
	"net/http"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// NUL characters and bytes that are not UTF-8 are refused with 400 at the
// edge, on public and private routes alike and on both engines the same
// way: PostgreSQL cannot store them (it answered 500), and a SQLite
// newsroom must not hold text that PostgreSQL refuses.
func TestUnstorableTextRefusedAtTheEdge(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin := env.Admin()
		admin.Do("POST", "/api/v1/series", map[string]any{"slug": "korea-view", "name": "Korea View", "kind": "newsletter"}).
			Want(http.StatusCreated)
		anon := env.Anonymous()
		upload, uploadHeader := apptest.Form(t, "seoul.png", apptest.PNG(t, 8, 8), map[string]string{"caption": "Seoul\x00"})
		badName, badNameHeader := apptest.Form(t, "seoul\xff.png", apptest.PNG(t, 8, 8), nil)
		for _, tc := range []struct {
			name         string
			c            *apptest.Client
			method, path string
			body         any
			headers      []string
		}{
			{"NUL in a delivery path", anon, "GET", "/delivery/v1/documents/a/a%00b", nil, nil},
			{"not UTF-8 in a delivery path", anon, "GET", "/delivery/v1/documents/korea-view/%ff", nil, nil},
			{"not UTF-8 in a query", anon, "GET", "/delivery/v1/documents?series=%ff%fe", nil, nil},
			{"NUL in a query", anon, "GET", "/delivery/v1/search?q=a%00", nil, nil},
			{"NUL in a parameter name", anon, "GET", "/delivery/v1/documents?a%00=1", nil, nil},
			{"NUL in a media path", anon, "GET", "/media/a%00", nil, nil},
			{"NUL in the login", anon, "POST", "/api/v1/auth/login", `{"email":"a\u0000@example.org","password":"x"}`, nil},
			{"not UTF-8 in the login", anon, "POST", "/api/v1/auth/login", "{\"email\":\"\xff@example.org\",\"password\":\"x\"}", nil},
			{"NUL in the sign-up", anon, "POST", "/delivery/v1/subscribers", `{"email":"r@example.org","series":"korea\u0000view"}`, nil},
			{"NUL in a write", admin, "POST", "/api/v1/users", `{"email":"w@example.org","name":"W\u0000","password":"long-enough-1"}`, nil},
			{"NUL in a nested value", admin, "POST", "/api/v1/series", `{"slug":"s","name":"S","kind":"blog","about":"x\u0000y"}`, nil},
			{"NUL in a UI form", anon, "POST", "/admin/login", "email=a%00&password=x", []string{"Content-Type", "application/x-www-form-urlencoded"}},
			{"NUL in an upload's field", admin, "POST", "/api/v1/media", upload, uploadHeader},
			{"not UTF-8 in an upload's file name", admin, "POST", "/api/v1/media", badName, badNameHeader},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := tc.c.For(t).Do(tc.method, tc.path, tc.body, tc.headers...)
				wantProblem(t, r, http.StatusBadRequest, "invalid")
				if r.Header.Get("X-Content-Type-Options") != "nosniff" {
					t.Errorf("X-Content-Type-Options %q on a problem, want nosniff", r.Header.Get("X-Content-Type-Options"))
				}
			})
		}
		if n := countUsers(t, env.DB); n != 1 {
			t.Errorf("%d users after refused writes, want only the admin", n)
		}
		var media struct{ Total int }
		admin.Do("GET", "/api/v1/media", nil).Want(http.StatusOK).Decode(&media)
		if media.Total != 0 {
			t.Errorf("%d media after refused uploads, want none", media.Total)
		}
		// A backslash before u0000 is text, not a NUL: it goes through.
		admin.Do("POST", "/api/v1/users", `{"email":"w@example.org","name":"W\\u0000","password":"long-enough-1"}`).
			Want(http.StatusCreated)
	})
}
