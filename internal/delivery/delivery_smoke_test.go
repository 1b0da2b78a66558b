package delivery_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

func TestPublishedBriefingIsDelivered(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		admin := env.Admin()
		admin.Do("POST", "/api/v1/series", map[string]any{"slug": "korea-view", "name": "Korea View", "kind": "newsletter"}).Want(http.StatusCreated)
		admin.Do("POST", "/api/v1/contributors", map[string]any{"name": "Yong Kwon"}).Want(http.StatusCreated)
		writer := env.CreateUser("w@example.org", "author:korea-view")
		r := writer.Do("POST", "/api/v1/documents", map[string]any{"type": "briefing", "series": "korea-view", "title": "Beijing Calibrates",
			"fields": map[string]any{"summary": "S", "what_happened": []string{"a"}, "implications": "**I** <script>x()</script>"}}).Want(http.StatusCreated)
		var d struct {
			ID      string
			Version int
		}
		r.Decode(&d)
		anon := env.Anonymous()
		anon.Do("GET", "/delivery/v1/documents/korea-view/beijing-calibrates", nil).Want(http.StatusNotFound)
		writer.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "submit"}).Want(http.StatusOK)
		editor := env.CreateUser("e@example.org", "editor:korea-view")
		r = editor.Do("PUT", "/api/v1/documents/"+d.ID+"/credits", []map[string]string{{"role": "editor", "contributor": "yong-kwon"}}, "If-Match", fmt.Sprintf(`"%d"`, d.Version+1)).Want(http.StatusOK)
		editor.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "approve"}).Want(http.StatusOK)
		publisher := env.CreateUser("p@example.org", "publisher:korea-view")
		publisher.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "publish"}).Want(http.StatusOK)
		got := anon.Do("GET", "/delivery/v1/documents/korea-view/beijing-calibrates", nil).Want(http.StatusOK)
		body := got.JSON()
		if body["credit_line"] != "Korea View was edited by Yong Kwon." {
			t.Errorf("credit_line = %v", body["credit_line"])
		}
		impl := body["fields"].(map[string]any)["implications"].(map[string]any)
		if impl["html"] != "<p><strong>I</strong> x()</p>\n" {
			t.Errorf("html = %q", impl["html"])
		}
		etag := got.Header.Get("ETag")
		anon.Do("GET", "/delivery/v1/documents/korea-view/beijing-calibrates", nil, "If-None-Match", etag).Want(http.StatusNotModified)
		list := anon.Do("GET", "/delivery/v1/documents?series=korea-view", nil).Want(http.StatusOK).JSON()
		if list["total"] != float64(1) {
			t.Errorf("list = %v", list)
		}
		for _, path := range []string{"/delivery/v1/feeds/korea-view.atom", "/delivery/v1/feeds/korea-view.json", "/sitemap.xml", "/delivery/v1/series/korea-view", "/delivery/v1/contributors/yong-kwon"} {
			anon.Do("GET", path, nil).Want(http.StatusOK)
		}
		publisher.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "unpublish"}).Want(http.StatusOK)
		anon.Do("GET", "/delivery/v1/documents/korea-view/beijing-calibrates", nil).Want(http.StatusNotFound)
	})
}
