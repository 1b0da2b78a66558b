package site_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// The browser test drives the real router in Debian's Chromium, as
// internal/admin's do: MASTHEAD_TEST_CHROMIUM, else /usr/bin/chromium;
// without one it skips, except in CI, where it fails. axe-core, vendored
// in testdata/axe, checks every page it opens.

func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("MASTHEAD_TEST_CHROMIUM"), "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if full, err := exec.LookPath(p); err == nil {
			return full
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium: set MASTHEAD_TEST_CHROMIUM or apt-get install chromium (the browser tests must run in CI)")
	}
	t.Skip("browser test skipped: no Chromium (set MASTHEAD_TEST_CHROMIUM or apt-get install chromium)")
	return ""
}

// reader is one browser context reading the site, noting every
// Content-Security-Policy violation its pages report.
type reader struct {
	t    *testing.T
	ctx  context.Context
	base string
	axe  string

	mu       sync.Mutex
	problems []string
}

func newReader(t *testing.T, base string) *reader {
	t.Helper()
	bin := chromiumPath(t)
	axe, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true), chromedp.UserDataDir(dir), chromedp.WindowSize(1280, 900),
	}
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTime(); cancel(); cancelAlloc() })
	r := &reader{t: t, ctx: ctx, base: base, axe: string(axe)}
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*cdplog.EventEntryAdded); ok && e.Entry != nil && strings.Contains(e.Entry.Text, "Content Security Policy") {
			r.mu.Lock()
			r.problems = append(r.problems, e.Entry.Text)
			r.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, p := range r.problems {
			t.Errorf("CSP violation: %s", p)
		}
	})
	return r
}

func (r *reader) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	r.t.Helper()
	if err := chromedp.Do(r.ctx, steps...); err != nil {
		body, _ := chromedp.Run(r.ctx, chromedp.Text(chromedp.CSS("body")))
		r.t.Fatalf("%s: %v\npage: %.2000s", what, err, body)
	}
}

// see waits until the main landmark's text holds want.
func (r *reader) see(want string) {
	r.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		body, _ := chromedp.Run(r.ctx, chromedp.Text(chromedp.CSS("main")))
		if strings.Contains(body, want) {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("the page never showed %q; it shows: %.2000s", want, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// check runs axe-core on the page (no serious or critical violation)
// and, at 390 px wide, looks for a horizontal scroll.
func (r *reader) check(name string) {
	r.t.Helper()
	r.do("inject axe into "+name, chromedp.Evaluate[chromedp.Void](r.axe))
	found, err := chromedp.Run(r.ctx, chromedp.Evaluate[string](`axe.run(document).then(res => JSON.stringify({
		passes: res.passes.length,
		violations: res.violations.filter(v => v.impact === "serious" || v.impact === "critical")
			.map(v => v.id + " (" + v.impact + "): " + v.help + " at " + v.nodes.map(n => n.target.join(" ")).join(", "))}))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		r.t.Fatalf("axe on %s: %v", name, err)
	}
	var res struct {
		Passes     int
		Violations []string
	}
	if err := json.Unmarshal([]byte(found), &res); err != nil || res.Passes == 0 {
		r.t.Fatalf("axe on %s did not run: %s %v", name, found, err)
	}
	for _, v := range res.Violations {
		r.t.Errorf("%s: axe: %s", name, v)
	}
	r.do("390 px", chromedp.EmulateViewport(390, 844), chromedp.Sleep(100*time.Millisecond))
	fits, err := chromedp.Run(r.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= document.documentElement.clientWidth`))
	if err != nil || !fits {
		r.t.Errorf("%s scrolls sideways at 390 px (err %v)", name, err)
	}
	r.do("reset viewport", chromedp.EmulateViewport(1280, 900))
}

// confirmLink is the confirmation link of a sign-up mail.
var confirmLink = regexp.MustCompile(`http://masthead\.test(/delivery/v1/subscribers/confirm\?token=[^\s"<>]+)`)

// TestReaderJourneyInABrowser follows a reader from the home page to a
// series, its briefing, a search and the sign-up, then the mailed
// confirmation link to a confirmed subscription, checking every page
// with axe-core and at 390 px.
func TestReaderJourneyInABrowser(t *testing.T) {
	t.Parallel()
	chromiumPath(t)
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		if db.Dialect() != "sqlite" {
			t.Skip("one engine is enough for the browser: the pages are the same bytes")
		}
		box := apptest.StartMailbox(t)
		env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) { o.SMTPURL = box.URL }})
		k := openDesk(t, env)
		k.example()
		r := newReader(t, env.Server.URL)

		r.do("home", chromedp.Navigate(r.base+"/"))
		r.see("Latest publications")
		r.check("home")
		r.do("to the series", chromedp.Click(chromedp.CSS(`main a[href="/korea-view"]`)), chromedp.WaitVisible(chromedp.CSS("main h1")))
		r.see("Latest in Korea View")
		r.check("series")
		r.do("to the briefing", chromedp.Click(chromedp.CSS(`main a[href="/korea-view/`+exampleSlug+`"]`)), chromedp.WaitVisible(chromedp.CSS(".return")))
		r.see("Return to the Peninsula")
		r.check("document")
		r.do("search", chromedp.SendKeys(chromedp.CSS("#site-q"), "calibrates"), chromedp.Submit(chromedp.CSS("#site-q")))
		r.see("1 result for “calibrates”")
		r.check("search")
		r.do("back to the briefing", chromedp.Click(chromedp.CSS(`main a[href="/korea-view/`+exampleSlug+`"]`)), chromedp.WaitVisible(chromedp.CSS(".return")))
		r.do("sign up", chromedp.SendKeys(chromedp.CSS("#signup-email"), "reader@example.org"),
			chromedp.Click(chromedp.CSS(`form[action="/delivery/v1/subscribers"] button[type=submit]`)))
		r.see("Check your inbox")
		r.check("check your inbox") // the delivery API's sign-up page

		if n, err := env.App.Mailer.SendDue(context.Background()); err != nil || n != 1 {
			t.Fatalf("mails sent: %d, %v", n, err)
		}
		mails := box.Take()
		m := confirmLink.FindStringSubmatch(strings.Join(mails, "\n"))
		if m == nil {
			t.Fatalf("no confirmation link in %v", mails)
		}
		r.do("confirmation link", chromedp.Navigate(r.base+html.UnescapeString(m[1])))
		r.see("Confirm your subscription to Korea View")
		r.do("confirm", chromedp.Click(chromedp.CSS("main form button")))
		r.see("You are subscribed to Korea View")

		var list struct {
			Data []struct{ Email, Status string } `json:"data"`
		}
		k.n.Admin.Do("GET", "/api/v1/subscribers", nil).Want(http.StatusOK).Decode(&list)
		if len(list.Data) != 1 || list.Data[0].Status != "confirmed" {
			t.Errorf("subscribers: %+v", list.Data)
		}
	})
}
