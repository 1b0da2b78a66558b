package delivery_test

import (
	"bytes"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// uploadHero uploads a small image with alt text and this licence as c.
func uploadHero(t *testing.T, c *apptest.Client, licence string) string {
	t.Helper()
	var file bytes.Buffer
	if err := png.Encode(&file, image.NewRGBA(image.Rect(0, 0, 8, 6))); err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("alt", "Two ministers shake hands")
	_ = mw.WriteField("licence", licence)
	fw, _ := mw.CreateFormFile("file", "hero.png")
	_, _ = fw.Write(file.Bytes())
	_ = mw.Close()
	var a struct{ ID string }
	c.Do("POST", "/api/v1/media", body.Bytes(), "Content-Type", mw.FormDataContentType()).Want(http.StatusCreated).Decode(&a)
	return a.ID
}

// sectioned is what a front end reads of a delivered document beyond
// its digest (issue 15, item 7).
type sectioned struct {
	Sections []struct {
		Name, Label, Kind, HTML string
		Items                   []string
	}
	Parent *struct{ Slug, Name, URL string }
	Hero   *struct {
		Licence     string `json:"licence"`
		LicenceInfo *struct {
			ID, Name, URL string
		} `json:"licence_info"`
	}
	About     string `json:"about"`
	AboutHTML string `json:"about_html"`
}

// TestDeliveredDocumentCarriesSectionsInOrder publishes the reference
// briefing with a licensed hero under a series whose about-text links to
// a form: the document carries its sections in the content type's order
// with labels (the list keeps its items), its series' parent, the
// licence's SPDX name and address, and the about-text as HTML with the
// link; the feeds print the sections in that order under their labels.
func TestDeliveredDocumentCarriesSectionsInOrder(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		about := "Subscribe to Korea View: [find the online form here](https://keia.example/form)."
		k.admin.Do("PATCH", "/api/v1/series/korea-view", map[string]any{"about": about}).Want(http.StatusOK)
		body := briefing("korea-view", "Beijing Calibrates Its Approach to Seoul", "beijing-calibrates")
		body["hero"] = uploadHero(t, k.editor, "CC-BY-SA-2.0")
		k.publishNew(body)

		var got sectioned
		k.anon.Do("GET", "/delivery/v1/documents/korea-view/beijing-calibrates", nil).Want(http.StatusOK).Decode(&got)
		var names, labels []string
		for _, s := range got.Sections {
			names, labels = append(names, s.Name), append(labels, s.Label)
		}
		if want := []string{"summary", "what_happened", "implications", "context"}; !slices.Equal(names, want) {
			t.Errorf("sections %v, want the content type's order %v", names, want)
		}
		if want := []string{"Summary", "What Happened", "Implications", "Context"}; !slices.Equal(labels, want) {
			t.Errorf("labels %v, want %v", labels, want)
		}
		if len(got.Sections) == 4 {
			list, rich := got.Sections[1], got.Sections[2]
			if list.Kind != "text_list" || len(list.Items) != 2 || !strings.HasPrefix(list.HTML, "<ul><li>The Chinese FM") {
				t.Errorf("the list section is %+v", list)
			}
			if rich.Kind != "rich_text" || !strings.Contains(rich.HTML, "<strong>calibrating</strong>") || rich.Items != nil {
				t.Errorf("the rich-text section is %+v", rich)
			}
		}
		if got.Parent == nil || *got.Parent != (struct{ Slug, Name, URL string }{apptest.ParentSeries, "The Peninsula", siteBase + "/" + apptest.ParentSeries}) {
			t.Errorf("parent = %+v", got.Parent)
		}
		if got.Hero == nil || got.Hero.Licence != "CC-BY-SA-2.0" || got.Hero.LicenceInfo == nil ||
			got.Hero.LicenceInfo.ID != "CC-BY-SA-2.0" || got.Hero.LicenceInfo.Name != "Creative Commons Attribution Share Alike 2.0 Generic" ||
			got.Hero.LicenceInfo.URL != "https://creativecommons.org/licenses/by-sa/2.0/" {
			t.Errorf("hero licence = %+v", got.Hero)
		}
		if got.About != about || !strings.Contains(got.AboutHTML, `<a href="https://keia.example/form"`) ||
			!strings.Contains(got.AboutHTML, ">find the online form here</a>") {
			t.Errorf("about %q, about_html %q", got.About, got.AboutHTML)
		}

		for _, feed := range []string{"/delivery/v1/feed.atom", "/delivery/v1/feeds/korea-view.json"} {
			text := string(k.anon.Do("GET", feed, nil).Want(http.StatusOK).Body)
			// Atom escapes its HTML content, JSON its angle brackets.
			text = strings.NewReplacer("&lt;", "<", "&gt;", ">", `\u003c`, "<", `\u003e`, ">").Replace(text)
			what, context := strings.Index(text, "<h2>What Happened</h2>"), strings.Index(text, "<h2>Context</h2>")
			if what < 0 || context < what || !strings.Contains(text, "<h2>Implications</h2>") {
				t.Errorf("%s does not print What Happened before Context under their labels:\n%s", feed, text)
			}
		}
	})
}

// TestContentTypesArePublic reads the content types without signing in:
// fields in order with labels and kinds, one by name, 404 for an unknown
// one, and a 304 on revalidation.
func TestContentTypesArePublic(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		k := openDesk(t, env)
		var list struct {
			Data []struct {
				Name   string
				Fields []struct{ Name, Label, Kind string }
			}
		}
		r := k.anon.Do("GET", "/delivery/v1/content-types", nil).Want(http.StatusOK)
		r.Decode(&list)
		found := false
		for _, ct := range list.Data {
			if ct.Name == "briefing" {
				found = len(ct.Fields) == 4 && ct.Fields[1].Name == "what_happened" && ct.Fields[1].Label == "What Happened" && ct.Fields[1].Kind == "text_list"
			}
		}
		if !found {
			t.Errorf("the public list lacks the briefing with its fields in order: %s", r.Body)
		}
		if cc := r.Header.Get("Cache-Control"); cc != publicCacheControl {
			t.Errorf("Cache-Control %q", cc)
		}
		one := k.anon.Do("GET", "/delivery/v1/content-types/briefing", nil).Want(http.StatusOK)
		k.anon.Do("GET", "/delivery/v1/content-types/briefing", nil, "If-None-Match", one.Header.Get("ETag")).Want(http.StatusNotModified)
		k.anon.Do("GET", "/delivery/v1/content-types/nothing", nil).Want(http.StatusNotFound)
	})
}
