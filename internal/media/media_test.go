package media_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// upload sends a multipart form with the file and the given fields.
func upload(t *testing.T, c *apptest.Client, filename string, data []byte, fields map[string]string) *apptest.Response {
	t.Helper()
	return c.For(t).Upload(filename, data, fields)
}

var exampleAttribution = map[string]string{
	"alt":        "The foreign ministers of South Korea and China shake hands",
	"caption":    "Talks in Xiamen, April 2021",
	"credit":     "Creative Commons image from Flickr account of Republic of Korea",
	"licence":    "CC-BY-SA-2.0",
	"source_url": "https://www.flickr.com/photos/koreanet/",
}

func TestHeroImageFromUploadToDelivery(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) { o.UploadLimit = 64 << 10 }})
		admin := env.Admin()
		admin.Do("POST", "/api/v1/series", map[string]any{"slug": "korea-view", "name": "Korea View", "kind": "newsletter"}).Want(http.StatusCreated)
		writer := env.CreateUser("w@example.org", "author:korea-view")
		assistant := env.CreateUser("a@example.org", "assistant:korea-view")
		editor := env.CreateUser("e@example.org", "editor:korea-view")
		publisher := env.CreateUser("p@example.org", "publisher:korea-view")

		// Who may upload, and what is refused.
		upload(t, writer, "x.png", apptest.PNG(t, 4, 3), nil).Want(http.StatusForbidden)
		upload(t, assistant, "forged.png", []byte("<html><script>alert(1)</script></html>"), nil).Want(http.StatusUnsupportedMediaType)
		upload(t, assistant, "truncated.png", apptest.PNG(t, 4, 3)[:40], nil).Want(http.StatusBadRequest)
		upload(t, assistant, "big.png", bytes.Repeat([]byte{0x89}, 128<<10), nil).Want(http.StatusRequestEntityTooLarge)
		upload(t, assistant, "x.png", apptest.PNG(t, 4, 3), map[string]string{"licence": "CC BY; DROP"}).Want(http.StatusBadRequest)
		upload(t, assistant, "x.png", apptest.PNG(t, 4, 3), map[string]string{"source_url": "javascript:alert(1)"}).Want(http.StatusBadRequest)
		var list struct{ Total int }
		assistant.Do("GET", "/api/v1/media", nil).Want(http.StatusOK).Decode(&list)
		if list.Total != 0 {
			t.Fatalf("refused uploads left %d assets", list.Total)
		}
		for _, q := range []string{"limit=0", "limit=201", "limit=abc", "offset=-1"} {
			assistant.Do("GET", "/api/v1/media?"+q, nil).Want(http.StatusBadRequest)
		}

		var asset struct {
			ID, Filename, MIME, SHA256 string
			Width, Height              int
		}
		upload(t, assistant, "../../etc/passwd/hero.png", apptest.PNG(t, 40, 30), exampleAttribution).Want(http.StatusCreated).Decode(&asset)
		if asset.Filename != "hero.png" || asset.MIME != "image/png" || asset.Width != 40 || asset.Height != 30 || len(asset.SHA256) != 64 {
			t.Fatalf("asset %+v", asset)
		}
		anon := env.Anonymous()
		anon.Do("GET", "/media/"+asset.ID, nil).Want(http.StatusNotFound) // not shown by anything live
		staff := assistant.Do("GET", "/api/v1/media/"+asset.ID+"/file", nil).Want(http.StatusOK)
		if staff.Header.Get("Content-Type") != "image/png" || staff.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("staff file headers %v", staff.Header)
		}

		var d struct {
			ID      string
			Version int
		}
		writer.Do("POST", "/api/v1/documents", map[string]any{"type": "briefing", "series": "korea-view", "title": "Beijing Calibrates", "hero": "nope",
			"fields": map[string]any{"summary": "S", "what_happened": []string{"a"}, "implications": "I"}}).Want(http.StatusBadRequest)
		writer.Do("POST", "/api/v1/documents", map[string]any{"type": "briefing", "series": "korea-view", "title": "Beijing Calibrates", "hero": asset.ID,
			"fields": map[string]any{"summary": "S", "what_happened": []string{"a"}, "implications": "I"}}).Want(http.StatusCreated).Decode(&d)
		for _, step := range []struct {
			c      *apptest.Client
			action string
		}{{writer, "submit"}, {editor, "approve"}, {publisher, "publish"}} {
			step.c.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": step.action}).Want(http.StatusOK)
		}
		var delivered struct {
			Hero struct {
				URL, Alt, Caption, Credit, Licence string
				SourceURL                          string `json:"source_url"`
				Width, Height                      int
			}
		}
		anon.Do("GET", "/delivery/v1/documents/korea-view/beijing-calibrates", nil).Want(http.StatusOK).Decode(&delivered)
		h := delivered.Hero
		if h.URL != "http://masthead.test/media/"+asset.ID || h.Licence != "CC-BY-SA-2.0" || h.Credit != exampleAttribution["credit"] ||
			h.Alt != exampleAttribution["alt"] || h.SourceURL != exampleAttribution["source_url"] || h.Width != 40 || h.Height != 30 {
			t.Errorf("delivered hero %+v", h)
		}
		file := anon.Do("GET", "/media/"+asset.ID, nil).Want(http.StatusOK)
		if !bytes.Equal(file.Body, apptest.PNG(t, 40, 30)) || file.Header.Get("Content-Security-Policy") != "default-src 'none'" {
			t.Errorf("public file: %d bytes, headers %v", len(file.Body), file.Header)
		}

		// New attribution reaches delivery; an unpublish hides the file.
		assistant.Do("PATCH", "/api/v1/media/"+asset.ID, map[string]any{"licence": "CC-BY-2.0"}).Want(http.StatusOK)
		anon.Do("GET", "/delivery/v1/documents/korea-view/beijing-calibrates", nil).Want(http.StatusOK).Decode(&delivered)
		if delivered.Hero.Licence != "CC-BY-2.0" {
			t.Errorf("licence after update %q", delivered.Hero.Licence)
		}
		publisher.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "unpublish"}).Want(http.StatusOK)
		anon.Do("GET", "/media/"+asset.ID, nil).Want(http.StatusNotFound)
		anon.Do("GET", fmt.Sprintf("/media/%s", "..%2f..%2fetc%2fpasswd"), nil).Want(http.StatusNotFound)
	})
}
