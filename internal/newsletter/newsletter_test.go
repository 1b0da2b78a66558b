package newsletter_test

import (
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// mailbox is a real SMTP server on a loopback port (go-smtp) that keeps
// what it receives.
type mailbox struct {
	mu   sync.Mutex
	msgs []message
}

type message struct {
	from, to, data string
}

type session struct {
	box  *mailbox
	from string
	to   []string
}

func (b *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{box: b}, nil }
func (s *session) Reset()                                      {}
func (s *session) Logout() error                               { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error   { s.to = append(s.to, to); return nil }
func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	s.box.msgs = append(s.box.msgs, message{from: s.from, to: strings.Join(s.to, ","), data: string(data)})
	return nil
}

func (b *mailbox) all() []message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]message(nil), b.msgs...)
}

func startMailbox(t *testing.T) (*mailbox, string) {
	t.Helper()
	box := &mailbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return box, "smtp://" + ln.Addr().String()
}

var linkRE = regexp.MustCompile(`http://masthead\.test/delivery/v1/subscribers/confirm\?token=[A-Za-z0-9_%.\-]+`)

func confirmLink(t *testing.T, m message) string {
	t.Helper()
	body, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(m.data)))
	if err != nil {
		body = []byte(m.data)
	}
	link := linkRE.FindString(string(body))
	if link == "" {
		t.Fatalf("no confirmation link in %q", body)
	}
	u, _ := url.Parse(link)
	return u.RequestURI()
}

func TestDoubleOptIn(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		box, smtpURL := startMailbox(t)
		env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) {
			o.SMTPURL, o.MailFrom = smtpURL, "Korea View <news@example.org>"
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
		msgs := box.all()
		if len(msgs) != 1 || msgs[0].to != "reader@example.org" || msgs[0].from != "news@example.org" {
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

		link := confirmLink(t, msgs[0])
		anon.Do("GET", link+"x", nil).Want(http.StatusNotFound) // tampered
		var got struct{ Status, Series string }
		anon.Do("GET", link, nil).Want(http.StatusOK).Decode(&got)
		if got.Status != "confirmed" || got.Series != "korea-view" {
			t.Errorf("confirm: %+v", got)
		}
		admin.Do("GET", "/api/v1/subscribers?status=confirmed", nil).Want(http.StatusOK).Decode(&list)
		if list.Total != 1 {
			t.Errorf("confirmed list %+v", list)
		}
		// A confirmed address signing up again gets the same answer and no mail.
		anon.Do("POST", "/delivery/v1/subscribers", sign).Want(http.StatusAccepted)
		if n, _ := env.App.Mailer.SendDue(t.Context()); n != 0 {
			t.Errorf("mailed a confirmed subscriber again")
		}
		// The way out, in every admin listing: one click, and for good.
		out, _ := url.Parse(list.Data[0].UnsubscribeURL)
		anon.Do("POST", out.RequestURI(), nil).Want(http.StatusOK).Decode(&got)
		if got.Status != "unsubscribed" {
			t.Errorf("unsubscribe: %+v", got)
		}
		anon.Do("GET", link, nil).Want(http.StatusConflict) // an old confirmation does not undo it
		env.CreateUser("editor@example.org", "editor").Do("GET", "/api/v1/subscribers", nil).Want(http.StatusForbidden)
		admin.Do("GET", "/api/v1/subscribers?status=bogus", nil).Want(http.StatusBadRequest)
	})
}
