// Package apptest starts a whole Masthead — real database, real services,
// the real router behind an httptest server — and gives tests a small HTTP
// client that signs in, keeps cookies and sends CSRF tokens like a browser.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// AdminEmail and AdminPassword sign in the admin every Env starts with.
const (
	AdminEmail    = "admin@example.org"
	AdminPassword = "admin-password-123"
)

// Env is a running Masthead for one test.
type Env struct {
	T      testing.TB
	App    *app.App
	DB     *store.DB
	Server *httptest.Server
}

// Options change how an Env is built.
type Options struct {
	// Configure may change the app options before the app is built.
	Configure func(*app.Options)
}

// New starts Masthead on db with an admin account.
func New(t testing.TB, db *store.DB, opts ...Options) *Env {
	t.Helper()
	ctx := context.Background()
	base, _ := url.Parse("http://masthead.test")
	o := app.Options{BaseURL: base, Auth: auth.Config{PasswordParams: auth.FastPasswordParams}, MediaDir: t.TempDir()}
	for _, op := range opts {
		if op.Configure != nil {
			op.Configure(&o)
		}
	}
	a, err := app.New(ctx, db, o)
	if err != nil {
		t.Fatalf("apptest: %v", err)
	}
	if err := a.EnsureAdmin(ctx, AdminEmail, AdminPassword); err != nil {
		t.Fatalf("apptest: admin: %v", err)
	}
	srv := httptest.NewServer(a.Router())
	t.Cleanup(srv.Close)
	return &Env{T: t, App: a, DB: db, Server: srv}
}

// Run runs body with a fresh Env on every backend.
func Run(t *testing.T, body func(t *testing.T, env *Env)) {
	storetest.Run(t, func(t *testing.T, db *store.DB) { body(t, New(t, db)) })
}

// Client is one user agent: a cookie jar, and the CSRF token or bearer
// token it sends.
type Client struct {
	env    *Env
	t      testing.TB // reports failures; env.T unless For set another
	http   *http.Client
	CSRF   string
	Bearer string
	UserID string
}

// For returns a copy of the client that reports failures to t: for
// subtests and fuzz targets, which must not fail their parent.
func (c *Client) For(t testing.TB) *Client {
	cp := *c
	cp.t = t
	return &cp
}

func (c *Client) tb() testing.TB {
	if c.t != nil {
		return c.t
	}
	return c.env.T
}

// Anonymous returns a client that is not signed in.
func (e *Env) Anonymous() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{env: e, http: &http.Client{Jar: jar}}
}

// Login signs in and fails the test if that does not work.
func (e *Env) Login(email, password string) *Client {
	e.T.Helper()
	c := e.Anonymous()
	resp := c.Do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password})
	resp.Want(http.StatusOK)
	var body struct {
		User      auth.User `json:"user"`
		CSRFToken string    `json:"csrf_token"`
	}
	resp.Decode(&body)
	c.CSRF, c.UserID = body.CSRFToken, body.User.ID
	return c
}

// Admin signs in as the admin.
func (e *Env) Admin() *Client { return e.Login(AdminEmail, AdminPassword) }

// CreateUser creates a user with the given roles ("editor",
// "author:korea-view") directly through the services and signs them in.
func (e *Env) CreateUser(email string, roles ...string) *Client {
	e.T.Helper()
	ctx := context.Background()
	u, err := e.App.Auth.CreateUser(ctx, cms.System, auth.NewUser{Email: email, Name: email, Password: "password-" + email})
	if err != nil {
		e.T.Fatalf("apptest: create user: %v", err)
	}
	for _, r := range roles {
		a := authz.Assignment{UserID: u.ID, Role: r, Series: authz.AllSeries}
		if role, series, ok := strings.Cut(r, ":"); ok {
			a.Role, a.Series = role, series
		}
		if err := e.App.Authz.Assign(ctx, cms.System, a); err != nil {
			e.T.Fatalf("apptest: assign %s: %v", r, err)
		}
	}
	return e.Login(email, "password-"+email)
}

// Response is a finished response with its body read.
type Response struct {
	t testing.TB
	// request names what was sent ("GET /path"), for failure messages.
	request string
	Status  int
	Header  http.Header
	Body    []byte
}

// Do sends a request. body may be nil, a []byte or string (sent as is),
// or anything else (sent as JSON). Extra headers come in pairs.
func (c *Client) Do(method, path string, body any, headers ...string) *Response {
	t := c.tb()
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = bytes.NewReader([]byte(b))
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("apptest: %v", err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.env.Server.URL+path, r)
	if err != nil {
		t.Fatalf("apptest: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.CSRF != "" {
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	if c.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.Bearer)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("apptest: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("apptest: read body: %v", err)
	}
	return &Response{t: t, request: method + " " + path, Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// Want fails the test unless the status is one of want.
func (r *Response) Want(want ...int) *Response {
	r.t.Helper()
	for _, w := range want {
		if r.Status == w {
			return r
		}
	}
	r.t.Fatalf("%s: status %d, want %v; body: %s", r.request, r.Status, want, r.Body)
	return r
}

// Decode unmarshals the JSON body into v.
func (r *Response) Decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("apptest: decode %s: %v", r.Body, err)
	}
}

// JSON returns the body as a generic object.
func (r *Response) JSON() map[string]any {
	r.t.Helper()
	var m map[string]any
	r.Decode(&m)
	return m
}
