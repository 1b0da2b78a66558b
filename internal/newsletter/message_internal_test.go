package newsletter

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/masthead-cms/masthead/internal/content"
)

// TestPublishedDate: the date line reads as the example's does.
func TestPublishedDate(t *testing.T) {
	t.Parallel()
	if got := publishedDate(time.Date(2021, 4, 14, 23, 30, 0, 0, time.UTC)); got != "April 14, 2021" {
		t.Errorf("publishedDate = %q", got)
	}
}

// TestWrap: lines of at most 76 characters (not bytes), with the indent
// on every continuation, a long word whole and line breaks kept.
func TestWrap(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("vis-à-vis ", 20) + "https://example.org/" + strings.Repeat("x", 90) + "\nnext"
	got := wrap("    ", long)
	lines := strings.Split(got, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "next" {
		t.Fatalf("wrap gave %q", got)
	}
	for i, l := range lines[:len(lines)-1] {
		if n := utf8.RuneCountInString(l); n > 76 && !strings.Contains(l, "https://") {
			t.Errorf("line %d has %d characters: %q", i, n, l)
		}
		if i > 0 && !strings.HasPrefix(l, "    ") {
			t.Errorf("line %d lacks the indent: %q", i, l)
		}
	}
	if !strings.Contains(got, "https://example.org/"+strings.Repeat("x", 90)) {
		t.Errorf("the link was broken: %q", got)
	}
}

// TestEditionRenderedOnce: an edition rendered once with a slot for the
// unsubscribe link gives each recipient the very bytes a rendering with
// their link gives, links that need escaping included.
func TestEditionRenderedOnce(t *testing.T) {
	t.Parallel()
	body := []byte(`{"type":"briefing","title":"Beijing & Seoul","fields":{"implications":"A <b>calibrated</b> move"}}`)
	typ := content.ContentType{Fields: []content.Field{{Name: "implications", Label: "Implications", Kind: content.KindText}}}
	set := Settings{FromName: "Korea View", Footer: "Korea View, a weekly newsletter."}
	htmlPart, textPart, doc, err := renderEdition(body, typ, set, unsubscribeSlot)
	if err != nil {
		t.Fatal(err)
	}
	e := &Edition{s: &Service{}, settings: set, doc: doc, html: htmlPart, text: textPart}
	for _, link := range []string{
		"https://masthead.test/delivery/v1/subscribers/unsubscribe?token=ab12.cd_-",
		`https://masthead.test/u?token=a+b&x=1 2"'<>é`,
		"javascript:alert(1)",
	} {
		wantHTML, wantText, _, err := renderEdition(body, typ, set, link)
		if err != nil {
			t.Fatal(err)
		}
		m, err := e.mail("reader@example.org", link)
		if err != nil {
			t.Fatal(err)
		}
		if m.HTML != wantHTML || m.Body != wantText || m.Subject != "Beijing & Seoul" {
			t.Errorf("for %q the mail differs from its own rendering:\n%s\n---\n%s", link, m.HTML, wantHTML)
		}
		if strings.Contains(m.HTML+m.Body, unsubscribeSlot) {
			t.Errorf("the slot is left in the mail for %q", link)
		}
	}
}
