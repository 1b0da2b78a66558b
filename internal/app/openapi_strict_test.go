package app_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/apidoc"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// TestOpenAPIStrictBodies sends an unknown field to every documented
// operation whose body schema forbids additional properties, and wants the
// 400 that names it: the document's "additionalProperties": false is what
// the server does.
func TestOpenAPIStrictBodies(t *testing.T) {
	t.Parallel()
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
