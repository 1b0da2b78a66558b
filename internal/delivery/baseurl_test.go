package delivery_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// restartWith starts another instance on env's database with other
// address settings, as a restart after changing them does.
func restartWith(t *testing.T, env *apptest.Env, base, public string) *apptest.Env {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	return apptest.New(t, env.DB, apptest.Options{Configure: func(o *app.Options) { o.BaseURL, o.PublicURL = u, public }})
}

// addresses are the document's addresses one instance delivers: its url,
// its hero's, its parent's, its feed entry's link and its sitemap entry.
func addresses(t *testing.T, anon *apptest.Client) (doc, hero, parent, feed, sitemap string) {
	t.Helper()
	var d struct {
		URL    string
		Hero   struct{ URL string }
		Parent struct{ URL string }
	}
	anon.Do("GET", "/delivery/v1/documents/korea-view/beijing-calibrates", nil).Want(http.StatusOK).Decode(&d)
	var f struct{ Items []struct{ URL string } }
	anon.Do("GET", "/delivery/v1/feeds/korea-view.json", nil).Want(http.StatusOK).Decode(&f)
	if len(f.Items) == 1 {
		feed = f.Items[0].URL
	}
	body := string(anon.Do("GET", "/sitemap.xml", nil).Want(http.StatusOK).Body)
	if _, rest, ok := strings.Cut(body, "<loc>"); ok {
		sitemap, _, _ = strings.Cut(rest, "</loc>")
	}
	return d.URL, d.Hero.URL, d.Parent.URL, feed, sitemap
}

// TestAddressesFollowTheCurrentBaseURL publishes under one base URL and
// starts again under another: the document, its hero, its parent, its
// feed entry and its sitemap entry all carry the new host; with a public
// URL pattern, the document's addresses point there.
func TestAddressesFollowTheCurrentBaseURL(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		body := briefing("korea-view", "Beijing Calibrates Its Approach to Seoul", "beijing-calibrates")
		body["hero"] = uploadHero(t, k.editor, "CC-BY-2.0")
		k.publishNew(body)
		if doc, _, _, _, _ := addresses(t, k.anon); doc != siteBase+"/korea-view/beijing-calibrates" {
			t.Fatalf("url before the move = %q", doc)
		}

		moved := restartWith(t, env, "https://news.example.org", "")
		doc, hero, parent, feed, sitemap := addresses(t, moved.Anonymous())
		const host = "https://news.example.org"
		want := host + "/korea-view/beijing-calibrates"
		if doc != want || feed != want || sitemap != want || !strings.HasPrefix(hero, host+"/media/") || parent != host+"/"+apptest.ParentSeries {
			t.Errorf("after the move: url %q, hero %q, parent %q, feed %q, sitemap %q; want all under %s", doc, hero, parent, feed, sitemap, host)
		}

		public := restartWith(t, env, "https://news.example.org", "https://www.example.org/read/{series}/{slug}")
		doc, hero, parent, feed, sitemap = addresses(t, public.Anonymous())
		want = "https://www.example.org/read/korea-view/beijing-calibrates"
		if doc != want || feed != want || sitemap != want || parent != "https://www.example.org/read/"+apptest.ParentSeries {
			t.Errorf("with a public URL: url %q, parent %q, feed %q, sitemap %q; want %s", doc, parent, feed, sitemap, want)
		}
		if !strings.HasPrefix(hero, host+"/media/") {
			t.Errorf("hero %q: its file is still served by Masthead at %s", hero, host)
		}
	})
}
