package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/apidoc"
	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// The OpenAPI document (internal/apidoc/openapi.json) is written by hand.
// These tests keep it true: every API route is documented and nothing else
// is, the document is valid OpenAPI 3.1, the server serves it as embedded,
// it follows the API's conventions, and real requests and responses match
// its schemas.

const docFile = "internal/apidoc/openapi.json"

// openAPIMethods are the HTTP methods an OpenAPI path item can describe.
// Echo's own pseudo-methods (echo.RouteNotFound, which Group.Use registers
// as catch-alls) and the exotic methods e.Any adds are not API operations.
var openAPIMethods = []string{
	http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete,
	http.MethodOptions, http.MethodHead, http.MethodPatch, http.MethodTrace,
}

// inScope reports whether a route belongs in the document: both APIs and
// the health endpoints.
func inScope(path string) bool {
	return strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/delivery/") ||
		path == "/healthz" || path == "/readyz"
}

// public reports whether a path is read by anyone, without an account:
// the delivery API, the sitemap at the root, and the files of live heroes
// at /media/{id}.
func public(path string) bool {
	return strings.HasPrefix(path, "/delivery/") || path == "/sitemap.xml" || strings.HasPrefix(path, "/media/")
}

// publicWrite reports whether a public path changes state: the mailing
// lists' sign-up and their confirm and unsubscribe links, the delivery
// API's one write. The rules for public routes are there for caches,
// which keep and share what they serve; these routes must never be
// served from a cache (a stored "confirmed" would answer a link that
// confirms nothing), so checkPublicWrite holds them to rules of their
// own. Every other public route stays read-only and cacheable.
func publicWrite(path string) bool {
	return path == "/delivery/v1/subscribers" || strings.HasPrefix(path, "/delivery/v1/subscribers/")
}

// openAPIPath turns an Echo route path into an OpenAPI path template:
// "/api/v1/users/:id" becomes "/api/v1/users/{id}".
func openAPIPath(echoPath string) string {
	segs := strings.Split(echoPath, "/")
	for i, s := range segs {
		if name, ok := strings.CutPrefix(s, ":"); ok {
			segs[i] = "{" + name + "}"
		}
	}
	return strings.Join(segs, "/")
}

type operation struct{ method, path string }

// loadDoc parses and validates an OpenAPI document with kin-openapi, which
// validates OpenAPI 3.1 documents (schemas as JSON Schema 2020-12, checked
// by santhosh-tekuri/jsonschema) and rejects unknown fields of its objects.
func loadDoc(t *testing.T, data []byte) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		t.Fatalf("%s does not load: %v", docFile, err)
	}
	if err := doc.Validate(loader.Context, openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("%s is not a valid OpenAPI document: %v", docFile, err)
	}
	return doc
}

// TestOpenAPIRoutesMatchRouter compares the router's routes with the
// document's operations, both ways.
func TestOpenAPIRoutesMatchRouter(t *testing.T) {
	env := apptest.New(t, storetest.OpenSQLite(t))
	doc := loadDoc(t, apidoc.Document)

	documented := map[operation]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[operation{strings.ToUpper(method), path}] = true
		}
	}
	registered := map[operation]bool{}
	for _, r := range env.App.Router().Routes() {
		if r.Method == echo.RouteNotFound || !slices.Contains(openAPIMethods, r.Method) {
			continue
		}
		p := openAPIPath(r.Path)
		if !inScope(r.Path) && doc.Paths.Value(p) == nil {
			continue
		}
		registered[operation{r.Method, p}] = true
	}
	// HEAD answers exactly as GET without a body (RFC 9110 §9.3.2): a HEAD
	// route beside a GET route needs no operation of its own.
	for op := range registered {
		if op.method == http.MethodHead && registered[operation{http.MethodGet, op.path}] && !documented[op] {
			delete(registered, op)
		}
	}

	var missing, stale []operation
	for op := range registered {
		if !documented[op] {
			missing = append(missing, op)
		}
	}
	for op := range documented {
		if !registered[op] {
			stale = append(stale, op)
		}
	}
	byPath := func(a, b operation) int { return strings.Compare(a.path+" "+a.method, b.path+" "+b.method) }
	slices.SortFunc(missing, byPath)
	slices.SortFunc(stale, byPath)
	if len(missing) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "%d route(s) are registered but not documented; add to \"paths\" in %s:\n", len(missing), docFile)
		for _, op := range missing {
			fmt.Fprintf(&b, "\t%-7s %-40s → \"paths\": {%q: {%q: {operationId, summary, responses…}}}\n",
				op.method, op.path, op.path, strings.ToLower(op.method))
		}
		b.WriteString("\t(reuse #/components/responses, #/components/schemas and #/components/parameters; see TestOpenAPIConventions)")
		t.Error(b.String())
	}
	if len(stale) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "%d operation(s) are documented in %s but no route serves them; register them or remove them:\n", len(stale), docFile)
		for _, op := range stale {
			fmt.Fprintf(&b, "\t%-7s %-40s (\"paths\" → %q → %q)\n", op.method, op.path, op.path, strings.ToLower(op.method))
		}
		t.Error(b.String())
	}
	if len(registered) == 0 {
		t.Fatal("no API route found on the router: is the scope test wrong?")
	}
}

// TestOpenAPIDocumentIsValid validates the document as OpenAPI 3.1.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc := loadDoc(t, apidoc.Document)
	if doc.OpenAPI != "3.1.0" || !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	// The variant the response tests use must be valid too.
	loadDoc(t, strictDocument(t))
}

// TestOpenAPIConventions checks what every operation must say, so that a
// route added later is documented as completely as the first ones.
func TestOpenAPIConventions(t *testing.T) {
	doc := loadDoc(t, apidoc.Document)
	ids := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			if op.OperationID == "" || op.Summary == "" {
				t.Errorf("%s: give it an operationId and a summary", where)
			}
			if prev, ok := ids[op.OperationID]; ok && op.OperationID != "" {
				t.Errorf("%s: operationId %q is also used by %s", where, op.OperationID, prev)
			}
			ids[op.OperationID] = where
			responses := op.Responses.Map()
			success := false
			for code := range responses {
				success = success || strings.HasPrefix(code, "2")
			}
			if !success {
				t.Errorf("%s: document its success response", where)
			}
			security := doc.Security
			if op.Security != nil {
				security = *op.Security
			}
			secured := len(security) > 0
			api := strings.HasPrefix(path, "/api/") || public(path)
			write := method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
			if secured && responses["401"] == nil {
				t.Errorf("%s: it needs authentication, so document 401 (#/components/responses/Unauthorized)", where)
			}
			if secured && write {
				// Cookie-authenticated writes need the CSRF header; a
				// read-only token is refused: both are 403.
				for _, req := range security {
					if _, ok := req["sessionCookie"]; ok {
						if _, ok := req["csrfHeader"]; !ok {
							t.Errorf(`%s: a write needs "security": [{"sessionCookie": [], "csrfHeader": []}, {"bearerToken": []}]`, where)
						}
					}
				}
				if responses["403"] == nil {
					t.Errorf("%s: a write can be refused (CSRF, read-only token), so document 403 (#/components/responses/Forbidden)", where)
				}
			}
			if !write {
				for _, req := range security {
					if _, ok := req["csrfHeader"]; ok {
						t.Errorf("%s: reads need no CSRF header; use the document's default security", where)
					}
				}
			}
			if op.RequestBody != nil {
				if responses["400"] == nil || responses["413"] == nil {
					t.Errorf("%s: it takes a body, so document 400 and 413 (#/components/responses/BadRequest, TooLarge)", where)
				}
				content := op.RequestBody.Value.Content
				jsonBody, formBody := content.Get("application/json"), content.Get("multipart/form-data")
				switch {
				case jsonBody != nil && jsonBody.Schema != nil && jsonBody.Schema.Value != nil:
					if jsonBody.Schema.Value.Type.Is("object") {
						ap := jsonBody.Schema.Value.AdditionalProperties.Has
						if ap == nil || *ap {
							t.Errorf(`%s: JSON bodies are decoded strictly (unknown fields are 400), so its schema needs "additionalProperties": false`, where)
						}
					}
				case formBody != nil && formBody.Schema != nil && formBody.Schema.Value != nil:
					checkFormBody(t, where, formBody.Schema.Value)
				default:
					t.Errorf("%s: describe the body as application/json (or, to upload a file, multipart/form-data) with a schema", where)
				}
			}
			checkFileResponses(t, where, responses)
			if public(path) {
				if secured {
					t.Errorf(`%s: it is public; say "security": []`, where)
				}
				if responses["401"] != nil || responses["403"] != nil {
					t.Errorf("%s: a public route answers neither 401 nor 403", where)
				}
			}
			if public(path) && publicWrite(path) {
				checkPublicWrite(t, where, method, op)
			} else if public(path) {
				// Public routes are read-only, and what they serve may be
				// cached: whatever carries a validator (an ETag, or a
				// file's Last-Modified) answers 304 to a conditional
				// request, and every answer says how long it may be kept
				// (a preview: not at all).
				if method != http.MethodGet {
					t.Errorf("%s: public routes are read-only", where)
				}
				ok := responses["200"]
				switch {
				case ok == nil || ok.Value == nil || ok.Value.Headers["Cache-Control"] == nil:
					t.Errorf("%s: document the Cache-Control header of its 200 (#/components/headers/CacheControl)", where)
				case (ok.Value.Headers["ETag"] != nil || ok.Value.Headers["Last-Modified"] != nil) != (responses["304"] != nil):
					t.Errorf("%s: a 200 with a validator (ETag or Last-Modified) answers 304 to If-None-Match or If-Modified-Since, and only such a 200: document both or neither (#/components/headers/DeliveryETag and #/components/responses/NotModified, or #/components/headers/LastModified and #/components/responses/FileNotModified)", where)
				}
			}
			// A route whose 200 is also a page for browsers (the mailed
			// subscriber links) may answer a browser's error with a page;
			// programs still get the problem.
			pageRoute := false
			if ok := responses["200"]; ok != nil && ok.Value != nil {
				_, pageRoute = ok.Value.Content["text/html"]
			}
			for code, ref := range responses {
				if !api || code < "400" || ref.Value == nil {
					continue
				}
				if _, ok := ref.Value.Content["application/problem+json"]; !ok && len(ref.Value.Content) > 0 {
					t.Errorf("%s: response %s is a problem; document it as application/problem+json", where, code)
				}
				for mime := range ref.Value.Content {
					if mime != "application/problem+json" && !(pageRoute && mime == "text/html") {
						t.Errorf("%s: response %s is a problem; its content type is application/problem+json, not %s", where, code, mime)
					}
				}
			}
		}
	}
}

// checkPublicWrite checks a public route that changes state (publicWrite):
// a GET (a link followed from a mail) or a POST (a form, a mail client's
// one-click unsubscribe). No success it answers may be reused by a cache:
// no conditional request, no validator (ETag, Last-Modified), no 304, and
// "Cache-Control: no-store" always sent (#/components/headers/
// NoStoreCacheControl). Only a POST's success may leave Cache-Control out,
// as a cache never reuses the answer to a POST without explicit freshness
// (RFC 9111 §4); when it does send one, it says no-store too.
func checkPublicWrite(t *testing.T, where, method string, op *openapi3.Operation) {
	t.Helper()
	if method != http.MethodGet && method != http.MethodPost {
		t.Errorf("%s: a public write is a GET (a link in a mail) or a POST (a form, one-click unsubscribe)", where)
	}
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.In == "header" && (p.Value.Name == "If-None-Match" || p.Value.Name == "If-Modified-Since") {
			t.Errorf("%s: a public write is never served from a cache: drop the conditional %s", where, p.Value.Name)
		}
	}
	for code, ref := range op.Responses.Map() {
		if code == "304" {
			t.Errorf("%s: a public write is never served from a cache: it answers no 304", where)
		}
		if !strings.HasPrefix(code, "2") || ref.Value == nil {
			continue
		}
		for _, name := range []string{"ETag", "Last-Modified"} {
			if ref.Value.Headers[name] != nil {
				t.Errorf("%s: response %s of a public write carries no validator (%s)", where, code, name)
			}
		}
		cc := ref.Value.Headers["Cache-Control"]
		if cc == nil {
			if method != http.MethodPost {
				t.Errorf("%s: response %s changes state on a GET: say Cache-Control: no-store (#/components/headers/NoStoreCacheControl)", where, code)
			}
			continue
		}
		var value any
		required := cc.Value != nil && cc.Value.Required
		if required && cc.Value.Schema != nil && cc.Value.Schema.Value != nil {
			value = cc.Value.Schema.Value.Const
		}
		if s, _ := value.(string); !required || !slices.Contains(strings.Split(strings.ReplaceAll(s, " ", ""), ","), "no-store") {
			t.Errorf("%s: response %s of a public write must always say Cache-Control: no-store (#/components/headers/NoStoreCacheControl)", where, code)
		}
	}
}

// checkFormBody checks a multipart/form-data request body, the one way a
// file is uploaded. Unlike a JSON body, a form is read part by part by
// name and the parts the server does not know are ignored, not refused:
// the schema says so with "additionalProperties": true rather than leave
// it unsaid (strictDocument would then forbid them). The file is a
// required part, described as bytes (contentMediaType).
func checkFormBody(t *testing.T, where string, schema *openapi3.Schema) {
	t.Helper()
	if !schema.Type.Is("object") || len(schema.Properties) == 0 {
		t.Errorf("%s: a multipart/form-data body is an object schema that names its parts", where)
		return
	}
	if ap := schema.AdditionalProperties.Has; ap == nil || !*ap {
		t.Errorf(`%s: the server ignores form parts it does not know, so the form's schema says "additionalProperties": true`, where)
	}
	files := 0
	for name, part := range schema.Properties {
		if part.Value == nil || (part.Value.ContentMediaType == "" && part.Value.Format != "binary") {
			continue
		}
		files++
		if !slices.Contains(schema.Required, name) {
			t.Errorf("%s: the form's file part %q is what it is for: list it in \"required\"", where, name)
		}
	}
	if files == 0 {
		t.Errorf(`%s: a multipart/form-data body carries a file: describe that part as bytes ("type": "string", "contentMediaType")`, where)
	}
}

// checkFileResponses checks responses that serve uploaded bytes (images):
// they name each type they may have, never a wildcard, and document the
// headers that keep a browser from taking the file for something else or
// running anything in it.
func checkFileResponses(t *testing.T, where string, responses map[string]*openapi3.ResponseRef) {
	t.Helper()
	for code, ref := range responses {
		if !strings.HasPrefix(code, "2") || ref.Value == nil {
			continue
		}
		for mime := range ref.Value.Content {
			if !strings.HasPrefix(mime, "image/") {
				continue
			}
			if strings.Contains(mime, "*") {
				t.Errorf("%s: response %s serves %s; name each type it may serve", where, code, mime)
			}
			for name, component := range map[string]string{"X-Content-Type-Options": "NoSniff", "Content-Security-Policy": "FileCSP"} {
				if ref.Value.Headers[name] == nil {
					t.Errorf("%s: response %s serves uploaded bytes (%s), so document %s (#/components/headers/%s)", where, code, mime, name, component)
				}
			}
			break
		}
	}
}

// TestOpenAPIServed fetches the document over HTTP.
func TestOpenAPIServed(t *testing.T) {
	env := apptest.New(t, storetest.OpenSQLite(t))
	resp, err := http.Get(env.Server.URL + "/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/openapi.json: status %d: %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if !json.Valid(body) {
		t.Fatal("the served document is not JSON")
	}
	if !bytes.Equal(body, apidoc.Document) {
		t.Error("the served document differs from the embedded one")
	}
	loadDoc(t, body)
}

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

	k.do(anon, "GET", "/healthz", nil, http.StatusOK)
	k.do(anon, "GET", "/readyz", nil, http.StatusOK)
	k.do(anon, "GET", "/api/openapi.json", nil, http.StatusOK)

	// Authentication.
	k.do(anon, "POST", "/api/v1/auth/login", map[string]string{"email": apptest.AdminEmail, "password": "wrong-password"}, http.StatusUnauthorized)
	k.do(anon, "POST", "/api/v1/auth/login", `{"email":`, http.StatusBadRequest)
	k.do(anon, "POST", "/api/v1/auth/login", map[string]any{"email": 1}, http.StatusBadRequest)
	k.do(anon, "POST", "/api/v1/auth/login", `{"email":"`+strings.Repeat("a", 2*bodyLimit)+`"}`, http.StatusRequestEntityTooLarge)
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
	k.do(admin, "POST", "/api/v1/users", newUser, http.StatusConflict)
	k.do(admin, "POST", "/api/v1/users", map[string]string{"email": "not-an-email", "name": "", "password": "short"}, http.StatusBadRequest)
	k.do(admin, "GET", "/api/v1/users", nil, http.StatusOK)
	k.do(admin, "GET", "/api/v1/users/"+user.ID, nil, http.StatusOK)
	k.do(admin, "GET", "/api/v1/users/no-such-user", nil, http.StatusNotFound)
	k.do(admin, "PATCH", "/api/v1/users/"+user.ID, map[string]any{"name": "Writer Two", "active": nil}, http.StatusOK)
	k.do(admin, "PATCH", "/api/v1/users/no-such-user", map[string]any{"active": false}, http.StatusNotFound)
	writer := k.login(env, "writer@example.org", "writer-password")
	k.do(writer, "GET", "/api/v1/users", nil, http.StatusForbidden)

	// One's own password.
	k.do(admin, "POST", "/api/v1/users", map[string]string{"email": "own@example.org", "name": "Own", "password": "own-password-1"}, http.StatusCreated)
	own := k.login(env, "own@example.org", "own-password-1")
	change := func(current, next string) map[string]string {
		return map[string]string{"current_password": current, "new_password": next}
	}
	k.do(anon, "PUT", "/api/v1/me/password", change("own-password-1", "own-password-2"), http.StatusUnauthorized)
	k.do(own, "PUT", "/api/v1/me/password", change("own-password-1", "short"), http.StatusBadRequest)
	k.do(own, "PUT", "/api/v1/me/password", change("wrong-password", "own-password-2"), http.StatusForbidden)
	k.do(own, "PUT", "/api/v1/me/password", change("own-password-1", "own-password-2"), http.StatusNoContent)
	own.CSRF, _ = k.do(own, "GET", "/api/v1/me", nil, http.StatusOK).JSON()["csrf_token"].(string)
	for range 5 {
		k.do(own, "PUT", "/api/v1/me/password", change("wrong-password", "own-password-3"), http.StatusForbidden)
	}
	k.do(own, "PUT", "/api/v1/me/password", change("own-password-2", "own-password-3"), http.StatusTooManyRequests)

	// Roles.
	assignment := map[string]string{"user_id": user.ID, "role": "editor", "series": "*"}
	k.do(admin, "POST", "/api/v1/roles", assignment, http.StatusCreated)
	k.do(admin, "POST", "/api/v1/roles", assignment, http.StatusConflict)
	k.do(admin, "POST", "/api/v1/roles", map[string]string{"user_id": user.ID, "role": "emperor", "series": "*"}, http.StatusBadRequest)
	k.do(admin, "GET", "/api/v1/roles?user_id="+user.ID, nil, http.StatusOK)
	k.do(admin, "GET", "/api/v1/roles", nil, http.StatusOK)
	k.do(admin, "DELETE", "/api/v1/roles", assignment, http.StatusNoContent)
	k.do(admin, "DELETE", "/api/v1/roles", assignment, http.StatusNotFound)

	checkContentCalls(t, env, k, admin)
	checkDeliveryCalls(t, env, k, admin)
	checkMediaCalls(t, env, k)
	checkSubscriberCalls(t, env, k, admin, box, bodyLimit)

	k.do(admin, "DELETE", "/api/v1/tokens/"+tok.ID, nil, http.StatusNoContent)
	k.do(admin, "DELETE", "/api/v1/tokens/"+tok.ID, nil, http.StatusNotFound)
	k.do(bearer, "GET", "/api/v1/me", nil, http.StatusUnauthorized)

	k.do(writer, "POST", "/api/v1/auth/logout", nil, http.StatusNoContent)
	k.do(writer, "GET", "/api/v1/me", nil, http.StatusUnauthorized)
}

// checkContentCalls plays the content model and the editorial workflow
// (SPEC §2, §3 and §5's core calls) through the contract: series, content
// types, contributors, and one briefing from draft to published, with the
// If-Match rules (428, 412), workflow conflicts (409), permissions (403,
// and 404 for a document the caller may not see), credits, revisions,
// diffs, comments and events.
func checkContentCalls(t *testing.T, env *apptest.Env, k *contract, admin *apptest.Client) {
	t.Helper()

	// Series.
	k.do(admin, "POST", "/api/v1/series", map[string]any{"slug": "the-peninsula", "name": "The Peninsula", "kind": "blog"}, http.StatusCreated)
	koreaView := map[string]any{"slug": "korea-view", "name": "Korea View", "kind": "newsletter", "parent": "the-peninsula",
		"about": "This briefing comes from Korea View, a weekly newsletter published by the Korea Economic Institute."}
	k.do(admin, "POST", "/api/v1/series", koreaView, http.StatusCreated)
	k.do(admin, "POST", "/api/v1/series", koreaView, http.StatusConflict)
	k.do(admin, "POST", "/api/v1/series", map[string]any{"slug": "Not A Slug", "name": "X", "kind": "zine"}, http.StatusBadRequest)
	k.do(admin, "GET", "/api/v1/series", nil, http.StatusOK)
	k.do(admin, "GET", "/api/v1/series/korea-view", nil, http.StatusOK)
	k.do(admin, "GET", "/api/v1/series/no-such-series", nil, http.StatusNotFound)
	k.do(admin, "PATCH", "/api/v1/series/the-peninsula", map[string]any{"description": "A blog of the Korea Economic Institute.", "name": nil}, http.StatusOK)
	k.do(admin, "PATCH", "/api/v1/series/no-such-series", map[string]any{"name": "X"}, http.StatusNotFound)

	author := env.CreateUser("author@example.org", "author:korea-view")
	otherAuthor := env.CreateUser("other-author@example.org", "author:korea-view")
	editor := env.CreateUser("editor@example.org", "editor:the-peninsula")
	publisher := env.CreateUser("publisher@example.org", "publisher:korea-view")
	k.do(author, "POST", "/api/v1/series", map[string]any{"slug": "mine", "name": "Mine", "kind": "blog"}, http.StatusForbidden)

	// Content types.
	k.do(author, "GET", "/api/v1/content-types", nil, http.StatusOK)
	k.do(author, "GET", "/api/v1/content-types/briefing", nil, http.StatusOK)
	k.do(author, "GET", "/api/v1/content-types/no_such_type", nil, http.StatusNotFound)
	note := map[string]any{"name": "note", "label": "Note", "fields": []map[string]any{
		{"name": "body", "kind": "rich_text", "required": true},
		{"name": "links", "label": "Links", "kind": "text_list", "max_length": 500},
	}}
	k.do(admin, "POST", "/api/v1/content-types", note, http.StatusCreated)
	k.do(admin, "POST", "/api/v1/content-types", note, http.StatusConflict)
	k.do(admin, "POST", "/api/v1/content-types", map[string]any{"name": "Bad Name", "label": "", "fields": []any{}}, http.StatusBadRequest)
	k.do(author, "POST", "/api/v1/content-types", map[string]any{"name": "mine", "label": "Mine", "fields": []map[string]any{{"name": "body", "kind": "text"}}}, http.StatusForbidden)

	// Contributors: editors of any series add them.
	k.do(editor, "POST", "/api/v1/contributors", map[string]any{"name": "Yong Kwon"}, http.StatusCreated)
	k.do(admin, "POST", "/api/v1/contributors", map[string]any{"name": "Melissa Cho", "slug": "melissa-cho", "bio": "Researcher.", "user_id": nil}, http.StatusCreated)
	k.do(admin, "POST", "/api/v1/contributors", map[string]any{"name": "Yong Kwon"}, http.StatusConflict)
	k.do(admin, "POST", "/api/v1/contributors", map[string]any{"bio": "No name."}, http.StatusBadRequest)
	k.do(author, "POST", "/api/v1/contributors", map[string]any{"name": "Someone"}, http.StatusForbidden)
	k.do(author, "GET", "/api/v1/contributors", nil, http.StatusOK)
	k.do(author, "GET", "/api/v1/contributors/yong-kwon", nil, http.StatusOK)
	k.do(author, "GET", "/api/v1/contributors/nobody", nil, http.StatusNotFound)
	k.do(editor, "PATCH", "/api/v1/contributors/yong-kwon", map[string]any{"bio": "Editor of Korea View.", "user_id": editor.UserID}, http.StatusOK)
	k.do(editor, "PATCH", "/api/v1/contributors/yong-kwon", map[string]any{"user_id": ""}, http.StatusOK)
	k.do(editor, "PATCH", "/api/v1/contributors/nobody", map[string]any{"bio": "?"}, http.StatusNotFound)
	k.do(editor, "PATCH", "/api/v1/contributors/yong-kwon", map[string]any{"user_id": "no-such-user"}, http.StatusBadRequest)

	// Documents: create (201 with ETag), list, read.
	type document struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
		State   string `json:"state"`
	}
	decodeDoc := func(r *apptest.Response) document {
		t.Helper()
		var d document
		r.Decode(&d)
		if got, want := r.Header.Get("ETag"), fmt.Sprintf(`"%d"`, d.Version); got != want {
			t.Errorf("ETag %q, want %q (body %s)", got, want, r.Body)
		}
		return d
	}
	ifMatch := func(d document) []string { return []string{"If-Match", fmt.Sprintf(`"%d"`, d.Version)} }
	briefing := map[string]any{
		"type": "briefing", "series": "korea-view", "title": "Beijing Calibrates Its Approach to Seoul",
		"topics": []string{"China", "South Korea"},
		"fields": map[string]any{
			"summary":       "China raised joint dialogue with South Korea and a future 2+2 meeting.",
			"what_happened": []string{"The Chinese FM raised the idea of joint dialogue.", "The two ministers discussed a 2+2 meeting."},
			"implications":  "China’s engagement seems focused on calibrating its position vis-à-vis Washington.",
		},
	}
	d := decodeDoc(k.do(author, "POST", "/api/v1/documents", briefing, http.StatusCreated))
	if d.Version != 1 || d.State != "draft" {
		t.Errorf("created %+v, want version 1 in draft", d)
	}
	k.do(author, "POST", "/api/v1/documents", briefing, http.StatusConflict) // the slug is taken
	k.do(author, "POST", "/api/v1/documents", map[string]any{"type": "no_such_type", "series": "korea-view", "title": "T"}, http.StatusBadRequest)
	k.do(author, "POST", "/api/v1/documents", map[string]any{"type": "note", "series": "the-peninsula", "title": "T"}, http.StatusForbidden)
	k.do(author, "GET", "/api/v1/documents", nil, http.StatusOK)
	k.do(editor, "GET", "/api/v1/documents?series=the-peninsula&type=briefing&state=draft&topic=china&q=beijing&limit=1", nil, http.StatusOK)
	k.do(editor, "GET", "/api/v1/documents?limit=0", nil, http.StatusBadRequest)
	k.do(editor, "GET", "/api/v1/documents?cursor=not-a-cursor", nil, http.StatusBadRequest)
	decodeDoc(k.do(author, "GET", "/api/v1/documents/"+d.ID, nil, http.StatusOK))
	k.do(otherAuthor, "GET", "/api/v1/documents/"+d.ID, nil, http.StatusNotFound) // not theirs: it does not exist
	k.do(author, "GET", "/api/v1/documents/no-such-document", nil, http.StatusNotFound)

	// Edits: If-Match (or version) is required, a stale one is refused.
	edit := map[string]any{"fields": map[string]any{"context": "Seoul stays close to members of the QUAD.", "implications": nil}, "message": "context"}
	k.do(author, "PATCH", "/api/v1/documents/"+d.ID, edit, http.StatusPreconditionRequired)
	stale := ifMatch(d)
	d = decodeDoc(k.do(author, "PATCH", "/api/v1/documents/"+d.ID, edit, http.StatusOK, stale...))
	if d.Version != 2 {
		t.Errorf("after PATCH: version %d, want 2", d.Version)
	}
	k.do(author, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"title": "Lost update"}, http.StatusPreconditionFailed, stale...)
	d = decodeDoc(k.do(author, "PATCH", "/api/v1/documents/"+d.ID,
		map[string]any{"fields": map[string]any{"implications": "Beijing calibrates."}, "topics": []string{"china", "diplomacy"}, "version": d.Version}, http.StatusOK))
	k.do(author, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"title": ""}, http.StatusBadRequest, ifMatch(d)...)
	k.do(otherAuthor, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"title": "Mine"}, http.StatusNotFound, ifMatch(d)...)

	// Workflow: submit, a conflict, a refusal, credits, approve, publish.
	d = decodeDoc(k.do(author, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "submit"}, http.StatusOK))
	k.do(author, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "submit"}, http.StatusConflict)
	k.do(author, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "approve"}, http.StatusForbidden)
	k.do(author, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "fly"}, http.StatusBadRequest)
	k.do(editor, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "approve"}, http.StatusPreconditionFailed, stale...)

	k.do(editor, "GET", "/api/v1/documents/"+d.ID+"/credits", nil, http.StatusOK)
	credits := []map[string]string{{"role": "editor", "contributor": "yong-kwon"}, {"role": "contributor", "contributor": "melissa-cho"}}
	k.do(editor, "PUT", "/api/v1/documents/"+d.ID+"/credits", credits, http.StatusPreconditionRequired)
	k.do(author, "PUT", "/api/v1/documents/"+d.ID+"/credits", credits, http.StatusForbidden, ifMatch(d)...)
	k.do(editor, "PUT", "/api/v1/documents/"+d.ID+"/credits", []map[string]string{{"role": "editor", "contributor": "nobody"}}, http.StatusBadRequest, ifMatch(d)...)
	k.do(editor, "PUT", "/api/v1/documents/"+d.ID+"/credits", credits, http.StatusOK, ifMatch(d)...)
	k.do(editor, "PUT", "/api/v1/documents/"+d.ID+"/credits", credits, http.StatusPreconditionFailed, ifMatch(d)...)
	d = decodeDoc(k.do(editor, "GET", "/api/v1/documents/"+d.ID, nil, http.StatusOK))

	d = decodeDoc(k.do(editor, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "approve", "note": "Good to go"}, http.StatusOK, ifMatch(d)...))
	if d.State != "approved" {
		t.Errorf("after approve: state %q", d.State)
	}
	k.do(publisher, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "schedule", "at": "2000-01-01T00:00:00Z"}, http.StatusBadRequest)
	k.do(publisher, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "schedule", "at": "2999-01-01T09:00:00Z"}, http.StatusBadRequest)
	nextYear := fmt.Sprintf("%d-01-01T09:00:00Z", time.Now().Year()+1)
	d = decodeDoc(k.do(publisher, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "schedule", "at": nextYear}, http.StatusOK))
	d = decodeDoc(k.do(publisher, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "unschedule"}, http.StatusOK))
	d = decodeDoc(k.do(publisher, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "publish"}, http.StatusOK))
	if d.State != "published" {
		t.Errorf("after publish: state %q", d.State)
	}

	// Revisions: list, one, diff, restore.
	k.do(author, "GET", "/api/v1/documents/"+d.ID+"/revisions", nil, http.StatusOK)
	k.do(author, "GET", "/api/v1/documents/"+d.ID+"/revisions/1", nil, http.StatusOK)
	k.do(author, "GET", "/api/v1/documents/"+d.ID+"/revisions/x", nil, http.StatusBadRequest)
	k.do(author, "GET", "/api/v1/documents/"+d.ID+"/revisions/99", nil, http.StatusNotFound)
	k.do(otherAuthor, "GET", "/api/v1/documents/"+d.ID+"/revisions", nil, http.StatusNotFound)
	diff := k.do(author, "GET", "/api/v1/documents/"+d.ID+"/revisions/1/diff/4", nil, http.StatusOK).JSON()
	if changes, _ := diff["changes"].([]any); len(changes) == 0 {
		t.Errorf("diff 1 → 4: no changes in %v", diff)
	}
	k.do(author, "GET", "/api/v1/documents/"+d.ID+"/revisions/1/diff/99", nil, http.StatusNotFound)
	k.do(editor, "POST", "/api/v1/documents/"+d.ID+"/revisions/1/restore", nil, http.StatusPreconditionRequired)
	k.do(author, "POST", "/api/v1/documents/"+d.ID+"/revisions/1/restore", nil, http.StatusForbidden, ifMatch(d)...) // it would drop the credits
	d = decodeDoc(k.do(editor, "POST", "/api/v1/documents/"+d.ID+"/revisions/1/restore", nil, http.StatusOK, ifMatch(d)...))
	if d.State != "draft" {
		t.Errorf("after restoring into a published document: state %q, want draft", d.State)
	}

	// Comments and events.
	var comment struct {
		ID string `json:"id"`
	}
	k.do(editor, "POST", "/api/v1/documents/"+d.ID+"/comments", map[string]any{"field": "summary", "body": "Tighten this."}, http.StatusCreated).Decode(&comment)
	k.do(editor, "POST", "/api/v1/documents/"+d.ID+"/comments", map[string]any{"body": ""}, http.StatusBadRequest)
	k.do(otherAuthor, "POST", "/api/v1/documents/"+d.ID+"/comments", map[string]any{"body": "Hi"}, http.StatusNotFound)
	k.do(author, "GET", "/api/v1/documents/"+d.ID+"/comments", nil, http.StatusOK)
	k.do(author, "POST", "/api/v1/documents/"+d.ID+"/comments/"+comment.ID+"/resolve", nil, http.StatusOK)
	k.do(author, "POST", "/api/v1/documents/"+d.ID+"/comments/no-such-comment/resolve", nil, http.StatusNotFound)
	k.do(author, "GET", "/api/v1/documents/"+d.ID+"/comments", nil, http.StatusOK)
	k.do(author, "GET", "/api/v1/documents/"+d.ID+"/events", nil, http.StatusOK)
	k.do(otherAuthor, "GET", "/api/v1/documents/"+d.ID+"/events", nil, http.StatusNotFound)

	// Deleting: If-Match required, never a live document.
	k.do(editor, "DELETE", "/api/v1/documents/"+d.ID, nil, http.StatusPreconditionRequired)
	k.do(editor, "DELETE", "/api/v1/documents/"+d.ID, nil, http.StatusConflict, ifMatch(d)...)
	draft := decodeDoc(k.do(otherAuthor, "POST", "/api/v1/documents", map[string]any{"type": "note", "series": "korea-view", "title": "A note"}, http.StatusCreated))
	k.do(publisher, "DELETE", "/api/v1/documents/"+draft.ID, nil, http.StatusForbidden, ifMatch(draft)...)
	k.do(otherAuthor, "DELETE", "/api/v1/documents/"+draft.ID, nil, http.StatusPreconditionFailed, "If-Match", `"7"`)
	k.do(otherAuthor, "DELETE", "/api/v1/documents/"+draft.ID, nil, http.StatusNoContent, ifMatch(draft)...)
	k.do(otherAuthor, "DELETE", "/api/v1/documents/"+draft.ID, nil, http.StatusNotFound, ifMatch(draft)...)
}

// checkDeliveryCalls plays the delivery API (SPEC §5, issue 4) through the
// contract: webhooks registered by an admin, two briefings walked to
// published through the management API, then every delivery route read
// anonymously (validators, 304, pagination with a signed cursor and its
// forgeries, series, contributors, feeds and sitemaps), preview links from
// creation to revocation, public and staff search (issue 5), and the
// webhook deliveries the publishing caused.
func checkDeliveryCalls(t *testing.T, env *apptest.Env, k *contract, admin *apptest.Client) {
	t.Helper()
	ctx := context.Background()
	anon := env.Anonymous()

	// Webhooks, registered before anything is published.
	var received atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(receiver.Close)
	type createdWebhook struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	var hook, quiet createdWebhook
	k.do(admin, "POST", "/api/v1/webhooks", map[string]any{"url": receiver.URL + "/hook", "events": []string{"document.published", "document.unpublished"}}, http.StatusCreated).Decode(&hook)
	if !strings.HasPrefix(hook.Secret, "whsec_") {
		t.Errorf("created webhook: generated secret %q", hook.Secret)
	}
	const secret = "a-secret-of-25-characters"
	k.do(admin, "POST", "/api/v1/webhooks", map[string]any{"url": receiver.URL, "events": []string{"document.updated_live"}, "secret": secret}, http.StatusCreated).Decode(&quiet)
	if quiet.Secret != secret {
		t.Errorf("created webhook: secret %q, want the one sent", quiet.Secret)
	}
	k.do(admin, "POST", "/api/v1/webhooks", map[string]any{"url": "ftp://example.org/", "events": []string{"document.deleted"}}, http.StatusBadRequest)
	k.do(admin, "POST", "/api/v1/webhooks", map[string]any{"url": receiver.URL, "events": []string{"document.published"}, "secret": "short"}, http.StatusBadRequest)
	if list := k.do(admin, "GET", "/api/v1/webhooks", nil, http.StatusOK); bytes.Contains(list.Body, []byte(secret)) {
		t.Errorf("GET /api/v1/webhooks shows a secret: %s", list.Body)
	}

	// A series, a contributor, its staff, and two briefings published
	// through the workflow.
	k.do(admin, "POST", "/api/v1/series", map[string]any{"slug": "field-notes", "name": "Field Notes", "kind": "blog", "about": "Field Notes is written by the institute's fellows."}, http.StatusCreated)
	k.do(admin, "POST", "/api/v1/contributors", map[string]any{"name": "Ana Ruiz", "bio": "Fellow."}, http.StatusCreated)
	author := env.CreateUser("field-author@example.org", "author:field-notes")
	editor := env.CreateUser("field-editor@example.org", "editor:field-notes")
	publisher := env.CreateUser("field-publisher@example.org", "publisher:field-notes")
	outsider := env.CreateUser("outsider@example.org", "author:korea-view")
	k.do(editor, "POST", "/api/v1/webhooks", map[string]any{"url": receiver.URL, "events": []string{"document.published"}}, http.StatusForbidden)
	k.do(editor, "GET", "/api/v1/webhooks", nil, http.StatusForbidden)

	type document struct {
		ID      string `json:"id"`
		Slug    string `json:"slug"`
		Version int    `json:"version"`
	}
	create := func(title string) document {
		t.Helper()
		var d document
		k.do(author, "POST", "/api/v1/documents", map[string]any{
			"type": "briefing", "series": "field-notes", "title": title, "topics": []string{"Energy"},
			"fields": map[string]any{
				"summary":       "What " + title + " is about.",
				"what_happened": []string{"Something happened.", "Then something else."},
				"implications":  "**Much**, see [the data](https://example.org/data). <script>alert(1)</script>",
			},
		}, http.StatusCreated).Decode(&d)
		return d
	}
	publish := func(title string) document {
		t.Helper()
		d := create(title)
		k.do(author, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "submit"}, http.StatusOK).Decode(&d)
		k.do(editor, "PUT", "/api/v1/documents/"+d.ID+"/credits", []map[string]string{{"role": "editor", "contributor": "ana-ruiz"}},
			http.StatusOK, "If-Match", fmt.Sprintf(`"%d"`, d.Version))
		k.do(editor, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "approve"}, http.StatusOK)
		k.do(publisher, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "publish"}, http.StatusOK).Decode(&d)
		return d
	}
	first := publish("Grid Storage Goes Regional")
	second := publish("Hydrogen Hubs Stall")

	// One document: validators, 304, CORS.
	path := "/delivery/v1/documents/field-notes/" + first.Slug
	one := k.do(anon, "GET", path, nil, http.StatusOK, "Origin", "https://reader.example")
	var delivered struct {
		ID         string `json:"id"`
		CreditLine string `json:"credit_line"`
		Fields     struct {
			Implications struct {
				HTML string `json:"html"`
			} `json:"implications"`
		} `json:"fields"`
	}
	one.Decode(&delivered)
	if delivered.ID != first.ID || delivered.CreditLine != "Field Notes was edited by Ana Ruiz." {
		t.Errorf("delivered document: %s", one.Body)
	}
	if html := delivered.Fields.Implications.HTML; strings.Contains(html, "<script") || !strings.Contains(html, "noopener") {
		t.Errorf("implications as HTML: %q", html)
	}
	if got := one.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("GET %s with Origin: Access-Control-Allow-Origin %q, want *", path, got)
	}
	etag := one.Header.Get("ETag")
	k.do(anon, "GET", path, nil, http.StatusNotModified, "If-None-Match", etag)
	k.do(anon, "GET", path, nil, http.StatusOK, "If-None-Match", `"000000000000000000000000"`)
	k.do(anon, "GET", "/delivery/v1/documents/field-notes/no-such-document", nil, http.StatusNotFound)
	k.do(anon, "GET", "/delivery/v1/documents/no-such-series/"+first.Slug, nil, http.StatusNotFound)

	// Listing: two pages of one, total on both, a signed cursor.
	type page struct {
		Data []struct {
			Slug string `json:"slug"`
		} `json:"data"`
		NextCursor *string `json:"next_cursor"`
		Total      int     `json:"total"`
	}
	var p1, p2 page
	k.do(anon, "GET", "/delivery/v1/documents?series=field-notes&limit=1", nil, http.StatusOK).Decode(&p1)
	if p1.Total != 2 || len(p1.Data) != 1 || p1.NextCursor == nil {
		t.Fatalf("first page: %+v", p1)
	}
	k.do(anon, "GET", "/delivery/v1/documents?series=field-notes&limit=1&cursor="+url.QueryEscape(*p1.NextCursor), nil, http.StatusOK).Decode(&p2)
	if p2.Total != 2 || len(p2.Data) != 1 || p2.NextCursor != nil || p2.Data[0].Slug == p1.Data[0].Slug {
		t.Errorf("second page: %+v after %+v", p2, p1)
	}
	if slugs := []string{p1.Data[0].Slug, p2.Data[0].Slug}; !slices.Contains(slugs, first.Slug) || !slices.Contains(slugs, second.Slug) {
		t.Errorf("the pages hold %v, want %s and %s", slugs, first.Slug, second.Slug)
	}
	list := k.do(anon, "GET", "/delivery/v1/documents?series=field-notes&type=briefing&topic=Energy&contributor=ana-ruiz", nil, http.StatusOK)
	k.do(anon, "GET", "/delivery/v1/documents?series=field-notes&type=briefing&topic=Energy&contributor=ana-ruiz", nil, http.StatusNotModified, "If-None-Match", list.Header.Get("ETag"))
	k.do(anon, "GET", "/delivery/v1/documents", nil, http.StatusOK)
	_, sig, _ := strings.Cut(*p1.NextCursor, ".")
	forged := base64.RawURLEncoding.EncodeToString([]byte("0,"+first.ID)) + "." + sig
	k.do(anon, "GET", "/delivery/v1/documents?cursor="+url.QueryEscape(forged), nil, http.StatusBadRequest)
	k.do(anon, "GET", "/delivery/v1/documents?cursor=not-a-cursor", nil, http.StatusBadRequest)
	k.do(anon, "GET", "/delivery/v1/documents?limit=0", nil, http.StatusBadRequest)
	k.do(anon, "GET", "/delivery/v1/documents?limit=many", nil, http.StatusBadRequest)
	// Digests by default (checked above), whole documents on request.
	k.do(anon, "GET", "/delivery/v1/documents?series=field-notes&include=fields", nil, http.StatusOK)
	k.do(anon, "GET", "/delivery/v1/documents?include=everything", nil, http.StatusBadRequest)

	// Series and contributors.
	k.do(anon, "GET", "/delivery/v1/series", nil, http.StatusOK)
	if sr := k.do(anon, "GET", "/delivery/v1/series/field-notes", nil, http.StatusOK).JSON(); sr["documents"] != float64(2) {
		t.Errorf("delivered series: %v", sr)
	}
	k.do(anon, "GET", "/delivery/v1/series/no-such-series", nil, http.StatusNotFound)
	if c := k.do(anon, "GET", "/delivery/v1/contributors/ana-ruiz", nil, http.StatusOK).JSON(); c["total"] != float64(2) {
		t.Errorf("delivered contributor: %v", c)
	}
	k.do(anon, "GET", "/delivery/v1/contributors/nobody", nil, http.StatusNotFound)

	// Feeds and sitemaps: the content type (and the JSON Feed's schema).
	for path, want := range map[string]string{
		"/delivery/v1/feed.atom":              "application/atom+xml",
		"/delivery/v1/feed.json":              "application/feed+json",
		"/delivery/v1/feeds/field-notes.atom": "application/atom+xml",
		"/delivery/v1/feeds/field-notes.json": "application/feed+json",
		"/delivery/v1/sitemap.xml":            "application/xml",
		"/sitemap.xml":                        "application/xml",
	} {
		r := k.do(anon, "GET", path, nil, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, want) {
			t.Errorf("GET %s: Content-Type %q, want %s", path, ct, want)
		}
		if !bytes.Contains(r.Body, []byte(first.Slug)) {
			t.Errorf("GET %s does not show %s: %s", path, first.Slug, r.Body)
		}
		k.do(anon, "GET", path, nil, http.StatusNotModified, "If-None-Match", r.Header.Get("ETag"))
	}
	k.do(anon, "GET", "/delivery/v1/feeds/field-notes.rss", nil, http.StatusNotFound)
	k.do(anon, "GET", "/delivery/v1/feeds/no-such-series.atom", nil, http.StatusNotFound)

	// Preview links: whoever may read the draft creates one; it shows the
	// head revision, privately, until it is revoked.
	draft := create("Work in Progress")
	links := "/api/v1/documents/" + draft.ID + "/preview-links"
	var link struct {
		ID  string `json:"id"`
		URL string `json:"url"`
	}
	k.do(author, "POST", links, nil, http.StatusCreated).Decode(&link)
	k.do(editor, "POST", links, map[string]any{"expires_in": 3600}, http.StatusCreated)
	k.do(author, "POST", links, map[string]any{"expires_in": -1}, http.StatusBadRequest)
	k.do(author, "POST", links, map[string]any{"expires_in": 31 * 24 * 3600}, http.StatusBadRequest)
	k.do(outsider, "POST", links, nil, http.StatusNotFound)
	csrf := author.CSRF
	author.CSRF = ""
	k.do(author, "POST", links, nil, http.StatusForbidden)
	author.CSRF = csrf
	var linkList struct {
		Data []map[string]any `json:"data"`
	}
	k.do(author, "GET", links, nil, http.StatusOK).Decode(&linkList)
	if len(linkList.Data) != 2 {
		t.Errorf("preview links: %v", linkList.Data)
	}
	k.do(outsider, "GET", links, nil, http.StatusNotFound)
	u, err := url.Parse(link.URL)
	if err != nil || !strings.HasPrefix(u.Path, "/delivery/v1/preview/") {
		t.Fatalf("preview link URL %q", link.URL)
	}
	preview := k.do(anon, "GET", u.Path, nil, http.StatusOK)
	if preview.Header.Get("Cache-Control") != "private, no-store" || preview.Header.Get("X-Robots-Tag") != "noindex" {
		t.Errorf("preview headers: %v", preview.Header)
	}
	if got := preview.JSON(); got["id"] != draft.ID || got["title"] != "Work in Progress" {
		t.Errorf("preview: %s", preview.Body)
	}
	k.do(anon, "GET", "/delivery/v1/documents/field-notes/"+draft.Slug, nil, http.StatusNotFound)
	k.do(anon, "GET", u.Path+"x", nil, http.StatusNotFound)
	k.do(anon, "GET", "/delivery/v1/preview/not-a-token", nil, http.StatusNotFound)
	k.do(outsider, "DELETE", links+"/"+link.ID, nil, http.StatusNotFound)
	k.do(author, "DELETE", links+"/"+link.ID, nil, http.StatusNoContent)
	k.do(author, "DELETE", links+"/"+link.ID, nil, http.StatusNotFound)
	k.do(author, "DELETE", links+"/no-such-link", nil, http.StatusNotFound)
	k.do(anon, "GET", u.Path, nil, http.StatusNotFound)

	// Search (issue 5): published documents only, ranked, highlighted,
	// with exact totals and facets; staff search over head revisions.
	type facetCount struct {
		Value string `json:"value"`
		Count int    `json:"count"`
	}
	type searchResult struct {
		Total int `json:"total"`
		Data  []struct {
			ID      string `json:"id"`
			Snippet string `json:"snippet"`
		} `json:"data"`
		NextCursor *string `json:"next_cursor"`
		Facets     *struct {
			Series []facetCount `json:"series"`
			Topics []facetCount `json:"topics"`
			Years  []facetCount `json:"years"`
		} `json:"facets"`
	}
	var index searchResult
	browse := k.do(anon, "GET", "/delivery/v1/search?series=field-notes", nil, http.StatusOK, "Origin", "https://reader.example")
	browse.Decode(&index)
	if index.Total != 2 || len(index.Data) != 2 || index.NextCursor != nil || index.Facets == nil ||
		len(index.Facets.Years) != 1 || !slices.Contains(index.Facets.Series, facetCount{"field-notes", 2}) ||
		!slices.Contains(index.Facets.Topics, facetCount{"energy", 2}) {
		t.Fatalf("search without q: %s", browse.Body)
	}
	if got := browse.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("GET /delivery/v1/search with Origin: Access-Control-Allow-Origin %q, want *", got)
	}
	k.do(anon, "GET", "/delivery/v1/search?series=field-notes", nil, http.StatusNotModified, "If-None-Match", browse.Header.Get("ETag"))
	var whole searchResult
	k.do(anon, "GET", "/delivery/v1/search", nil, http.StatusOK).Decode(&whole)
	if whole.Total < index.Total {
		t.Errorf("the whole index holds %d documents, field-notes alone %d", whole.Total, index.Total)
	}
	var found searchResult
	k.do(anon, "GET", "/delivery/v1/search?q=hydrogen", nil, http.StatusOK).Decode(&found)
	if found.Total != 1 || len(found.Data) != 1 || found.Data[0].ID != second.ID || !strings.Contains(found.Data[0].Snippet, "<mark>") {
		t.Errorf("search for hydrogen: %+v", found)
	}
	year := index.Facets.Years[0].Value
	filtered := "/delivery/v1/search?q=happened&series=field-notes&type=briefing&topic=Energy&year=" + year + "&limit=1"
	var s1, s2 searchResult
	k.do(anon, "GET", filtered, nil, http.StatusOK).Decode(&s1)
	if s1.Total != 2 || len(s1.Data) != 1 || s1.NextCursor == nil || s1.Facets == nil {
		t.Fatalf("filtered search, first page: %+v", s1)
	}
	k.do(anon, "GET", filtered+"&facets=false&cursor="+url.QueryEscape(*s1.NextCursor), nil, http.StatusOK).Decode(&s2)
	if s2.Total != 2 || len(s2.Data) != 1 || s2.NextCursor != nil || s2.Facets != nil || s2.Data[0].ID == s1.Data[0].ID {
		t.Errorf("filtered search, second page without facets: %+v after %+v", s2, s1)
	}
	var scripted searchResult
	k.do(anon, "GET", "/delivery/v1/search?q=alert", nil, http.StatusOK).Decode(&scripted)
	for _, h := range slices.Concat(s1.Data, s2.Data, scripted.Data) {
		if strings.Contains(h.Snippet, "<script") || !strings.Contains(h.Snippet, "<mark>") {
			t.Errorf("snippet %q: want the match marked and the script escaped", h.Snippet)
		}
	}
	k.do(anon, "GET", `/delivery/v1/search?q=`+url.QueryEscape(`"grid storage" OR hubs -hydrogen regio*`), nil, http.StatusOK)
	k.do(anon, "GET", "/delivery/v1/search?q=progress", nil, http.StatusOK).Decode(&found)
	if found.Total != 0 || len(found.Data) != 0 {
		t.Errorf("public search found a draft: %+v", found)
	}
	k.do(anon, "GET", "/delivery/v1/search?q="+strings.Repeat("a", 257), nil, http.StatusBadRequest)
	k.do(anon, "GET", "/delivery/v1/search?q=a&cursor=not-a-cursor", nil, http.StatusBadRequest)
	k.do(anon, "GET", "/delivery/v1/search?cursor="+base64.RawURLEncoding.EncodeToString([]byte("o:99999")), nil, http.StatusBadRequest)
	k.do(anon, "GET", "/delivery/v1/search?limit=51", nil, http.StatusBadRequest)
	k.do(anon, "GET", "/delivery/v1/search?year=99", nil, http.StatusBadRequest)

	// Staff search: an author finds their own draft, another author does
	// not; an editor sees the series' documents in every state.
	var staff searchResult
	k.do(author, "GET", "/api/v1/search?q=progress", nil, http.StatusOK).Decode(&staff)
	if staff.Total != 1 || len(staff.Data) != 1 || staff.Data[0].ID != draft.ID {
		t.Errorf("the author's staff search for their draft: %+v", staff)
	}
	k.do(outsider, "GET", "/api/v1/search?q=progress", nil, http.StatusOK).Decode(&staff)
	if staff.Total != 0 {
		t.Errorf("another author's staff search found the draft: %+v", staff)
	}
	k.do(editor, "GET", "/api/v1/search?q=happened&state=draft", nil, http.StatusOK).Decode(&staff)
	if staff.Total != 1 || len(staff.Data) != 1 || staff.Data[0].ID != draft.ID || strings.Contains(staff.Data[0].Snippet, "<script") || !strings.Contains(staff.Data[0].Snippet, "<mark>") {
		t.Errorf("the editor's staff search for drafts: %+v", staff)
	}
	var sp1, sp2 searchResult
	k.do(editor, "GET", "/api/v1/search?state=published&limit=1", nil, http.StatusOK).Decode(&sp1)
	if sp1.Total != 2 || len(sp1.Data) != 1 || sp1.NextCursor == nil {
		t.Fatalf("the editor's published documents, first page: %+v", sp1)
	}
	k.do(editor, "GET", "/api/v1/search?state=published&limit=1&cursor="+url.QueryEscape(*sp1.NextCursor), nil, http.StatusOK).Decode(&sp2)
	if sp2.Total != 2 || len(sp2.Data) != 1 || sp2.NextCursor != nil || sp2.Data[0].ID == sp1.Data[0].ID {
		t.Errorf("the editor's published documents, second page: %+v after %+v", sp2, sp1)
	}
	k.do(editor, "GET", "/api/v1/search?state=flying", nil, http.StatusBadRequest)
	k.do(editor, "GET", "/api/v1/search?q="+strings.Repeat("a", 257), nil, http.StatusBadRequest)
	k.do(editor, "GET", "/api/v1/search?cursor=not-a-cursor", nil, http.StatusBadRequest)
	k.do(anon, "GET", "/api/v1/search?q=progress", nil, http.StatusUnauthorized)

	// The webhook deliveries the two publications caused.
	sent, err := env.App.Worker.DeliverDue(ctx)
	if err != nil || sent != 2 || received.Load() != 2 {
		t.Errorf("webhook worker: sent %d (received %d), %v; want 2", sent, received.Load(), err)
	}
	var attempts struct {
		Data []struct {
			Event      string `json:"event"`
			StatusCode int    `json:"status_code"`
		} `json:"data"`
	}
	k.do(admin, "GET", "/api/v1/webhooks/"+hook.ID+"/deliveries", nil, http.StatusOK).Decode(&attempts)
	if len(attempts.Data) != 2 || attempts.Data[0].Event != "document.published" || attempts.Data[0].StatusCode != http.StatusNoContent {
		t.Errorf("deliveries: %+v", attempts.Data)
	}
	k.do(admin, "GET", "/api/v1/webhooks/"+quiet.ID+"/deliveries", nil, http.StatusOK)
	k.do(admin, "GET", "/api/v1/webhooks/no-such-webhook/deliveries", nil, http.StatusNotFound)
	k.do(editor, "GET", "/api/v1/webhooks/"+hook.ID+"/deliveries", nil, http.StatusForbidden)
	k.do(editor, "DELETE", "/api/v1/webhooks/"+hook.ID, nil, http.StatusForbidden)
	k.do(admin, "DELETE", "/api/v1/webhooks/"+hook.ID, nil, http.StatusNoContent)
	k.do(admin, "DELETE", "/api/v1/webhooks/"+hook.ID, nil, http.StatusNotFound)
	k.do(admin, "DELETE", "/api/v1/webhooks/"+quiet.ID, nil, http.StatusNoContent)

	// Unpublished: gone from delivery at once.
	k.do(publisher, "POST", "/api/v1/documents/"+second.ID+"/transitions", map[string]any{"action": "unpublish"}, http.StatusOK)
	k.do(anon, "GET", "/delivery/v1/documents/field-notes/"+second.Slug, nil, http.StatusNotFound)
	var after page
	k.do(anon, "GET", "/delivery/v1/documents?series=field-notes", nil, http.StatusOK).Decode(&after)
	if after.Total != 1 || len(after.Data) != 1 || after.NextCursor != nil {
		t.Errorf("after unpublishing: %+v", after)
	}
	var gone searchResult
	k.do(anon, "GET", "/delivery/v1/search?q=hydrogen", nil, http.StatusOK).Decode(&gone)
	if gone.Total != 0 || len(gone.Data) != 0 {
		t.Errorf("search after unpublishing: %+v", gone)
	}
}

// uploadLimit is the largest media file in TestOpenAPIResponsesMatchDocument.
const uploadLimit = 64 << 10

// checkMediaCalls plays media (issue 6) through the contract: uploads as
// multipart forms, refused for who may not upload, for bytes that are not
// an image (whatever the name says), for bad attribution and for files
// over the limit; the list, one asset, its attribution changed; the file
// for staff (whole, a range, not modified); and the public file, 404 until
// a live document shows the asset as its hero, then served with the hero's
// attribution in delivery, then 404 again once it is unpublished.
func checkMediaCalls(t *testing.T, env *apptest.Env, k *contract) {
	t.Helper()
	anon := env.Anonymous()
	assistant := env.CreateUser("media-assistant@example.org", "assistant:korea-view")
	author := env.CreateUser("media-author@example.org", "author:korea-view")
	editor := env.CreateUser("media-editor@example.org", "editor:korea-view")
	publisher := env.CreateUser("media-publisher@example.org", "publisher:korea-view")
	upload := func(c *apptest.Client, filename string, data []byte, fields map[string]string, want int) *apptest.Response {
		t.Helper()
		body, header := apptest.Form(t, filename, data, fields)
		return k.do(c, "POST", "/api/v1/media", body, want, header...)
	}
	attribution := map[string]string{
		"alt":        "The foreign ministers of South Korea and China shake hands",
		"caption":    "Talks in Xiamen, April 2021",
		"credit":     "Creative Commons image from Flickr account of Republic of Korea",
		"licence":    "CC-BY-SA-2.0",
		"source_url": "https://www.flickr.com/photos/koreanet/",
	}

	// What is refused.
	picture := apptest.PNG(t, 40, 30)
	upload(author, "hero.png", picture, nil, http.StatusForbidden)
	upload(publisher, "hero.png", picture, nil, http.StatusForbidden)
	forged := upload(assistant, "forged.png", []byte("<html><script>alert(1)</script></html>"), nil, http.StatusUnsupportedMediaType)
	if p := forged.JSON(); p["code"] != "unsupported_media" {
		t.Errorf("forged upload: %s", forged.Body)
	}
	upload(assistant, "truncated.png", picture[:40], nil, http.StatusBadRequest)
	upload(assistant, "hero.png", picture, map[string]string{"licence": "CC BY; DROP"}, http.StatusBadRequest)
	upload(assistant, "hero.png", picture, map[string]string{"source_url": "javascript:alert(1)"}, http.StatusBadRequest)
	upload(assistant, "", nil, attribution, http.StatusBadRequest) // no file part
	upload(assistant, "big.png", bytes.Repeat([]byte{0x89}, uploadLimit+1), nil, http.StatusRequestEntityTooLarge)
	body, header := apptest.Form(t, "hero.png", picture, nil)
	csrf := assistant.CSRF
	assistant.CSRF = ""
	k.do(assistant, "POST", "/api/v1/media", body, http.StatusForbidden, header...)
	assistant.CSRF = csrf
	k.do(anon, "POST", "/api/v1/media", body, http.StatusUnauthorized, header...)

	// Stored, with an unknown part ignored ("additionalProperties": true).
	withExtra := maps.Clone(attribution)
	withExtra["zz_not_a_field"] = "ignored"
	var asset struct {
		ID       string `json:"id"`
		Filename string `json:"filename"`
		MIME     string `json:"mime"`
		Width    int    `json:"width"`
		Licence  string `json:"licence"`
		Caption  string `json:"caption"`
	}
	upload(assistant, "../photos/hero.png", picture, withExtra, http.StatusCreated).Decode(&asset)
	if asset.Filename != "hero.png" || asset.MIME != "image/png" || asset.Width != 40 || asset.Licence != "CC-BY-SA-2.0" {
		t.Errorf("uploaded asset: %+v", asset)
	}
	var list struct {
		Data  []map[string]any `json:"data"`
		Total int              `json:"total"`
	}
	k.do(author, "GET", "/api/v1/media", nil, http.StatusOK).Decode(&list)
	if list.Total != 1 || len(list.Data) != 1 || list.Data[0]["id"] != asset.ID {
		t.Errorf("media list after refused uploads and one stored: %+v", list)
	}
	k.do(author, "GET", "/api/v1/media?limit=1&offset=1", nil, http.StatusOK)
	k.do(anon, "GET", "/api/v1/media", nil, http.StatusUnauthorized)
	k.do(author, "GET", "/api/v1/media/"+asset.ID, nil, http.StatusOK)
	k.do(author, "GET", "/api/v1/media/no-such-asset", nil, http.StatusNotFound)

	// Attribution changed; null and absent fields stay.
	media := "/api/v1/media/" + asset.ID
	k.do(editor, "PATCH", media, map[string]any{"licence": "CC-BY-2.0", "caption": nil}, http.StatusOK).Decode(&asset)
	if asset.Licence != "CC-BY-2.0" || asset.Caption != attribution["caption"] {
		t.Errorf("after PATCH: %+v", asset)
	}
	k.do(editor, "PATCH", media, map[string]any{"licence": "not a licence"}, http.StatusBadRequest)
	k.do(editor, "PATCH", media, map[string]any{"alt": 5}, http.StatusBadRequest)
	k.do(author, "PATCH", media, map[string]any{"alt": "Mine"}, http.StatusForbidden)
	k.do(editor, "PATCH", "/api/v1/media/no-such-asset", map[string]any{"alt": "?"}, http.StatusNotFound)

	// The file for staff: whole, a range of it, not modified.
	file := k.do(author, "GET", media+"/file", nil, http.StatusOK)
	if ct := file.Header.Get("Content-Type"); ct != "image/png" || !bytes.Equal(file.Body, picture) {
		t.Errorf("staff file: Content-Type %q, %d bytes", ct, len(file.Body))
	}
	if part := k.do(author, "GET", media+"/file", nil, http.StatusPartialContent, "Range", "bytes=0-7"); !bytes.Equal(part.Body, picture[:8]) {
		t.Errorf("staff file, bytes 0-7: %q", part.Body)
	}
	k.do(author, "GET", media+"/file", nil, http.StatusNotModified, "If-Modified-Since", file.Header.Get("Last-Modified"))
	k.do(author, "GET", "/api/v1/media/no-such-asset/file", nil, http.StatusNotFound)
	k.do(anon, "GET", media+"/file", nil, http.StatusUnauthorized)

	// The public file: only while a live document shows it.
	publicFile := "/media/" + asset.ID
	k.do(anon, "GET", publicFile, nil, http.StatusNotFound)
	k.do(anon, "GET", "/media/no-such-asset", nil, http.StatusNotFound)
	var d struct {
		ID   string `json:"id"`
		Slug string `json:"slug"`
	}
	k.do(author, "POST", "/api/v1/documents", map[string]any{
		"type": "briefing", "series": "korea-view", "title": "Ministers Meet in Xiamen", "hero": asset.ID,
		"fields": map[string]any{"summary": "S", "what_happened": []string{"They met."}, "implications": "I"},
	}, http.StatusCreated).Decode(&d)
	k.do(anon, "GET", publicFile, nil, http.StatusNotFound) // a draft shows it
	k.do(author, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "submit"}, http.StatusOK)
	k.do(editor, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "approve"}, http.StatusOK)
	k.do(publisher, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "publish"}, http.StatusOK)
	var delivered struct {
		Hero struct {
			URL     string `json:"url"`
			Licence string `json:"licence"`
		} `json:"hero"`
	}
	k.do(anon, "GET", "/delivery/v1/documents/korea-view/"+d.Slug, nil, http.StatusOK).Decode(&delivered)
	if !strings.HasSuffix(delivered.Hero.URL, publicFile) || delivered.Hero.Licence != "CC-BY-2.0" {
		t.Errorf("delivered hero: %+v", delivered.Hero)
	}
	live := k.do(anon, "GET", publicFile, nil, http.StatusOK)
	if !bytes.Equal(live.Body, picture) || live.Header.Get("Content-Type") != "image/png" {
		t.Errorf("public file: Content-Type %q, %d bytes", live.Header.Get("Content-Type"), len(live.Body))
	}
	k.do(anon, "GET", publicFile, nil, http.StatusNotModified, "If-Modified-Since", live.Header.Get("Last-Modified"))
	k.do(publisher, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "unpublish"}, http.StatusOK)
	k.do(anon, "GET", publicFile, nil, http.StatusNotFound)
}

var confirmLinkRE = regexp.MustCompile(`/delivery/v1/subscribers/confirm\?token=[A-Za-z0-9_%.\-]+`)

// checkSubscriberCalls plays the mailing lists through the contract:
// sign-ups, all answered with the same 202, and the refused ones (400,
// 413); the confirmation mail, through a real SMTP server; the admin
// listing with each subscriber's way out, and who may not read it (401,
// 403) or asks it wrongly (400); a tampered link and a token used for the
// other purpose (404, on GET and POST); the confirmation link's GET, as a
// page and as JSON, which confirms nothing, then the POST that does (by
// form field and by query, then a malformed form, 400); the unsubscribe
// link's GET, which changes nothing, then a mail client's one-click POST
// to the listing's unsubscribe_url, and again; the old confirmation link
// after it (409); and a sign-up again. Every answer of a link is no-store.
func checkSubscriberCalls(t *testing.T, env *apptest.Env, k *contract, admin *apptest.Client, box *apptest.Mailbox, bodyLimit int) {
	t.Helper()
	ctx := context.Background()
	anon := env.Anonymous()
	const signUp = "/delivery/v1/subscribers"
	k.do(admin, "POST", "/api/v1/series", map[string]any{"slug": "weekly-letter", "name": "Weekly Letter", "kind": "newsletter"}, http.StatusCreated)
	k.do(admin, "POST", "/api/v1/series", map[string]any{"slug": "a-blog", "name": "A Blog", "kind": "blog"}, http.StatusCreated)

	// Refused sign-ups: nothing is queued.
	for _, bad := range []any{
		map[string]any{"email": "not-an-address", "series": "weekly-letter"},
		map[string]any{"email": "Reader <reader@example.org>", "series": "weekly-letter"},
		map[string]any{"email": "reader@example.org", "series": "no-such-series"},
		map[string]any{"email": "reader@example.org"},
		map[string]any{"email": "reader@example.org", "series": "weekly-letter", "name": "Reader"},
		map[string]any{"email": 5, "series": "weekly-letter"},
		map[string]any{"email": "reader@[192.0.2.1]", "series": "weekly-letter"},
		map[string]any{"email": "reader@localhost", "series": "weekly-letter"},
		map[string]any{"email": "reader@example", "series": "weekly-letter"},
		map[string]any{"email": "reader@example.org", "series": "a-blog"},
		`{"email":`,
	} {
		k.do(anon, "POST", signUp, bad, http.StatusBadRequest)
	}
	k.do(anon, "POST", signUp, `{"email":"`+strings.Repeat("a", 2*bodyLimit)+`@example.org","series":"weekly-letter"}`, http.StatusRequestEntityTooLarge)
	if n, err := env.App.Mailer.SendDue(ctx); err != nil || n != 0 {
		t.Fatalf("refused sign-ups: sent %d mail, %v; want none", n, err)
	}

	// Sign-ups: the same answer for a new and a pending address, and for a
	// form on another site (CORS); one confirmation mail.
	sign := map[string]any{"email": " Reader@Example.org ", "series": "weekly-letter"}
	first := k.do(anon, "POST", signUp, sign, http.StatusAccepted, "Origin", "https://reader.example")
	if got := first.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("POST %s with Origin: Access-Control-Allow-Origin %q, want *", signUp, got)
	}
	if again := k.do(anon, "POST", signUp, sign, http.StatusAccepted); !bytes.Equal(first.Body, again.Body) {
		t.Errorf("sign-up answers differ: %s / %s", first.Body, again.Body)
	}
	if n, err := env.App.Mailer.SendDue(ctx); err != nil || n != 1 {
		t.Fatalf("sent %d mail, %v; want one confirmation (the second sign-up within the hour sends none)", n, err)
	}
	msgs := box.Take()
	if len(msgs) != 1 || !strings.Contains(msgs[0], "reader@example.org") {
		t.Fatalf("mailbox: %q", msgs)
	}
	confirm := confirmLinkRE.FindString(msgs[0])
	if confirm == "" {
		t.Fatalf("no confirmation link in %q", msgs[0])
	}

	// The admin listing, with each subscriber's way out.
	type subscriber struct {
		Email          string `json:"email"`
		Status         string `json:"status"`
		UnsubscribeURL string `json:"unsubscribe_url"`
	}
	var list struct {
		Data  []subscriber `json:"data"`
		Total int          `json:"total"`
	}
	k.do(admin, "GET", "/api/v1/subscribers?series=weekly-letter&status=pending&limit=10&offset=0", nil, http.StatusOK).Decode(&list)
	if list.Total != 1 || len(list.Data) != 1 || list.Data[0].Email != "reader@example.org" || list.Data[0].Status != "pending" {
		t.Fatalf("pending subscribers: %+v", list)
	}
	out, err := url.Parse(list.Data[0].UnsubscribeURL)
	if err != nil || out.Path != "/delivery/v1/subscribers/unsubscribe" || out.Query().Get("token") == "" {
		t.Fatalf("unsubscribe_url %q", list.Data[0].UnsubscribeURL)
	}
	if !strings.Contains(msgs[0], list.Data[0].UnsubscribeURL) {
		t.Errorf("the confirmation mail does not carry the way out %s: %q", list.Data[0].UnsubscribeURL, msgs[0])
	}
	k.do(admin, "GET", "/api/v1/subscribers", nil, http.StatusOK)
	k.do(admin, "GET", "/api/v1/subscribers?series=no-such-series", nil, http.StatusOK).Decode(&list)
	if list.Total != 0 || len(list.Data) != 0 {
		t.Errorf("an unknown series' list: %+v", list)
	}
	for _, bad := range []string{"status=bogus", "limit=0", "limit=1001", "limit=many", "offset=-1"} {
		k.do(admin, "GET", "/api/v1/subscribers?"+bad, nil, http.StatusBadRequest)
	}
	k.do(env.CreateUser("list-editor@example.org", "editor:weekly-letter"), "GET", "/api/v1/subscribers", nil, http.StatusForbidden)
	k.do(anon, "GET", "/api/v1/subscribers", nil, http.StatusUnauthorized)

	// Confirmation: a tampered token, a missing one and an unsubscribe
	// token are not found, on GET and POST, and change nothing.
	_, token, _ := strings.Cut(out.RawQuery, "token=")
	_, confirmToken, _ := strings.Cut(confirm, "token=")
	const asJSON, asForm = "application/json", "application/x-www-form-urlencoded"
	k.do(anon, "GET", confirm+"x", nil, http.StatusNotFound)
	k.do(anon, "GET", "/delivery/v1/subscribers/confirm", nil, http.StatusNotFound)
	k.do(anon, "GET", "/delivery/v1/subscribers/confirm?token="+token, nil, http.StatusNotFound)
	k.do(anon, "POST", confirm+"x", nil, http.StatusNotFound)
	k.do(anon, "POST", "/delivery/v1/subscribers/confirm", "token="+confirmToken+"x", http.StatusNotFound, "Content-Type", asForm)
	k.do(anon, "POST", "/delivery/v1/subscribers/unsubscribe?token="+confirmToken, nil, http.StatusNotFound)
	status := func(want string) {
		t.Helper()
		var list struct {
			Data []subscriber `json:"data"`
		}
		k.do(admin, "GET", "/api/v1/subscribers?series=weekly-letter", nil, http.StatusOK).Decode(&list)
		if len(list.Data) != 1 || list.Data[0].Status != want {
			t.Fatalf("subscribers: %+v, want one %s", list.Data, want)
		}
	}
	status("pending")

	// The mailed link, fetched (by a person or a mail scanner), confirms
	// nothing: a page with the button, or the pending action as JSON.
	page := k.do(anon, "GET", confirm, nil, http.StatusOK)
	if ct := page.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !bytes.Contains(page.Body, []byte(`<form method="post">`)) ||
		page.Header.Get("Cache-Control") != "no-store" || page.Header.Get("ETag") != "" {
		t.Errorf("confirmation page: %s, headers %v", page.Body, page.Header)
	}
	var pending struct {
		Action string `json:"action"`
		Series string `json:"series"`
		Status string `json:"status"`
	}
	k.do(anon, "GET", confirm, nil, http.StatusOK, "Accept", asJSON).Decode(&pending)
	if pending.Action != "confirm" || pending.Series != "weekly-letter" || pending.Status != "pending" {
		t.Errorf("confirmation link as JSON: %+v", pending)
	}
	status("pending")

	// The POST confirms: the page's form, then the link itself, again.
	var state struct {
		Status string `json:"status"`
		Series string `json:"series"`
	}
	done := k.do(anon, "POST", "/delivery/v1/subscribers/confirm", "token="+confirmToken, http.StatusOK, "Content-Type", asForm, "Accept", asJSON)
	done.Decode(&state)
	if state.Status != "confirmed" || state.Series != "weekly-letter" || done.Header.Get("Cache-Control") != "no-store" || done.Header.Get("ETag") != "" {
		t.Errorf("confirm: %s, headers %v", done.Body, done.Header)
	}
	status("confirmed")
	if again := k.do(anon, "POST", confirm, nil, http.StatusOK); !bytes.Contains(again.Body, []byte("You are subscribed to Weekly Letter")) {
		t.Errorf("confirm again: %s", again.Body)
	}
	k.do(anon, "POST", confirm, "token=%zz", http.StatusBadRequest, "Content-Type", asForm)
	k.do(anon, "GET", confirm, nil, http.StatusOK, "Accept", asJSON).Decode(&pending)
	if pending.Status != "confirmed" {
		t.Errorf("confirmation link once confirmed: %+v", pending)
	}
	k.do(admin, "GET", "/api/v1/subscribers?series=weekly-letter&status=confirmed", nil, http.StatusOK).Decode(&list)
	if list.Total != 1 || list.Data[0].UnsubscribeURL != out.String() {
		t.Fatalf("confirmed subscribers: %+v", list)
	}
	// A confirmed address signing up again: the same answer, no mail.
	if again := k.do(anon, "POST", signUp, sign, http.StatusAccepted); !bytes.Equal(first.Body, again.Body) {
		t.Errorf("sign-up answers differ for a confirmed address: %s / %s", first.Body, again.Body)
	}
	if n, _ := env.App.Mailer.SendDue(ctx); n != 0 {
		t.Errorf("mailed a confirmed subscriber again")
	}

	// The way out: fetching it changes nothing; a mail client's one-click
	// POST (RFC 8058) leaves, and again; the old confirmation does not
	// undo it.
	k.do(anon, "GET", out.RequestURI()+"x", nil, http.StatusNotFound)
	if page := k.do(anon, "GET", out.RequestURI(), nil, http.StatusOK); !bytes.Contains(page.Body, []byte("Unsubscribe from Weekly Letter")) {
		t.Errorf("unsubscribe page: %s", page.Body)
	}
	k.do(anon, "GET", out.RequestURI(), nil, http.StatusOK, "Accept", asJSON).Decode(&pending)
	if pending.Action != "unsubscribe" || pending.Status != "confirmed" {
		t.Errorf("unsubscribe link as JSON: %+v", pending)
	}
	status("confirmed")
	k.do(anon, "POST", out.RequestURI()+"x", "List-Unsubscribe=One-Click", http.StatusNotFound, "Content-Type", asForm)
	status("confirmed")
	left := k.do(anon, "POST", out.RequestURI(), "List-Unsubscribe=One-Click", http.StatusOK, "Content-Type", asForm)
	left.Decode(&state)
	if state.Status != "unsubscribed" || state.Series != "weekly-letter" || left.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("one-click unsubscribe: %s, headers %v", left.Body, left.Header)
	}
	k.do(anon, "POST", out.RequestURI(), "List-Unsubscribe=One-Click", http.StatusOK, "Content-Type", asForm).Decode(&state)
	if state.Status != "unsubscribed" {
		t.Errorf("unsubscribe again: %+v", state)
	}
	k.do(anon, "GET", out.RequestURI(), nil, http.StatusOK, "Accept", asJSON).Decode(&pending)
	if pending.Status != "unsubscribed" {
		t.Errorf("unsubscribe link once unsubscribed: %+v", pending)
	}
	k.do(anon, "GET", confirm, nil, http.StatusConflict)
	k.do(anon, "POST", confirm, nil, http.StatusConflict, "Accept", asJSON)
	k.do(admin, "GET", "/api/v1/subscribers?status=unsubscribed", nil, http.StatusOK).Decode(&list)
	if list.Total != 1 || list.Data[0].Status != "unsubscribed" {
		t.Errorf("unsubscribed subscribers: %+v", list)
	}

	// Signing up again is the way back: pending, and a new link is mailed.
	k.do(anon, "POST", signUp, sign, http.StatusAccepted)
	if n, err := env.App.Mailer.SendDue(ctx); err != nil || n != 1 || len(box.Take()) != 1 {
		t.Errorf("sign-up after unsubscribing: sent %d mail, %v; want a new confirmation", n, err)
	}
	k.do(admin, "GET", "/api/v1/subscribers?series=weekly-letter", nil, http.StatusOK).Decode(&list)
	if list.Total != 1 || list.Data[0].Status != "pending" {
		t.Errorf("after signing up again: %+v", list)
	}

	// The fifth sign-up from this client in ten minutes is its last: the
	// sixth is 429 with Retry-After, and mails nothing.
	k.do(anon, "POST", signUp, map[string]any{"email": "another@example.org", "series": "weekly-letter"}, http.StatusAccepted)
	throttled := k.do(anon, "POST", signUp, map[string]any{"email": "a-third@example.org", "series": "weekly-letter"}, http.StatusTooManyRequests)
	if throttled.Header.Get("Retry-After") == "" {
		t.Errorf("a throttled sign-up has no Retry-After: %v", throttled.Header)
	}
	if n, err := env.App.Mailer.SendDue(ctx); err != nil || n != 1 || len(box.Take()) != 1 {
		t.Errorf("after a taken and a throttled sign-up: sent %d mail, %v; want the one confirmation", n, err)
	}
}

// TestOpenAPIStrictBodies sends an unknown field to every documented
// operation whose body schema forbids additional properties, and wants the
// 400 that names it: the document's "additionalProperties": false is what
// the server does.
func TestOpenAPIStrictBodies(t *testing.T) {
	env := apptest.New(t, storetest.OpenSQLite(t))
	doc := loadDoc(t, apidoc.Document)
	k := newContract(t)
	admin := env.Admin()
	const field = "zz_not_a_field"
	checked := 0
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			if op.RequestBody == nil {
				continue
			}
			mt := op.RequestBody.Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil || mt.Schema.Value.AdditionalProperties.Has == nil || *mt.Schema.Value.AdditionalProperties.Has {
				continue
			}
			url := path
			for _, p := range slices.Concat(doc.Paths.Value(path).Parameters, op.Parameters) {
				if p.Value.In == "path" {
					url = strings.ReplaceAll(url, "{"+p.Value.Name+"}", "x")
				}
			}
			body := []byte(`{"` + field + `":true}`)
			resp := admin.Do(method, url, body)
			k.check(admin, method, url, body, resp)
			if resp.Status == http.StatusNotFound || resp.Status == http.StatusPreconditionRequired {
				t.Logf("%s %s: answered %d before reading the body; strictness not checked", method, path, resp.Status)
				continue
			}
			checked++
			var p struct {
				Errors []struct{ Field string } `json:"errors"`
			}
			resp.Decode(&p)
			if len(p.Errors) == 0 || p.Errors[0].Field != field {
				t.Errorf("%s %s: an unknown field gave %s; want a 400 naming %q", method, path, resp.Body, field)
			}
		}
	}
	if checked == 0 {
		t.Error("no operation with a strict body was checked")
	}
}
