package site_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// marker is a word only the documents that are not live contain.
const marker = "Zanzibar"

// TestNothingUnpublishedReachesTheSite puts a draft, a scheduled, an
// unpublished and an archived document beside a live one: their urls
// answer the 404 page, and no page, feed, search or sitemap names them.
func TestNothingUnpublishedReachesTheSite(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		k.example()
		hidden := map[string]mdoc{}
		create := func(slug string) mdoc {
			d := k.create(marker+" "+slug, "zanzibar-"+slug, "")
			hidden[slug] = d
			return d
		}
		create("draft")
		sched := create("scheduled")
		k.act(k.n.Writer, sched.ID, "submit")
		k.act(k.n.Editor, sched.ID, "approve")
		k.act(k.n.Publisher, sched.ID, "schedule", "at", time.Now().Add(72*time.Hour).UTC().Format(time.RFC3339))
		unpub := create("unpublished")
		k.publish(unpub)
		k.act(k.n.Publisher, unpub.ID, "unpublish")
		arch := create("archived")
		k.publish(arch)
		k.act(k.n.Publisher, arch.ID, "unpublish")
		k.act(k.n.Editor, arch.ID, "archive")

		anon := k.n.Anonymous
		for state := range hidden {
			body := page(t, anon, "/korea-view/zanzibar-"+state, http.StatusNotFound)
			if !strings.Contains(body, "Page not found") || strings.Contains(body, marker+" "+state) {
				t.Errorf("%s document: the 404 page is not the site's or shows the document", state)
			}
		}
		for _, path := range []string{"/", "/korea-view", "/the-peninsula", "/topics/china", "/topics/south%20korea",
			"/contributors/yong-kwon", "/search?q=china", "/sitemap.xml", "/robots.txt",
			"/delivery/v1/feed.atom", "/delivery/v1/feed.json", "/delivery/v1/feeds/korea-view.atom", "/delivery/v1/feeds/the-peninsula.atom"} {
			body := page(t, anon, path, http.StatusOK)
			if strings.Contains(strings.ToLower(body), strings.ToLower(marker)) {
				t.Errorf("GET %s names a document that is not live", path)
			}
		}
		if body := page(t, anon, "/search?q="+marker, http.StatusOK); !strings.Contains(body, "0 results") || strings.Contains(body, "zanzibar-") {
			t.Errorf("search for the marker finds something")
		}
		// The sitemap lists the site's pages: home, the series, the live document.
		sitemap := page(t, anon, "/sitemap.xml", http.StatusOK)
		for _, loc := range []string{"http://masthead.test/", "http://masthead.test/korea-view", "http://masthead.test/the-peninsula",
			"http://masthead.test/korea-view/" + exampleSlug} {
			if !strings.Contains(sitemap, "<loc>"+loc+"</loc>") {
				t.Errorf("the sitemap lacks %s", loc)
			}
		}
		if robots := page(t, anon, "/robots.txt", http.StatusOK); !strings.Contains(robots, "Sitemap: http://masthead.test/sitemap.xml") ||
			!strings.Contains(robots, "Disallow: /admin/") {
			t.Errorf("robots.txt: %s", robots)
		}
		// The live one is everywhere it should be.
		for _, path := range []string{"/", "/korea-view", "/the-peninsula", "/topics/china", "/contributors/yong-kwon", "/search?q=calibrates"} {
			if body := page(t, anon, path, http.StatusOK); !strings.Contains(body, `href="/korea-view/`+exampleSlug+`"`) {
				t.Errorf("GET %s does not link the live document", path)
			}
		}
	})
}

// TestSearchPageTotalsAreDeliverys checks "Total Index: N publications"
// against the delivery API's total, and the results against its search.
func TestSearchPageTotalsAreDeliverys(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		k.example()
		for i := range 3 {
			k.publish(k.create(fmt.Sprintf("Seoul Answers Beijing %d", i), fmt.Sprintf("seoul-answers-%d", i), ""))
		}
		k.create("Seoul Drafts An Answer", "seoul-drafts", "") // not live: counted nowhere
		anon := k.n.Anonymous
		var list struct{ Total int }
		anon.Do("GET", "/delivery/v1/documents", nil).Want(http.StatusOK).Decode(&list)
		var found struct{ Total int }
		anon.Do("GET", "/delivery/v1/search?q=seoul", nil).Want(http.StatusOK).Decode(&found)
		if list.Total != 4 || found.Total != 4 {
			t.Fatalf("delivery totals %d and %d, want 4 published documents", list.Total, found.Total)
		}
		body := page(t, anon, "/search?q=seoul", http.StatusOK)
		if want := fmt.Sprintf("Total Index: %d publications.", list.Total); !strings.Contains(body, want) {
			t.Errorf("search page lacks %q", want)
		}
		if want := fmt.Sprintf("%d results for “seoul”", found.Total); !strings.Contains(body, want) {
			t.Errorf("search page lacks %q", want)
		}
		if !strings.Contains(body, "<mark>") {
			t.Errorf("search page has no highlighted snippet")
		}
		if !strings.Contains(body, `href="/search?q=seoul&amp;series=korea-view">Korea View</a>`) || !strings.Contains(body, `topic=china`) {
			t.Errorf("search page lacks the series and topic facets")
		}
	})
}

// TestPagesRevalidate checks that pages come from the delivery cache
// with its validators: 304 on If-None-Match, gzip, Cache-Control.
func TestPagesRevalidate(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		k.example()
		anon := k.n.Anonymous
		for _, path := range []string{"/", "/korea-view", "/korea-view/" + exampleSlug, "/search?q=seoul"} {
			r := anon.For(t).Do("GET", path, nil, "Accept-Encoding", "identity").Want(http.StatusOK)
			etag := r.Header.Get("ETag")
			if etag == "" || !strings.HasPrefix(r.Header.Get("Cache-Control"), "public") {
				t.Errorf("GET %s: ETag %q Cache-Control %q", path, etag, r.Header.Get("Cache-Control"))
			}
			if csp := r.Header.Get("Content-Security-Policy"); csp == "" || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("GET %s: Content-Security-Policy %q", path, csp)
			}
			anon.For(t).Do("GET", path, nil, "If-None-Match", etag, "Accept-Encoding", "identity").Want(http.StatusNotModified)
		}
		r := anon.For(t).Do("GET", "/korea-view/"+exampleSlug, nil, "Accept-Encoding", "gzip")
		if r.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("document page not gzipped for a client that accepts it")
		}
	})
}
