package admin_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// TestBrowserBellCountsUpAndDown: the writer's bell shows nothing unread;
// two assignments later every page's bell says 2; marking one read on the
// notifications page brings it to 1, "Mark all read" to 0.
func TestBrowserBellCountsUpAndDown(t *testing.T) {
	chromiumPath(t)
	env := apptest.New(t, storetest.OpenSQLite(t))
	n := setup(t, env)
	b := newBrowser(t, env.Server.URL)
	w := b.signIn("writer", "writer@example.org", "password-writer@example.org")
	// bell waits for the page the click led to, as see does.
	bell := func(want string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for got := ""; got != want; got = w.attr("#bell .badge", "data-unread") {
			if time.Now().After(deadline) {
				t.Fatalf("the bell says %q unread, want %s", got, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	w.open("/admin")
	bell("0")
	for _, title := range []string{"Bell One", "Bell Two"} {
		d := create(t, n.writer, title)
		n.editor.Do("PATCH", "/api/v1/documents/"+d.ID, map[string]any{"assignee": n.writer.UserID},
			"If-Match", `"`+itoa(d.Version)+`"`).Want(http.StatusOK)
	}
	w.open("/admin/documents")
	bell("2")
	w.do("open the notifications", chromedp.Click(chromedp.CSS("#bell")), chromedp.WaitVisible(chromedp.CSS("main h1")))
	w.see("Bell One")
	w.see("Bell Two")
	w.do("mark one read", chromedp.Click(chromedp.CSS(".notifications form.inline button")), chromedp.WaitVisible(chromedp.CSS("main h1")))
	bell("1")
	w.do("mark all read", chromedp.Click(chromedp.CSS(".page-head form button")), chromedp.WaitVisible(chromedp.CSS("main h1")))
	bell("0")
	w.shoot("notifications-writer")
}
