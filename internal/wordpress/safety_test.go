package wordpress_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/wordpress"
)

// wxr is a small export of the given items.
func wxr(items ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Hostile Site</title>
<link>https://hostile.example</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_blog_url>https://hostile.example</wp:base_blog_url>
` + strings.Join(items, "\n") + `
</channel>
</rss>
`
}

// postDate is one date for every post of the tests, so that two files
// written a moment apart differ only where a test changes them.
var postDate = time.Now().UTC().AddDate(-3, 0, 0).Format("2006-01-02 15:04:05")

func post(id, slug, body string) string {
	date := postDate
	return `<item><title>Post ` + id + `</title><link>https://hostile.example/` + slug + `/</link><dc:creator>eve</dc:creator>
<content:encoded><![CDATA[` + body + `]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>` + id + `</wp:post_id><wp:post_date_gmt>` + date + `</wp:post_date_gmt><wp:post_name>` + slug + `</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type><wp:post_password></wp:post_password></item>`
}

// TestImportLeavesNothingExecutable: script, event handlers and
// javascript: links in a post never reach delivered HTML; an item that
// cannot be a document (a body too long) is skipped with its reason and
// the others are imported.
func TestImportLeavesNothingExecutable(t *testing.T) {
	hostile := `<p onclick="steal()">Hello <a href="javascript:alert(1)" onmouseover="x()">there</a></p>
<script>alert("xss")</script><img src="https://hostile.example/a.png" onerror="alert(2)" alt="a">
<iframe src="https://evil.example"></iframe><style>body{display:none}</style>
[caption id="c1"]<img src="https://hostile.example/b.png" onload="x()" /> A caption<script>bad()</script>[/caption]
<svg onload="alert(3)"><script>alert(4)</script></svg><a href="  JaVaScRiPt:alert(5)">five</a>`
	file := filepath.Join(t.TempDir(), "hostile.xml")
	data := wxr(post("1", "hostile", hostile), post("2", "too-long", strings.Repeat("<p>word</p>", 40_000)), post("3", "fine", "<p>Fine.</p>"))
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		rep := importFile(t, env, file, wordpress.Options{})
		if rep.Created != 2 || len(rep.Skipped) != 1 || rep.Skipped[0].Item != "2" || !strings.Contains(rep.Skipped[0].Reason, "at most") {
			t.Fatalf("created %d, skipped %+v; want 2 created and post 2 skipped for its length", rep.Created, rep.Skipped)
		}
		body := env.Anonymous().Do("GET", "/delivery/v1/documents/hostile-site/hostile", nil).Want(http.StatusOK)
		got := strings.ToLower(string(body.Body))
		for _, bad := range []string{"<script", "onclick", "onerror", "onload", "onmouseover", "javascript:", "<iframe", "<style", "<svg", "alert("} {
			if strings.Contains(got, bad) {
				t.Errorf("delivered document holds %q:\n%s", bad, body.Body)
			}
		}
		for _, good := range []string{"hello", "there", "a caption", "five"} {
			if !strings.Contains(got, good) {
				t.Errorf("delivered document lost the text %q:\n%s", good, body.Body)
			}
		}
		env.Anonymous().Do("GET", "/delivery/v1/documents/hostile-site/too-long", nil).Want(http.StatusNotFound)
		env.Anonymous().Do("GET", "/delivery/v1/documents/hostile-site/fine", nil).Want(http.StatusOK)
	})
}

// TestImportWXR10: an export of WXR 1.0's shape — its own namespace, no
// wp:author list, categories without a domain, no GMT date, a title in
// several scripts with an entity outside CDATA — imports with its title
// byte for byte, its date, its author and its topics.
func TestImportWXR10(t *testing.T) {
	const title = "Ünïcödé “quotes” & 日本語 — Ελληνικά 🙂"
	file := filepath.Join(t.TempDir(), "wxr10.xml")
	data := `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.0/">
<channel>
<title>Old &amp; Gold</title>
<link>http://old.example/blog</link>
<wp:wxr_version>1.0</wp:wxr_version>
<wp:category><wp:category_nicename>news</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[News]]></wp:cat_name></wp:category>
<item>
<title>Ünïcödé “quotes” &amp; 日本語 — Ελληνικά 🙂</title>
<link>http://old.example/blog/archives/12</link>
<dc:creator><![CDATA[olduser]]></dc:creator>
<category><![CDATA[News]]></category>
<category domain="tag"><![CDATA[Old Tag]]></category>
<content:encoded><![CDATA[Line one
line two]]></content:encoded>
<wp:post_id>12</wp:post_id>
<wp:post_date>2005-06-07 08:09:10</wp:post_date>
<wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>
<wp:post_name>old-post</wp:post_name>
<wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type>
</item>
</channel>
</rss>
`
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		rep := importFile(t, env, file, wordpress.Options{})
		if rep.Created != 1 || rep.Authors != 1 {
			t.Fatalf("created %d, authors %d; want 1 and 1 (%+v)", rep.Created, rep.Authors, rep)
		}
		var doc struct {
			Title       string
			PublishedAt string `json:"published_at"`
			Topics      []string
			Byline      struct{ Name string }
		}
		env.Anonymous().Do("GET", "/delivery/v1/documents/old-gold/old-post", nil).Want(http.StatusOK).Decode(&doc)
		if doc.Title != title || doc.PublishedAt != "2005-06-07T08:09:10Z" || strings.Join(doc.Topics, ",") != "news,old tag" {
			t.Errorf("delivered %q published %s topics %v", doc.Title, doc.PublishedAt, doc.Topics)
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for _, path := range []string{"/blog/archives/12", "/blog/?p=12"} {
			resp, err := client.Get(env.Server.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusMovedPermanently || !strings.HasSuffix(resp.Header.Get("Location"), "/old-gold/old-post") {
				t.Errorf("GET %s: %d to %q", path, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
	})
}

// TestImportChangedPost: a post changed in WordPress since the last run
// gets a new revision, live at once; the others are left alone.
func TestImportChangedPost(t *testing.T) {
	dir := t.TempDir()
	first, second := filepath.Join(dir, "first.xml"), filepath.Join(dir, "second.xml")
	if err := os.WriteFile(first, []byte(wxr(post("1", "one", "<p>One.</p>"), post("2", "two", "<p>Two.</p>"))), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(second, []byte(wxr(post("1", "one", "<p>One, corrected.</p>"), post("2", "two", "<p>Two.</p>"))), 0o644); err != nil {
		t.Fatal(err)
	}
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		importFile(t, env, first, wordpress.Options{})
		rep := importFile(t, env, second, wordpress.Options{})
		if rep.Created != 0 || rep.Updated != 1 || rep.Unchanged != 1 {
			t.Fatalf("second run: created %d, updated %d, unchanged %d; want 0, 1, 1", rep.Created, rep.Updated, rep.Unchanged)
		}
		docs := importedDocuments(t, env, rep.Source)
		if n := revisionCount(t, env, map[string]string{"1": docs["1"]}); n != 2 {
			t.Errorf("the changed post has %d revisions, want 2", n)
		}
		if n := revisionCount(t, env, map[string]string{"2": docs["2"]}); n != 1 {
			t.Errorf("the unchanged post has %d revisions, want 1", n)
		}
		body := env.Anonymous().Do("GET", "/delivery/v1/documents/hostile-site/one", nil).Want(http.StatusOK)
		if !strings.Contains(string(body.Body), "One, corrected.") {
			t.Errorf("delivery does not show the change: %.300s", body.Body)
		}
	})
}
