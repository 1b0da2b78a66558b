package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
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
	t.Parallel()
	// /metrics is on the router when its token is set.
	env := apptest.New(t, storetest.OpenSQLite(t), apptest.Options{Configure: func(o *app.Options) { o.MetricsToken = "a-metrics-token" }})
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
	t.Parallel()
	doc := loadDoc(t, apidoc.Document)
	if doc.OpenAPI != "3.1.0" || !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	// The variant the response tests use must be valid too.
	loadDoc(t, strictDocument(t))
}

// TestOpenAPIServed fetches the document over HTTP.
func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
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
