package app_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/server"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// syncBuffer is a log sink that handlers on many goroutines may share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// problem checks that a response is an RFC 9457 problem with this status
// and code.
func problem(t *testing.T, status int, header http.Header, body []byte, wantStatus int, code string) server.Problem {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d; body: %s", status, wantStatus, body)
	}
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	var p server.Problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("problem body %s: %v", body, err)
	}
	if string(p.Code) != code || p.Status != wantStatus || p.Title == "" || p.Type == "" || p.Detail == "" {
		t.Errorf("problem %s, want status %d and code %q with title, type and detail", body, wantStatus, code)
	}
	if p.RequestID == "" || p.RequestID != header.Get("X-Request-Id") {
		t.Errorf("request_id %q, X-Request-Id %q", p.RequestID, header.Get("X-Request-Id"))
	}
	return p
}

func wantProblem(t *testing.T, r *apptest.Response, status int, code string) server.Problem {
	t.Helper()
	return problem(t, r.Status, r.Header, r.Body, status, code)
}

func fieldsOf(p server.Problem) []string {
	var out []string
	for _, f := range p.Errors {
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return out
}

func countUsers(t *testing.T, db *store.DB) int {
	t.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := sqlDB.QueryRow("SELECT COUNT(*) FROM users").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMalformedBodies(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin := env.Admin()
		const valid = `{"email":"w@example.org","name":"W","password":"long-enough-1"}`
		for _, tc := range []struct {
			name   string
			body   string
			fields []string // nil: the problem need not name a field
		}{
			{"malformed", `{"email":`, nil},
			{"not JSON", `{email: w}`, nil},
			{"unknown field", `{"email":"w@example.org","name":"W","password":"long-enough-1","admin":true}`, []string{"admin"}},
			{"wrong type", `{"email":"w@example.org","name":["W"],"password":"long-enough-1"}`, []string{"name"}},
			{"number for a string", `{"email":5,"name":"W","password":"long-enough-1"}`, []string{"email"}},
			{"an array, not an object", `[` + valid + `]`, []string{"body"}},
			{"trailing object", valid + ` {}`, nil},
			{"trailing garbage", valid + `x`, nil},
			{"two documents", valid + valid, nil},
			{"empty", ``, nil},
			{"only whitespace", " \n", nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := wantProblem(t, admin.Do("POST", "/api/v1/users", tc.body), http.StatusBadRequest, "invalid")
				if tc.fields != nil && !slices.Equal(fieldsOf(p), tc.fields) {
					t.Errorf("problem names %v, want %v: %+v", fieldsOf(p), tc.fields, p)
				}
				for _, f := range tc.fields {
					if !strings.Contains(p.Detail, f) {
						t.Errorf("detail %q does not name %q", p.Detail, f)
					}
				}
			})
		}
		if n := countUsers(t, env.DB); n != 1 {
			t.Errorf("%d users after bad requests, want only the admin", n)
		}
		// The same body without its faults goes through.
		admin.Do("POST", "/api/v1/users", valid).Want(http.StatusCreated)
	})
}

func TestOversizedBody(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) { o.BodyLimit = 1024 }})
		admin := env.Admin()
		big := `{"email":"big@example.org","name":"` + strings.Repeat("n", 2000) + `","password":"long-enough-1"}`

		t.Run("with Content-Length", func(t *testing.T) {
			wantProblem(t, admin.Do("POST", "/api/v1/users", big), http.StatusRequestEntityTooLarge, "too_large")
		})
		t.Run("chunked", func(t *testing.T) {
			// A reader of unknown length is sent chunked, so the limit
			// must hold while the body is read, not only up front.
			req, err := http.NewRequest("POST", env.Server.URL+"/api/v1/auth/login",
				io.MultiReader(strings.NewReader(`{"email":"`+strings.Repeat("e", 4000)), strings.NewReader(`","password":"x"}`)))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			problem(t, resp.StatusCode, resp.Header, body, http.StatusRequestEntityTooLarge, "too_large")
		})
		t.Run("under the limit", func(t *testing.T) {
			admin.Do("POST", "/api/v1/users", `{"email":"small@example.org","name":"S","password":"long-enough-1"}`).
				Want(http.StatusCreated)
		})
		if n := countUsers(t, env.DB); n != 2 {
			t.Errorf("%d users, want the admin and the small one: an oversized body changed something", n)
		}
	})
}

func TestRoutingProblems(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin := env.Admin()
		for _, tc := range []struct {
			method, path string
			status       int
			code         string
		}{
			{"GET", "/no/such/page", 404, "not_found"},
			{"GET", "/api/v1/no-such-resource", 404, "not_found"},
			{"POST", "/api/v1/no-such-resource", 404, "not_found"},
			{"PUT", "/api/v1/me", 405, "method_not_allowed"},
			{"DELETE", "/api/v1/users", 405, "method_not_allowed"},
			{"DELETE", "/api/v1/users/some-id", 405, "method_not_allowed"}, // users are deactivated, never deleted
			{"POST", "/healthz", 405, "method_not_allowed"},
		} {
			t.Run(tc.method+" "+tc.path, func(t *testing.T) {
				r := admin.Do(tc.method, tc.path, nil)
				wantProblem(t, r, tc.status, tc.code)
				if tc.status == http.StatusMethodNotAllowed && r.Header.Get("Allow") == "" {
					t.Error("405 without an Allow header")
				}
			})
		}
	})
}

func TestInternalErrorsHideDetails(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		logs := &syncBuffer{}
		env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) {
			o.Logger = slog.New(slog.NewTextHandler(logs, nil))
		}})
		e := env.App.Router()
		e.GET("/test/crash", func(echo.Context) error { panic("boom: secret-detail") })
		e.GET("/test/fail", func(echo.Context) error { return errors.New("store: secret-detail in a query") })
		srv := httptest.NewServer(e)
		t.Cleanup(srv.Close)

		for _, path := range []string{"/test/crash", "/test/fail"} {
			t.Run(path, func(t *testing.T) {
				resp, err := http.Get(srv.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				p := problem(t, resp.StatusCode, resp.Header, body, http.StatusInternalServerError, "internal")
				if p.Detail != "internal error" {
					t.Errorf("detail %q, want \"internal error\"", p.Detail)
				}
				for _, leak := range []string{"secret-detail", "boom", "goroutine", ".go:", "panic"} {
					if strings.Contains(string(body), leak) {
						t.Errorf("body leaks %q: %s", leak, body)
					}
				}
				// The details go to the log, under the same request ID.
				var logged bool
				for _, line := range strings.Split(logs.String(), "\n") {
					if strings.Contains(line, "secret-detail") && strings.Contains(line, p.RequestID) {
						logged = true
					}
				}
				if !logged {
					t.Errorf("no log line with the error and request_id %s:\n%s", p.RequestID, logs.String())
				}
			})
		}
		// The server survives a panic.
		resp, err := http.Get(srv.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("healthz after a panic: %d", resp.StatusCode)
		}
	})
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		c := env.Anonymous()
		check := func(path string, status int, want string) {
			t.Helper()
			r := c.Do("GET", path, nil).Want(status)
			if got := r.JSON()["status"]; got != want {
				t.Errorf("%s status = %v, want %q", path, got, want)
			}
		}
		check("/healthz", http.StatusOK, "ok")
		check("/readyz", http.StatusOK, "ready")

		if err := env.DB.Close(); err != nil {
			t.Fatal(err)
		}
		check("/readyz", http.StatusServiceUnavailable, "unavailable")
		check("/healthz", http.StatusOK, "ok") // the process itself is alive
	})
}
