package media_test

import (
	"net/http"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// TestImageInTextIsPublicWhileLive: an image an author placed in the text
// (not the hero) is served while the document is live and hidden again
// when it is unpublished; an asset nothing live shows stays hidden.
func TestImageInTextIsPublicWhileLive(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := apptest.NewNewsroom(t, env)
		var shown, other struct{ ID string }
		upload(t, n.Assistant, "map.png", apptest.PNG(t, 8, 6), exampleAttribution).Want(http.StatusCreated).Decode(&shown)
		upload(t, n.Assistant, "other.png", apptest.PNG(t, 8, 6), exampleAttribution).Want(http.StatusCreated).Decode(&other)
		var d struct{ ID string }
		n.Writer.Do("POST", "/api/v1/documents", map[string]any{"type": "briefing", "series": apptest.Series, "title": "Mapped", "slug": "mapped",
			"fields": map[string]any{"summary": "S", "what_happened": []string{"a"},
				"implications": "The route:\n\n![Map of the route](/media/" + shown.ID + ")"}}).Want(http.StatusCreated).Decode(&d)
		anon := n.Anonymous
		anon.Do("GET", "/media/"+shown.ID, nil).Want(http.StatusNotFound) // a draft shows nothing
		for _, step := range []struct {
			c      *apptest.Client
			action string
		}{{n.Writer, "submit"}, {n.Editor, "approve"}, {n.Publisher, "publish"}} {
			step.c.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": step.action}).Want(http.StatusOK)
		}
		anon.Do("GET", "/media/"+shown.ID, nil).Want(http.StatusOK)
		anon.Do("GET", "/media/"+other.ID, nil).Want(http.StatusNotFound)
		n.Publisher.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "unpublish"}).Want(http.StatusOK)
		anon.Do("GET", "/media/"+shown.ID, nil).Want(http.StatusNotFound)
	})
}
