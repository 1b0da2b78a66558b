package admin_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// TestBrowserEditLockTakeOver: two people open one document; the second
// sees who is editing and read-only fields, takes over, and the first
// one's next autosave lands on the conflict screen with their text kept.
func TestBrowserEditLockTakeOver(t *testing.T) {
	chromiumPath(t)
	env := apptest.New(t, storetest.OpenSQLite(t))
	n := setup(t, env)
	d := create(t, n.writer, "Fought Over")
	transition(t, n.writer, d.ID, "submit")
	b := newBrowser(t, env.Server.URL)
	first := b.signIn("assistant", "assistant@example.org", "password-assistant@example.org")
	second := b.signIn("editor", "editor@example.org", "password-editor@example.org")
	path := "/admin/documents/" + d.ID

	first.open(path)
	second.open(path)
	second.see("assistant@example.org is editing since")
	if dis, err := chromedp.Run(second.ctx, chromedp.Evaluate[bool](`document.querySelector("#editor fieldset").disabled`)); err != nil || !dis {
		t.Errorf("the second person's fields are not read-only (%v)", err)
	}
	second.do("take over", chromedp.Click(chromedp.CSS("#take-over")))
	second.see("You are editing this document now.")

	const mine = " The assistant’s last words."
	first.do("type on", chromedp.SendKeys(chromedp.CSS("#f-summary"), mine), chromedp.Blur(chromedp.CSS("#f-summary")))
	first.do("wait for the conflict screen", chromedp.WaitVisible(chromedp.CSS("#conflict-banner")))
	if got := first.value("#f-summary"); !strings.Contains(got, strings.TrimSpace(mine)) {
		t.Errorf("the assistant's text was lost: %q", got)
	}
	if got := fetchDoc(t, n.editor, d.ID)["fields"].(map[string]any)["summary"]; strings.Contains(got.(string), strings.TrimSpace(mine)) {
		t.Error("the autosave after the take-over was written")
	}
	first.shoot("lock-taken-over")
}
