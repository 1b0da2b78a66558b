package app_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/masthead-cms/masthead/internal/apidoc"
)

// TestOpenAPIConventions checks what every operation must say, so that a
// route added later is documented as completely as the first ones.
func TestOpenAPIConventions(t *testing.T) {
	t.Parallel()
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
				if method != http.MethodGet && method != http.MethodHead {
					t.Errorf("%s: public routes are read-only", where)
				}
				// Every read route answers HEAD as GET (delivery.Register):
				// say so, so that clients and proxies may rely on it.
				if method == http.MethodGet && item.Head == nil {
					t.Errorf("%s: it answers HEAD as well; document the HEAD operation beside it", where)
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
