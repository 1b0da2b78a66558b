package delivery_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// TestSlugChangeKeepsOldLink: a published document whose slug changes
// and goes live again leaves a redirect, so that its old URL answers 301
// to the new one at the site root and through the delivery API; admins
// list, add and delete redirects; nothing redirects to what is not live.
func TestSlugChangeKeepsOldLink(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := apptest.NewNewsroom(t, env)
		var d struct {
			ID      string
			Version int
		}
		n.Writer.Do("POST", "/api/v1/documents", map[string]any{"type": "briefing", "series": apptest.Series, "title": "First Name", "slug": "first-name",
			"fields": map[string]any{"summary": "S", "what_happened": []string{"a"}, "implications": "I"}}).Want(http.StatusCreated).Decode(&d)
		golive := func() {
			for _, step := range []struct {
				c      *apptest.Client
				action string
			}{{n.Writer, "submit"}, {n.Editor, "approve"}, {n.Publisher, "publish"}} {
				step.c.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": step.action}).Want(http.StatusOK)
			}
		}
		golive()
		n.Writer.Do("GET", "/api/v1/documents/"+d.ID, nil).Want(http.StatusOK).Decode(&d)
		n.Writer.Do("PATCH", "/api/v1/documents/"+d.ID, map[string]any{"slug": "second-name"}, "If-Match", `"`+strconv.Itoa(d.Version)+`"`).Want(http.StatusOK)
		golive()

		want := env.App.Live.DocumentURL(apptest.Series, "second-name")
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for _, path := range []string{"/korea-view/first-name", "/korea-view/first-name/", "/delivery/v1/redirects?path=/korea-view/first-name"} {
			resp, err := client.Get(env.Server.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
				t.Errorf("GET %s: %d to %q, want 301 to %q", path, resp.StatusCode, resp.Header.Get("Location"), want)
			}
		}
		var list struct {
			Data []struct{ ID, Path, Source string }
		}
		n.Admin.Do("GET", "/api/v1/redirects", nil).Want(http.StatusOK).Decode(&list)
		if len(list.Data) != 1 || list.Data[0].Path != "/korea-view/first-name" || list.Data[0].Source != "rename" {
			t.Fatalf("redirects %+v, want the old path, from the rename", list.Data)
		}
		n.Editor.Do("GET", "/api/v1/redirects", nil).Want(http.StatusForbidden)
		n.Admin.Do("POST", "/api/v1/redirects", map[string]any{"path": "https://old.example/2019/05/story/?utm=x", "document_id": d.ID}).Want(http.StatusCreated)
		resp, err := client.Get(env.Server.URL + "/2019/05/story")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMovedPermanently {
			t.Errorf("an added redirect answers %d", resp.StatusCode)
		}
		n.Admin.Do("DELETE", "/api/v1/redirects/"+list.Data[0].ID, nil).Want(http.StatusNoContent)
		env.Anonymous().Do("GET", "/korea-view/first-name", nil).Want(http.StatusNotFound)

		// Unpublished, the document is redirected to by nothing.
		n.Publisher.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "unpublish"}).Want(http.StatusOK)
		env.Anonymous().Do("GET", "/2019/05/story", nil).Want(http.StatusNotFound)
	})
}
