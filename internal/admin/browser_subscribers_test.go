package admin_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// TestBrowserSubscribersImportErase: an admin imports a CSV through the
// subscribers page's form, reads its report, and erases an address
// through the question page, under the page's CSP.
func TestBrowserSubscribersImportErase(t *testing.T) {
	chromiumPath(t)
	env := apptest.New(t, storetest.OpenSQLite(t))
	setup(t, env)
	subscribeConfirmed(t, env, "ada@example.net")
	list := filepath.Join(t.TempDir(), "list.csv")
	if err := os.WriteFile(list, []byte("email\nnew@example.org\nada@example.net\nnot-an-address\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, env.Server.URL)
	admin := b.signIn("admin", apptest.AdminEmail, apptest.AdminPassword)
	admin.open("/admin/subscribers")
	admin.do("import",
		chromedp.SetValue(chromedp.CSS("#imp-basis"), "signed up at the book fair"),
		chromedp.SetUploadFiles(chromedp.CSS("#imp-file"), []string{list}),
		chromedp.Click(chromedp.CSS(`form[action="/admin/subscribers/import"] button[type=submit]`)),
	)
	admin.see("1 added · 1 skipped · 1 refused")
	admin.see("new@example.org")
	admin.shoot("subscribers-import")

	admin.do("ask to erase", chromedp.Click(chromedp.CSS(`a[aria-label="Erase ada@example.net"]`)))
	admin.see("Erase ada@example.net?")
	admin.do("erase", chromedp.Click(chromedp.CSS(`main form button.danger`)))
	admin.see("erased from every list")
	if strings.Contains(admin.text("main table"), "ada@example.net") {
		t.Error("the erased address is still listed")
	}
	admin.noProblems()
}
