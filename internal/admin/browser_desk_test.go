package admin_test

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// axeScript is axe-core, vendored once for the repository's browser tests
// (internal/site/testdata/axe).
func axeScript(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("../site/testdata/axe/axe.min.js")
	if err != nil {
		t.Fatalf("axe-core: %v", err)
	}
	return string(src)
}

// axe runs axe-core on the page as it is now and fails on any serious or
// critical violation.
func (p *person) axe(src, state string) {
	p.b.t.Helper()
	p.do("inject axe into "+state, chromedp.Evaluate[chromedp.Void](src))
	found, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`axe.run(document).then(res => JSON.stringify({
		passes: res.passes.length,
		violations: res.violations.filter(v => v.impact === "serious" || v.impact === "critical")
			.map(v => v.id + " (" + v.impact + "): " + v.help + " at " + v.nodes.map(n => n.target.join(" ")).join(", "))}))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		p.b.t.Fatalf("axe on %s: %v", state, err)
	}
	var res struct {
		Passes     int
		Violations []string
	}
	if err := json.Unmarshal([]byte(found), &res); err != nil || res.Passes == 0 {
		p.b.t.Fatalf("axe on %s did not run: %s %v", state, found, err)
	}
	for _, v := range res.Violations {
		p.b.t.Errorf("%s: axe: %s", state, v)
	}
}

// focusStops tabs through the page from the top of main (where "Skip to
// content" leads), up to max stops, and
// returns how many Tab presses reached the first element matching stopAt
// (0: never), failing the test for every stop without a visible focus
// indicator (an outline or a box-shadow on it, or on the editor box that
// draws the focus of a Markdown field).
func (p *person) focusStops(state, stopAt string, max int) int {
	p.b.t.Helper()
	p.do("focus the top of "+state, chromedp.Evaluate[chromedp.Void](`document.getElementById("main").focus(); window.scrollTo(0, 0)`))
	reached := 0
	seen := map[string]bool{}
	for i := 1; i <= max; i++ {
		p.do("tab", chromedp.KeyEvent("\t"))
		var stop struct {
			Name    string
			Visible bool
			Match   bool
		}
		js := `(function(){
			var el = document.activeElement;
			if (!el || el === document.body) { return JSON.stringify({name: "body", visible: true, match: false}); }
			function ring(e) {
				var s = getComputedStyle(e);
				return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || (s.boxShadow && s.boxShadow !== "none");
			}
			var box = el.closest(".CodeMirror");
			var visible = ring(el) || (box !== null && ring(box)) || (el.id && document.querySelector("label[for='" + el.id + "']") && ring(document.querySelector("label[for='" + el.id + "']")));
			var name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "") +
				" \"" + (el.getAttribute("aria-label") || el.textContent || el.value || "").trim().slice(0, 40) + "\"";
			return JSON.stringify({name: name, visible: !!visible, match: el.matches(` + "`" + stopAt + "`" + `)});
		})()`
		out, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](js))
		if err != nil {
			p.b.t.Fatalf("%s: focus stop %d: %v", state, i, err)
		}
		if err := json.Unmarshal([]byte(out), &stop); err != nil {
			p.b.t.Fatal(err)
		}
		if !stop.Visible && !seen[stop.Name] {
			seen[stop.Name] = true
			p.b.t.Errorf("%s: focus stop %d (%s) has no visible focus ring", state, i, stop.Name)
		}
		if stop.Match && reached == 0 {
			reached = i
			break
		}
	}
	return reached
}

// TestBrowserDeskFindsItsWork: each role's dashboard shows its queue; a
// duplicate credit cannot be added, and the refusal names the person; at
// 390 px the workflow bar is in view without scrolling and stays there;
// tap targets are at least 24 px; every focus stop shows a ring; the
// skip link takes the writer to Submit in a few Tab presses; times are
// in the browser's zone with its name; axe-core finds no serious or
// critical violation on any of these pages.
func TestBrowserDeskFindsItsWork(t *testing.T) {
	chromiumPath(t)
	env := apptest.New(t, storetest.OpenSQLite(t))
	n := setup(t, env)
	axe := axeScript(t)
	review := create(t, n.writer, "The Piece Waiting for Review")
	transition(t, n.writer, review.ID, "submit")
	ready := create(t, n.writer, "The Piece Ready to Publish")
	transition(t, n.writer, ready.ID, "submit")
	transition(t, n.editor, ready.ID, "approve")
	draft := create(t, n.writer, "The Writer’s Draft")
	upload(t, n.assistant, map[string]string{"alt": "Foreign ministers shake hands", "credit": "Ministry of Foreign Affairs", "licence": "CC-BY-SA-2.0"}, http.StatusOK)
	b := newBrowser(t, env.Server.URL)

	// Each role's queue.
	assistant := b.signIn("assistant", "assistant@example.org", "password-assistant@example.org")
	assistant.open("/admin")
	if got := assistant.text("#copy-edit"); !strings.Contains(got, "In review, to copy-edit") || !strings.Contains(got, "The Piece Waiting for Review") {
		t.Errorf("the assistant's copy-edit queue: %q", got)
	}
	assistant.axe(axe, "assistant dashboard")

	editor := b.signIn("editor", "editor@example.org", "password-editor@example.org")
	// The editor's browser is in Seoul: the next page is printed there.
	if _, err := chromedp.Call(editor.ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Seoul"}); err != nil {
		t.Fatal(err)
	}
	editor.open("/admin")
	editor.open("/admin")
	if got := editor.text("#review"); !strings.Contains(got, "Waiting for my review") || !strings.Contains(got, "The Piece Waiting for Review") {
		t.Errorf("the editor's review queue: %q", got)
	}
	if strings.Contains(editor.text("main"), "In review, to copy-edit") {
		t.Error("the editor is shown the assistant's copy-edit queue too")
	}
	if got := editor.text("#published, #review"); strings.Contains(got, "UTC") {
		t.Errorf("the editor in Seoul is shown UTC times: %q", got)
	}
	zone, err := chromedp.Run(editor.ctx, chromedp.Evaluate[string](`document.body.getAttribute("data-zone")`))
	if err != nil || zone != "Asia/Seoul" {
		t.Errorf("the page was printed in %q, not the browser's Asia/Seoul (%v)", zone, err)
	}
	editor.axe(axe, "editor dashboard")
	editor.focusStops("editor dashboard", "#published a", 60)

	publisher := b.signIn("publisher", "publisher@example.org", "password-publisher@example.org")
	publisher.open("/admin")
	if got := publisher.text("#ready"); !strings.Contains(got, "Ready to publish") || !strings.Contains(got, "The Piece Ready to Publish") {
		t.Errorf("the publisher's queue: %q", got)
	}
	publisher.axe(axe, "publisher dashboard")

	// Credits: the search offers only whom the rows do not credit yet.
	editor.open("/admin/documents/" + review.ID + "/credits")
	add := chromedp.CSS(`[data-add-credit="melissa-cho"]`)
	editor.do("credit Melissa Cho",
		chromedp.SendKeys(chromedp.CSS("#contributor-search"), "Mel"),
		chromedp.WaitVisible(add),
		chromedp.Click(add),
		chromedp.WaitNotPresent(add),
	)
	editor.do("search for her again", chromedp.SendKeys(chromedp.CSS("#contributor-search"), "Melissa"),
		chromedp.WaitVisible(chromedp.CSS(`#contributor-matches [data-q="melissa"]`)))
	if got := editor.text("#contributor-matches"); strings.Contains(got, "Add Melissa Cho") {
		t.Errorf("Melissa Cho, already credited, is offered again: %q", got)
	}
	offered, err := chromedp.Run(editor.ctx, chromedp.Evaluate[bool](`(function(){
		var picks = document.querySelectorAll("select[name=contributor]");
		var last = picks[picks.length - 1];
		if (last.value) { document.querySelector("[data-list=credits] [data-op=add]").click(); picks = document.querySelectorAll("select[name=contributor]"); last = picks[picks.length - 1]; }
		return !last.querySelector("option[value=melissa-cho]").disabled;
	})()`))
	if err != nil || offered {
		t.Errorf("another row's picker offers Melissa Cho again (err %v)", err)
	}
	editor.axe(axe, "credits, searching")
	// A page from before (or without scripts) that credits her twice is
	// refused beside the row, with her name and the rows.
	editor.do("credit her twice", chromedp.Evaluate[chromedp.Void](`(function(){
		var picks = document.querySelectorAll("select[name=contributor]");
		var last = picks[picks.length - 1];
		last.querySelector("option[value=melissa-cho]").disabled = false;
		last.value = "melissa-cho";
	})()`), chromedp.Click(chromedp.CSS("#credits-form button.primary")))
	editor.see("Melissa Cho is credited twice, rows 1 and 2.")
	if got := editor.text("#contributor-1-error"); got != "Melissa Cho is credited twice, rows 1 and 2." {
		t.Errorf("beside the second row: %q", got)
	}
	editor.axe(axe, "credits, refused")
	if line := fetchDoc(t, n.editor, review.ID)["credit_line"]; line != "" {
		t.Errorf("a refused list was saved: %v", line)
	}

	// The writer's editor: the skip link leads to Submit, and the whole
	// page takes fewer Tab presses than before (38).
	writer := b.signIn("writer", "writer@example.org", "password-writer@example.org")
	writer.open("/admin/media")
	writer.see("Uploading is for assistants and editors")
	writer.axe(axe, "writer media")
	writer.open("/admin/documents/" + draft.ID)
	writer.do("wait for the editors", chromedp.WaitVisible(chromedp.CSS(".editor-toolbar")))
	writer.axe(axe, "writer editor")
	// The hero is picked from thumbnails, narrowed by a search.
	writer.do("search the hero", chromedp.WaitVisible(chromedp.CSS(".hero-choices img.thumb")),
		chromedp.SendKeys(chromedp.CSS("#f-hero-search"), "no such picture"),
		chromedp.WaitVisible(chromedp.CSS("[data-hero-none]")))
	clearSearch := chromedp.Evaluate[chromedp.Void](`(function(){var s=document.getElementById("f-hero-search"); s.value=""; s.dispatchEvent(new Event("input",{bubbles:true}));})()`)
	writer.do("find it", clearSearch, chromedp.SendKeys(chromedp.CSS("#f-hero-search"), "ministers"),
		chromedp.WaitNotVisible(chromedp.CSS("[data-hero-none]")), chromedp.WaitVisible(chromedp.CSS(".hero-choices li[data-hero-text] img")))
	writer.axe(axe, "writer editor, hero search")
	writer.do("clear the search", clearSearch)
	writer.open("/admin/documents/" + draft.ID)
	writer.do("wait for the editors again", chromedp.WaitVisible(chromedp.CSS(".editor-toolbar")))
	stops := writer.focusStops("writer editor", "form[data-action=submit] button", 80)
	t.Logf("Tab presses from the top of the editor (main) to Submit: %d", stops)
	if stops == 0 || stops >= 38 {
		t.Errorf("Submit is %d Tab presses from the top of the editor, want fewer than 38", stops)
	}
	writer.open("/admin/documents/" + draft.ID)
	writer.do("skip to the workflow", chromedp.KeyEvent("\t"), chromedp.KeyEvent("\t"))
	if got := writer.text(":focus"); got != "Skip to the workflow actions" {
		t.Errorf("the second Tab stop is %q, not the skip link", got)
	}
	writer.do("follow it", chromedp.KeyEvent("\r"), chromedp.KeyEvent("\t"))
	if onSubmit, err := chromedp.Run(writer.ctx, chromedp.Evaluate[bool](`document.activeElement.matches("form[data-action=submit] button")`)); err != nil || !onSubmit {
		t.Errorf("after the skip link the next Tab is not Submit (err %v)", err)
	}

	editor.open("/admin/documents/" + review.ID + "/revisions")
	editor.axe(axe, "revisions")
	if got := editor.text("main table"); !strings.Contains(got, "KST") {
		t.Errorf("the revisions of the editor in Seoul are not in KST: %q", got)
	}

	// A phone: the workflow bar is in view without scrolling, and stays.
	writer.do("390 px", chromedp.EmulateViewport(390, 844), chromedp.Sleep(150*time.Millisecond),
		chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	inView := `(function(){
		var b = document.querySelector("form[data-action=submit] button").getBoundingClientRect();
		return b.top >= 0 && b.bottom <= window.innerHeight && b.height > 0;
	})()`
	if ok, err := chromedp.Run(writer.ctx, chromedp.Evaluate[bool](inView)); err != nil || !ok {
		t.Errorf("at 390 px Submit is not in view without scrolling (err %v)", err)
	}
	writer.do("scroll down", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.body.scrollHeight / 2)`), chromedp.Sleep(100*time.Millisecond))
	if ok, err := chromedp.Run(writer.ctx, chromedp.Evaluate[bool](inView)); err != nil || !ok {
		t.Errorf("at 390 px the workflow bar scrolls away (err %v)", err)
	}
	small, err := chromedp.Run(writer.ctx, chromedp.Evaluate[[]string](`Array.prototype.slice.call(document.querySelectorAll(
		"button, .button, select, input[type=radio], input[type=checkbox], .top nav a, .doctabs a, .bell"))
		.filter(function (e) { var r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && (r.width < 24 || r.height < 24); })
		.map(function (e) { var r = e.getBoundingClientRect(); return (e.id || e.textContent.trim().slice(0, 30)) + " " + Math.round(r.width) + "×" + Math.round(r.height); })`))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range small {
		t.Errorf("tap target under 24 px at 390 px: %s", s)
	}
	writer.axe(axe, "writer editor at 390 px")
	writer.do("1280 px", chromedp.EmulateViewport(1280, 900))

	icon, err := chromedp.Run(writer.ctx, chromedp.Evaluate[string](`document.querySelector("link[rel=icon]").href`))
	if err != nil {
		t.Fatalf("no favicon link: %v", err)
	}
	resp, err := http.Get(icon)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("favicon %s: %d %s", icon, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
