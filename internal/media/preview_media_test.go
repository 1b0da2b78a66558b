package media_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// TestPreviewLinkShowsTheDraftsImages: an outside reviewer's preview link
// shows a draft's hero and the images in its text through the link's own
// media path, privately; the files stay off /media, and the link serves
// no other asset, nor anything once revoked.
func TestPreviewLinkShowsTheDraftsImages(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := apptest.NewNewsroom(t, env)
		var hero, inText, other struct{ ID string }
		for _, a := range []*struct{ ID string }{&hero, &inText, &other} {
			upload(t, n.Assistant, "image.png", apptest.PNG(t, 8, 6), exampleAttribution).Want(http.StatusCreated).Decode(a)
		}
		var d struct{ ID string }
		n.Writer.Do("POST", "/api/v1/documents", map[string]any{"type": "briefing", "series": apptest.Series, "title": "Previewed", "hero": hero.ID,
			"fields": map[string]any{"summary": "S", "what_happened": []string{"a"},
				"implications": "![Map of the route](/media/" + inText.ID + ")"}}).Want(http.StatusCreated).Decode(&d)
		var link struct{ ID, URL string }
		n.Writer.Do("POST", "/api/v1/documents/"+d.ID+"/preview-links", nil).Want(http.StatusCreated).Decode(&link)
		u, err := url.Parse(link.URL)
		if err != nil {
			t.Fatal(err)
		}
		anon := n.Anonymous
		var preview struct {
			Hero struct {
				URL    string
				Social struct{ URL string }
			}
			Fields struct{ Implications struct{ HTML string } }
		}
		anon.Do("GET", u.Path, nil).Want(http.StatusOK).Decode(&preview)
		base := u.Path + "/media/"
		if !strings.HasSuffix(preview.Hero.URL, base+hero.ID) || !strings.Contains(preview.Fields.Implications.HTML, base+inText.ID) {
			t.Fatalf("the preview's images point to %q and %q, want under %s", preview.Hero.URL, preview.Fields.Implications.HTML, base)
		}
		for _, id := range []string{hero.ID, inText.ID} {
			r := anon.Do("GET", base+id, nil).Want(http.StatusOK)
			if !bytes.Equal(r.Body, apptest.PNG(t, 8, 6)) || r.Header.Get("Cache-Control") != "private, no-store" {
				t.Errorf("preview file %s: %d bytes, Cache-Control %q", id, len(r.Body), r.Header.Get("Cache-Control"))
			}
			anon.Do("GET", "/media/"+id, nil).Want(http.StatusNotFound) // a draft makes nothing public
		}
		// The hero's variants (here its social crop) come through the
		// link's path too, and stay off /media.
		crop := strings.TrimPrefix(preview.Hero.Social.URL, "http://masthead.test")
		if !strings.HasPrefix(crop, base+hero.ID+"/") {
			t.Fatalf("the preview's social crop is at %q, want under %s", preview.Hero.Social.URL, base+hero.ID+"/")
		}
		if r := anon.Do("GET", crop, nil).Want(http.StatusOK); r.Header.Get("Cache-Control") != "private, no-store" || r.Header.Get("Content-Type") != "image/png" {
			t.Errorf("preview social crop: headers %v", r.Header)
		}
		anon.Do("GET", "/media/"+strings.TrimPrefix(crop, base), nil).Want(http.StatusNotFound)
		anon.Do("GET", base+inText.ID+"/"+strings.Repeat("0", 64), nil).Want(http.StatusNotFound) // no variant of that asset
		anon.Do("GET", base+other.ID, nil).Want(http.StatusNotFound)
		anon.Do("GET", "/delivery/v1/preview/forged.token/media/"+hero.ID, nil).Want(http.StatusNotFound)
		n.Writer.Do("DELETE", "/api/v1/documents/"+d.ID+"/preview-links/"+link.ID, nil).Want(http.StatusNoContent)
		anon.Do("GET", base+hero.ID, nil).Want(http.StatusNotFound)
		anon.Do("GET", crop, nil).Want(http.StatusNotFound)
	})
}
