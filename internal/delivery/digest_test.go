package delivery_test

import (
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/render"
)

// digestOf is what a listing shows of a delivered document: all of it but
// its fields, its sections and the series' about-text.
func digestOf(doc map[string]any) map[string]any {
	d := maps.Clone(doc)
	for _, k := range []string{"fields", "sections", "about", "about_html"} {
		delete(d, k)
	}
	return d
}

// listedItems reads a listing's items as generic JSON objects.
func listedItems(t *testing.T, anon *apptest.Client, path string) []map[string]any {
	t.Helper()
	var p struct {
		Data []map[string]any `json:"data"`
	}
	anon.Do("GET", path, nil).Want(http.StatusOK).Decode(&p)
	return p.Data
}

// publishTwo publishes the reference briefing with its credits and hero-less
// companion, and returns their delivered documents by slug.
func publishTwo(t *testing.T, k *desk) map[string]map[string]any {
	t.Helper()
	a := k.act(k.writer, k.create(k.writer, briefing("korea-view", "Beijing Calibrates Its Approach to Seoul", "beijing-calibrates")), "submit")
	k.toPublished(k.credit(a, "editor", "yong-kwon", "contributor", "melissa-cho"))
	b := briefing("korea-view", "Seoul Answers", "seoul-answers")
	b["byline"] = "melissa-cho"
	k.toPublished(k.act(k.writer, k.create(k.writer, b), "submit"))
	docs := map[string]map[string]any{}
	for _, slug := range []string{"beijing-calibrates", "seoul-answers"} {
		docs[slug] = k.anon.Do("GET", "/delivery/v1/documents/korea-view/"+slug, nil).Want(http.StatusOK).JSON()
	}
	return docs
}

// TestListingsShowDigests: a listing's items are the delivered documents
// without fields and about-text, field for field; include=fields gives the
// whole documents; anything else in include is a 400 problem.
func TestListingsShowDigests(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		docs := publishTwo(t, k)

		check := func(what, path string, whole bool) {
			t.Helper()
			items := listedItems(t, k.anon, path)
			if len(items) != len(docs) {
				t.Fatalf("%s: %d items, want %d", what, len(items), len(docs))
			}
			for _, item := range items {
				slug, _ := item["slug"].(string)
				doc, ok := docs[slug]
				if !ok {
					t.Errorf("%s: unexpected item %v", what, item)
					continue
				}
				want := digestOf(doc)
				if whole {
					want = doc
				}
				if !reflect.DeepEqual(item, want) {
					t.Errorf("%s: item %s\n got %v\nwant %v", what, slug, item, want)
				}
			}
		}
		check("listing", "/delivery/v1/documents?series=korea-view", false)
		check("listing with include=fields", "/delivery/v1/documents?series=korea-view&include=fields", true)
		if _, ok := docs["beijing-calibrates"]["fields"].(map[string]any)["implications"]; !ok {
			t.Fatalf("the reference document lacks its fields: %v", docs["beijing-calibrates"])
		}

		var person struct {
			Documents []map[string]any `json:"documents"`
		}
		k.anon.Do("GET", "/delivery/v1/contributors/melissa-cho", nil).Want(http.StatusOK).Decode(&person)
		if len(person.Documents) != 2 {
			t.Fatalf("contributor page: %d documents, want 2", len(person.Documents))
		}
		for _, item := range person.Documents {
			if want := digestOf(docs[item["slug"].(string)]); !reflect.DeepEqual(item, want) {
				t.Errorf("contributor page item\n got %v\nwant %v", item, want)
			}
		}

		for _, bad := range []string{"everything", "fields,about", "FIELDS", " fields"} {
			wantProblem(t, "include="+bad, k.anon.Do("GET", "/delivery/v1/documents?include="+url.QueryEscape(bad), nil), http.StatusBadRequest)
		}
	})
}

// TestOlderShapesAreRenderedAgain: rows stored by an older build (no
// digest, an older shape) are listed as whole documents rather than broken,
// and the next instance to start renders them in the current shape.
func TestOlderShapesAreRenderedAgain(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		docs := publishTwo(t, k)

		sqlDB, err := env.DB.SQL()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sqlDB.Exec("UPDATE delivered_documents SET digest = '', shape = 1"); err != nil {
			t.Fatalf("age the rows: %v", err)
		}
		for _, item := range listedItems(t, env.Anonymous(), "/delivery/v1/documents?series=korea-view&limit=10") {
			if doc := docs[item["slug"].(string)]; !reflect.DeepEqual(item, doc) {
				t.Errorf("a row without a digest is listed as\n%v\nwant the whole document\n%v", item, doc)
			}
		}

		restarted := apptest.New(t, env.DB)
		var older int
		if err := sqlDB.QueryRow("SELECT COUNT(*) FROM delivered_documents WHERE shape < " + strconv.Itoa(render.Shape) + " OR digest = ''").Scan(&older); err != nil {
			t.Fatal(err)
		}
		if older != 0 {
			t.Errorf("%d rows are still of the older shape after a start", older)
		}
		for _, item := range listedItems(t, restarted.Anonymous(), "/delivery/v1/documents?series=korea-view") {
			if want := digestOf(docs[item["slug"].(string)]); !reflect.DeepEqual(item, want) {
				t.Errorf("after the start the item is\n%v\nwant the digest\n%v", item, want)
			}
		}
	})
}
