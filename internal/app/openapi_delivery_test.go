package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

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
