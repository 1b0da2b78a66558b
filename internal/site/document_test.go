package site_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// TestDocumentPageHasEveryElementOfTheExample opens the example
// briefing at its delivered url and finds the example page's elements
// (issue 15, item 2) in the example's order.
func TestDocumentPageHasEveryElementOfTheExample(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		k.example()
		var doc struct {
			URL string `json:"url"`
		}
		k.n.Anonymous.Do("GET", "/delivery/v1/documents/korea-view/"+exampleSlug, nil).Want(http.StatusOK).Decode(&doc)
		path := strings.TrimPrefix(doc.URL, "http://masthead.test")
		if path != "/korea-view/"+exampleSlug {
			t.Fatalf("delivered url %q", doc.URL)
		}
		body := page(t, k.n.Anonymous, path, http.StatusOK)
		inOrder(t, body,
			"<title>Beijing Calibrates Its Approach to Seoul</title>",
			"Search All Site Content", "Total Index: 1 publication.",
			"Subscribe to our Mailing List!", "Sign up for our mailing list to keep up to date on all the latest developments.",
			">The Peninsula</a>",
			"<h1>Beijing Calibrates Its Approach to Seoul</h1>",
			"Published <time datetime=", ">"+time.Now().UTC().Format("January 2, 2006")+"</time>",
			"Author: Korea View",
			`alt="The foreign ministers of China and South Korea before their talks"`,
			"China and South Korea&#39;s foreign ministers met in April.",
			">What Happened</h2>", "<li>During recent talks, the Chinese FM raised the idea of joint dialogue.</li>",
			"<li>China also voiced support for South Korea’s goals.</li>",
			">Implications</h2>", "<strong>calibrating</strong>",
			">Context</h2>", "continued closeness with the QUAD",
			"This briefing comes from Korea View", `href="/korea-view#subscribe"`, ">here</a>",
			"Korea View was edited by Yong Kwon with the help of Melissa Cho and Alexandra Langford.",
			"Creative Commons image from Flickr account of Republic of Korea",
			`<a rel="license" href="https://creativecommons.org/licenses/by-sa/2.0/">Creative Commons Attribution Share Alike 2.0 Generic</a>`,
			`<a href="/the-peninsula">Return to the Peninsula</a>`,
			"Stay Informed",
		)
		for _, tag := range []string{
			`<link rel="canonical" href="http://masthead.test/korea-view/` + exampleSlug + `">`,
			`<meta name="description" content="China raised joint dialogue`,
			`<meta property="og:type" content="article">`, `<meta property="og:image" content="http://masthead.test/media/`,
			`<meta name="twitter:card" content="summary_large_image">`,
			`<script type="application/ld+json">`, `"@type":"NewsArticle"`, `"headline":"Beijing Calibrates Its Approach to Seoul"`,
			`"datePublished":`, `"editor":[{"@type":"Person","name":"Yong Kwon"`,
			`title="Korea View (Atom)" href="http://masthead.test/delivery/v1/feeds/korea-view.atom"`,
			`title="Korea View (JSON Feed)" href="http://masthead.test/delivery/v1/feeds/korea-view.json"`,
			`<input type="hidden" name="series" value="korea-view">`, `name="website"`,
		} {
			if !strings.Contains(body, tag) {
				t.Errorf("page lacks %s", tag)
			}
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, "<script src") || strings.Contains(body, " style=") {
			t.Errorf("page has a script or an inline style")
		}
		if n := len(body); n > 50<<10 {
			t.Errorf("page weighs %d bytes, want under 50 KB", n)
		}
	})
}

// TestDatesInTheSiteTimeZone sets MASTHEAD_TIMEZONE's option to a zone
// fourteen hours ahead of UTC: the page prints the day there.
func TestDatesInTheSiteTimeZone(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Pacific/Kiritimati")
	if err != nil {
		t.Skip("no time zone database")
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) { o.TimeZone = loc }})
		k := openDesk(t, env)
		k.example()
		body := page(t, k.n.Anonymous, "/korea-view/"+exampleSlug, http.StatusOK)
		day := time.Now().In(loc).Format("January 2, 2006")
		inOrder(t, body, `<p class="published">Published <time datetime="`, `&#43;14:00">`+day+"</time>") // html/template writes + as &#43;
	})
}
