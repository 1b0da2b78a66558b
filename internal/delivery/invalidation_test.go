package delivery_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// TestPublishAndUnpublishShowAtOnce: the delivery cache drops what a change
// touched, not everything, and serves stale entries while one reader builds
// them again — yet after an unpublish the document, and every list, feed,
// sitemap and search that showed it, no longer does on the very next read;
// and after a re-publish every one of them shows the new title at once.
func TestPublishAndUnpublishShowAtOnce(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		a := k.publishNew(briefing("korea-view", "Zanzibar Quince Talks Resume", "zanzibar-quince"))
		k.publishNew(briefing("korea-view", "Another Briefing Altogether", "another-briefing"))
		docPath := "/delivery/v1/documents/korea-view/zanzibar-quince"
		shows := []string{
			"/delivery/v1/documents",
			"/delivery/v1/documents?series=korea-view",
			"/delivery/v1/documents?series=the-peninsula",
			"/delivery/v1/documents?topic=china",
			"/delivery/v1/documents?type=briefing&include=fields",
			"/delivery/v1/feed.atom",
			"/delivery/v1/feed.json",
			"/delivery/v1/feeds/korea-view.atom",
			"/delivery/v1/feeds/the-peninsula.json",
			"/delivery/v1/sitemap.xml",
			"/delivery/v1/search?q=zanzibar",
		}
		// Everything is read (and cached) twice before the change.
		for range 2 {
			k.anon.Do("GET", docPath, nil).Want(http.StatusOK)
			for _, p := range shows {
				if r := k.anon.Do("GET", p, nil).Want(http.StatusOK); !strings.Contains(string(r.Body), "zanzibar-quince") {
					t.Fatalf("GET %s does not show the published document: %s", p, r.Body)
				}
			}
		}

		a = k.act(k.publisher, a, "unpublish")
		k.anon.Do("GET", docPath, nil).Want(http.StatusNotFound)
		for _, p := range shows {
			r := k.anon.Do("GET", p, nil).Want(http.StatusOK)
			if strings.Contains(string(r.Body), "zanzibar-quince") {
				t.Errorf("GET %s right after the unpublish still shows the document: %s", p, r.Body)
			}
			if !strings.Contains(p, "search") && !strings.Contains(string(r.Body), "another-briefing") {
				t.Errorf("GET %s right after the unpublish lost the other document: %s", p, r.Body)
			}
		}

		// Published again, with a new title: every one of them shows it on the next read.
		a = k.patch(k.writer, k.get(k.writer, a), map[string]any{"title": "Zanzibar Quince Talks Collapse"})
		k.toPublished(a)
		if r := k.anon.Do("GET", docPath, nil).Want(http.StatusOK); !strings.Contains(string(r.Body), "Talks Collapse") {
			t.Errorf("GET %s right after the re-publish: %s", docPath, r.Body)
		}
		for _, p := range shows {
			want := "Talks Collapse"
			if strings.Contains(p, "sitemap") {
				want = "zanzibar-quince" // it has addresses, no titles
			}
			if r := k.anon.Do("GET", p, nil).Want(http.StatusOK); !strings.Contains(string(r.Body), want) {
				t.Errorf("GET %s right after the re-publish does not show the new title: %s", p, r.Body)
			}
		}
	})
}
