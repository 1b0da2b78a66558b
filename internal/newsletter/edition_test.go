package newsletter_test

import (
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// exampleBriefing is shared/examples/korea-view-2021-04-14.txt, shortened.
func exampleBriefing(title, hero string) map[string]any {
	return map[string]any{
		"type": "briefing", "series": apptest.Series, "title": title, "hero": hero,
		"fields": map[string]any{
			"summary": "China raised joint dialogue with South Korea and a future 2+2 meeting.",
			"what_happened": []string{
				"During recent talks, the Chinese FM raised the idea of joint dialogue.",
				"The two foreign ministers discussed holding a future 2+2 meeting.",
			},
			"implications": "China’s engagement seems **focused** on calibrating Beijing’s position vis-à-vis Washington.",
			"context":      "China’s move follows Seoul’s continued closeness with members of the QUAD.",
		},
	}
}

// The hero's attribution, as the example's closing line gives it.
const (
	heroCredit  = "Republic of Korea"
	heroLicence = "CC-BY-2.0"
	creditLine  = "Korea View was edited by Yong Kwon with the help of Melissa Cho and Alexandra Langford."
)

// uploadHero uploads a hero image with its licence and returns its id.
func uploadHero(t *testing.T, c *apptest.Client) string {
	t.Helper()
	body, hdr := apptest.Form(t, "hero.png", apptest.PNG(t, 8, 6), map[string]string{
		"alt": "The two foreign ministers", "credit": heroCredit, "licence": heroLicence,
		"caption":    "Creative Commons image from the Flickr account of the Republic of Korea",
		"source_url": "https://www.flickr.com/photos/koreanet/"})
	var a struct{ ID string }
	c.Do("POST", "/api/v1/media", body, hdr...).Want(http.StatusCreated).Decode(&a)
	return a.ID
}

// draftExample creates the example briefing with its hero and credits, as
// the writer and the editor, and returns its id.
func draftExample(t *testing.T, n *apptest.Newsroom, title string) string {
	t.Helper()
	var d struct {
		ID      string
		Version int
	}
	n.Writer.Do("POST", "/api/v1/documents", exampleBriefing(title, uploadHero(t, n.Editor))).Want(http.StatusCreated).Decode(&d)
	n.Editor.Do("PUT", "/api/v1/documents/"+d.ID+"/credits", []map[string]string{
		{"role": "editor", "contributor": "yong-kwon"}, {"role": "contributor", "contributor": "melissa-cho"},
		{"role": "contributor", "contributor": "alexandra-langford"}}, "If-Match", fmt.Sprintf(`"%d"`, d.Version)).Want(http.StatusOK)
	return d.ID
}

// exampleTitle is the example briefing's title.
const exampleTitle = "Beijing Calibrates Its Approach to Seoul"

// publishExample takes the example briefing live and returns its id.
func publishExample(t *testing.T, n *apptest.Newsroom) string {
	t.Helper()
	id := draftExample(t, n, exampleTitle)
	n.Writer.Do("POST", "/api/v1/documents/"+id+"/transitions", map[string]any{"action": "submit"}).Want(http.StatusOK)
	n.Editor.Do("POST", "/api/v1/documents/"+id+"/transitions", map[string]any{"action": "approve"}).Want(http.StatusOK)
	n.Publisher.Do("POST", "/api/v1/documents/"+id+"/transitions", map[string]any{"action": "publish"}).Want(http.StatusOK)
	return id
}

// parsed is a received edition as a mail reader sees it.
type parsed struct {
	Header     mail.Header
	Text, HTML string
}

// parseEdition reads a raw message: its headers, and the text and HTML
// parts of its multipart/alternative body, decoded.
func parseEdition(t *testing.T, raw string) parsed {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("unreadable message: %v\n%s", err, raw)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	p := parsed{Header: msg.Header}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = part
		switch part.Header.Get("Content-Transfer-Encoding") {
		case "quoted-printable":
			r = quotedprintable.NewReader(part)
		case "base64":
			r = base64.NewDecoder(base64.StdEncoding, part)
		}
		body, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		switch ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); ct {
		case "text/plain":
			p.Text = string(body)
		case "text/html":
			p.HTML = string(body)
		default:
			t.Errorf("unexpected part %q", ct)
		}
	}
	if p.Text == "" || p.HTML == "" {
		t.Fatalf("want a text and an HTML part, got text %d bytes, html %d bytes", len(p.Text), len(p.HTML))
	}
	return p
}

// checkEdition checks what every edition of the example carries, in both
// parts and in its headers, for the recipient whose unsubscribe link is
// given ("": whichever List-Unsubscribe names, for a test send).
func checkEdition(t *testing.T, p parsed, subject, unsubscribe string) {
	t.Helper()
	h := p.Header
	if unsubscribe == "" {
		unsubscribe = strings.Trim(strings.Split(h.Get("List-Unsubscribe"), ",")[0], "<>")
	}
	dec := new(mime.WordDecoder)
	if got, _ := dec.DecodeHeader(h.Get("Subject")); got != subject {
		t.Errorf("Subject %q, want %q", got, subject)
	}
	if from, err := mail.ParseAddress(h.Get("From")); err != nil || from.Name != "Korea View" || from.Address != "korea-view@masthead.test" {
		t.Errorf("From %q (%v)", h.Get("From"), err)
	}
	if got := h.Get("Reply-To"); got != "<editors@masthead.test>" && got != "editors@masthead.test" {
		t.Errorf("Reply-To %q", got)
	}
	if got := h.Get("List-Id"); got != `"Korea View" <korea-view.masthead.test>` {
		t.Errorf("List-Id %q", got)
	}
	token := strings.SplitN(unsubscribe, "token=", 2)[1]
	if got, want := h.Get("List-Unsubscribe"), "<"+unsubscribe+">, <mailto:unsubscribe@masthead.test?subject=unsubscribe%20"+token+">"; got != want {
		t.Errorf("List-Unsubscribe %q, want %q", got, want)
	}
	if got := h.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", got)
	}
	if id := h.Get("Message-ID"); !strings.HasSuffix(id, "@masthead.test>") {
		t.Errorf("Message-ID %q, want one on the site's domain", id)
	}
	if _, err := h.Date(); err != nil {
		t.Errorf("Date %q: %v", h.Get("Date"), err)
	}
	for _, name := range []string{"X-Mailer", "User-Agent"} {
		if h.Get(name) != "" {
			t.Errorf("%s %q: no header names the library", name, h.Get(name))
		}
	}
	text := strings.Join(strings.Fields(p.Text), " ")
	for _, want := range []string{"Korea View", "Beijing Calibrates Its Approach to Seoul", "Author: Korea View",
		"What Happened", "* During recent talks, the Chinese FM raised the idea of joint dialogue.", "Implications", "Context",
		creditLine, heroCredit, "Licence: " + heroLicence, "https://masthead.test/media/",
		"a weekly newsletter published by the Korea Economic Institute",
		"https://masthead.test/korea-view/beijing-calibrates-its-approach-to-seoul",
		"Korea View, 1 Example Street. Seoul & <Washington>", "Unsubscribe: " + unsubscribe} {
		if !strings.Contains(text, want) {
			t.Errorf("text part lacks %q:\n%s", want, p.Text)
		}
	}
	if strings.Index(p.Text, "What Happened") > strings.Index(p.Text, "Implications") ||
		strings.Index(p.Text, "Implications") > strings.Index(p.Text, "Context") {
		t.Errorf("sections out of the content type's order:\n%s", p.Text)
	}
	html := p.HTML
	for _, want := range []string{"<h1", "Beijing Calibrates Its Approach to Seoul", "<li", "<strong>focused</strong>",
		creditLine, "Licence: " + heroLicence, `<img src="https://masthead.test/media/`, `alt="The two foreign ministers"`,
		`href="https://masthead.test/korea-view/beijing-calibrates-its-approach-to-seoul"`,
		`href="` + strings.ReplaceAll(unsubscribe, "&", "&amp;") + `"`, "Korea View, 1 Example Street.<br>Seoul &amp; &lt;Washington&gt;", `style="`} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML part lacks %q:\n%s", want, html)
		}
	}
	for _, banned := range []string{"<script", "<link", "@import", "fonts.googleapis", "<style"} {
		if strings.Contains(strings.ToLower(html), banned) {
			t.Errorf("HTML part has %q", banned)
		}
	}
}

// exampleSettings is Korea View's newsletter as the tests configure it.
var exampleSettings = newsletter.Settings{Enabled: true, FromName: "Korea View", FromAddress: "korea-view@masthead.test",
	ReplyTo: "editors@masthead.test", SendOnPublish: true, Footer: "Korea View, 1 Example Street.\nSeoul & <Washington>"}

// editionEnv is an https install whose mail goes to smtpURL and whose
// newsletter settings are exampleSettings, with the example newsroom.
func editionEnv(t *testing.T, db *store.DB, smtpURL string) (*apptest.Env, *apptest.Newsroom) {
	t.Helper()
	env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) {
		o.SMTPURL, o.MailFrom = smtpURL, "Masthead <news@masthead.test>"
		o.BaseURL, _ = url.Parse("https://masthead.test")
		o.UnsubscribeMailto = "unsubscribe@masthead.test"
		o.DKIM = siteDKIM(t)
	}})
	n := apptest.NewNewsroom(t, env)
	n.Admin.Do("PUT", "/api/v1/series/"+apptest.Series+"/newsletter", exampleSettings).Want(http.StatusOK)
	return env, n
}

// TestEditionIsTheDeliveredDocument renders a published briefing as the
// mail a subscriber gets and sends it to an SMTP server: multipart, with
// every part of the document and the list's headers.
func TestEditionIsTheDeliveredDocument(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		box := apptest.StartMailbox(t)
		env, n := editionEnv(t, db, box.URL)
		id := publishExample(t, n)
		series, err := db.FindSeries(t.Context(), apptest.Series)
		if err != nil {
			t.Fatal(err)
		}
		sub := newsletter.Subscriber{ID: "sub-1", Email: "reader@example.org", Series: apptest.Series}
		m, err := env.App.Newsletter.EditionMail(t.Context(), id, series, exampleSettings, sub)
		if err != nil {
			t.Fatal(err)
		}
		smtp, err := newsletter.NewSMTP(box.URL, "Masthead <news@masthead.test>")
		if err != nil {
			t.Fatal(err)
		}
		if err := smtp.Send(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		msgs := box.All()
		if len(msgs) != 1 || msgs[0].To != "reader@example.org" || msgs[0].From != "korea-view@masthead.test" {
			t.Fatalf("mailbox %+v", msgs)
		}
		checkEdition(t, parseEdition(t, msgs[0].Data), "Beijing Calibrates Its Approach to Seoul", env.App.Newsletter.UnsubscribeLink(sub))

		// Prepared once for a send, each mail carries its subscriber's own link.
		e, err := env.App.Newsletter.PrepareEdition(t.Context(), id, series, exampleSettings)
		if err != nil {
			t.Fatal(err)
		}
		other := newsletter.Subscriber{ID: "sub-2", Email: "other@example.org", Series: apptest.Series}
		m2, err := e.Mail(other)
		if err != nil {
			t.Fatal(err)
		}
		link2 := env.App.Newsletter.UnsubscribeLink(other)
		if m2.To != other.Email || m2.ListUnsubscribe != link2 || !strings.Contains(m2.Body, link2) || strings.Contains(m2.Body, m.ListUnsubscribe) ||
			strings.ReplaceAll(m2.HTML, link2, m.ListUnsubscribe) != m.HTML {
			t.Errorf("the second subscriber's mail differs from the first other than by its link:\n%s", m2.Body)
		}

		// A document that is not live has no edition.
		if _, err := env.App.Newsletter.EditionMail(t.Context(), draftExample(t, n, "Not Yet"), series, exampleSettings, sub); !cms.IsCode(err, cms.CodeNotFound) {
			t.Errorf("edition of a draft: %v, want not found", err)
		}
	})
}

// TestTestSendAndPreview: an editor or publisher of the series mails the
// head revision to themselves only, subject marked, through the outbox;
// anyone who may read the document previews the HTML that would be sent.
// Whoever else asks, or asks for a list the document is not on, gets a
// problem and mails no one.
func TestTestSendAndPreview(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		box := apptest.StartMailbox(t)
		env, n := editionEnv(t, db, box.URL)
		id := draftExample(t, n, exampleTitle)
		path := "/api/v1/documents/" + id

		for _, c := range []struct {
			who  *apptest.Client
			body any
			want int
		}{
			{n.Anonymous, nil, http.StatusUnauthorized},
			{n.Writer, nil, http.StatusForbidden}, // the author reads it, but only editors and publishers test
			{n.Assistant, nil, http.StatusForbidden},
			{n.Publisher, map[string]any{"series": "nope"}, http.StatusBadRequest},
			{n.Publisher, map[string]any{"series": apptest.ParentSeries}, http.StatusBadRequest}, // a blog: no list
			{n.Publisher, map[string]any{"to": "someone@example.org"}, http.StatusBadRequest},    // no choosing the address
			{n.Publisher, "not json", http.StatusBadRequest},
		} {
			c.who.Do("POST", path+"/test-send", c.body).Want(c.want)
		}
		n.Publisher.Do("POST", "/api/v1/documents/no-such-document/test-send", nil).Want(http.StatusNotFound)
		if sent, err := env.App.Mailer.SendDue(t.Context()); err != nil || sent != 0 || len(box.All()) != 0 {
			t.Fatalf("refused test sends mailed %d (%v): %+v", sent, err, box.All())
		}

		var ack struct{ To, Subject, Series string }
		n.Editor.Do("POST", path+"/test-send", map[string]any{"series": apptest.Series}).Want(http.StatusAccepted).Decode(&ack)
		n.Publisher.Do("POST", path+"/test-send", nil).Want(http.StatusAccepted)
		if ack.To != "editor@example.org" || ack.Subject != "[Test] "+exampleTitle || ack.Series != apptest.Series {
			t.Errorf("answer %+v", ack)
		}
		if sent, err := env.App.Mailer.SendDue(t.Context()); err != nil || sent != 2 {
			t.Fatalf("sent %d, %v; want the two tests", sent, err)
		}
		msgs := box.All()
		var to []string
		for _, m := range msgs {
			to = append(to, m.To)
			checkEdition(t, parseEdition(t, m.Data), "[Test] "+exampleTitle, "")
			if _, err := verifyDKIM(m.Data, sitePublicKey); err != nil {
				t.Errorf("the install's DKIM signature does not verify: %v", err)
			}
		}
		if slices.Sort(to); strings.Join(to, " ") != "editor@example.org publisher@example.org" {
			t.Errorf("tests went to %v, want each asker only", to)
		}

		// The preview is the HTML part, inert in a browser.
		r := n.Writer.Do("GET", path+"/newsletter-preview", nil).Want(http.StatusOK)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("Content-Type %q", ct)
		}
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "sandbox") {
			t.Errorf("Content-Security-Policy %q", csp)
		}
		for _, want := range []string{"<h1", exampleTitle, creditLine, "Licence: " + heroLicence, "Korea View, 1 Example Street."} {
			if !strings.Contains(string(r.Body), want) {
				t.Errorf("preview lacks %q", want)
			}
		}
		n.Editor.Do("GET", path+"/newsletter-preview?series="+apptest.Series, nil).Want(http.StatusOK)
		n.Editor.Do("GET", path+"/newsletter-preview?series="+apptest.ParentSeries, nil).Want(http.StatusBadRequest)
		n.Anonymous.Do("GET", path+"/newsletter-preview", nil).Want(http.StatusUnauthorized)
		other := env.CreateUser("other@example.org", "author:"+apptest.ParentSeries)
		other.Do("GET", path+"/newsletter-preview", nil).Want(http.StatusNotFound)
	})
}
