package management_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/cms"
)

// uploadImage uploads a small image with this alt text and licence as c.
func uploadImage(t *testing.T, c *apptest.Client, alt, licence string) string {
	t.Helper()
	var file bytes.Buffer
	if err := png.Encode(&file, image.NewRGBA(image.Rect(0, 0, 8, 6))); err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("alt", alt)
	_ = mw.WriteField("licence", licence)
	fw, _ := mw.CreateFormFile("file", "hero.png")
	_, _ = fw.Write(file.Bytes())
	_ = mw.Close()
	var a struct{ ID string }
	c.Do("POST", "/api/v1/media", body.Bytes(), "Content-Type", mw.FormDataContentType()).Want(http.StatusCreated).Decode(&a)
	return a.ID
}

// gated is a newsroom whose Korea View requires an editor credit, with a
// hero image that passes the gates.
type gated struct {
	newsroom
	env  *apptest.Env
	hero string
}

func setupGates(t *testing.T, env *apptest.Env) gated {
	t.Helper()
	g := gated{newsroom: setupNewsroom(t, env), env: env}
	g.admin.Do("PATCH", "/api/v1/series/korea-view", map[string]any{"requires_credit": "editor"}).Want(http.StatusOK)
	g.hero = uploadImage(t, g.editor, "Two foreign ministers shake hands", "CC-BY-2.0")
	return g
}

// ready is an approved briefing that passes every gate: a licensed hero
// with alt text, an editor credit; mods change its body first.
func (g gated) ready(t *testing.T, title string, mods ...func(map[string]any)) docFull {
	t.Helper()
	mods = append([]func(map[string]any){func(b map[string]any) { b["hero"] = g.hero }}, mods...)
	d := createBriefing(t, g.writer, title, mods...)
	d = moveDoc(t, g.writer, d.ID, "submit")
	credits := []map[string]string{{"role": "editor", "contributor": "yong-kwon"}}
	g.editor.Do("PUT", "/api/v1/documents/"+d.ID+"/credits", credits, "If-Match", versionTag(d.Version)).Want(http.StatusOK)
	return moveDoc(t, g.editor, d.ID, "approve")
}

// reasons are the blockers' reasons, each for document id.
func reasons(t *testing.T, p blockedProblem, id string) []string {
	t.Helper()
	var out []string
	for _, b := range p.Blockers {
		if b.DocumentID != id || b.Message == "" || b.Title == "" {
			t.Errorf("blocker %+v does not name document %s with a title and message", b, id)
		}
		out = append(out, b.Reason)
	}
	slices.Sort(out)
	return out
}

type blockedProblem struct {
	Code     string        `json:"code"`
	Blockers []cms.Blocker `json:"blockers"`
}

// refused checks that action is refused with 409 for exactly these
// reasons and that the document did not change.
func (g gated) refused(t *testing.T, d docFull, action string, want ...string) {
	t.Helper()
	extra := []string{}
	if action == "schedule" {
		extra = []string{"at", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}
	}
	r := transition(g.publisher, doc{ID: d.ID}, action, extra...)
	wantProblem(t, r, http.StatusConflict, "conflict")
	var p blockedProblem
	r.Decode(&p)
	slices.Sort(want)
	if got := reasons(t, p, d.ID); !slices.Equal(got, want) {
		t.Errorf("%s refused for %v, want %v", action, got, want)
	}
	if after := getDoc(t, g.publisher, d.ID); after.State != "approved" || after.Version != d.Version {
		t.Errorf("after a refused %s: state %s version %d, want approved %d", action, after.State, after.Version, d.Version)
	}
}

func TestPublishGatesEachNamed(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		g := setupGates(t, env)
		field := func(name, md string) func(map[string]any) {
			return func(b map[string]any) { b["fields"].(map[string]any)[name] = md }
		}
		cases := []struct {
			name   string
			mods   []func(map[string]any)
			reason string
		}{
			{"unlicensed hero", []func(map[string]any){func(b map[string]any) { b["hero"] = uploadImage(t, g.editor, "A map", "") }}, "hero_licence"},
			{"hero without alt", []func(map[string]any){func(b map[string]any) { b["hero"] = uploadImage(t, g.editor, "", "CC0-1.0") }}, "hero_alt"},
			{"markdown image without alt", []func(map[string]any){field("implications", "See ![](/media/x).")}, "image_alt"},
			{"html image without alt", []func(map[string]any){field("context", `See <img src="/media/x">.`)}, "image_alt"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				d := g.ready(t, c.name, c.mods...)
				g.refused(t, d, "publish", c.reason)
				g.refused(t, d, "schedule", c.reason)
			})
		}
		t.Run("required credit", func(t *testing.T) {
			d := createBriefing(t, g.writer, "Uncredited", func(b map[string]any) { b["hero"] = g.hero })
			moveDoc(t, g.writer, d.ID, "submit")
			d = moveDoc(t, g.editor, d.ID, "approve")
			g.refused(t, d, "publish", "credit_required")
			g.refused(t, d, "schedule", "credit_required")
		})
		t.Run("passing every gate", func(t *testing.T) {
			d := g.ready(t, "Complete", field("implications", "![Seoul at night](/media/x)"))
			if d = moveDoc(t, g.publisher, d.ID, "publish"); d.State != "published" {
				t.Errorf("state %s, want published", d.State)
			}
		})
	})
}

func TestPublishGatesListedAtOnce(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		g := setupGates(t, env)
		bare := uploadImage(t, g.editor, "", "")
		d := createBriefing(t, g.writer, "Everything wrong", func(b map[string]any) {
			b["hero"] = bare
			b["fields"].(map[string]any)["implications"] = "![](/a.png)"
			b["fields"].(map[string]any)["context"] = "<p><img src=/b.png alt=''></p>"
		})
		moveDoc(t, g.writer, d.ID, "submit")
		d = moveDoc(t, g.editor, d.ID, "approve")
		all := []string{"credit_required", "hero_alt", "hero_licence", "image_alt", "image_alt"}
		g.refused(t, d, "publish", all...)
		g.refused(t, d, "schedule", all...)
	})
}

func TestSeriesRequiresCredit(t *testing.T) {
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		var sr struct {
			RequiresCredit string `json:"requires_credit"`
		}
		n.admin.Do("PATCH", "/api/v1/series/korea-view", map[string]any{"requires_credit": "editor"}).Want(http.StatusOK).Decode(&sr)
		if sr.RequiresCredit != "editor" {
			t.Fatalf("requires_credit = %q, want editor", sr.RequiresCredit)
		}
		p := wantProblem(t, n.admin.Do("PATCH", "/api/v1/series/korea-view", map[string]any{"requires_credit": "Chief Editor!"}), http.StatusBadRequest, "invalid")
		wantFields(t, p, "requires_credit")
		wantProblem(t, n.editor.Do("PATCH", "/api/v1/series/korea-view", map[string]any{"requires_credit": ""}), http.StatusForbidden, "forbidden")
		n.admin.Do("GET", "/api/v1/series/korea-view", nil).Want(http.StatusOK).Decode(&sr)
		if sr.RequiresCredit != "editor" {
			t.Errorf("after refused changes requires_credit = %q, want editor", sr.RequiresCredit)
		}
		events, err := env.DB.FindAudit(context.Background(), 50)
		if err != nil {
			t.Fatal(err)
		}
		logged := 0
		for _, e := range events {
			if e.Action == "series.update" && e.Detail["requires_credit"] == "editor" {
				logged++
			}
		}
		if logged != 1 {
			t.Errorf("%d audit events set requires_credit, want 1", logged)
		}
	})
}
