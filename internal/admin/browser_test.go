package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// The browser tests drive the real router in Debian's Chromium (never a
// downloaded browser): MASTHEAD_TEST_CHROMIUM, else /usr/bin/chromium.
// Without one they skip, except in CI, where they fail.

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

// browser is one test's use of the package's Chromium; each person gets a
// browser context of their own (their own cookies) from signIn.
type browser struct {
	t    *testing.T
	root context.Context
	base string
	out  string
}

// chromium is the one headless Chromium the package's browser tests share:
// starting one takes seconds, a fresh browser context per person keeps
// them apart. The first browser test starts it, TestMain stops it.
var chromium struct {
	once sync.Once
	root context.Context
	err  error
	stop func()
}

func TestMain(m *testing.M) {
	code := storetest.Main(m)
	if chromium.stop != nil {
		chromium.stop()
	}
	os.Exit(code)
}

func startChromium(bin string) {
	dir, err := os.MkdirTemp("", "masthead-chromium-")
	if err != nil {
		chromium.err = err
		return
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 900),
	}
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	root, cancelRoot := chromedp.NewContext(alloc)
	chromium.root = root
	chromium.stop = func() {
		cancelRoot()
		cancelAlloc()
		os.RemoveAll(dir)
	}
	if err := chromedp.Do(root); err != nil {
		chromium.err = fmt.Errorf("start Chromium %s: %w", bin, err)
	}
}

// newBrowser returns the shared Chromium for t, within a three-minute
// budget for the test.
func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	bin := chromiumPath(t)
	chromium.once.Do(func() { startChromium(bin) })
	if chromium.err != nil {
		t.Fatal(chromium.err)
	}
	root, cancel := context.WithTimeout(chromium.root, 3*time.Minute)
	t.Cleanup(cancel)
	out := os.Getenv("MASTHEAD_TEST_OUTPUT")
	if out == "" {
		out = filepath.Join("..", "..", "testdata", "out")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, root: root, base: base, out: out}
}

// person is one signed-in browser context.
type person struct {
	b    *browser
	ctx  context.Context
	name string

	mu       sync.Mutex
	problems []string // script errors and Content-Security-Policy violations
}

func (p *person) note(problem string) {
	p.mu.Lock()
	p.problems = append(p.problems, problem)
	p.mu.Unlock()
}

// noProblems fails the test if any page threw or broke the CSP.
func (p *person) noProblems() {
	p.b.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pr := range p.problems {
		p.b.t.Errorf("%s: %s", p.name, pr)
	}
}

// signIn opens a fresh browser context and signs in through the form.
func (b *browser) signIn(name, email, password string) *person {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.root, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	p := &person{b: b, ctx: ctx, name: name}
	// Leave pages with unsaved text without a prompt.
	if err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *page.EventJavascriptDialogOpening, page.EventJavascriptDialogOpening:
			go chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true}) //nolint:errcheck
		case *cdplog.EventEntryAdded:
			if e.Entry != nil && strings.Contains(e.Entry.Text, "Content Security Policy") {
				p.note("CSP violation: " + e.Entry.Text)
			}
		case *cdpruntime.EventExceptionThrown:
			if e.ExceptionDetails != nil {
				d := e.ExceptionDetails
				msg := d.Text
				if d.Exception != nil {
					msg += " " + d.Exception.Description
				}
				p.note(fmt.Sprintf("script error at %s:%d: %s", d.URL, d.LineNumber, msg))
			}
		}
	}); err != nil {
		b.t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(p.noProblems)
	p.do("sign in",
		chromedp.Navigate(b.base+"/admin/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("h1")),
	)
	p.see("Signed in as")
	return p
}

func (p *person) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.b.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.b.t.Fatalf("%s: %s: %v\npage: %.3000s", p.name, what, err, p.text("body"))
	}
}

func (p *person) text(css string) string {
	s, _ := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(css)))
	return s
}

// see waits until the page's main text contains want.
func (p *person) see(want string) {
	p.b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		body := p.text("main")
		if strings.Contains(body, want) {
			return
		}
		if time.Now().After(deadline) {
			p.b.t.Fatalf("%s: the page never showed %q; it shows: %.3000s", p.name, want, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// open navigates to a path of the UI and waits for its heading.
func (p *person) open(path string) {
	p.b.t.Helper()
	p.do("open "+path, chromedp.Navigate(p.b.base+path), chromedp.WaitVisible(chromedp.CSS("main h1, main h2")))
}

// shoot writes a full-page screenshot at 1280 and at 390 px wide.
func (p *person) shoot(name string) {
	p.b.t.Helper()
	for _, w := range []int64{1280, 390} {
		img, err := chromedp.Run(p.ctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 900), chromedp.Sleep(150*time.Millisecond)); err != nil {
				return nil, err
			}
			return chromedp.FullScreenshot(100)(ctx, t)
		})
		if err != nil {
			p.b.t.Fatalf("screenshot %s: %v", name, err)
		}
		file := filepath.Join(p.b.out, fmt.Sprintf("%s-%d.png", name, w))
		if err := os.WriteFile(file, img, 0o644); err != nil {
			p.b.t.Fatal(err)
		}
		if w == 390 { // what a phone shows first
			top, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
			if err != nil {
				p.b.t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(p.b.out, name+"-390-top.png"), top, 0o644); err != nil {
				p.b.t.Fatal(err)
			}
		}
	}
	p.do("reset viewport", chromedp.EmulateViewport(1280, 900))
}

// typeMarkdown types into an EasyMDE field as a person would.
func (p *person) typeMarkdown(field, text string) {
	p.b.t.Helper()
	sel := chromedp.CSS(".field:has(#" + field + ") .CodeMirror")
	p.do("type in "+field, chromedp.WaitVisible(sel), chromedp.Click(sel), chromedp.KeyEvent(text))
}

func (p *person) value(css string) string {
	v, err := chromedp.Run(p.ctx, chromedp.Value(chromedp.CSS(css)))
	if err != nil {
		p.b.t.Fatalf("%s: value of %s: %v", p.name, css, err)
	}
	return v
}

// The example briefing, field by field, as shared/examples shows it.
const (
	exTitle   = "Beijing Calibrates Its Approach to Seoul"
	exSummary = "China raised joint dialog between the two Koreas and a future 2+2 meeting with Seoul."
	exImpl    = "China’s engagement with South Korea seems more focused on calibrating Beijing’s position vis-à-vis Washington than addressing tangible challenges shared with Seoul. Its recent meetings with South Korean officials to discuss regional issues closely mirrored a similar arrangement between Seoul and Washington in March."
	exContext = "China’s move to establish regular meetings with South Korea follows Seoul’s continued closeness with members of the Quadrilateral Security Dialogue, or QUAD, which consists of the US, Japan, India, and Australia."
	exLine    = "Korea View was edited by Yong Kwon with the help of Melissa Cho and Alexandra Langford."
)

var exWhatHappened = []string{
	"During recent talks, the Chinese FM raised the idea of joint dialogue to reach a political resolution between North and South Korea.",
	"China also voiced support for South Korea’s goals of peace and denuclearization of the Korean Peninsula.",
	"The two foreign ministers discussed holding a future 2+2 meeting with diplomatic and security officials from both sides.",
}

// TestBrowserEditorialDay: a writer drafts the example briefing and
// submits it, an assistant copy-edits, an editor credits and approves, a
// publisher publishes, and delivery serves it with its credit line.
func TestBrowserEditorialDay(t *testing.T) {
	chromiumPath(t)
	env := apptest.New(t, storetest.OpenSQLite(t))
	setup(t, env)
	b := newBrowser(t, env.Server.URL)

	writer := b.signIn("writer", "writer@example.org", "password-writer@example.org")
	writer.shoot("dashboard-writer")
	writer.open("/admin/documents/new")
	writer.do("write the briefing",
		chromedp.SendKeys(chromedp.CSS("#f-title"), exTitle),
		chromedp.SendKeys(chromedp.CSS("#f-summary"), exSummary),
		chromedp.SendKeys(chromedp.CSS("#f-what_happened li:nth-of-type(1) input"), exWhatHappened[0]),
		chromedp.Click(chromedp.CSS("#f-what_happened [data-op=add]")),
		chromedp.SendKeys(chromedp.CSS("#f-what_happened li:nth-of-type(2) input"), exWhatHappened[1]),
		chromedp.Click(chromedp.CSS("#f-what_happened [data-op=add]")),
		chromedp.SendKeys(chromedp.CSS("#f-what_happened li:nth-of-type(3) input"), exWhatHappened[2]),
	)
	writer.typeMarkdown("f-implications", exImpl)
	writer.typeMarkdown("f-context", exContext)
	// Keyboard: Tab leaves the Markdown editor for the next control.
	writer.do("tab out of the editor", chromedp.KeyEvent("\t"))
	if inEditor, err := chromedp.Run(writer.ctx, chromedp.Evaluate[bool](`document.activeElement.closest(".CodeMirror") !== null`)); err != nil || inEditor {
		t.Errorf("Tab kept the focus in the Markdown editor (err %v)", err)
	}
	writer.do("topics", chromedp.SendKeys(chromedp.CSS("#f-topics"), "China, South Korea, diplomacy"))
	if got := writer.text("#slug-preview"); got != "/korea-view/beijing-calibrates-its-approach-to-seoul" {
		// htmx refreshes the preview a moment after typing.
		time.Sleep(500 * time.Millisecond)
		if got = writer.text("#slug-preview"); got != "/korea-view/beijing-calibrates-its-approach-to-seoul" {
			t.Errorf("slug preview = %q", got)
		}
	}
	writer.shoot("editor-new")
	// The first autosave tick created the draft while the writer typed
	// (issue 18); Save keeps what is typed as a revision of its own.
	writer.do("save", chromedp.Click(chromedp.CSS("#editor button.primary")), chromedp.WaitVisible(chromedp.CSS("#workflow")))
	if main := writer.text("main"); !strings.Contains(main, "Saved.") && !strings.Contains(main, "Draft created.") {
		t.Errorf("after Save the page says neither Saved. nor Draft created.: %.500s", main)
	}
	docURL, err := chromedp.Run(writer.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(docURL, b.base)
	writer.shoot("editor")
	writer.do("submit", chromedp.Click(chromedp.CSS("form[data-action=submit] button")))
	writer.see("Submitted for review.")
	if strings.Contains(writer.text("main"), "Publish now") {
		t.Error("the writer is offered Publish")
	}

	assistant := b.signIn("assistant", "assistant@example.org", "password-assistant@example.org")
	assistant.open(path)
	assistant.do("copy-edit the summary",
		chromedp.Focus(chromedp.CSS("#f-summary")),
		chromedp.SetValue(chromedp.CSS("#f-summary"), strings.Replace(exSummary, "dialog ", "dialogue ", 1)),
		chromedp.Click(chromedp.CSS("#editor button.primary")),
	)
	assistant.see("Saved.")
	assistant.do("comment",
		chromedp.SendKeys(chromedp.CSS("#comment-body"), "Tightened the summary; please check the FM's title."),
		chromedp.Click(chromedp.CSS("#history form button")),
		chromedp.WaitVisible(chromedp.CSS("#history li.comment")),
	)
	assistant.see("please check the FM's title")

	editor := b.signIn("editor", "editor@example.org", "password-editor@example.org")
	editor.shoot("dashboard-editor")
	editor.open(path + "/credits")
	for _, c := range []struct{ query, slug, role string }{
		{"Yong", "yong-kwon", "editor"}, {"Melissa", "melissa-cho", "contributor"}, {"Alexandra", "alexandra-langford", "contributor"},
	} {
		add := chromedp.CSS(`[data-add-credit="` + c.slug + `"]`)
		editor.do("credit "+c.slug,
			chromedp.SendKeys(chromedp.CSS("#contributor-search"), c.query),
			chromedp.WaitVisible(add),
			chromedp.Click(add),
			chromedp.WaitNotPresent(add),
		)
		if c.role != "contributor" {
			// The role select of the row just added has the focus.
			editor.do("role", chromedp.Evaluate[chromedp.Void](`(function(){var s=document.activeElement;s.value="`+c.role+`";s.dispatchEvent(new Event("change",{bubbles:true}));})()`))
		}
	}
	editor.see(exLine) // the live credit line
	editor.shoot("credits")
	editor.do("save credits", chromedp.Click(chromedp.CSS("#credits-form button.primary")))
	editor.see("Credits saved.")
	editor.open(path)
	editor.see("Approve")
	editor.shoot("review")
	editor.do("approve", chromedp.Click(chromedp.CSS("form[data-action=approve] button")))
	editor.see("Approved.")

	publisher := b.signIn("publisher", "publisher@example.org", "password-publisher@example.org")
	publisher.shoot("dashboard-publisher")
	publisher.open(path + "/page") // the preview's frame: the reader site's page
	publisher.see(exLine)
	publisher.see("Author: Korea View")
	publisher.shoot("preview")
	publisher.open(path)
	publisher.do("publish", chromedp.Click(chromedp.CSS("form[data-action=publish] button")))
	publisher.see("Published.")

	resp, err := http.Get(env.Server.URL + "/delivery/v1/documents/korea-view/beijing-calibrates-its-approach-to-seoul")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var delivered struct {
		Title      string         `json:"title"`
		CreditLine string         `json:"credit_line"`
		Summary    string         `json:"summary"`
		Fields     map[string]any `json:"fields"`
		Topics     []string       `json:"topics"`
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("delivery: status %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&delivered); err != nil {
		t.Fatal(err)
	}
	if delivered.CreditLine != exLine {
		t.Errorf("credit_line = %q, want %q", delivered.CreditLine, exLine)
	}
	if delivered.Title != exTitle || !strings.Contains(delivered.Summary, "joint dialogue between") {
		t.Errorf("title %q summary %q", delivered.Title, delivered.Summary)
	}
	if wh, _ := delivered.Fields["what_happened"].([]any); len(wh) != 3 || wh[2] != exWhatHappened[2] {
		t.Errorf("what_happened = %v", delivered.Fields["what_happened"])
	}
	if impl, _ := delivered.Fields["implications"].(map[string]any); impl == nil || impl["markdown"] != exImpl {
		t.Errorf("implications = %v", delivered.Fields["implications"])
	}
	if len(delivered.Topics) != 3 {
		t.Errorf("topics = %v", delivered.Topics)
	}
}

// TestBrowserAutosaveConflict: the same draft open in two browsers; the
// second writer's autosave meets the first one's save and gets a conflict
// banner, with their own text still in the editor.
func TestBrowserAutosaveConflict(t *testing.T) {
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

	first.do("retitle", chromedp.SendKeys(chromedp.CSS("#f-title"), " (first)"), chromedp.Blur(chromedp.CSS("#f-title")))
	first.see("Saved at")

	const mine = " The second writer’s addition."
	second.do("extend the summary", chromedp.SendKeys(chromedp.CSS("#f-summary"), mine), chromedp.Blur(chromedp.CSS("#f-summary")))
	second.do("wait for the banner", chromedp.WaitVisible(chromedp.CSS("#conflict-banner")))
	second.see("Someone else saved this document")
	if got := second.value("#f-summary"); !strings.Contains(got, strings.TrimSpace(mine)) {
		t.Errorf("the second writer's summary is now %q", got)
	}
	if diff := second.text("#conflict-banner"); !strings.Contains(diff, "(first)") {
		t.Errorf("the banner's diff does not show the first writer's change: %q", diff)
	}
	second.shoot("conflict")
	if got := fetchDoc(t, n.writer, d.ID)["fields"].(map[string]any)["summary"]; strings.Contains(got.(string), strings.TrimSpace(mine)) {
		t.Fatal("the conflicting autosave was written")
	}

	// Keeping one's own text saves over the newer version, on purpose.
	second.do("keep mine", chromedp.Click(chromedp.CSS("[data-force]")), chromedp.WaitNotPresent(chromedp.CSS("#conflict-banner")))
	second.see("Saved at")
	kept := fetchDoc(t, n.writer, d.ID)
	if got := kept["fields"].(map[string]any)["summary"]; !strings.Contains(got.(string), strings.TrimSpace(mine)) {
		t.Errorf("after keeping mine the summary is %q", got)
	}

	// Two editors left open with nothing typed save nothing more: a save
	// moves the version, which must not count as an unsaved change.
	time.Sleep(5 * time.Second) // longer than the 4 s autosave interval
	if v := fetchDoc(t, n.writer, d.ID)["version"]; v != kept["version"] {
		t.Errorf("idle editors kept saving: version %v, then %v", kept["version"], v)
	}
}

// TestBrowserWithoutScripts: with scripts off, pages still read and forms
// still work — the list buttons reorder on the server.
func TestBrowserWithoutScripts(t *testing.T) {
	t.Parallel()
	chromiumPath(t)
	env := apptest.New(t, storetest.OpenSQLite(t))
	n := setup(t, env)
	d := create(t, n.writer)
	b := newBrowser(t, env.Server.URL)
	w := b.signIn("writer without scripts", "writer@example.org", "password-writer@example.org")
	if _, err := chromedp.Call(w.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	path := "/admin/documents/" + d.ID
	w.open(path)
	w.do("the Markdown field is a plain text area", chromedp.WaitVisible(chromedp.CSS("#f-implications")))
	w.do("move the first bullet down", chromedp.Click(chromedp.CSS(`button[value="what_happened:down:0"]`)))
	w.see("Saved.")
	if got := w.value("#f-what_happened-0"); !strings.HasPrefix(got, "China also voiced") {
		t.Errorf("after Down without scripts the first bullet is %q", got)
	}
	w.open(path + "/page") // the preview's frame: the reader site's page
	w.see("Author: Korea View")
	w.see("What Happened")
	w.shoot("preview-noscript")
}
