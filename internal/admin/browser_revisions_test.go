package admin_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// typeAtEnd types text at the end of a field, as a person who clicked
// after its last word would; clear empties the field first.
func (p *person) typeAtEnd(css, text string, clear bool) {
	p.b.t.Helper()
	js := `(function(){var el=document.querySelector(` + jsonNumber(css) + `);el.focus();` +
		map[bool]string{true: `el.value="";`, false: ``}[clear] + `el.setSelectionRange(el.value.length,el.value.length);})()`
	p.do("type in "+css, chromedp.Evaluate[chromedp.Void](js), chromedp.KeyEvent(text))
}

func revisionCount(t *testing.T, c *apptest.Client, id string) int {
	t.Helper()
	var body struct{ Data []json.RawMessage }
	c.Do("GET", "/api/v1/documents/"+id+"/revisions", nil).Want(http.StatusOK).Decode(&body)
	return len(body.Data)
}

func summaryOf(t *testing.T, c *apptest.Client, id string) string {
	t.Helper()
	s, _ := fetchDoc(t, c, id)["fields"].(map[string]any)["summary"].(string)
	return s
}

// TestBrowserTypingIsOneRevision: autosaves while a writer types with
// pauses make no revision until they submit; the revisions list, opened
// from the editor, has what was typed last; restoring the submitted
// revision brings back exactly what was submitted.
func TestBrowserTypingIsOneRevision(t *testing.T) {
	chromiumPath(t)
	env := apptest.New(t, storetest.OpenSQLite(t))
	n := setup(t, env)
	d := create(t, n.writer)
	before := summaryOf(t, n.writer, d.ID)
	b := newBrowser(t, env.Server.URL)
	w := b.signIn("writer", "writer@example.org", "password-writer@example.org")
	w.open("/admin/documents/" + d.ID)

	w.typeAtEnd("#f-summary", " With Seoul", false)
	w.do("pause", chromedp.Blur(chromedp.CSS("#f-summary")))
	w.see("(version 2)")
	w.typeAtEnd("#f-summary", " that", false)
	w.do("pause", chromedp.Blur(chromedp.CSS("#f-summary")))
	w.see("(version 3)")
	if got := revisionCount(t, n.writer, d.ID); got != 1 {
		t.Errorf("%d revisions after two autosaves, want 1", got)
	}
	// Open the list straight from the editor, with text not saved yet.
	w.typeAtEnd("#f-summary", " week.", false)
	w.do("open the list", chromedp.Click(chromedp.CSS(`.doctabs a[href$="/revisions"]`)), chromedp.WaitVisible(chromedp.CSS("table.revisions")))
	typed := before + " With Seoul that week."
	if got := summaryOf(t, n.writer, d.ID); got != typed {
		t.Fatalf("the list opened before the last text was saved: summary %q", got)
	}
	if got := w.text("[data-changed]"); !strings.Contains(got, "Summary") {
		t.Errorf("what changed: %q", got)
	}
	if when := w.text("[data-revision-time]"); !regexp.MustCompile(`\d:\d\d:\d\d`).MatchString(when) {
		t.Errorf("the revision's time has no seconds: %q", when)
	}
	w.axe(axeScript(t), "revisions")

	w.open("/admin/documents/" + d.ID)
	w.do("submit", chromedp.Click(chromedp.CSS(`form[data-action="submit"] button`)))
	w.see("In review")
	if got := revisionCount(t, n.writer, d.ID); got != 1 {
		t.Errorf("%d revisions after submitting, want 1", got)
	}
	// The editor changes the summary, then restores the submitted one.
	dv := fetchDoc(t, n.editor, d.ID)
	n.editor.Do("PATCH", "/api/v1/documents/"+d.ID, map[string]any{"fields": map[string]any{"summary": "Cut at …with Seoul that"}},
		"If-Match", `"`+jsonNumber(dv["version"])+`"`).Want(http.StatusOK)
	e := b.signIn("editor", "editor@example.org", "password-editor@example.org")
	e.open("/admin/documents/" + d.ID + "/revisions")
	e.see("submitted")
	e.do("restore 1", chromedp.Click(chromedp.CSS(`button[form="restore-1"]`)))
	e.see("Restored revision 1")
	if got := summaryOf(t, n.editor, d.ID); got != typed {
		t.Errorf("restored summary %q, want exactly the submitted %q", got, typed)
	}
}

func jsonNumber(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}

// TestBrowserKeepBoth: two sessions change the title and the summary;
// "Keep both" keeps both.
func TestBrowserKeepBoth(t *testing.T) {
	chromiumPath(t)
	env := apptest.New(t, storetest.OpenSQLite(t))
	n := setup(t, env)
	d := create(t, n.writer)
	b := newBrowser(t, env.Server.URL)
	first := b.signIn("writer, first browser", "writer@example.org", "password-writer@example.org")
	second := b.signIn("writer, second browser", "writer@example.org", "password-writer@example.org")
	path := "/admin/documents/" + d.ID
	first.open(path)
	second.open(path)

	first.typeAtEnd("#f-title", " (first)", false)
	first.do("pause", chromedp.Blur(chromedp.CSS("#f-title")))
	first.see("Saved at")
	const mine = " The second writer’s addition."
	second.typeAtEnd("#f-summary", mine, false)
	second.do("pause", chromedp.Blur(chromedp.CSS("#f-summary")))
	second.do("wait for the banner", chromedp.WaitVisible(chromedp.CSS("#conflict-banner [data-keep-both]")))
	second.axe(axeScript(t), "conflict banner")
	second.do("keep both", chromedp.Click(chromedp.CSS("[data-keep-both]")), chromedp.WaitNotPresent(chromedp.CSS("#conflict-banner")))
	second.see("Saved at")
	got := fetchDoc(t, n.writer, d.ID)
	if title := got["title"].(string); !strings.HasSuffix(title, " (first)") {
		t.Errorf("after Keep both the title is %q", title)
	}
	if s := got["fields"].(map[string]any)["summary"].(string); !strings.HasSuffix(s, mine) {
		t.Errorf("after Keep both the summary is %q", s)
	}
}

// TestBrowserNewDocumentIsSafe: a new document typed and left by
// navigation is found as a draft, with no "create" step.
func TestBrowserNewDocumentIsSafe(t *testing.T) {
	chromiumPath(t)
	env := apptest.New(t, storetest.OpenSQLite(t))
	n := setup(t, env)
	b := newBrowser(t, env.Server.URL)
	w := b.signIn("writer", "writer@example.org", "password-writer@example.org")
	w.open("/admin/documents/new?series=korea-view")
	w.typeAtEnd("#f-title", "Abandoned briefing on Seoul", false)
	w.typeAtEnd("#f-summary", "Typed, then left.", false)
	w.see("Draft saved at")
	w.see("Address: /korea-view/abandoned-briefing-on-seoul")
	w.axe(axeScript(t), "new document saved")
	w.open("/admin")
	var page struct {
		Data []struct {
			Title, State string
			Fields       map[string]any
		}
	}
	n.writer.Do("GET", "/api/v1/documents?q=Abandoned", nil).Want(http.StatusOK).Decode(&page)
	if len(page.Data) != 1 || page.Data[0].State != "draft" || page.Data[0].Fields["summary"] != "Typed, then left." {
		t.Fatalf("the abandoned document: %+v", page.Data)
	}
}

// TestBrowserSlugFollowsTitle: a title fix moves the slug before the
// document is first published, and not after.
func TestBrowserSlugFollowsTitle(t *testing.T) {
	chromiumPath(t)
	env := apptest.New(t, storetest.OpenSQLite(t))
	n := setup(t, env)
	d := create(t, n.writer, "Beijng Calibrates")
	b := newBrowser(t, env.Server.URL)
	w := b.signIn("writer", "writer@example.org", "password-writer@example.org")
	path := "/admin/documents/" + d.ID
	w.open(path)
	w.typeAtEnd("#f-title", "Beijing Calibrates", true)
	w.do("pause", chromedp.Blur(chromedp.CSS("#f-title")))
	w.see("Address: /korea-view/beijing-calibrates")
	if got := fetchDoc(t, n.writer, d.ID)["slug"]; got != "beijing-calibrates" {
		t.Fatalf("slug after the title fix: %v", got)
	}
	if got := w.value("#f-slug"); got != "beijing-calibrates" {
		t.Errorf("the slug field shows %q", got)
	}
	for _, step := range []struct {
		c      *apptest.Client
		action string
	}{{n.writer, "submit"}, {n.editor, "approve"}, {n.publisher, "publish"}} {
		step.c.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": step.action}).Want(http.StatusOK)
	}
	w.open(path)
	w.see("changing the slug changes the address")
	w.typeAtEnd("#f-title", "Beijing Recalibrates", true)
	w.do("save", chromedp.Click(chromedp.CSS(`#editor button[type=submit].primary`)))
	w.see("Saved.")
	got := fetchDoc(t, n.writer, d.ID)
	if got["title"] != "Beijing Recalibrates" || got["slug"] != "beijing-calibrates" {
		t.Errorf("after publishing the slug moved: title %v slug %v", got["title"], got["slug"])
	}
}
