package admin_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// The editor's scripts ask for JSON; what they get back when a request
// fails is the same RFC 9457 problem the API sends, from the one writer:
// application/problem+json, the stable code and the request ID.
func TestScriptErrorsAreProblems(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin := env.Admin()
		noToken := *admin
		noToken.CSRF = ""
		form := url.Values{"markdown": {"**Seoul**"}}.Encode()
		cases := []struct {
			name   string
			client *apptest.Client
			method string
			path   string
			body   any
			status int
			code   string
		}{
			{"signed out", env.Anonymous(), "POST", "/admin/markdown", form, http.StatusUnauthorized, "unauthenticated"},
			{"no CSRF token", &noToken, "POST", "/admin/markdown", form, http.StatusForbidden, "csrf_failed"},
			{"unknown document", admin, "GET", "/admin/documents/01J0000000000000000000000", nil, http.StatusNotFound, "not_found"},
			{"unknown autosave", admin, "POST", "/admin/documents/01J0000000000000000000000/autosave",
				url.Values{"version": {"1"}}.Encode(), http.StatusNotFound, "not_found"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := tc.client.Do(tc.method, tc.path, tc.body,
					"Accept", "application/json", "Content-Type", "application/x-www-form-urlencoded").Want(tc.status)
				if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("Content-Type %q, want application/problem+json", ct)
				}
				var p struct {
					Status    int    `json:"status"`
					Code      string `json:"code"`
					Detail    string `json:"detail"`
					Instance  string `json:"instance"`
					RequestID string `json:"request_id"`
				}
				if err := json.Unmarshal(r.Body, &p); err != nil {
					t.Fatalf("%s: %v", r.Body, err)
				}
				if p.Status != tc.status || p.Code != tc.code || p.Detail == "" || p.Instance != tc.path {
					t.Errorf("problem %s, want status %d, code %q, a detail and instance %s", r.Body, tc.status, tc.code, tc.path)
				}
				if id := r.Header.Get("X-Request-Id"); p.RequestID == "" || p.RequestID != id {
					t.Errorf("request_id %q, X-Request-Id header %q: they must be the same, and set", p.RequestID, id)
				}
			})
		}
		// A page, asked for as a page, is still an HTML error page.
		r := admin.Do("GET", "/admin/documents/01J0000000000000000000000", nil).Want(http.StatusNotFound)
		if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=UTF-8" {
			t.Errorf("page error Content-Type %q", ct)
		}
	})
}
