package management_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/server"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// fakeClock is a settable clock for the auth service, so that expiry and
// throttle windows are tested without waiting.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newEnvWithClock starts Masthead whose auth service reads clk.
func newEnvWithClock(t *testing.T, db *store.DB, clk *fakeClock) *apptest.Env {
	return apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) { o.Auth.Now = clk.Now }})
}

// wantProblem checks that r is an RFC 9457 problem with this status and
// code, and returns it.
func wantProblem(t *testing.T, r *apptest.Response, status int, code string) server.Problem {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	var p server.Problem
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("problem body %s: %v", r.Body, err)
	}
	if string(p.Code) != code {
		t.Errorf("code %q, want %q; body: %s", p.Code, code, r.Body)
	}
	if p.Status != status || p.Title == "" || p.Type == "" || p.Detail == "" {
		t.Errorf("incomplete problem: %s", r.Body)
	}
	if p.RequestID == "" || p.RequestID != r.Header.Get("X-Request-Id") {
		t.Errorf("request_id %q does not match X-Request-Id %q", p.RequestID, r.Header.Get("X-Request-Id"))
	}
	return p
}

// wantFields checks that a 400 problem names exactly these fields.
func wantFields(t *testing.T, p server.Problem, fields ...string) {
	t.Helper()
	var got []string
	for _, f := range p.Errors {
		got = append(got, f.Field)
		if f.Message == "" {
			t.Errorf("field %q has no message", f.Field)
		}
	}
	slices.Sort(got)
	slices.Sort(fields)
	if !slices.Equal(got, fields) {
		t.Errorf("errors name fields %v, want %v", got, fields)
	}
}

func mustParseURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func loginReq(env *apptest.Env, email, password string) *apptest.Response {
	return env.Anonymous().Do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password})
}

// sessionCookie returns the session cookie set by a response.
func sessionCookie(t *testing.T, r *apptest.Response) *http.Cookie {
	t.Helper()
	for _, line := range r.Header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			t.Fatalf("Set-Cookie %q: %v", line, err)
		}
		if c.Name == auth.SessionCookie {
			return c
		}
	}
	t.Fatalf("no %s cookie in %v", auth.SessionCookie, r.Header.Values("Set-Cookie"))
	return nil
}

// withCookie is an anonymous client that sends a session cookie by hand.
func withCookie(env *apptest.Env, value string) func(method, path string, body any, headers ...string) *apptest.Response {
	c := env.Anonymous()
	return func(method, path string, body any, headers ...string) *apptest.Response {
		return c.Do(method, path, body, append(headers, "Cookie", auth.SessionCookie+"="+value)...)
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		t.Run("right password", func(t *testing.T) {
			r := loginReq(env, apptest.AdminEmail, apptest.AdminPassword).Want(http.StatusOK)
			var body map[string]any
			r.Decode(&body)
			user, _ := body["user"].(map[string]any)
			if user["email"] != apptest.AdminEmail || user["id"] == "" || user["active"] != true {
				t.Errorf("user = %v", user)
			}
			for _, secret := range []string{"password", "password_hash", "PasswordHash"} {
				if _, ok := user[secret]; ok {
					t.Errorf("user carries %q", secret)
				}
			}
			csrf, _ := body["csrf_token"].(string)
			if len(csrf) < 32 {
				t.Errorf("csrf_token = %q", csrf)
			}
			c := sessionCookie(t, r)
			if c.Value == "" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" || c.MaxAge <= 0 {
				t.Errorf("session cookie = %+v; want HttpOnly, SameSite=Lax, not Secure, Path=/, Max-Age>0", c)
			}
			if strings.Contains(string(r.Body), c.Value) {
				t.Error("the response body holds the cookie value")
			}
			me := withCookie(env, c.Value)("GET", "/api/v1/me", nil).Want(http.StatusOK).JSON()
			if me["csrf_token"] != csrf {
				t.Errorf("/me csrf_token %v, want the login's %q", me["csrf_token"], csrf)
			}
		})
		t.Run("email is case-insensitive", func(t *testing.T) {
			loginReq(env, " "+strings.ToUpper(apptest.AdminEmail), apptest.AdminPassword).Want(http.StatusOK)
		})

		// A wrong password and an unknown email are indistinguishable.
		bodies := map[string]map[string]any{}
		for _, tc := range []struct{ name, email, password string }{
			{"wrong password", apptest.AdminEmail, "not-the-password"},
			{"unknown email", "nobody@example.org", "not-the-password"},
			{"empty password", apptest.AdminEmail, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := loginReq(env, tc.email, tc.password)
				wantProblem(t, r, http.StatusUnauthorized, "unauthenticated")
				if len(r.Header.Values("Set-Cookie")) != 0 {
					t.Errorf("failed login sets cookies: %v", r.Header.Values("Set-Cookie"))
				}
				body := r.JSON()
				delete(body, "request_id")
				delete(body, "instance")
				bodies[tc.name] = body
			})
		}
		if !reflect.DeepEqual(bodies["wrong password"], bodies["unknown email"]) {
			t.Errorf("wrong password and unknown email differ:\n%v\n%v", bodies["wrong password"], bodies["unknown email"])
		}
	})
}

func TestSessionCookieSecureBehindHTTPS(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) {
			o.BaseURL = mustParseURL(t, "https://masthead.example.org")
		}})
		c := sessionCookie(t, loginReq(env, apptest.AdminEmail, apptest.AdminPassword).Want(http.StatusOK))
		if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie = %+v, want Secure, HttpOnly, SameSite=Lax", c)
		}
	})
}

// retryAfter checks a 429 and returns its Retry-After seconds.
func retryAfter(t *testing.T, r *apptest.Response) int {
	t.Helper()
	wantProblem(t, r, http.StatusTooManyRequests, "too_many_requests")
	n, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || n < 1 || n > 15*60+1 {
		t.Errorf("Retry-After %q, want 1..901 seconds", r.Header.Get("Retry-After"))
	}
	return n
}

// TestLoginThrottle runs its scenarios in one Masthead that trusts
// X-Forwarded-For, so that each scenario signs in from its own address
// with its own account and the scenarios do not add up.
func TestLoginThrottle(t *testing.T) {
	const wrong = "wrong-password-0"
	type scenario struct {
		env      *apptest.Env
		clk      *fakeClock
		addr     string // the client's address
		email    string // an account that exists
		password string
	}
	// login signs in from the scenario's address.
	login := func(s scenario, email, password string) *apptest.Response {
		return s.env.Anonymous().Do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password},
			"X-Forwarded-For", s.addr)
	}
	tests := []struct {
		name string
		run  func(t *testing.T, s scenario)
	}{
		{"five failures lock one account at one address", func(t *testing.T, s scenario) {
			for range 5 {
				wantProblem(t, login(s, s.email, wrong), http.StatusUnauthorized, "unauthenticated")
			}
			retryAfter(t, login(s, s.email, wrong))
			// Even the right password waits: guessing must not go on.
			retryAfter(t, login(s, s.email, s.password))
			// Other accounts on the same address still sign in.
			login(s, apptest.AdminEmail, apptest.AdminPassword).Want(http.StatusOK)
		}},
		{"failures from one address do not lock the owner out elsewhere", func(t *testing.T, s scenario) {
			for i := range 20 {
				if r := login(s, s.email, wrong); i < 5 {
					wantProblem(t, r, http.StatusUnauthorized, "unauthenticated")
				} else {
					retryAfter(t, r)
				}
			}
			retryAfter(t, login(s, s.email, s.password)) // that address is locked for the account
			owner := s
			owner.addr = "198.51.100.2"
			login(owner, s.email, s.password).Want(http.StatusOK)
			retryAfter(t, login(s, s.email, s.password)) // and the owner's sign-in did not unlock it
		}},
		{"an unknown email is throttled the same way", func(t *testing.T, s scenario) {
			for range 5 {
				wantProblem(t, login(s, "ghost@example.org", wrong), http.StatusUnauthorized, "unauthenticated")
			}
			retryAfter(t, login(s, "ghost@example.org", wrong))
			retryAfter(t, login(s, "GHOST@example.org", wrong))
		}},
		{"twenty failures lock one address", func(t *testing.T, s scenario) {
			for i := range 20 {
				wantProblem(t, login(s, "guess"+strconv.Itoa(i)+"@example.org", wrong), http.StatusUnauthorized, "unauthenticated")
			}
			retryAfter(t, login(s, "fresh@example.org", wrong))
			retryAfter(t, login(s, s.email, s.password))
			// The account itself is not locked: from elsewhere it works.
			s.addr = "198.51.100.1"
			login(s, s.email, s.password).Want(http.StatusOK)
		}},
		{"a good login clears the account's failures", func(t *testing.T, s scenario) {
			for range 4 {
				login(s, s.email, wrong).Want(http.StatusUnauthorized)
			}
			login(s, s.email, s.password).Want(http.StatusOK)
			for range 5 {
				login(s, s.email, wrong).Want(http.StatusUnauthorized)
			}
			retryAfter(t, login(s, s.email, wrong))
		}},
		{"concurrent guesses get five tries in all", func(t *testing.T, s scenario) {
			// A burst of parallel guesses must not slip past the check
			// before the failures are counted.
			const n = 20
			statuses := make([]int, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses[i] = login(s, s.email, wrong).Status
				}()
			}
			wg.Wait()
			counts := map[int]int{}
			for _, st := range statuses {
				counts[st]++
			}
			if counts[http.StatusUnauthorized] > 5 || counts[http.StatusUnauthorized]+counts[http.StatusTooManyRequests] != n {
				t.Errorf("%d parallel wrong logins: %d checked (401), %d throttled (429), all %v; want at most 5 checked",
					n, counts[http.StatusUnauthorized], counts[http.StatusTooManyRequests], counts)
			}
		}},
		// Moves the clock: keep it last.
		{"the lock ends with its window", func(t *testing.T, s scenario) {
			for range 5 {
				login(s, s.email, wrong).Want(http.StatusUnauthorized)
			}
			s.clk.Advance(5 * time.Minute)
			if n := retryAfter(t, login(s, s.email, s.password)); n != 10*60+1 {
				t.Errorf("Retry-After %d five minutes into a 15-minute window, want 601", n)
			}
			s.clk.Advance(10*time.Minute + time.Second)
			login(s, s.email, s.password).Want(http.StatusOK)
		}},
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clk := newFakeClock()
		env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) {
			o.Auth.Now = clk.Now
			o.TrustProxy = true
		}})
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				s := scenario{env: env, clk: clk, addr: "192.0.2." + strconv.Itoa(i+1),
					email: "user" + strconv.Itoa(i+1) + "@example.org", password: "password-" + strconv.Itoa(i+1)}
				if _, err := env.App.Auth.CreateUser(context.Background(), cms.System,
					auth.NewUser{Email: s.email, Name: s.email, Password: s.password}); err != nil {
					t.Fatal(err)
				}
				tc.run(t, s)
			})
		}
	})
}

// TestForwardedForIgnoredByDefault: unless MASTHEAD_TRUST_PROXY is set, a
// client cannot dodge the address throttle by inventing X-Forwarded-For.
func TestForwardedForIgnoredByDefault(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		for i := range 20 {
			r := env.Anonymous().Do("POST", "/api/v1/auth/login",
				map[string]string{"email": "guess" + strconv.Itoa(i) + "@example.org", "password": "wrong-password"},
				"X-Forwarded-For", "203.0.113."+strconv.Itoa(i))
			wantProblem(t, r, http.StatusUnauthorized, "unauthenticated")
		}
		r := env.Anonymous().Do("POST", "/api/v1/auth/login",
			map[string]string{"email": apptest.AdminEmail, "password": apptest.AdminPassword}, "X-Forwarded-For", "203.0.113.99")
		retryAfter(t, r)
	})
}

func TestLogout(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		r := loginReq(env, apptest.AdminEmail, apptest.AdminPassword).Want(http.StatusOK)
		cookie := sessionCookie(t, r).Value
		var body struct {
			CSRF string `json:"csrf_token"`
		}
		r.Decode(&body)
		do := withCookie(env, cookie)

		wantProblem(t, env.Anonymous().Do("POST", "/api/v1/auth/logout", nil), http.StatusUnauthorized, "unauthenticated")
		wantProblem(t, do("POST", "/api/v1/auth/logout", nil), http.StatusForbidden, "csrf_failed")
		do("GET", "/api/v1/me", nil).Want(http.StatusOK) // a refused logout leaves the session

		out := do("POST", "/api/v1/auth/logout", nil, "X-CSRF-Token", body.CSRF).Want(http.StatusNoContent)
		if c := sessionCookie(t, out); c.Value != "" || c.MaxAge >= 0 {
			t.Errorf("logout cookie = %+v, want it cleared", c)
		}
		// The old cookie value is dead on the server, not just in the browser.
		wantProblem(t, do("GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")

		// A browser that follows Set-Cookie is signed out as well.
		admin := env.Admin()
		admin.Do("POST", "/api/v1/auth/logout", nil).Want(http.StatusNoContent)
		wantProblem(t, admin.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
	})
}

func TestSessionExpires(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clk := newFakeClock()
		env := newEnvWithClock(t, db, clk)
		admin := env.Admin()
		clk.Advance(14*24*time.Hour - time.Minute)
		admin.Do("GET", "/api/v1/me", nil).Want(http.StatusOK)
		clk.Advance(time.Minute)
		wantProblem(t, admin.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
	})
}

func TestMe(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin := env.Admin()
		var created struct {
			Token string `json:"token"`
		}
		admin.Do("POST", "/api/v1/tokens", map[string]any{"name": "me"}).Want(http.StatusCreated).Decode(&created)
		bearer := env.Anonymous()
		bearer.Bearer = created.Token

		type me struct {
			User struct {
				ID, Email string
			} `json:"user"`
			CSRFToken *string `json:"csrf_token"`
			Roles     []struct {
				UserID, Role, Series string
			} `json:"roles"`
		}
		t.Run("session", func(t *testing.T) {
			var m me
			admin.Do("GET", "/api/v1/me", nil).Want(http.StatusOK).Decode(&m)
			if m.User.Email != apptest.AdminEmail || m.User.ID != admin.UserID {
				t.Errorf("me = %+v", m)
			}
			if m.CSRFToken == nil || *m.CSRFToken != admin.CSRF {
				t.Errorf("csrf_token = %v, want %q", m.CSRFToken, admin.CSRF)
			}
			if len(m.Roles) != 1 || m.Roles[0].Role != "admin" || m.Roles[0].Series != "*" {
				t.Errorf("roles = %+v, want admin on *", m.Roles)
			}
		})
		t.Run("bearer", func(t *testing.T) {
			var m me
			bearer.Do("GET", "/api/v1/me", nil).Want(http.StatusOK).Decode(&m)
			if m.User.Email != apptest.AdminEmail || m.User.ID != admin.UserID {
				t.Errorf("me = %+v", m)
			}
			if m.CSRFToken != nil {
				t.Errorf("a token request got a csrf_token %q", *m.CSRFToken)
			}
		})
		for _, tc := range []struct {
			name    string
			headers []string
		}{
			{"nothing", nil},
			{"unknown token", []string{"Authorization", "Bearer mh_" + strings.Repeat("0", 48)}},
			{"token without prefix", []string{"Authorization", "Bearer " + strings.TrimPrefix(created.Token, "mh_")}},
			{"basic auth", []string{"Authorization", "Basic YWRtaW46YWRtaW4="}},
			{"unknown cookie", []string{"Cookie", auth.SessionCookie + "=" + strings.Repeat("a", 64)}},
		} {
			t.Run("anonymous/"+tc.name, func(t *testing.T) {
				wantProblem(t, env.Anonymous().Do("GET", "/api/v1/me", nil, tc.headers...), http.StatusUnauthorized, "unauthenticated")
			})
		}
	})
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin := env.Admin()
		noCSRF := *admin
		noCSRF.CSRF = ""
		other := env.CreateUser("other@example.org")
		newToken := map[string]any{"name": "ci"}

		for _, tc := range []struct {
			name    string
			client  *apptest.Client
			headers []string
		}{
			{"missing", &noCSRF, nil},
			{"wrong", admin, []string{"X-CSRF-Token", "wrong"}},
			{"another session's", admin, []string{"X-CSRF-Token", other.CSRF}},
			{"empty", admin, []string{"X-CSRF-Token", ""}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantProblem(t, tc.client.Do("POST", "/api/v1/tokens", newToken, tc.headers...), http.StatusForbidden, "csrf_failed")
				wantProblem(t, tc.client.Do("PATCH", "/api/v1/users/"+other.UserID, map[string]any{"name": "Hijacked"}, tc.headers...),
					http.StatusForbidden, "csrf_failed")
			})
		}
		t.Run("reads need none", func(t *testing.T) {
			var list struct{ Data []any }
			noCSRF.Do("GET", "/api/v1/tokens", nil).Want(http.StatusOK).Decode(&list)
			if len(list.Data) != 0 {
				t.Errorf("refused writes created %d tokens", len(list.Data))
			}
			if name := noCSRF.Do("GET", "/api/v1/users/"+other.UserID, nil).Want(http.StatusOK).JSON()["name"]; name != "other@example.org" {
				t.Errorf("refused PATCH changed the name to %v", name)
			}
		})
		t.Run("right", func(t *testing.T) {
			admin.Do("POST", "/api/v1/tokens", newToken).Want(http.StatusCreated)
		})
	})
}
