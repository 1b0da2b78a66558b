package management_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// A contributor or a media asset is shared by every series, but what live
// documents show of them is what their series publish: changing one that
// live documents show needs the right in each of those series, and leaves
// an event in each document's history.

// twoDesks is two series, alpha (with a child, alpha-notes) and beta, and
// the people who work on them.
type twoDesks struct {
	admin, anon                       *apptest.Client
	alphaEditor, betaEditor, bothEdit *apptest.Client
	betaAssistant, bothAssistant      *apptest.Client
}

func setupTwoDesks(t *testing.T, env *apptest.Env) twoDesks {
	t.Helper()
	admin := env.Admin()
	for _, s := range []map[string]any{
		{"slug": "alpha", "name": "Alpha", "kind": "blog"},
		{"slug": "alpha-notes", "name": "Alpha Notes", "kind": "newsletter", "parent": "alpha"},
		{"slug": "beta", "name": "Beta", "kind": "blog"},
	} {
		admin.Do("POST", "/api/v1/series", s).Want(http.StatusCreated)
	}
	for _, name := range []string{"Yong Kwon", "Melissa Cho", "Troy Stangarone"} {
		admin.Do("POST", "/api/v1/contributors", map[string]any{"name": name}).Want(http.StatusCreated)
	}
	return twoDesks{
		admin: admin, anon: env.Anonymous(),
		alphaEditor:   env.CreateUser("alpha-editor@example.org", "editor:alpha"),
		betaEditor:    env.CreateUser("beta-editor@example.org", "editor:beta"),
		bothEdit:      env.CreateUser("both-editor@example.org", "editor:alpha", "editor:beta"),
		betaAssistant: env.CreateUser("beta-assistant@example.org", "assistant:beta"),
		bothAssistant: env.CreateUser("both-assistant@example.org", "assistant:alpha", "assistant:beta"),
	}
}

// live publishes a briefing in series, written by the admin and approved
// by an editor of both desks, with these credits and hero (either may be
// empty), and returns its id.
func (w twoDesks) live(t *testing.T, series, slug string, credits []map[string]string, hero string) string {
	t.Helper()
	d := w.draft(t, series, slug, credits, hero)
	moveDoc(t, w.admin, d, "submit")
	moveDoc(t, w.bothEdit, d, "approve")
	moveDoc(t, w.admin, d, "publish")
	return d
}

// draft is a briefing that stays a draft.
func (w twoDesks) draft(t *testing.T, series, slug string, credits []map[string]string, hero string) string {
	t.Helper()
	d := createBriefing(t, w.admin, slug, func(b map[string]any) {
		b["series"], b["slug"] = series, slug
		if hero != "" {
			b["hero"] = hero
		}
	})
	if credits != nil {
		w.admin.Do("PUT", "/api/v1/documents/"+d.ID+"/credits", credits, "If-Match", versionTag(d.Version)).Want(http.StatusOK)
	}
	return d.ID
}

type deliveredJSON struct {
	CreditLine string `json:"credit_line"`
	Credits    []struct {
		Name string `json:"name"`
	} `json:"credits"`
	Hero struct {
		Caption string `json:"caption"`
		Credit  string `json:"credit"`
	} `json:"hero"`
}

func (w twoDesks) delivered(t *testing.T, path string) deliveredJSON {
	t.Helper()
	var d deliveredJSON
	w.anon.Do("GET", "/delivery/v1/documents/"+path, nil).Want(http.StatusOK).Decode(&d)
	return d
}

// historyEvent is one workflow event with what these tests check.
type historyEvent struct {
	Action         string `json:"action"`
	From           string `json:"from"`
	To             string `json:"to"`
	ActorID        string `json:"actor_id"`
	Revision       int    `json:"revision"`
	Note           string `json:"note"`
	BasedOnVersion *int   `json:"based_on_version"`
}

func history(t *testing.T, c *apptest.Client, id string) []historyEvent {
	t.Helper()
	var body struct{ Data []historyEvent }
	c.Do("GET", "/api/v1/documents/"+id+"/events", nil).Want(http.StatusOK).Decode(&body)
	return body.Data
}

// wantLastEvent checks that a document's history ends with a catalog
// change by actor whose note says all of notes.
func wantLastEvent(t *testing.T, c *apptest.Client, id, action, actor string, notes ...string) {
	t.Helper()
	h := history(t, c, id)
	last := h[len(h)-1]
	if last.Action != action || last.ActorID != actor || last.From != "published" || last.To != "published" ||
		last.BasedOnVersion != nil || last.Revision < 1 {
		t.Errorf("%s: last event %+v, want %s by %s on a published document", id, last, action, actor)
	}
	for _, n := range notes {
		if !strings.Contains(last.Note, n) {
			t.Errorf("%s: event note %q lacks %q", id, last.Note, n)
		}
	}
}

func countActions(events []historyEvent, action string) int {
	n := 0
	for _, e := range events {
		if e.Action == action {
			n++
		}
	}
	return n
}

func TestContributorShownLiveNeedsEverySeries(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		w := setupTwoDesks(t, env)
		yong := []map[string]string{{"role": "editor", "contributor": "yong-kwon"}}
		alphaDoc := w.live(t, "alpha-notes", "alpha-one", yong, "")
		betaDoc := w.live(t, "beta", "beta-one", yong, "")
		draftDoc := w.draft(t, "alpha", "alpha-draft", []map[string]string{{"role": "editor", "contributor": "melissa-cho"}}, "")
		const line = "Alpha Notes was edited by Yong Kwon."
		if got := w.delivered(t, "alpha-notes/alpha-one").CreditLine; got != line {
			t.Fatalf("credit line %q, want %q", got, line)
		}
		before := len(history(t, w.admin, alphaDoc))
		unchanged := getDoc(t, w.admin, alphaDoc)

		// An editor of one series may not rename a contributor the other
		// series credits live: 403 naming the series, nothing changes.
		for _, tc := range []struct {
			c      *apptest.Client
			names  string
			lacks  string
			change map[string]any
		}{
			{w.betaEditor, `"alpha/alpha-notes"`, `"beta"`, map[string]any{"name": "Hijacked"}},
			{w.alphaEditor, `"beta"`, `"alpha/alpha-notes"`, map[string]any{"bio": "Rewritten."}},
		} {
			p := wantProblem(t, tc.c.Do("PATCH", "/api/v1/contributors/yong-kwon", tc.change), http.StatusForbidden, "forbidden")
			if !strings.Contains(p.Detail, tc.names) || strings.Contains(p.Detail, tc.lacks) {
				t.Errorf("403 detail %q, want it to name %s and not %s", p.Detail, tc.names, tc.lacks)
			}
		}
		var c contributorJSON
		w.admin.Do("GET", "/api/v1/contributors/yong-kwon", nil).Want(http.StatusOK).Decode(&c)
		if c.Name != "Yong Kwon" || c.Bio != "" {
			t.Errorf("refused changes changed the contributor: %+v", c)
		}
		if got := w.delivered(t, "alpha-notes/alpha-one").CreditLine; got != line {
			t.Errorf("live credit line after a refused rename %q, want %q", got, line)
		}
		if n := len(history(t, w.admin, alphaDoc)); n != before {
			t.Errorf("refused changes added %d events", n-before)
		}

		// An editor of both series (the parent's role covers its child)
		// renames them: both live pages change, both histories say who.
		w.bothEdit.Do("PATCH", "/api/v1/contributors/yong-kwon", map[string]any{"name": "Yong-Hee Kwon"}).Want(http.StatusOK)
		if got := w.delivered(t, "alpha-notes/alpha-one").CreditLine; got != "Alpha Notes was edited by Yong-Hee Kwon." {
			t.Errorf("alpha credit line after the rename %q", got)
		}
		if got := w.delivered(t, "beta/beta-one").Credits; len(got) != 1 || got[0].Name != "Yong-Hee Kwon" {
			t.Errorf("beta credits after the rename %+v", got)
		}
		for _, id := range []string{alphaDoc, betaDoc} {
			wantLastEvent(t, w.admin, id, "contributor.update", w.bothEdit.UserID, `"Yong Kwon"`, `"Yong-Hee Kwon"`)
		}
		// The document itself did not change: same version, same revision.
		if d := getDoc(t, w.admin, alphaDoc); d.Version != unchanged.Version || d.HeadRevision != unchanged.HeadRevision {
			t.Errorf("the rename changed the document: version %d, head revision %d", d.Version, d.HeadRevision)
		}
		// Saving without a change records nothing.
		w.bothEdit.Do("PATCH", "/api/v1/contributors/yong-kwon", map[string]any{"name": "Yong-Hee Kwon"}).Want(http.StatusOK)
		if n := countActions(history(t, w.admin, alphaDoc), "contributor.update"); n != 1 {
			t.Errorf("%d contributor events after a no-op save, want 1", n)
		}
		// Admins hold every series.
		w.admin.Do("PATCH", "/api/v1/contributors/yong-kwon", map[string]any{"bio": "Director."}).Want(http.StatusOK)
		wantLastEvent(t, w.admin, betaDoc, "contributor.update", w.admin.UserID, "bio changed")

		// Contributors only drafts credit, or none, stay editable by any
		// editor, as before, and no draft's history hears of it.
		w.betaEditor.Do("PATCH", "/api/v1/contributors/melissa-cho", map[string]any{"name": "Melissa J. Cho"}).Want(http.StatusOK)
		w.alphaEditor.Do("PATCH", "/api/v1/contributors/troy-stangarone", map[string]any{"bio": "Senior director."}).Want(http.StatusOK)
		if n := countActions(history(t, w.admin, draftDoc), "contributor.update"); n != 0 {
			t.Errorf("a draft's history has %d contributor events", n)
		}

		// Once the other series no longer shows them, one series' editor
		// may change them again.
		moveDoc(t, w.admin, betaDoc, "unpublish")
		w.alphaEditor.Do("PATCH", "/api/v1/contributors/yong-kwon", map[string]any{"name": "Y. Kwon"}).Want(http.StatusOK)
		wantLastEvent(t, w.admin, alphaDoc, "contributor.update", w.alphaEditor.UserID, `"Y. Kwon"`)
		if n := countActions(history(t, w.admin, betaDoc), "contributor.update"); n != 2 {
			t.Errorf("the unpublished document has %d contributor events, want the 2 from when it was live", n)
		}
	})
}

// uploadPNG uploads a small image with a caption and credit as c.
func uploadPNG(t *testing.T, c *apptest.Client, caption, credit string) string {
	t.Helper()
	var a struct{ ID string }
	c.For(t).Upload("hero.png", apptest.PNG(t, 8, 6), map[string]string{
		"caption": caption, "credit": credit, "alt": "A picture", "licence": "CC-BY-2.0",
	}).Want(http.StatusCreated).Decode(&a)
	return a.ID
}

func TestHeroShownLiveNeedsEverySeries(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		w := setupTwoDesks(t, env)
		hero := uploadPNG(t, w.bothAssistant, "Talks in Xiamen", "Republic of Korea")
		alphaDoc := w.live(t, "alpha", "alpha-one", nil, hero)
		betaDoc := w.live(t, "beta", "beta-one", nil, hero)

		p := wantProblem(t, w.betaAssistant.Do("PATCH", "/api/v1/media/"+hero,
			map[string]any{"caption": "Hijacked", "credit": "Someone else"}), http.StatusForbidden, "forbidden")
		if !strings.Contains(p.Detail, `"alpha"`) || strings.Contains(p.Detail, `"beta"`) {
			t.Errorf("403 detail %q, want it to name alpha only", p.Detail)
		}
		if h := w.delivered(t, "alpha/alpha-one").Hero; h.Caption != "Talks in Xiamen" || h.Credit != "Republic of Korea" {
			t.Errorf("live hero after a refused change %+v", h)
		}
		var a struct{ Caption, Credit string }
		w.admin.Do("GET", "/api/v1/media/"+hero, nil).Want(http.StatusOK).Decode(&a)
		if a.Caption != "Talks in Xiamen" || a.Credit != "Republic of Korea" {
			t.Errorf("a refused change changed the asset: %+v", a)
		}
		if n := countActions(history(t, w.admin, alphaDoc), "media.update"); n != 0 {
			t.Errorf("a refused change left %d events", n)
		}

		// An assistant of both series changes it; editors nest assistants.
		w.bothAssistant.Do("PATCH", "/api/v1/media/"+hero, map[string]any{"caption": "Talks in Xiamen, April 2021",
			"credit": "Flickr, Republic of Korea"}).Want(http.StatusOK)
		for _, path := range []string{"alpha/alpha-one", "beta/beta-one"} {
			if h := w.delivered(t, path).Hero; h.Caption != "Talks in Xiamen, April 2021" || h.Credit != "Flickr, Republic of Korea" {
				t.Errorf("%s: live hero after the change %+v", path, h)
			}
		}
		for _, id := range []string{alphaDoc, betaDoc} {
			wantLastEvent(t, w.admin, id, "media.update", w.bothAssistant.UserID,
				`caption "Talks in Xiamen" → "Talks in Xiamen, April 2021"`, `credit "Republic of Korea" → "Flickr, Republic of Korea"`)
		}
		w.bothEdit.Do("PATCH", "/api/v1/media/"+hero, map[string]any{"licence": "CC-BY-SA-2.0"}).Want(http.StatusOK)
		wantLastEvent(t, w.admin, betaDoc, "media.update", w.bothEdit.UserID, `licence "CC-BY-2.0" → "CC-BY-SA-2.0"`)

		// An asset no live document shows stays editable by any assistant.
		spare := uploadPNG(t, w.bothAssistant, "Spare", "Nobody")
		w.draft(t, "alpha", "alpha-draft", nil, spare)
		w.betaAssistant.Do("PATCH", "/api/v1/media/"+spare, map[string]any{"caption": "Still spare"}).Want(http.StatusOK)
	})
}
