package search_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// FuzzSearchEndpoint throws arbitrary query strings at the public and the
// staff search on every engine: the answer is 200 or 400, never a 500 or
// an engine syntax error. `go test` runs the seeds; `go test -fuzz
// FuzzSearchEndpoint ./internal/search/` explores further.
func FuzzSearchEndpoint(f *testing.F) {
	type engine struct {
		name   string
		anon   *apptest.Client
		writer *apptest.Client
	}
	var engines []engine
	for _, b := range storetest.Backends(f) {
		env := apptest.New(f, b.Open(f))
		n := setup(f, env)
		n.publish(f, n.draft(f, n.writer, "korea-view", "Seoul and Beijing", "China calibrates its approach."))
		engines = append(engines, engine{b.Name, env.Anonymous(), n.writer})
	}
	for _, s := range []string{`"a b" c* -d OR e`, `'; --`, "\x00\xff", `NEAR(a b)`, `""""`, `-*`, `a:*`, `!!x`, `x & y | z`, `(a OR b`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		for _, e := range engines {
			path := "?q=" + url.QueryEscape(q) + "&facets=true"
			for _, c := range []struct {
				client *apptest.Client
				path   string
			}{{e.anon.For(t), "/delivery/v1/search" + path}, {e.writer.For(t), "/api/v1/search" + path}} {
				r := c.client.Do("GET", c.path, nil)
				if r.Status != http.StatusOK && r.Status != http.StatusBadRequest {
					t.Fatalf("%s %s: status %d: %s", e.name, c.path, r.Status, r.Body)
				}
			}
		}
	})
}
