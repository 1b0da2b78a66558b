package newsletter_test

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

var linkRE = regexp.MustCompile(`https://masthead\.test/delivery/v1/subscribers/confirm\?token=[A-Za-z0-9_%.\-]+`)

func confirmLink(t *testing.T, m apptest.Message) string {
	t.Helper()
	body, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(m.Data)))
	if err != nil {
		body = []byte(m.Data)
	}
	link := linkRE.FindString(string(body))
	if link == "" {
		t.Fatalf("no confirmation link in %q", body)
	}
	u, _ := url.Parse(link)
	return u.RequestURI()
}

// header returns one header of a received message.
func header(t *testing.T, m apptest.Message, name string) string {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		t.Fatalf("unreadable message: %v\n%s", err, m.Data)
	}
	return msg.Header.Get(name)
}

// formPost posts a form as a browser's form or a mail client's one-click
// unsubscribe does.
func formPost(c *apptest.Client, path, body string, headers ...string) *apptest.Response {
	return c.Do("POST", path, body, append([]string{"Content-Type", "application/x-www-form-urlencoded"}, headers...)...)
}

// TestDoubleOptIn plays a reader's way on and off a list on an https
// install: the links mailed to them change nothing when fetched (as mail
// scanners fetch every link), and act only when posted.
func TestDoubleOptIn(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		box := apptest.StartMailbox(t)
		smtpURL := box.URL
		env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) {
			o.SMTPURL, o.MailFrom = smtpURL, "Korea View <news@example.org>"
			o.BaseURL, _ = url.Parse("https://masthead.test")
		}})
		admin := env.Admin()
		admin.Do("POST", "/api/v1/series", map[string]any{"slug": "korea-view", "name": "Korea View", "kind": "newsletter"}).Want(http.StatusCreated)
		anon := env.Anonymous()

		for _, bad := range []map[string]any{
			{"email": "not-an-address", "series": "korea-view"},
			{"email": "r@example.org", "series": "nope"},
			{"email": "r@example.org", "series": "korea-view", "extra": 1},
		} {
			anon.Do("POST", "/delivery/v1/subscribers", bad).Want(http.StatusBadRequest)
		}
		sign := map[string]any{"email": "Reader@Example.org", "series": "korea-view"}
		first := anon.Do("POST", "/delivery/v1/subscribers", sign).Want(http.StatusAccepted)
		again := anon.Do("POST", "/delivery/v1/subscribers", sign).Want(http.StatusAccepted)
		if string(first.Body) != string(again.Body) {
			t.Errorf("answers differ: %s / %s", first.Body, again.Body)
		}
		if n, err := env.App.Mailer.SendDue(t.Context()); err != nil || n != 1 {
			t.Fatalf("sent %d, %v; want one mail (the second sign-up within the hour sends none)", n, err)
		}
		msgs := box.All()
		if len(msgs) != 1 || msgs[0].To != "reader@example.org" || msgs[0].From != "news@example.org" {
			t.Fatalf("mailbox %+v", msgs)
		}
		var list struct {
			Total int
			Data  []struct {
				Email, Status  string
				UnsubscribeURL string `json:"unsubscribe_url"`
			}
		}
		admin.Do("GET", "/api/v1/subscribers?series=korea-view", nil).Want(http.StatusOK).Decode(&list)
		if list.Total != 1 || list.Data[0].Status != "pending" {
			t.Fatalf("list %+v", list)
		}

		// The mail carries the way out for mail clients (RFC 2369, 8058).
		if got, want := header(t, msgs[0], "List-Unsubscribe"), "<"+list.Data[0].UnsubscribeURL+">"; got != want {
			t.Errorf("List-Unsubscribe %q, want %q", got, want)
		}
		if got := header(t, msgs[0], "List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe-Post %q", got)
		}

		link := confirmLink(t, msgs[0])
		_, token, _ := strings.Cut(link, "token=")
		token, _ = url.QueryUnescape(token)
		status := func(want string) {
			t.Helper()
			admin.Do("GET", "/api/v1/subscribers?series=korea-view", nil).Want(http.StatusOK).Decode(&list)
			if list.Total != 1 || list.Data[0].Status != want {
				t.Fatalf("list %+v, want one %s subscriber", list, want)
			}
		}
		// Tampered tokens: 404 problems for programs, on GET and POST, a
		// page saying so for browsers, and nothing changes.
		asJSON := []string{"Accept", "application/json"}
		for _, r := range []*apptest.Response{
			anon.Do("GET", link+"x", nil, asJSON...),
			formPost(anon, link+"x", "", asJSON...),
			formPost(anon, "/delivery/v1/subscribers/confirm", "token="+url.QueryEscape(token+"x"), asJSON...),
		} {
			if r.Want(http.StatusNotFound); r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("a tampered token answers %s: %s", r.Header.Get("Content-Type"), r.Body)
			}
		}
		checkPage(t, anon.Do("GET", link+"x", nil).Want(http.StatusNotFound), "This link cannot be used")
		status("pending")

		// Following the link, as a scanner or a person, confirms nothing.
		page := anon.Do("GET", link, nil, "Accept", "text/html,application/xhtml+xml,*/*;q=0.8").Want(http.StatusOK)
		checkPage(t, page, "Confirm your subscription to Korea View", `<form method="post">`,
			`<input type="hidden" name="token" value="`+token+`">`)
		var pending struct{ Action, Series, Status string }
		anon.Do("GET", link, nil, "Accept", "application/json").Want(http.StatusOK).Decode(&pending)
		if pending.Action != "confirm" || pending.Series != "korea-view" || pending.Status != "pending" {
			t.Errorf("pending confirmation: %+v", pending)
		}
		status("pending")

		// The page's button posts the token: confirmed, then again.
		done := formPost(anon, "/delivery/v1/subscribers/confirm", "token="+url.QueryEscape(token)).Want(http.StatusOK)
		checkPage(t, done, "You are subscribed to Korea View")
		if strings.Contains(string(done.Body), "<form") {
			t.Errorf("the done page still has a form: %s", done.Body)
		}
		status("confirmed")
		var got struct{ Status, Series string }
		formPost(anon, link, "", "Accept", "application/json").Want(http.StatusOK).Decode(&got)
		if got.Status != "confirmed" || got.Series != "korea-view" {
			t.Errorf("confirm again: %+v", got)
		}
		// A confirmed address signing up again gets the same answer and no mail.
		anon.Do("POST", "/delivery/v1/subscribers", sign).Want(http.StatusAccepted)
		if n, _ := env.App.Mailer.SendDue(t.Context()); n != 0 {
			t.Errorf("mailed a confirmed subscriber again")
		}

		// The way out, in every mail and admin listing: fetching it changes
		// nothing; a mail client's one-click POST leaves, for good.
		out, _ := url.Parse(list.Data[0].UnsubscribeURL)
		checkPage(t, anon.Do("GET", out.RequestURI(), nil).Want(http.StatusOK), "Unsubscribe from Korea View", `<form method="post">`)
		status("confirmed")
		formPost(anon, out.RequestURI()+"x", "List-Unsubscribe=One-Click").Want(http.StatusNotFound)
		status("confirmed")
		formPost(anon, out.RequestURI(), "List-Unsubscribe=One-Click").Want(http.StatusOK).Decode(&got)
		if got.Status != "unsubscribed" || got.Series != "korea-view" {
			t.Errorf("one-click unsubscribe: %+v", got)
		}
		status("unsubscribed")
		formPost(anon, out.RequestURI(), "List-Unsubscribe=One-Click").Want(http.StatusOK).Decode(&got)
		if got.Status != "unsubscribed" {
			t.Errorf("unsubscribe again: %+v", got)
		}
		checkPage(t, anon.Do("GET", out.RequestURI(), nil).Want(http.StatusOK), "You are unsubscribed from Korea View")
		anon.Do("GET", link, nil).Want(http.StatusConflict) // an old confirmation does not undo it
		formPost(anon, link, "").Want(http.StatusConflict)
		status("unsubscribed")
		env.CreateUser("editor@example.org", "editor").Do("GET", "/api/v1/subscribers", nil).Want(http.StatusForbidden)
		admin.Do("GET", "/api/v1/subscribers?status=bogus", nil).Want(http.StatusBadRequest)
	})
}

// scriptRE finds what could run in a page: a script, an event handler,
// a javascript: URL, or anything loaded from elsewhere.
var scriptRE = regexp.MustCompile(`(?i)<script|\son[a-z]+\s*=|javascript:|<link|<img|<iframe|\ssrc\s*=`)

// checkPage checks a link's HTML page: the texts, nothing that runs, and
// the headers that keep it out of caches, indexes and frames, with a CSP
// that allows its one inline style by hash.
func checkPage(t *testing.T, r *apptest.Response, texts ...string) {
	t.Helper()
	body := string(r.Body)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q, want a page", ct)
	}
	for _, text := range texts {
		if !strings.Contains(body, text) {
			t.Errorf("the page lacks %q: %s", text, body)
		}
	}
	if runs := scriptRE.FindString(body); runs != "" {
		t.Errorf("the page holds %q: %s", runs, body)
	}
	for name, want := range map[string]string{"Cache-Control": "no-store", "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"} {
		if got := r.Header.Get(name); got != want {
			t.Errorf("%s %q, want %q", name, got, want)
		}
	}
	_, style, _ := strings.Cut(body, "<style>")
	style, _, _ = strings.Cut(style, "</style>")
	sum := sha256.Sum256([]byte(style))
	want := "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
	if got := r.Header.Get("Content-Security-Policy"); got != want {
		t.Errorf("Content-Security-Policy %q, want %q", got, want)
	}
}

// TestListUnsubscribeHeaders sends mail through the SMTP sender to a real
// SMTP server: a mail with an https unsubscribe link offers one-click
// unsubscribe, one with a plain http link (a local install) only the link,
// as RFC 8058 wants one click over https alone, and one without carries
// neither header.
func TestListUnsubscribeHeaders(t *testing.T) {
	t.Parallel()
	box := apptest.StartMailbox(t)
	smtpURL := box.URL
	sender, err := newsletter.NewSMTP(smtpURL, "Korea View <news@example.org>")
	if err != nil {
		t.Fatal(err)
	}
	const link = "://news.example.org/delivery/v1/subscribers/unsubscribe?token=abc.def"
	for _, tc := range []struct {
		name, link, header, post string
	}{
		{"https", "https" + link, "<https" + link + ">", "List-Unsubscribe=One-Click"},
		{"http", "http" + link, "<http" + link + ">", ""},
		{"none", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newsletter.Mail{ID: tc.name, To: "reader@example.org", Subject: "Korea View", Body: "Hello", ListUnsubscribe: tc.link}
			if err := sender.Send(t.Context(), m); err != nil {
				t.Fatal(err)
			}
			msgs := box.All()
			got := msgs[len(msgs)-1]
			if h := header(t, got, "List-Unsubscribe"); h != tc.header {
				t.Errorf("List-Unsubscribe %q, want %q", h, tc.header)
			}
			if h := header(t, got, "List-Unsubscribe-Post"); h != tc.post {
				t.Errorf("List-Unsubscribe-Post %q, want %q", h, tc.post)
			}
		})
	}
}

// Issue 12, item 6: the confirmation mail, queued in the outbox and sent
// over SMTP, has its Message-ID under the sender's domain (not the
// machine's host name), says it was sent automatically (Auto-Submitted),
// names its list (List-Id, the series' slug under the sender's domain),
// and does not advertise the mail library and its version.
func TestConfirmationMailHeaders(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		box := apptest.StartMailbox(t)
		smtpURL := box.URL
		env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) {
			o.SMTPURL, o.MailFrom = smtpURL, "Korea View <news@Example.org>"
			o.BaseURL, _ = url.Parse("https://masthead.test")
		}})
		env.Admin().Do("POST", "/api/v1/series", map[string]any{"slug": "korea-view", "name": "Korea View", "kind": "newsletter"}).Want(http.StatusCreated)
		env.Anonymous().Do("POST", "/delivery/v1/subscribers", map[string]any{"email": "reader@example.org", "series": "korea-view"}).Want(http.StatusAccepted)
		env.Anonymous().Do("POST", "/delivery/v1/subscribers", map[string]any{"email": "other@example.org", "series": "korea-view"}).Want(http.StatusAccepted)
		if n, err := env.App.Mailer.SendDue(t.Context()); err != nil || n != 2 {
			t.Fatalf("sent %d, %v; want 2", n, err)
		}
		msgs := box.All()
		if len(msgs) != 2 {
			t.Fatalf("mailbox %+v", msgs)
		}
		ids := map[string]bool{}
		for _, m := range msgs {
			id := header(t, m, "Message-ID")
			if !regexp.MustCompile(`^<[0-9a-f]{32}@example\.org>$`).MatchString(id) {
				t.Errorf("Message-ID %q, want <random@example.org>", id)
			}
			ids[id] = true
			if h := header(t, m, "Auto-Submitted"); h != "auto-generated" {
				t.Errorf("Auto-Submitted %q, want auto-generated", h)
			}
			if h := header(t, m, "List-Id"); h != `"Korea View" <korea-view.example.org>` {
				t.Errorf("List-Id %q", h)
			}
			for _, name := range []string{"X-Mailer", "User-Agent"} {
				if h := header(t, m, name); h != "" {
					t.Errorf("%s: %q, want none", name, h)
				}
			}
		}
		if len(ids) != 2 {
			t.Errorf("two mails share a Message-ID: %v", ids)
		}
	})
}

// TestListIDNames: List-Id's phrase is quoted, with quotes and
// backslashes escaped, or an encoded word when the name is not ASCII, so
// that no series name can break the header; mail without a list has no
// List-Id, and mail not marked as automatic no Auto-Submitted.
func TestListIDNames(t *testing.T) {
	t.Parallel()
	box := apptest.StartMailbox(t)
	smtpURL := box.URL
	sender, err := newsletter.NewSMTP(smtpURL, "news@example.org")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, id, want string }{
		{`The "Peninsula" \ Blog`, "the-peninsula", `"The \"Peninsula\" \\ Blog" <the-peninsula.example.org>`},
		{"한반도 Brief\r\nBcc: x@example.org", "brief", "한반도 Brief\r\nBcc: x@example.org <brief.example.org>"},
		{"", "", ""},
	} {
		m := newsletter.Mail{ID: tc.id, To: "reader@example.org", Subject: "Hello", Body: "Hello", ListID: tc.id, ListName: tc.name}
		if err := sender.Send(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		msgs := box.All()
		got := msgs[len(msgs)-1]
		raw, err := mail.ReadMessage(strings.NewReader(got.Data))
		if err != nil {
			t.Fatal(err)
		}
		if raw.Header.Get("Bcc") != "" {
			t.Errorf("%q: a Bcc header got in", tc.name)
		}
		h := raw.Header.Get("List-Id")
		if decoded, err := new(mime.WordDecoder).DecodeHeader(h); err != nil || decoded != tc.want {
			t.Errorf("List-Id %q (decoded %q, %v), want %q", h, decoded, err, tc.want)
		}
		if h := raw.Header.Get("Auto-Submitted"); h != "" {
			t.Errorf("Auto-Submitted %q on mail not marked automatic", h)
		}
	}
}
