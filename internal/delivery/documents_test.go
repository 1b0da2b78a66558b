package delivery_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// TestDeliveredDocumentHasEveryField checks the delivered document against
// SPEC §5's list of fields, on the reference briefing.
func TestDeliveredDocumentHasEveryField(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		before := time.Now().Add(-time.Minute)
		d := k.create(k.writer, briefing("korea-view", "Beijing Calibrates Its Approach to Seoul", "beijing-calibrates"))
		d = k.act(k.writer, d, "submit")
		d = k.credit(d, "editor", "yong-kwon", "contributor", "melissa-cho", "contributor", "alexandra-langford")
		d = k.toPublished(d)

		r := k.anon.Do("GET", "/delivery/v1/documents/korea-view/beijing-calibrates", nil).Want(http.StatusOK)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("Content-Type %q", ct)
		}
		raw := r.JSON()
		for _, field := range []string{"id", "type", "series", "slug", "url", "title", "summary", "fields", "topics", "byline",
			"credits", "credit_line", "hero", "published_at", "updated_at"} {
			if _, ok := raw[field]; !ok {
				t.Errorf("the delivered document lacks %q: %s", field, r.Body)
			}
		}
		if raw["hero"] != nil {
			t.Errorf("hero = %v, want null for a document without one", raw["hero"])
		}

		var got delivered
		r.Decode(&got)
		if got.ID != d.ID || got.Type != "briefing" || got.Slug != "beijing-calibrates" || got.Title != "Beijing Calibrates Its Approach to Seoul" {
			t.Errorf("id/type/slug/title = %s %s %s %q", got.ID, got.Type, got.Slug, got.Title)
		}
		if got.Series != (seriesRef{Slug: "korea-view", Name: "Korea View"}) {
			t.Errorf("series = %+v", got.Series)
		}
		if want := siteBase + "/korea-view/beijing-calibrates"; got.URL != want {
			t.Errorf("url = %q, want %q (built from the base URL)", got.URL, want)
		}
		if got.Summary != "China raised joint dialogue with South Korea and a future 2+2 meeting." {
			t.Errorf("summary = %q", got.Summary)
		}
		if !slices.Equal(got.Topics, []string{"china", "diplomacy"}) {
			t.Errorf("topics = %v", got.Topics)
		}
		if got.bylineName() != "Korea View" {
			t.Errorf("byline = %s, want the series (Korea View)", got.Byline)
		}
		wantCredits := []creditRef{{"editor", "Yong Kwon", "yong-kwon"}, {"contributor", "Melissa Cho", "melissa-cho"},
			{"contributor", "Alexandra Langford", "alexandra-langford"}}
		if !slices.Equal(got.Credits, wantCredits) {
			t.Errorf("credits = %+v, want %+v", got.Credits, wantCredits)
		}
		if want := "Korea View was edited by Yong Kwon with the help of Melissa Cho and Alexandra Langford."; got.CreditLine != want {
			t.Errorf("credit_line = %q, want %q", got.CreditLine, want)
		}
		now := time.Now().Add(time.Minute)
		if got.PublishedAt.Before(before) || got.PublishedAt.After(now) || got.UpdatedAt.Before(got.PublishedAt) || got.UpdatedAt.After(now) {
			t.Errorf("published_at %v updated_at %v: not around now, or updated before published", got.PublishedAt, got.UpdatedAt)
		}
		for _, f := range []string{"published_at", "updated_at"} {
			if _, err := time.Parse(time.RFC3339, fmt.Sprint(raw[f])); err != nil {
				t.Errorf("%s = %v: not RFC 3339", f, raw[f])
			}
		}

		// Rich text as Markdown and as HTML; lists as they are.
		for name, md := range map[string]string{
			"implications": "China’s engagement with South Korea seems focused on **calibrating** Beijing’s position vis-à-vis Washington.",
			"context":      "China’s move follows Seoul’s continued closeness with members of the QUAD.",
		} {
			rt, ok := got.Fields[name].(map[string]any)
			if !ok {
				t.Errorf("fields.%s = %#v, want {markdown, html}", name, got.Fields[name])
				continue
			}
			if rt["markdown"] != md {
				t.Errorf("fields.%s.markdown = %q, want %q", name, rt["markdown"], md)
			}
			if h, _ := rt["html"].(string); !strings.HasPrefix(h, "<p>") {
				t.Errorf("fields.%s.html = %q", name, rt["html"])
			}
		}
		if h := got.Fields["implications"].(map[string]any)["html"].(string); !strings.Contains(h, "<strong>calibrating</strong>") {
			t.Errorf("implications html = %q, want Markdown rendered", h)
		}
		if list, ok := got.Fields["what_happened"].([]any); !ok || len(list) != 2 || list[0] != "The Chinese FM raised the idea of joint dialogue." {
			t.Errorf("fields.what_happened = %#v", got.Fields["what_happened"])
		}

		// A contributor byline is delivered with its name.
		body := briefing("korea-view", "Seoul Answers", "seoul-answers")
		body["byline"] = "melissa-cho"
		sd := k.act(k.writer, k.create(k.writer, body), "submit")
		k.toPublished(k.credit(sd, "editor", "alexandra-langford"))
		var second delivered
		k.anon.Do("GET", "/delivery/v1/documents/korea-view/seoul-answers", nil).Want(http.StatusOK).Decode(&second)
		if second.bylineName() != "Melissa Cho" || !strings.HasPrefix(second.CreditLine, "Melissa Cho") {
			t.Errorf("byline %s credit_line %q, want Melissa Cho", second.Byline, second.CreditLine)
		}
		if want := "Melissa Cho was edited by Alexandra Langford."; second.CreditLine != want {
			t.Errorf("credit_line = %q, want %q", second.CreditLine, want)
		}
	})
}

var externalLink = regexp.MustCompile(`<a\s[^>]*href="https://keia\.org/the-peninsula/"[^>]*>`)
var relAttr = regexp.MustCompile(`rel="([^"]*)"`)

// TestDeliveredHTMLIsSanitized: script, event handlers and javascript:
// URLs never reach readers, and external links open safely — in the
// document and in the feeds.
func TestDeliveredHTMLIsSanitized(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		hostile := strings.Join([]string{
			`Click [here](javascript:alert(1)) or <a href="javascript:alert(2)">there</a> or [THERE](JaVaScRiPt:alert(5)).`,
			`<script>alert("x")</script>`,
			`<img src="x.png" alt="x" onerror="alert(3)">`, // alt: a publish gate asks for it
			`<p onclick="alert(4)">para</p>`,
			`<iframe src="https://evil.example/"></iframe>`,
			`See [KEI](https://keia.org/the-peninsula/) and [about](/about).`,
		}, "\n\n")
		body := briefing("korea-view", "Hostile Input", "hostile-input")
		body["fields"].(map[string]any)["implications"] = hostile
		body["fields"].(map[string]any)["context"] = `Inline <script>alert(6)</script> and <b onmouseover="alert(7)">bold</b>.`
		k.publishNew(body)

		var d delivered
		k.anon.Do("GET", "/delivery/v1/documents/korea-view/hostile-input", nil).Want(http.StatusOK).Decode(&d)
		impl := d.Fields["implications"].(map[string]any)
		if impl["markdown"] != hostile {
			t.Errorf("markdown is not kept as written: %q", impl["markdown"])
		}
		for _, name := range []string{"implications", "context"} {
			h := d.Fields[name].(map[string]any)["html"].(string)
			checkSanitized(t, "fields."+name+".html", h)
		}
		h := impl["html"].(string)
		a := externalLink.FindString(h)
		if a == "" {
			t.Errorf("the external link is gone: %q", h)
		} else if m := relAttr.FindStringSubmatch(a); m == nil || !slices.Contains(strings.Fields(m[1]), "noopener") {
			t.Errorf("external link %s: rel lacks noopener", a)
		}

		for _, path := range []string{"/delivery/v1/feeds/korea-view.atom", "/delivery/v1/feeds/korea-view.json", "/delivery/v1/feed.atom", "/delivery/v1/feed.json"} {
			r := k.anon.Do("GET", path, nil).Want(http.StatusOK)
			f := parseFeed(t, path, r.Body)
			if f == nil || len(f.Items) != 1 {
				t.Errorf("%s: want one item", path)
				continue
			}
			checkSanitized(t, path+" content", f.Items[0].Content)
		}
	})
}

func checkSanitized(t *testing.T, what, h string) {
	t.Helper()
	lower := strings.ToLower(h)
	for _, bad := range []string{"<script", "javascript:", "onerror", "onclick", "onmouseover", "<iframe"} {
		if strings.Contains(lower, bad) {
			t.Errorf("%s contains %q: %q", what, bad, h)
		}
	}
}

// TestRenamesReachDeliveredDocuments: a renamed contributor or series shows
// its new name everywhere delivered, without a re-publish.
func TestRenamesReachDeliveredDocuments(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		a := k.create(k.writer, briefing("korea-view", "Beijing Calibrates", "beijing-calibrates"))
		a = k.act(k.writer, a, "submit")
		a = k.credit(a, "editor", "yong-kwon")
		k.toPublished(a)
		b := briefing("korea-view", "Seoul Answers", "seoul-answers")
		b["byline"] = "melissa-cho"
		bd := k.act(k.writer, k.create(k.writer, b), "submit")
		k.toPublished(k.credit(bd, "contributor", "alexandra-langford"))

		read := func(slug string) (delivered, string) {
			t.Helper()
			r := k.anon.Do("GET", "/delivery/v1/documents/korea-view/"+slug, nil).Want(http.StatusOK)
			var d delivered
			r.Decode(&d)
			return d, r.Header.Get("ETag")
		}
		listed := func(slug string) delivered {
			t.Helper()
			var p page
			k.anon.Do("GET", "/delivery/v1/documents?series=korea-view", nil).Want(http.StatusOK).Decode(&p)
			for _, d := range p.Data {
				if d.Slug == slug {
					return d
				}
			}
			t.Fatalf("%s not listed", slug)
			return delivered{}
		}
		// Fill every cache first.
		_, etagA := read("beijing-calibrates")
		read("seoul-answers")
		listed("beijing-calibrates")
		k.anon.Do("GET", "/delivery/v1/feeds/korea-view.atom", nil).Want(http.StatusOK)
		k.anon.Do("GET", "/delivery/v1/contributors/yong-kwon", nil).Want(http.StatusOK)

		k.admin.Do("PATCH", "/api/v1/contributors/yong-kwon", map[string]any{"name": "Yong-Hee Kwon"}).Want(http.StatusOK)
		da, etag2 := read("beijing-calibrates")
		if len(da.Credits) != 1 || da.Credits[0].Name != "Yong-Hee Kwon" || da.CreditLine != "Korea View was edited by Yong-Hee Kwon." {
			t.Errorf("after renaming the contributor: credits %+v credit_line %q", da.Credits, da.CreditLine)
		}
		if etag2 == etagA {
			t.Errorf("ETag %s did not change with the content", etag2)
		}
		if l := listed("beijing-calibrates"); l.CreditLine != "Korea View was edited by Yong-Hee Kwon." {
			t.Errorf("listing after renaming the contributor: credit_line %q", l.CreditLine)
		}
		var person struct {
			Name string `json:"name"`
		}
		k.anon.Do("GET", "/delivery/v1/contributors/yong-kwon", nil).Want(http.StatusOK).Decode(&person)
		if person.Name != "Yong-Hee Kwon" {
			t.Errorf("contributor page name %q", person.Name)
		}

		k.admin.Do("PATCH", "/api/v1/contributors/melissa-cho", map[string]any{"name": "Melissa J. Cho"}).Want(http.StatusOK)
		if db, _ := read("seoul-answers"); db.bylineName() != "Melissa J. Cho" || !strings.HasPrefix(db.CreditLine, "Melissa J. Cho") {
			t.Errorf("after renaming the byline contributor: byline %s credit_line %q", db.Byline, db.CreditLine)
		}

		k.admin.Do("PATCH", "/api/v1/series/korea-view", map[string]any{"name": "Korea View Weekly"}).Want(http.StatusOK)
		da, _ = read("beijing-calibrates")
		if da.Series.Name != "Korea View Weekly" || da.bylineName() != "Korea View Weekly" || da.CreditLine != "Korea View Weekly was edited by Yong-Hee Kwon." {
			t.Errorf("after renaming the series: series %+v byline %s credit_line %q", da.Series, da.Byline, da.CreditLine)
		}
		if l := listed("beijing-calibrates"); l.Series.Name != "Korea View Weekly" || l.CreditLine != "Korea View Weekly was edited by Yong-Hee Kwon." {
			t.Errorf("listing after renaming the series: %+v %q", l.Series, l.CreditLine)
		}
		r := k.anon.Do("GET", "/delivery/v1/feeds/korea-view.atom", nil).Want(http.StatusOK)
		if f := parseFeed(t, "korea-view.atom", r.Body); f != nil && f.Title != "Korea View Weekly" {
			t.Errorf("feed title %q after renaming the series", f.Title)
		}
		var s struct {
			Name string `json:"name"`
		}
		k.anon.Do("GET", "/delivery/v1/series/korea-view", nil).Want(http.StatusOK).Decode(&s)
		if s.Name != "Korea View Weekly" {
			t.Errorf("series page name %q", s.Name)
		}
	})
}

// TestListingPagesNewestFirst: newest first, limit, cursor pagination
// through every page with an exact total and no duplicates, and 400 for
// bad limits and forged cursors.
func TestListingPagesNewestFirst(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		const n = 7
		var published []string // in publishing order
		for i := 1; i <= n; i++ {
			series := "korea-view"
			if i%3 == 0 {
				series = "the-peninsula"
			}
			d := k.publishNew(briefing(series, fmt.Sprintf("Briefing %d", i), fmt.Sprintf("briefing-%d", i)))
			published = append(published, d.ID)
		}
		newestFirst := slices.Clone(published)
		slices.Reverse(newestFirst)

		var all page
		k.anon.Do("GET", "/delivery/v1/documents", nil).Want(http.StatusOK).Decode(&all)
		if all.Total != n || len(all.Data) != n || all.NextCursor != nil {
			t.Fatalf("default listing: total %d, %d items, next %v", all.Total, len(all.Data), all.NextCursor)
		}
		var ids []string
		for i, d := range all.Data {
			ids = append(ids, d.ID)
			if i > 0 && d.PublishedAt.After(all.Data[i-1].PublishedAt) {
				t.Errorf("item %d published %v after item %d (%v): not newest first", i, d.PublishedAt, i-1, all.Data[i-1].PublishedAt)
			}
		}
		if !slices.Equal(ids, newestFirst) {
			t.Errorf("order %v, want newest first %v", ids, newestFirst)
		}

		walk := func(query string, limit int, want []string) {
			t.Helper()
			var got []string
			var cursor string
			pages := 0
			for {
				path := fmt.Sprintf("/delivery/v1/documents?%slimit=%d", query, limit)
				if cursor != "" {
					path += "&cursor=" + url.QueryEscape(cursor)
				}
				var p page
				k.anon.Do("GET", path, nil).Want(http.StatusOK).Decode(&p)
				pages++
				if p.Total != len(want) {
					t.Errorf("%s: total %d, want %d", path, p.Total, len(want))
				}
				if len(p.Data) > limit || (p.NextCursor != nil && len(p.Data) != limit) {
					t.Errorf("%s: %d items with limit %d, next %v", path, len(p.Data), limit, p.NextCursor)
				}
				for _, d := range p.Data {
					if slices.Contains(got, d.ID) {
						t.Errorf("%s: %s again", path, d.ID)
					}
					got = append(got, d.ID)
				}
				if p.NextCursor == nil {
					break
				}
				cursor = *p.NextCursor
				if pages > len(want)+1 {
					t.Fatalf("%s: pagination does not end", path)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%slimit=%d: pages gave %v, want %v", query, limit, got, want)
			}
			if wantPages := max(1, (len(want)+limit-1)/limit); pages != wantPages {
				t.Errorf("%slimit=%d: %d pages, want %d", query, limit, pages, wantPages)
			}
		}
		walk("", 3, newestFirst)
		walk("", 1, newestFirst)
		walk("", 7, newestFirst)
		walk("", 100, newestFirst)
		var kv []string
		for i, id := range published {
			if (i+1)%3 != 0 {
				kv = append(kv, id)
			}
		}
		slices.Reverse(kv)
		walk("series=korea-view&", 2, kv)

		// A genuine cursor to tamper with.
		var first page
		k.anon.Do("GET", "/delivery/v1/documents?limit=2", nil).Want(http.StatusOK).Decode(&first)
		if first.NextCursor == nil {
			t.Fatal("no next_cursor")
		}
		good := *first.NextCursor
		var second page
		k.anon.Do("GET", "/delivery/v1/documents?limit=2&cursor="+url.QueryEscape(good), nil).Want(http.StatusOK).Decode(&second)
		if len(second.Data) != 2 || second.Data[0].ID != newestFirst[2] {
			t.Errorf("second page %v", second.Data)
		}

		bad := map[string]string{
			"garbage":           "not-a-cursor",
			"corrupt base64":    "!!!.@@@",
			"empty parts":       ".",
			"forged":            base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%d,%s", time.Now().UnixNano(), newestFirst[0]))) + ".AAAAAAAAAAAAAAAAAAAAAAAA",
			"payload flipped":   flip(good, 0),
			"signature flipped": flip(good, len(good)-1),
			"signature dropped": good[:strings.LastIndex(good, ".")],
			"truncated":         good[:len(good)-3],
			"appended":          good + "A",
			"other signature":   swapSignature(good, *second.NextCursor),
		}
		for name, c := range bad {
			wantProblem(t, "cursor "+name+" ("+c+")", k.anon.Do("GET", "/delivery/v1/documents?limit=2&cursor="+url.QueryEscape(c), nil), http.StatusBadRequest)
		}
		for _, l := range []string{"0", "101", "abc", "-1", "1.5", "1e2"} {
			wantProblem(t, "limit="+l, k.anon.Do("GET", "/delivery/v1/documents?limit="+l, nil), http.StatusBadRequest)
		}
		k.anon.Do("GET", "/delivery/v1/documents?limit=100", nil).Want(http.StatusOK)
		k.anon.Do("GET", "/delivery/v1/documents?limit=1", nil).Want(http.StatusOK)
	})
}

// flip changes one character of s to another base64url character.
func flip(s string, i int) string {
	b := []byte(s)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// swapSignature puts b's signature on a's payload.
func swapSignature(a, b string) string {
	pa, _, _ := strings.Cut(a, ".")
	_, sb, _ := strings.Cut(b, ".")
	return pa + "." + sb
}

// TestDeliveryCachingHeaders: ETag, 304, Cache-Control, Vary, gzip and
// CORS on the delivery routes.
func TestDeliveryCachingHeaders(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		body := briefing("korea-view", "Beijing Calibrates", "beijing-calibrates")
		body["fields"].(map[string]any)["context"] = strings.Repeat("China’s move follows Seoul’s continued closeness with members of the QUAD. ", 30)
		d := k.publishNew(body)
		docPath := "/delivery/v1/documents/korea-view/beijing-calibrates"

		paths := []string{docPath, "/delivery/v1/documents", "/delivery/v1/documents?series=the-peninsula&limit=5",
			"/delivery/v1/series", "/delivery/v1/series/korea-view", "/delivery/v1/feeds/korea-view.atom",
			"/delivery/v1/feeds/korea-view.json", "/delivery/v1/feed.atom", "/delivery/v1/feed.json", "/sitemap.xml",
			"/delivery/v1/sitemap.xml"}
		for _, p := range paths {
			r := k.anon.Do("GET", p, nil).Want(http.StatusOK)
			etag := r.Header.Get("ETag")
			if !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 3 {
				t.Errorf("%s: ETag %q, want a strong ETag", p, etag)
				continue
			}
			if cc := r.Header.Get("Cache-Control"); cc != publicCacheControl {
				t.Errorf("%s: Cache-Control %q, want %q", p, cc, publicCacheControl)
			}
			if !varies(r.Header, "Accept-Encoding") {
				t.Errorf("%s: Vary %q lacks Accept-Encoding", p, r.Header.Values("Vary"))
			}
			nm := k.anon.Do("GET", p, nil, "If-None-Match", etag)
			if nm.Status != http.StatusNotModified || len(nm.Body) != 0 {
				t.Errorf("%s with If-None-Match %s: status %d, %d bytes; want 304 and no body", p, etag, nm.Status, len(nm.Body))
			}
			if nm.Header.Get("ETag") != etag {
				t.Errorf("%s: 304 carries ETag %q, want %q", p, nm.Header.Get("ETag"), etag)
			}
			if other := k.anon.Do("GET", p, nil, "If-None-Match", `"something-else"`); other.Status != http.StatusOK {
				t.Errorf("%s with a stale If-None-Match: status %d, want 200", p, other.Status)
			}
			if list := k.anon.Do("GET", p, nil, "If-None-Match", `"x", `+etag); list.Status != http.StatusNotModified {
				t.Errorf("%s with If-None-Match listing the ETag second: status %d, want 304", p, list.Status)
			}
		}

		// The ETag follows the content: a re-publish changes it.
		r := k.anon.Do("GET", docPath, nil).Want(http.StatusOK)
		oldTag := r.Header.Get("ETag")
		d = k.patch(k.writer, d, map[string]any{"title": "Beijing Recalibrates"})
		if again := k.anon.Do("GET", docPath, nil, "If-None-Match", oldTag); again.Status != http.StatusNotModified {
			t.Errorf("an unpublished edit changed the delivered document: status %d", again.Status)
		}
		k.toPublished(d)
		r = k.anon.Do("GET", docPath, nil, "If-None-Match", oldTag)
		if r.Status != http.StatusOK {
			t.Fatalf("after a re-publish, the old ETag still matches: status %d", r.Status)
		}
		var got delivered
		r.Decode(&got)
		if newTag := r.Header.Get("ETag"); newTag == oldTag || newTag == "" || got.Title != "Beijing Recalibrates" {
			t.Errorf("after a re-publish: ETag %s (was %s), title %q", newTag, oldTag, got.Title)
		}

		// gzip on the wire for clients that accept it; the same bytes
		// inside.
		for _, p := range []string{docPath, "/delivery/v1/documents", "/delivery/v1/feed.atom", "/delivery/v1/feed.json", "/sitemap.xml"} {
			plainResp, plain := rawDo(t, env, "GET", p)
			if plainResp.StatusCode != http.StatusOK || plainResp.Header.Get("Content-Encoding") != "" {
				t.Errorf("%s without Accept-Encoding: status %d, Content-Encoding %q", p, plainResp.StatusCode, plainResp.Header.Get("Content-Encoding"))
			}
			if !varies(plainResp.Header, "Accept-Encoding") {
				t.Errorf("%s: Vary %q lacks Accept-Encoding", p, plainResp.Header.Values("Vary"))
			}
			gzResp, gz := rawDo(t, env, "GET", p, "Accept-Encoding", "gzip")
			if len(plain) < 1024 && gzResp.StatusCode == http.StatusOK && gzResp.Header.Get("Content-Encoding") == "" && bytes.Equal(gz, plain) {
				continue // too small to be worth compressing
			}
			if gzResp.StatusCode != http.StatusOK || gzResp.Header.Get("Content-Encoding") != "gzip" {
				t.Errorf("%s with Accept-Encoding gzip: status %d, Content-Encoding %q (body %d bytes, plain %d)", p, gzResp.StatusCode,
					gzResp.Header.Get("Content-Encoding"), len(gz), len(plain))
				continue
			}
			if !varies(gzResp.Header, "Accept-Encoding") {
				t.Errorf("%s gzip: Vary %q lacks Accept-Encoding", p, gzResp.Header.Values("Vary"))
			}
			zr, err := gzip.NewReader(bytes.NewReader(gz))
			if err != nil {
				t.Errorf("%s: gzip body does not open: %v", p, err)
				continue
			}
			unzipped, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(unzipped, plain) {
				t.Errorf("%s: gzip body decompresses to %d bytes (err %v), want the %d plain bytes", p, len(unzipped), err, len(plain))
			}
			if len(gz) >= len(plain) {
				t.Errorf("%s: gzip body %d bytes, plain %d", p, len(gz), len(plain))
			}
			if q0, _ := rawDo(t, env, "GET", p, "Accept-Encoding", "gzip;q=0"); q0.Header.Get("Content-Encoding") == "gzip" {
				t.Errorf("%s: gzip sent to a client that refuses it (q=0)", p)
			}
		}

		// CORS: open for GET, preflight answered.
		for _, p := range []string{docPath, "/delivery/v1/documents", "/delivery/v1/feed.json"} {
			resp, _ := rawDo(t, env, "GET", p, "Origin", "https://reader.example")
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("GET %s with Origin: Access-Control-Allow-Origin %q, want *", p, got)
			}
			pre, body := rawDo(t, env, "OPTIONS", p, "Origin", "https://reader.example", "Access-Control-Request-Method", "GET",
				"Access-Control-Request-Headers", "If-None-Match")
			if pre.StatusCode != http.StatusNoContent && pre.StatusCode != http.StatusOK {
				t.Errorf("preflight OPTIONS %s: status %d, want 204; body %s", p, pre.StatusCode, truncate(body))
			}
			if got := pre.Header.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("preflight OPTIONS %s: Access-Control-Allow-Origin %q, want *", p, got)
			}
			if m := pre.Header.Get("Access-Control-Allow-Methods"); !strings.Contains(m, "GET") {
				t.Errorf("preflight OPTIONS %s: Access-Control-Allow-Methods %q lacks GET", p, m)
			}
		}
	})
}

func varies(h http.Header, name string) bool {
	for _, v := range h.Values("Vary") {
		for _, part := range strings.Split(v, ",") {
			if p := strings.TrimSpace(part); strings.EqualFold(p, name) || p == "*" {
				return true
			}
		}
	}
	return false
}
