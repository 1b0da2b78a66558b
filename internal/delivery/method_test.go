package delivery_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// TestDeliveryWrongMethod: a delivery route asked with a method it does
// not have answers 405 with the methods it does have in Allow, as a
// problem, like the management API; a path no route has is still 404,
// whatever the method. CORS still answers preflights.
func TestDeliveryWrongMethod(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		for _, tc := range []struct {
			method, path string
			status       int
			allow        string
		}{
			{"DELETE", "/delivery/v1/documents/some-series/some-slug", 405, "OPTIONS, GET, HEAD"},
			{"PUT", "/delivery/v1/documents/some-series/some-slug", 405, "OPTIONS, GET, HEAD"},
			{"POST", "/delivery/v1/documents", 405, "OPTIONS, GET, HEAD"},
			{"PATCH", "/delivery/v1/search", 405, "OPTIONS, GET, HEAD"},
			{"DELETE", "/delivery/v1/subscribers", 405, "OPTIONS, POST"},
			{"PUT", "/delivery/v1/subscribers/confirm", 405, "OPTIONS, GET, POST"},
			{"OPTIONS", "/delivery/v1/documents", 204, ""}, // CORS answers every OPTIONS
			{"DELETE", "/delivery/v1/no-such-thing", 404, ""},
			{"GET", "/delivery/v1/no-such-thing", 404, ""},
			{"GET", "/delivery/v1/documents/only-a-series", 404, ""},
		} {
			t.Run(tc.method+" "+tc.path, func(t *testing.T) {
				resp, body := rawDo(t, env, tc.method, tc.path)
				if resp.StatusCode != tc.status {
					t.Fatalf("status %d, want %d; body %s", resp.StatusCode, tc.status, truncate(body))
				}
				if got := resp.Header.Get("Allow"); got != tc.allow {
					t.Errorf("Allow %q, want %q", got, tc.allow)
				}
				if tc.status < 400 {
					return
				}
				var p struct {
					Status int    `json:"status"`
					Code   string `json:"code"`
				}
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
					t.Errorf("Content-Type %q, want a problem", ct)
				}
				want := map[int]string{404: "not_found", 405: "method_not_allowed"}[tc.status]
				if err := json.Unmarshal(body, &p); err != nil || p.Status != tc.status || p.Code != want {
					t.Errorf("problem %s (%v), want status %d, code %s", truncate(body), err, tc.status, want)
				}
			})
		}
		pre, body := rawDo(t, env, "OPTIONS", "/delivery/v1/documents", "Origin", "https://reader.example", "Access-Control-Request-Method", "GET")
		if pre.StatusCode != http.StatusNoContent || pre.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("preflight: status %d, Access-Control-Allow-Origin %q; body %s", pre.StatusCode, pre.Header.Get("Access-Control-Allow-Origin"), truncate(body))
		}
	})
}
