package delivery_test

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// atomIDs is what a feed reader keys on in an Atom feed.
type atomIDs struct {
	ID      string `xml:"id"`
	Entries []struct {
		ID   string `xml:"id"`
		Link struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Published string `xml:"published"`
		Updated   string `xml:"updated"`
	} `xml:"entry"`
}

func readAtom(t *testing.T, c *apptest.Client, path string) atomIDs {
	t.Helper()
	var f atomIDs
	r := c.Do("GET", path, nil).Want(http.StatusOK)
	if err := xml.Unmarshal(r.Body, &f); err != nil {
		t.Fatalf("GET %s: %v\n%s", path, err, r.Body)
	}
	return f
}

// Issue 12, item 5: Atom ids are permanent. An entry's id comes from the
// document's id, not its URL, so renaming its slug or moving the site to
// another base URL does not make readers show it again as new; the site
// feed and each series feed have ids of their own; entries carry
// <published> (the first publication) as well as <updated>.
func TestFeedIDsArePermanent(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		d := k.publishNew(briefing("korea-view", "Beijing Calibrates", "beijing-calibrates"))
		const site, series, parent = "/delivery/v1/feed.atom", "/delivery/v1/feeds/korea-view.atom", "/delivery/v1/feeds/the-peninsula.atom"

		before := readAtom(t, k.anon, series)
		if len(before.Entries) != 1 {
			t.Fatalf("series feed has %d entries, want 1", len(before.Entries))
		}
		entry := before.Entries[0]
		if !strings.HasPrefix(entry.ID, "urn:uuid:") || strings.Contains(entry.ID, "beijing") {
			t.Errorf("entry id %q, want a urn:uuid: not built from the URL", entry.ID)
		}
		if entry.Published == "" {
			t.Errorf("entry has no <published>")
		}
		pub, err := time.Parse(time.RFC3339, entry.Published)
		if err != nil {
			t.Errorf("entry <published> %q: %v", entry.Published, err)
		}

		ids := map[string]string{}
		for _, p := range []string{site, series, parent} {
			f := readAtom(t, k.anon, p)
			if !strings.HasPrefix(f.ID, "urn:uuid:") {
				t.Errorf("%s: feed id %q, want a urn:uuid:", p, f.ID)
			}
			if other, dup := ids[f.ID]; dup {
				t.Errorf("%s and %s share the feed id %s", other, p, f.ID)
			}
			ids[f.ID] = p
			if len(f.Entries) != 1 || f.Entries[0].ID != entry.ID {
				t.Errorf("%s: entries %+v, want the one entry with id %s", p, f.Entries, entry.ID)
			}
		}

		// Rename the document's slug and publish again: a new URL, the
		// same entry id, the same first publication, a later update.
		d = k.patch(k.writer, k.get(k.writer, d), map[string]any{"slug": "beijing-recalibrates", "title": "Beijing Recalibrates"})
		k.toPublished(d)
		renamed := readAtom(t, k.anon, series)
		if len(renamed.Entries) != 1 {
			t.Fatalf("after the rename the feed has %d entries, want 1", len(renamed.Entries))
		}
		got := renamed.Entries[0]
		if !strings.HasSuffix(got.Link.Href, "/beijing-recalibrates") {
			t.Errorf("after the rename the entry links to %q", got.Link.Href)
		}
		if got.ID != entry.ID {
			t.Errorf("after the slug rename the entry id is %q, was %q", got.ID, entry.ID)
		}
		if p, _ := time.Parse(time.RFC3339, got.Published); !p.Equal(pub) {
			t.Errorf("after republishing <published> is %q, was %q (the first publication)", got.Published, entry.Published)
		}
		if renamed.ID != before.ID {
			t.Errorf("feed id moved from %q to %q", before.ID, renamed.ID)
		}

		// Another instance on the same database, at another base URL.
		moved := apptest.New(t, env.DB, apptest.Options{Configure: func(o *app.Options) {
			o.BaseURL, _ = url.Parse("https://news.example.org")
		}})
		for _, p := range []string{site, series, parent} {
			f := readAtom(t, moved.Anonymous(), p)
			if len(f.Entries) != 1 || f.Entries[0].ID != entry.ID {
				t.Errorf("%s at the new base URL: entries %+v, want the one entry with id %s", p, f.Entries, entry.ID)
			}
			if ids[f.ID] != p {
				t.Errorf("%s at the new base URL: feed id %q, was another (%v)", p, f.ID, ids)
			}
		}
	})
}
