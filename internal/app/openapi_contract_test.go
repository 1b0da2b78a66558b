package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/masthead-cms/masthead/internal/apidoc"
	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// strictDocument is the document with "additionalProperties": false added
// to every object schema that lists its properties and does not say
// otherwise. The published document leaves response objects open (fields
// may be added, SPEC §5); validating real responses against this variant
// makes a field the server sends but the document does not name fail.
func strictDocument(t *testing.T) []byte {
	t.Helper()
	var root any
	if err := json.Unmarshal(apidoc.Document, &root); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			_, hasProps := x["properties"].(map[string]any)
			_, hasAP := x["additionalProperties"]
			_, hasUP := x["unevaluatedProperties"]
			if hasProps && x["type"] == "object" && !hasAP && !hasUP {
				x["additionalProperties"] = false
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(root)
	out, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// contract sends requests through apptest clients and checks each
// exchange against the (strict) document: the request, when the server
// accepted it, and always the response's status, headers and body.
type contract struct {
	t      *testing.T
	router routers.Router
	opts   *openapi3filter.Options
}

func newContract(t *testing.T) *contract {
	doc := loadDoc(t, strictDocument(t))
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &contract{t: t, router: router, opts: &openapi3filter.Options{
		IncludeResponseStatus: true, // a status the operation does not list fails
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		MultiError:            true,
	}}
}

// do sends body (nil, a string sent as is, or a value sent as JSON) and
// wants the status.
func (k *contract) do(c *apptest.Client, method, path string, body any, want int, headers ...string) *apptest.Response {
	k.t.Helper()
	var data []byte
	switch b := body.(type) {
	case nil:
	case string:
		data = []byte(b)
	default:
		var err error
		if data, err = json.Marshal(b); err != nil {
			k.t.Fatal(err)
		}
	}
	var resp *apptest.Response
	if data != nil {
		resp = c.Do(method, path, data, headers...)
	} else {
		resp = c.Do(method, path, nil, headers...)
	}
	resp.Want(want)
	k.check(c, method, path, data, resp, headers...)
	return resp
}

// call is one row of a script of requests whose answers only the
// document judges: who sends what, and the status they must get.
type call struct {
	c      *apptest.Client
	method string
	path   string
	body   any
	want   int
}

// calls sends each call in order, as do.
func (k *contract) calls(script ...call) {
	k.t.Helper()
	for _, c := range script {
		k.do(c.c, c.method, c.path, c.body, c.want)
	}
}

// check validates one finished exchange against the document.
func (k *contract) check(c *apptest.Client, method, path string, data []byte, resp *apptest.Response, headers ...string) {
	k.t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(data))
	if data != nil {
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
	route, params, err := k.router.FindRoute(req)
	if err != nil {
		k.t.Errorf("%s %s: no such operation in %s: %v", method, path, docFile, err)
		return
	}
	ctx := context.Background()
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: k.opts}
	if resp.Status < 300 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			k.t.Errorf("%s %s: the server accepted a request the document rejects:\n%v", method, path, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: resp.Status, Header: resp.Header, Options: k.opts,
	}
	out.SetBodyBytes(resp.Body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		k.t.Errorf("%s %s → %d does not match %s:\n%v\nbody: %s", method, path, resp.Status, docFile, err, resp.Body)
	}
}

// login signs in through the contract, like apptest's Env.Login.
func (k *contract) login(env *apptest.Env, email, password string) *apptest.Client {
	k.t.Helper()
	c := env.Anonymous()
	var body struct {
		User      struct{ ID string } `json:"user"`
		CSRFToken string              `json:"csrf_token"`
	}
	k.do(c, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}, http.StatusOK).Decode(&body)
	c.CSRF, c.UserID = body.CSRFToken, body.User.ID
	return c
}

// TestOpenAPIResponsesMatchDocument plays the API's calls and validates
// every exchange against the document.
func TestOpenAPIResponsesMatchDocument(t *testing.T) {
	t.Parallel()
	const bodyLimit = 16 << 10
	box := apptest.StartMailbox(t)
	env := apptest.New(t, storetest.OpenSQLite(t), apptest.Options{
		Configure: func(o *app.Options) {
			o.BodyLimit, o.UploadLimit, o.SMTPURL = bodyLimit, uploadLimit, box.URL
			o.WebhookAllowPrivate = true // the webhook receiver is on 127.0.0.1
		},
	})
	k := newContract(t)
	anon := env.Anonymous()

	k.calls(
		call{anon, "GET", "/healthz", nil, http.StatusOK},
		call{anon, "GET", "/readyz", nil, http.StatusOK},
		call{anon, "GET", "/api/openapi.json", nil, http.StatusOK},
	)

	// Authentication.
	k.calls(
		call{anon, "POST", "/api/v1/auth/login", map[string]string{"email": apptest.AdminEmail, "password": "wrong-password"}, http.StatusUnauthorized},
		call{anon, "POST", "/api/v1/auth/login", `{"email":`, http.StatusBadRequest},
		call{anon, "POST", "/api/v1/auth/login", map[string]any{"email": 1}, http.StatusBadRequest},
		call{anon, "POST", "/api/v1/auth/login", `{"email":"` + strings.Repeat("a", 2*bodyLimit) + `"}`, http.StatusRequestEntityTooLarge},
	)
	for range 5 {
		k.do(anon, "POST", "/api/v1/auth/login", map[string]string{"email": "nobody@example.org", "password": "wrong-password"}, http.StatusUnauthorized)
	}
	k.do(anon, "POST", "/api/v1/auth/login", map[string]string{"email": "nobody@example.org", "password": "wrong-password"}, http.StatusTooManyRequests)
	k.do(anon, "GET", "/api/v1/me", nil, http.StatusUnauthorized)

	admin := k.login(env, apptest.AdminEmail, apptest.AdminPassword)
	if me := k.do(admin, "GET", "/api/v1/me", nil, http.StatusOK).JSON(); me["csrf_token"] == "" || me["csrf_token"] == nil {
		t.Errorf("GET /api/v1/me by cookie: no csrf_token in %v", me)
	}

	// Tokens.
	type created struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	var tok, readOnly created
	k.do(admin, "POST", "/api/v1/tokens", map[string]any{"name": "ci", "scopes": []string{"read", "write"}}, http.StatusCreated).Decode(&tok)
	k.do(admin, "POST", "/api/v1/tokens", map[string]any{"name": "reader", "scopes": []string{"read"}, "expires_at": "2999-01-01T00:00:00Z"}, http.StatusCreated).Decode(&readOnly)
	k.do(admin, "POST", "/api/v1/tokens", map[string]any{"name": ""}, http.StatusBadRequest)
	k.do(admin, "GET", "/api/v1/tokens", nil, http.StatusOK)

	bearer := env.Anonymous()
	bearer.Bearer = tok.Token
	if me := k.do(bearer, "GET", "/api/v1/me", nil, http.StatusOK).JSON(); me["csrf_token"] != nil {
		t.Errorf("GET /api/v1/me by token: csrf_token in %v", me)
	}
	k.do(bearer, "GET", "/api/v1/tokens", nil, http.StatusOK) // last_used_at is set now
	reader := env.Anonymous()
	reader.Bearer = readOnly.Token
	k.do(reader, "POST", "/api/v1/tokens", map[string]any{"name": "no"}, http.StatusForbidden)
	badBearer := env.Anonymous()
	badBearer.Bearer = "mh_0000"
	k.do(badBearer, "GET", "/api/v1/me", nil, http.StatusUnauthorized)

	csrf := admin.CSRF
	admin.CSRF = ""
	k.do(admin, "POST", "/api/v1/tokens", map[string]any{"name": "no-csrf"}, http.StatusForbidden)
	admin.CSRF = csrf

	// Users.
	var user struct {
		ID string `json:"id"`
	}
	newUser := map[string]string{"email": "writer@example.org", "name": "Writer", "password": "writer-password"}
	k.do(admin, "POST", "/api/v1/users", newUser, http.StatusCreated).Decode(&user)
	k.calls(
		call{admin, "POST", "/api/v1/users", newUser, http.StatusConflict},
		call{admin, "POST", "/api/v1/users", map[string]string{"email": "not-an-email", "name": "", "password": "short"}, http.StatusBadRequest},
		call{admin, "GET", "/api/v1/users", nil, http.StatusOK},
		call{admin, "GET", "/api/v1/users/" + user.ID, nil, http.StatusOK},
		call{admin, "GET", "/api/v1/users/no-such-user", nil, http.StatusNotFound},
		call{admin, "PATCH", "/api/v1/users/" + user.ID, map[string]any{"name": "Writer Two", "active": nil}, http.StatusOK},
		call{admin, "PATCH", "/api/v1/users/no-such-user", map[string]any{"active": false}, http.StatusNotFound},
	)
	writer := k.login(env, "writer@example.org", "writer-password")
	k.do(writer, "GET", "/api/v1/users", nil, http.StatusForbidden)

	// One's own password.
	k.do(admin, "POST", "/api/v1/users", map[string]string{"email": "own@example.org", "name": "Own", "password": "own-password-1"}, http.StatusCreated)
	own := k.login(env, "own@example.org", "own-password-1")
	change := func(current, next string) map[string]string {
		return map[string]string{"current_password": current, "new_password": next}
	}
	k.calls(
		call{anon, "PUT", "/api/v1/me/password", change("own-password-1", "own-password-2"), http.StatusUnauthorized},
		call{own, "PUT", "/api/v1/me/password", change("own-password-1", "short"), http.StatusBadRequest},
		call{own, "PUT", "/api/v1/me/password", change("wrong-password", "own-password-2"), http.StatusForbidden},
		call{own, "PUT", "/api/v1/me/password", change("own-password-1", "own-password-2"), http.StatusNoContent},
	)
	own.CSRF, _ = k.do(own, "GET", "/api/v1/me", nil, http.StatusOK).JSON()["csrf_token"].(string)
	for range 5 {
		k.do(own, "PUT", "/api/v1/me/password", change("wrong-password", "own-password-3"), http.StatusForbidden)
	}
	k.do(own, "PUT", "/api/v1/me/password", change("own-password-2", "own-password-3"), http.StatusTooManyRequests)

	// Roles.
	assignment := map[string]string{"user_id": user.ID, "role": "editor", "series": "*"}
	k.calls(
		call{admin, "POST", "/api/v1/roles", assignment, http.StatusCreated},
		call{admin, "POST", "/api/v1/roles", assignment, http.StatusConflict},
		call{admin, "POST", "/api/v1/roles", map[string]string{"user_id": user.ID, "role": "emperor", "series": "*"}, http.StatusBadRequest},
		call{admin, "GET", "/api/v1/roles?user_id=" + user.ID, nil, http.StatusOK},
		call{admin, "GET", "/api/v1/roles", nil, http.StatusOK},
		call{admin, "DELETE", "/api/v1/roles", assignment, http.StatusNoContent},
		call{admin, "DELETE", "/api/v1/roles", assignment, http.StatusNotFound},
	)

	checkContentCalls(t, env, k, admin)
	// The content calls' two test sends of the newsletter, and nothing else.
	if n, err := env.App.Mailer.SendDue(context.Background()); err != nil || n != 2 || len(box.Take()) != 2 {
		t.Fatalf("test sends: sent %d, %v; want 2", n, err)
	}
	checkDeliveryCalls(t, env, k, admin)
	checkMediaCalls(t, env, k)
	checkSubscriberCalls(t, env, k, admin, box, bodyLimit)
	checkReleaseCalls(t, env, k)

	k.calls(
		call{admin, "DELETE", "/api/v1/tokens/" + tok.ID, nil, http.StatusNoContent},
		call{admin, "DELETE", "/api/v1/tokens/" + tok.ID, nil, http.StatusNotFound},
		call{bearer, "GET", "/api/v1/me", nil, http.StatusUnauthorized},
	)

	k.do(writer, "POST", "/api/v1/auth/logout", nil, http.StatusNoContent)
	k.do(writer, "GET", "/api/v1/me", nil, http.StatusUnauthorized)
}
