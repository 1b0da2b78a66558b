package site_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// The fixtures of the site tests: apptest's newsroom with the example
// briefing of shared/examples/korea-view-2021-04-14.txt published as the
// demo (cmd/masthead/demo.go) publishes it — its hero, its credits, the
// series' about-text — through the management API.

const exampleSlug = "beijing-calibrates-its-approach-to-seoul"

// exampleAbout is the demo's about-text, its "here" a sign-up link.
const exampleAbout = "This briefing comes from Korea View, a weekly newsletter published by the Korea Economic Institute. " +
	"Korea View aims to cover developments that reveal trends on the Korean Peninsula but receive little attention in the United States. " +
	"If you would like to sign up, please find the online form [here](/korea-view#subscribe)."

type desk struct {
	t *testing.T
	n *apptest.Newsroom
}

func openDesk(t *testing.T, env *apptest.Env) *desk {
	t.Helper()
	n := apptest.NewNewsroom(t, env)
	n.Admin.Do("PATCH", "/api/v1/series/"+apptest.Series, map[string]any{"about": exampleAbout}).Want(http.StatusOK)
	return &desk{t: t, n: n}
}

type mdoc struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	State   string `json:"state"`
}

func (k *desk) get(c *apptest.Client, id string) mdoc {
	var d mdoc
	c.For(k.t).Do("GET", "/api/v1/documents/"+id, nil).Want(http.StatusOK).Decode(&d)
	return d
}

func (k *desk) act(c *apptest.Client, id, action string, extra ...any) mdoc {
	k.t.Helper()
	body := map[string]any{"action": action}
	for i := 0; i+1 < len(extra); i += 2 {
		body[extra[i].(string)] = extra[i+1]
	}
	var d mdoc
	c.For(k.t).Do("POST", "/api/v1/documents/"+id+"/transitions", body).Want(http.StatusOK).Decode(&d)
	return d
}

// briefing is a complete briefing; hero may be "".
func briefing(title, slug, hero string) map[string]any {
	b := map[string]any{"type": "briefing", "series": apptest.Series, "title": title, "slug": slug,
		"topics": []string{"China", "South Korea"},
		"fields": map[string]any{
			"summary":       "China raised joint dialogue between the two Koreas and a future 2+2 meeting with Seoul.",
			"what_happened": []string{"During recent talks, the Chinese FM raised the idea of joint dialogue.", "China also voiced support for South Korea’s goals.", "The two foreign ministers discussed holding a future 2+2 meeting."},
			"implications":  "China’s engagement with South Korea seems more focused on **calibrating** Beijing’s position vis-à-vis Washington.",
			"context":       "China’s move to establish regular meetings with South Korea follows Seoul’s continued closeness with the QUAD.",
		}}
	if hero != "" {
		b["hero"] = hero
	}
	return b
}

// create makes a draft as the writer.
func (k *desk) create(title, slug, hero string) mdoc {
	k.t.Helper()
	var d mdoc
	k.n.Writer.For(k.t).Do("POST", "/api/v1/documents", briefing(title, slug, hero)).Want(http.StatusCreated).Decode(&d)
	return d
}

// publish takes a draft through submit, credits, approve and publish.
func (k *desk) publish(d mdoc) mdoc {
	k.t.Helper()
	d = k.act(k.n.Writer, d.ID, "submit")
	d = k.get(k.n.Editor, d.ID)
	credits := []map[string]string{{"role": "editor", "contributor": "yong-kwon"},
		{"role": "contributor", "contributor": "melissa-cho"}, {"role": "contributor", "contributor": "alexandra-langford"}}
	k.n.Editor.For(k.t).Do("PUT", "/api/v1/documents/"+d.ID+"/credits", credits, "If-Match", fmt.Sprintf(`"%d"`, d.Version)).Want(http.StatusOK)
	k.act(k.n.Editor, d.ID, "approve")
	return k.act(k.n.Publisher, d.ID, "publish")
}

// example publishes the example briefing with its hero and returns it.
func (k *desk) example() mdoc {
	k.t.Helper()
	var a struct{ ID string }
	k.n.Assistant.For(k.t).Upload("foreign-ministers.png", apptest.PNG(k.t, 12, 8), map[string]string{
		"alt":     "The foreign ministers of China and South Korea before their talks",
		"caption": "China and South Korea's foreign ministers met in April.",
		"credit":  "Creative Commons image from Flickr account of Republic of Korea", "licence": "CC-BY-SA-2.0",
	}).Want(http.StatusCreated).Decode(&a)
	return k.publish(k.create("Beijing Calibrates Its Approach to Seoul", exampleSlug, a.ID))
}

// page GETs a site page and fails unless it answers want.
func page(t *testing.T, c *apptest.Client, path string, want int) string {
	t.Helper()
	r := c.For(t).Do("GET", path, nil).Want(want)
	return string(r.Body)
}

// inOrder fails unless every want appears in body, each after the one
// before.
func inOrder(t *testing.T, body string, want ...string) {
	t.Helper()
	at := 0
	for _, w := range want {
		i := strings.Index(body[at:], w)
		if i < 0 {
			t.Errorf("page lacks %q after offset %d (or has it out of order)", w, at)
			continue
		}
		at += i + len(w)
	}
}
