package newsletter_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// editionDesk is the example newsroom with its mail going to a mailbox.
type editionDesk struct {
	*apptest.Newsroom
	box *apptest.Mailbox
	db  *store.DB
}

func newEditionDesk(t *testing.T, db *store.DB) *editionDesk {
	box := apptest.StartMailbox(t)
	env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) {
		o.SMTPURL, o.MailFrom = box.URL, "Masthead <no-reply@example.org>"
	}})
	return &editionDesk{Newsroom: apptest.NewNewsroom(t, env), box: box, db: db}
}

// newsletterOn turns on the newsletter of a series.
func (d *editionDesk) newsletterOn(t *testing.T, series string, onPublish, children bool) {
	t.Helper()
	d.Admin.Do("PUT", "/api/v1/series/"+series+"/newsletter", map[string]any{"enabled": true, "from_name": "Korea View",
		"from_address": "korea-view@example.org", "send_on_publish": onPublish, "include_children": children}).Want(http.StatusOK)
}

// subscribe puts an address on a series' list with a status, straight
// through the store (the sign-up form has its own tests).
func (d *editionDesk) subscribe(t *testing.T, series, email, status string) newsletter.Subscriber {
	t.Helper()
	sr, err := d.db.FindSeries(t.Context(), series)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	sub := newsletter.Subscriber{ID: cms.NewID(), Email: email, SeriesID: sr.ID, Status: status, CreatedAt: now, UpdatedAt: now}
	if err := d.db.SaveSubscriber(t.Context(), sub, nil); err != nil {
		t.Fatal(err)
	}
	return sub
}

// worker returns a worker mailing the desk's mailbox, tuned by cfg.
func (d *editionDesk) worker(cfg ...newsletter.SendConfig) *newsletter.SendWorker {
	c := newsletter.SendConfig{Logger: d.Env.App.Log}
	for _, o := range cfg {
		c = o
		c.Logger = d.Env.App.Log
	}
	return newsletter.NewSendWorker(d.db, d.Env.App.Newsletter, smtpSender(d), c)
}

func smtpSender(d *editionDesk) newsletter.Sender {
	s, err := newsletter.NewSMTP(d.box.URL, "Masthead <no-reply@example.org>")
	if err != nil {
		panic(err)
	}
	return s
}

// draft creates an approved briefing, ready to publish.
func (d *editionDesk) approved(t *testing.T, slug string) string {
	t.Helper()
	var doc struct{ ID string }
	d.Writer.Do("POST", "/api/v1/documents", map[string]any{"type": "briefing", "series": apptest.Series, "title": slug, "slug": slug,
		"fields": map[string]any{"summary": "S", "what_happened": []string{"a"}, "implications": "I"}}).Want(http.StatusCreated).Decode(&doc)
	d.transition(t, d.Writer, doc.ID, "submit", http.StatusOK)
	d.transition(t, d.Editor, doc.ID, "approve", http.StatusOK)
	return doc.ID
}

func (d *editionDesk) transition(t *testing.T, c *apptest.Client, id, action string, want ...int) *apptest.Response {
	t.Helper()
	return c.Do("POST", "/api/v1/documents/"+id+"/transitions", map[string]any{"action": action}).Want(want...)
}

func (d *editionDesk) sends(t *testing.T, id string) []newsletter.Send {
	t.Helper()
	var out struct{ Data []newsletter.Send }
	d.Publisher.Do("GET", "/api/v1/sends?document="+id, nil).Want(http.StatusOK).Decode(&out)
	return out.Data
}

// recipientsOf returns the addresses the mailbox got, counting each.
func recipientsOf(box *apptest.Mailbox) map[string]int {
	got := map[string]int{}
	for _, m := range box.All() {
		got[strings.ToLower(m.To)]++
	}
	return got
}

func sendDue(t *testing.T, w *newsletter.SendWorker) int {
	t.Helper()
	n, err := w.SendDue(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNewsletterSettingsAndManualSend(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		path := "/api/v1/series/" + apptest.Series + "/newsletter"
		var got newsletter.Settings
		d.Publisher.Do("GET", path, nil).Want(http.StatusOK).Decode(&got)
		if got != (newsletter.Settings{}) {
			t.Fatalf("unset settings = %+v", got)
		}
		d.Writer.Do("GET", path, nil).Want(http.StatusForbidden)
		d.Editor.Do("PUT", path, map[string]any{"enabled": false}).Want(http.StatusForbidden)
		d.Publisher.Do("GET", "/api/v1/series/"+apptest.ParentSeries+"/newsletter", nil).Want(http.StatusForbidden)
		for _, bad := range []map[string]any{
			{"enabled": true},
			{"enabled": true, "from_address": "not an address"},
			{"enabled": true, "from_address": "Korea View <kv@example.org>"},
			{"enabled": true, "from_address": "kv@example.org", "reply_to": "nope"},
			{"enabled": true, "from_address": "kv@example.org", "from_name": "a\r\nBcc: x@example.org"},
			{"enabled": true, "from_address": "kv@example.org", "unknown": 1},
			{"enabled": true, "from_address": "kv@example.org", "footer": strings.Repeat("x", 4001)},
			{"enabled": true, "from_address": "kv@example.org", "from_name": strings.Repeat("x", 201)},
			{"enabled": "yes", "from_address": "kv@example.org"},
		} {
			d.Publisher.Do("PUT", path, bad).Want(http.StatusBadRequest)
		}
		d.Publisher.Do("GET", path, nil).Want(http.StatusOK).Decode(&got)
		if got != (newsletter.Settings{}) {
			t.Fatalf("refused settings were stored: %+v", got)
		}
		want := newsletter.Settings{Enabled: true, FromName: "Korea View", FromAddress: "kv@example.org", ReplyTo: "desk@example.org", Footer: "KEI"}
		d.Publisher.Do("PUT", path, want).Want(http.StatusOK)
		d.Publisher.Do("GET", path, nil).Want(http.StatusOK).Decode(&got)
		if got != want {
			t.Fatalf("settings = %+v, want %+v", got, want)
		}
		audit, err := db.FindAudit(t.Context(), 20)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, ev := range audit {
			found = found || (ev.Action == "newsletter.settings" && ev.ActorID == d.Publisher.UserID)
		}
		if !found {
			t.Error("no newsletter.settings audit event by the publisher")
		}

		// Not send_on_publish: publishing sends nothing; a publisher sends by hand, once.
		id := d.approved(t, "by-hand")
		body := map[string]any{"series": apptest.Series}
		d.Publisher.Do("POST", "/api/v1/documents/"+id+"/sends", body).Want(http.StatusConflict) // not live
		d.transition(t, d.Publisher, id, "publish", http.StatusOK)
		if s := d.sends(t, id); len(s) != 0 {
			t.Fatalf("publishing without send_on_publish created %d sends", len(s))
		}
		d.Writer.Do("POST", "/api/v1/documents/"+id+"/sends", body).Want(http.StatusForbidden)
		d.Publisher.Do("POST", "/api/v1/documents/"+id+"/sends", map[string]any{"series": "nope"}).Want(http.StatusNotFound)
		d.Publisher.Do("POST", "/api/v1/documents/"+id+"/sends", map[string]any{}).Want(http.StatusBadRequest)
		d.Publisher.Do("POST", "/api/v1/documents/nope/sends", body).Want(http.StatusNotFound)
		d.Publisher.Do("PUT", path, newsletter.Settings{FromAddress: "kv@example.org"}).Want(http.StatusOK)
		d.Publisher.Do("POST", "/api/v1/documents/"+id+"/sends", body).Want(http.StatusConflict) // not enabled
		d.Publisher.Do("PUT", path, want).Want(http.StatusOK)
		var s newsletter.Send
		d.Publisher.Do("POST", "/api/v1/documents/"+id+"/sends", body).Want(http.StatusCreated).Decode(&s)
		if s.Status != newsletter.SendQueued || s.DocumentID != id || s.Series != apptest.Series {
			t.Errorf("send = %+v", s)
		}
		d.Publisher.Do("POST", "/api/v1/documents/"+id+"/sends", body).Want(http.StatusConflict)
		if n := len(d.sends(t, id)); n != 1 {
			t.Fatalf("%d sends, want 1", n)
		}
		d.Writer.Do("GET", "/api/v1/sends/"+s.ID, nil).Want(http.StatusForbidden)
		d.Publisher.Do("GET", "/api/v1/sends/nope", nil).Want(http.StatusNotFound)
		d.Publisher.Do("GET", "/api/v1/sends?status=bogus", nil).Want(http.StatusBadRequest)
		d.Publisher.Do("GET", "/api/v1/sends/"+s.ID+"/recipients?status=bogus", nil).Want(http.StatusBadRequest)
		var mine struct{ Data []newsletter.Send }
		d.Writer.Do("GET", "/api/v1/sends", nil).Want(http.StatusOK).Decode(&mine)
		if len(mine.Data) != 0 {
			t.Errorf("a writer sees %d sends", len(mine.Data))
		}
	})
}

// TestEditionReachesConfirmedOnce publishes to 3 confirmed, 1 pending, 1
// unsubscribed and 1 suppressed subscriber: 3 mails; publishing again
// (after an unpublish, and twice at once) sends none more.
func TestEditionReachesConfirmedOnce(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		d.newsletterOn(t, apptest.Series, true, false)
		for _, e := range []string{"a@example.org", "b@example.org", "c@example.org"} {
			d.subscribe(t, apptest.Series, e, newsletter.Confirmed)
		}
		d.subscribe(t, apptest.Series, "pending@example.org", newsletter.Pending)
		d.subscribe(t, apptest.Series, "gone@example.org", newsletter.Unsubscribed)
		d.subscribe(t, apptest.Series, "suppressed@example.org", newsletter.Confirmed)
		if err := db.Suppress(t.Context(), "Suppressed@Example.org", "hard_bounce"); err != nil {
			t.Fatal(err)
		}
		id := d.approved(t, "edition")
		d.transition(t, d.Publisher, id, "publish", http.StatusOK)
		sends := d.sends(t, id)
		if len(sends) != 1 || sends[0].Status != newsletter.SendQueued {
			t.Fatalf("sends after publish = %+v", sends)
		}
		w := d.worker()
		if n := sendDue(t, w); n != 3 {
			t.Fatalf("sent %d, want 3", n)
		}
		got := recipientsOf(d.box)
		if len(got) != 3 || got["a@example.org"] != 1 || got["b@example.org"] != 1 || got["c@example.org"] != 1 {
			t.Fatalf("mailbox got %v", got)
		}
		var s newsletter.Send
		d.Publisher.Do("GET", "/api/v1/sends/"+sends[0].ID, nil).Want(http.StatusOK).Decode(&s)
		if s.Status != newsletter.SendDone || s.Recipients != 3 || s.Sent != 3 || s.Failed+s.Bounced+s.Skipped != 0 ||
			s.StartedAt == nil || s.FinishedAt == nil {
			t.Fatalf("progress = %+v", s)
		}
		var page struct {
			Data       []newsletter.Recipient
			NextCursor string `json:"next_cursor"`
		}
		d.Publisher.Do("GET", "/api/v1/sends/"+s.ID+"/recipients?limit=2", nil).Want(http.StatusOK).Decode(&page)
		if len(page.Data) != 2 || page.NextCursor == "" || page.Data[0].Status != newsletter.RcptSent ||
			page.Data[0].MessageID == "" || page.Data[0].Attempts != 1 {
			t.Fatalf("first page = %+v", page)
		}
		first := append([]newsletter.Recipient(nil), page.Data...)
		d.Publisher.Do("GET", "/api/v1/sends/"+s.ID+"/recipients?limit=2&cursor="+page.NextCursor, nil).Want(http.StatusOK).Decode(&page)
		if len(page.Data) != 1 || page.NextCursor != "" || page.Data[0].ID == first[0].ID || page.Data[0].ID == first[1].ID {
			t.Fatalf("second page = %+v", page)
		}

		// Unpublish and publish again: the send exists, nothing more goes.
		d.transition(t, d.Publisher, id, "unpublish", http.StatusOK)
		d.transition(t, d.Writer, id, "submit", http.StatusOK)
		d.transition(t, d.Admin, id, "approve", http.StatusOK)
		d.transition(t, d.Publisher, id, "publish", http.StatusOK)
		if n := sendDue(t, w); n != 0 || len(d.sends(t, id)) != 1 || len(d.box.All()) != 3 {
			t.Fatalf("re-publish: sent %d, %d sends, %d mails", n, len(d.sends(t, id)), len(d.box.All()))
		}

		// Two racing publishes of one document: one wins, one send.
		race := d.approved(t, "race")
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i := range codes {
			wg.Go(func() {
				codes[i] = d.Publisher.Do("POST", "/api/v1/documents/"+race+"/transitions", map[string]any{"action": "publish"}).Status
			})
		}
		wg.Wait()
		if n := len(d.sends(t, race)); n != 1 {
			t.Fatalf("racing publishes (%v) created %d sends", codes, n)
		}
		if n := sendDue(t, w); n != 3 {
			t.Fatalf("race edition sent %d, want 3", n)
		}
	})
}

// TestAudienceFrozenAtStart: the audience is who was confirmed when the
// send started; a later sign-up is not added, a later unsubscribe is
// skipped at send time.
func TestAudienceFrozenAtStart(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		d.newsletterOn(t, apptest.Series, true, false)
		d.subscribe(t, apptest.Series, "stays@example.org", newsletter.Confirmed)
		leaves := d.subscribe(t, apptest.Series, "leaves@example.org", newsletter.Confirmed)
		id := d.approved(t, "frozen")
		d.transition(t, d.Publisher, id, "publish", http.StatusOK)
		s, ok, err := db.StartSend(t.Context(), time.Now().UTC())
		if err != nil || !ok || s.Recipients != 2 || s.Status != newsletter.SendSending {
			t.Fatalf("start: %+v %v %v", s, ok, err)
		}
		d.subscribe(t, apptest.Series, "late@example.org", newsletter.Confirmed)
		leaves.Status, leaves.UpdatedAt = newsletter.Unsubscribed, time.Now().UTC()
		if err := db.SaveSubscriber(t.Context(), leaves, nil); err != nil {
			t.Fatal(err)
		}
		if n := sendDue(t, d.worker()); n != 1 {
			t.Fatalf("sent %d, want 1", n)
		}
		if got := recipientsOf(d.box); len(got) != 1 || got["stays@example.org"] != 1 {
			t.Fatalf("mailbox got %v", got)
		}
		s, err = db.FindSend(t.Context(), s.ID)
		if err != nil || s.Recipients != 2 || s.Sent != 1 || s.Skipped != 1 || s.Status != newsletter.SendDone {
			t.Fatalf("progress %+v %v", s, err)
		}
	})
}

// TestParentListGetsChildrenOnce: The Peninsula's list takes Korea View's
// documents; an address on both lists gets one copy.
func TestParentListGetsChildrenOnce(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		d.newsletterOn(t, apptest.Series, true, false)
		d.newsletterOn(t, apptest.ParentSeries, true, true)
		d.subscribe(t, apptest.Series, "child@example.org", newsletter.Confirmed)
		d.subscribe(t, apptest.Series, "both@example.org", newsletter.Confirmed)
		d.subscribe(t, apptest.ParentSeries, "both@example.org", newsletter.Confirmed)
		d.subscribe(t, apptest.ParentSeries, "parent@example.org", newsletter.Confirmed)
		id := d.approved(t, "family")
		d.transition(t, d.Publisher, id, "publish", http.StatusOK)
		var all struct{ Data []newsletter.Send }
		d.Admin.Do("GET", "/api/v1/sends?document="+id, nil).Want(http.StatusOK).Decode(&all)
		if len(all.Data) != 2 {
			t.Fatalf("%d sends, want one per list", len(all.Data))
		}
		if n := sendDue(t, d.worker()); n != 3 {
			t.Fatalf("sent %d, want 3", n)
		}
		got := recipientsOf(d.box)
		if len(got) != 3 || got["both@example.org"] != 1 || got["child@example.org"] != 1 || got["parent@example.org"] != 1 {
			t.Fatalf("mailbox got %v", got)
		}
		// Without include_children the parent's list gets nothing.
		d.Admin.Do("PUT", "/api/v1/series/"+apptest.ParentSeries+"/newsletter", map[string]any{"enabled": true,
			"from_address": "p@example.org", "send_on_publish": true}).Want(http.StatusOK)
		other := d.approved(t, "child-only")
		d.transition(t, d.Publisher, other, "publish", http.StatusOK)
		d.Admin.Do("GET", "/api/v1/sends?document="+other, nil).Want(http.StatusOK).Decode(&all)
		if len(all.Data) != 1 || all.Data[0].Series != apptest.Series {
			t.Fatalf("sends %+v", all.Data)
		}
	})
}

// countingSender sends through next and cancels after n mails, as a
// process stopped mid-send.
type countingSender struct {
	next   newsletter.Sender
	mu     sync.Mutex
	n      int
	cancel context.CancelFunc
}

func (c *countingSender) Send(ctx context.Context, m newsletter.Mail) error {
	err := c.next.Send(ctx, m)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n--; c.n == 0 {
		c.cancel()
	}
	return err
}

// TestTwoWorkersOneEdition: two workers share one edition of 200
// recipients; every address gets one mail.
func TestTwoWorkersOneEdition(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		d.newsletterOn(t, apptest.Series, true, false)
		for i := range 200 {
			d.subscribe(t, apptest.Series, fmt.Sprintf("r%03d@example.org", i), newsletter.Confirmed)
		}
		id := d.approved(t, "big")
		d.transition(t, d.Publisher, id, "publish", http.StatusOK)
		var wg sync.WaitGroup
		sent := make([]int, 2)
		for i := range sent {
			w := d.worker(newsletter.SendConfig{Batch: 10})
			wg.Go(func() { sent[i] = sendDue(t, w) })
		}
		wg.Wait()
		got := recipientsOf(d.box)
		if len(got) != 200 || len(d.box.All()) != 200 || sent[0]+sent[1] != 200 {
			t.Fatalf("%d addresses, %d mails, workers sent %v", len(got), len(d.box.All()), sent)
		}
		t.Logf("the workers sent %v", sent)
	})
}

// TestStoppedWorkerResumed: a worker stopped mid-send and one killed
// after its SMTP server took a batch but before it recorded it; another
// finishes after the lease. Everyone gets the edition; the duplicates are
// the killed batch at most.
func TestStoppedWorkerResumed(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		d.newsletterOn(t, apptest.Series, true, false)
		const total, batch = 60, 10
		for i := range total {
			d.subscribe(t, apptest.Series, fmt.Sprintf("r%03d@example.org", i), newsletter.Confirmed)
		}
		id := d.approved(t, "resume")
		d.transition(t, d.Publisher, id, "publish", http.StatusOK)

		ctx, cancel := context.WithCancel(t.Context())
		stopped := newsletter.NewSendWorker(db, d.Env.App.Newsletter, &countingSender{next: smtpSender(d), n: 25, cancel: cancel},
			newsletter.SendConfig{Batch: batch, Concurrency: 1, Logger: d.Env.App.Log})
		if _, err := stopped.SendDue(ctx); err != nil && ctx.Err() == nil {
			t.Fatal(err)
		}
		if n := len(d.box.All()); n != 25 {
			t.Fatalf("the stopped worker sent %d, want 25", n)
		}

		// A hard kill: a batch leased and mailed, never recorded.
		now := time.Now().UTC()
		killed, err := db.ClaimRecipients(t.Context(), now, now.Add(time.Minute), batch)
		if err != nil || len(killed) != batch {
			t.Fatalf("claimed %d, %v", len(killed), err)
		}
		for _, r := range killed {
			if err := smtpSender(d).Send(t.Context(), newsletter.Mail{To: r.Email, Subject: "x", Body: "x"}); err != nil {
				t.Fatal(err)
			}
		}

		// The stopped worker handed back the rest of its batch; the killed
		// one's rows wait for their lease.
		after := d.worker(newsletter.SendConfig{Batch: batch})
		if n := sendDue(t, after); n != total-25-batch {
			t.Fatalf("before the lease ran out the next worker sent %d, want %d", n, total-25-batch)
		}
		after = d.worker(newsletter.SendConfig{Batch: batch, Now: func() time.Time { return time.Now().UTC().Add(3 * time.Minute) }})
		if n := sendDue(t, after); n != batch {
			t.Fatalf("after the lease the next worker sent %d, want %d", n, batch)
		}
		got := recipientsOf(d.box)
		dups := len(d.box.All()) - total
		if len(got) != total || dups > batch {
			t.Fatalf("%d addresses, %d duplicates", len(got), dups)
		}
		t.Logf("duplicates after the hard kill: %d (one batch of %d at most)", dups, batch)
		s := d.sends(t, id)[0]
		if s.Status != newsletter.SendDone || s.Sent != total {
			t.Fatalf("progress %+v", s)
		}
	})
}

// faultyServer is a real SMTP server that refuses as its test says: 451
// to every third mail on its first try, 550 5.1.1 to one address always.
type faultyServer struct {
	mu     sync.Mutex
	n      int
	tried  map[string]bool
	bounce string
	got    map[string]int
}

func (f *faultyServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &faultySession{f: f}, nil }

type faultySession struct {
	f  *faultyServer
	to string
}

func (s *faultySession) Reset()                                    {}
func (s *faultySession) Logout() error                             { return nil }
func (s *faultySession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *faultySession) Data(r io.Reader) error                    { return s.f.accept(s.to, r) }
func (s *faultySession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return s.f.rcpt(to) }

func (f *faultyServer) rcpt(to string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if to == f.bounce {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	first := !f.tried[to]
	f.tried[to] = true
	if f.n++; first && f.n%3 == 0 {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	return nil
}

func (f *faultyServer) accept(to string, r io.Reader) error {
	_, _ = io.Copy(io.Discard, r)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got[to]++
	return nil
}

func startFaulty(t *testing.T, bounce string) (*faultyServer, string) {
	f := &faultyServer{tried: map[string]bool{}, got: map[string]int{}, bounce: bounce}
	srv := smtp.NewServer(f)
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return f, "smtp://" + ln.Addr().String()
}

// TestRefusalsRetriedAndBounced: a 451 is tried again after a back-off
// and everyone gets one mail; a 550 bounces the address and suppresses it,
// so the next edition leaves it out.
func TestRefusalsRetriedAndBounced(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		d.newsletterOn(t, apptest.Series, true, false)
		const n = 12
		for i := range n {
			d.subscribe(t, apptest.Series, fmt.Sprintf("r%02d@example.org", i), newsletter.Confirmed)
		}
		d.subscribe(t, apptest.Series, "bounce@example.org", newsletter.Confirmed)
		f, smtpURL := startFaulty(t, "bounce@example.org")
		sender, err := newsletter.NewSMTP(smtpURL, "Masthead <no-reply@example.org>")
		if err != nil {
			t.Fatal(err)
		}
		w := newsletter.NewSendWorker(db, d.Env.App.Newsletter, sender, newsletter.SendConfig{Backoff: time.Millisecond, Logger: d.Env.App.Log})
		id := d.approved(t, "faults")
		d.transition(t, d.Publisher, id, "publish", http.StatusOK)
		for range 20 {
			if sendDue(t, w); d.sends(t, id)[0].Status == newsletter.SendDone {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		s := d.sends(t, id)[0]
		if s.Status != newsletter.SendDone || s.Sent != n || s.Bounced != 1 || s.Failed != 0 {
			t.Fatalf("progress %+v", s)
		}
		f.mu.Lock()
		if len(f.got) != n || f.got["bounce@example.org"] != 0 {
			t.Errorf("the server took %v", f.got)
		}
		for addr, c := range f.got {
			if c != 1 {
				t.Errorf("%s got %d mails", addr, c)
			}
		}
		f.mu.Unlock()
		var page struct{ Data []newsletter.Recipient }
		d.Publisher.Do("GET", "/api/v1/sends/"+s.ID+"/recipients?status=bounced", nil).Want(http.StatusOK).Decode(&page)
		if len(page.Data) != 1 || page.Data[0].Email != "bounce@example.org" || !strings.Contains(page.Data[0].Response, "550") {
			t.Fatalf("bounced rows %+v", page.Data)
		}
		if ok, err := db.IsSuppressed(t.Context(), "bounce@example.org"); err != nil || !ok {
			t.Fatalf("bounced address not suppressed: %v %v", ok, err)
		}
		retried := 0
		d.Publisher.Do("GET", "/api/v1/sends/"+s.ID+"/recipients?status=sent", nil).Want(http.StatusOK).Decode(&page)
		for _, r := range page.Data {
			if r.Attempts > 1 {
				retried++
			}
		}
		if retried == 0 {
			t.Error("no 451 was retried")
		}

		next := d.approved(t, "after-bounce")
		d.transition(t, d.Publisher, next, "publish", http.StatusOK)
		sendDue(t, w)
		if s := d.sends(t, next)[0]; s.Recipients != n {
			t.Fatalf("the next edition has %d recipients, want %d without the bounced address", s.Recipients, n)
		}
	})
}

// failingSender is a mail server that cannot be reached.
type failingSender struct{}

func (failingSender) Send(context.Context, newsletter.Mail) error {
	return errors.New("dial tcp 127.0.0.1:1: connection refused")
}

// TestServerFailuresPauseTheSend: after PauseAfter failures of the server
// in a row the send pauses with a reason; resumed, it finishes.
func TestServerFailuresPauseTheSend(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		d.newsletterOn(t, apptest.Series, true, false)
		for i := range 8 {
			d.subscribe(t, apptest.Series, fmt.Sprintf("r%02d@example.org", i), newsletter.Confirmed)
		}
		id := d.approved(t, "broken-relay")
		d.transition(t, d.Publisher, id, "publish", http.StatusOK)
		broken := newsletter.NewSendWorker(db, d.Env.App.Newsletter, failingSender{},
			newsletter.SendConfig{PauseAfter: 3, Concurrency: 1, Backoff: time.Millisecond, Logger: d.Env.App.Log})
		sendDue(t, broken)
		s := d.sends(t, id)[0]
		if s.Status != newsletter.SendPaused || !strings.Contains(s.Reason, "connection refused") || s.Sent != 0 {
			t.Fatalf("after the failures: %+v", s)
		}
		path := "/api/v1/sends/" + s.ID
		d.Writer.Do("POST", path+"/resume", nil).Want(http.StatusForbidden)
		d.Publisher.Do("POST", path+"/pause", nil).Want(http.StatusConflict)
		var resumed newsletter.Send
		d.Publisher.Do("POST", path+"/resume", nil).Want(http.StatusOK).Decode(&resumed)
		if resumed.Status != newsletter.SendSending || resumed.Reason != "" {
			t.Fatalf("resumed %+v", resumed)
		}
		d.Publisher.Do("POST", path+"/resume", nil).Want(http.StatusConflict)
		time.Sleep(5 * time.Millisecond) // past the back-off
		w := d.worker()
		for range 5 {
			if sendDue(t, w); d.sends(t, id)[0].Status == newsletter.SendDone {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		if s := d.sends(t, id)[0]; s.Status != newsletter.SendDone || s.Sent != 8 || len(recipientsOf(d.box)) != 8 {
			t.Fatalf("after the resume: %+v, %d mails", s, len(d.box.All()))
		}
		// Paused by hand, nothing goes until resumed.
		other := d.approved(t, "held")
		d.transition(t, d.Publisher, other, "publish", http.StatusOK)
		held := d.sends(t, other)[0]
		d.Publisher.Do("POST", "/api/v1/sends/"+held.ID+"/pause", nil).Want(http.StatusOK)
		if n := sendDue(t, w); n != 0 {
			t.Fatalf("a paused send sent %d", n)
		}
		d.Publisher.Do("POST", "/api/v1/sends/"+held.ID+"/resume", nil).Want(http.StatusOK).Decode(&resumed)
		if resumed.Status != newsletter.SendQueued {
			t.Fatalf("a send paused before it started resumes as %q", resumed.Status)
		}
		if n := sendDue(t, w); n != 8 {
			t.Fatalf("resumed, it sent %d", n)
		}
	})
}

// TestTwoInstancesOneEdition: two Masthead instances on one database,
// each running its background work as serve does, send one edition of
// 200 recipients: 200 mails, no address twice.
func TestTwoInstancesOneEdition(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			var opts store.Options
			if b.Name == store.Postgres {
				opts.URL, _ = storetest.PostgresURL(t)
			} else {
				opts.DataDir = t.TempDir()
			}
			open := func() *store.DB {
				db, err := store.Open(t.Context(), opts)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				return db
			}
			dbA, dbB := open(), open()
			box := apptest.StartMailbox(t)
			configure := apptest.Options{Configure: func(o *app.Options) { o.SMTPURL, o.MailFrom = box.URL, "Masthead <no-reply@example.org>" }}
			envA := apptest.New(t, dbA, configure)
			envB := apptest.New(t, dbB, configure)
			d := &editionDesk{Newsroom: apptest.NewNewsroom(t, envA), box: box, db: dbA}
			d.newsletterOn(t, apptest.Series, true, false)
			const total = 200
			for i := range total {
				d.subscribe(t, apptest.Series, fmt.Sprintf("r%03d@example.org", i), newsletter.Confirmed)
			}
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(cancel)
			envA.App.Run(ctx, time.Second)
			envB.App.Run(ctx, time.Second)
			id := d.approved(t, "two-instances")
			d.transition(t, d.Publisher, id, "publish", http.StatusOK)
			deadline := time.Now().Add(30 * time.Second)
			for len(box.All()) < total && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			var s newsletter.Send
			for time.Now().Before(deadline) {
				if s = d.sends(t, id)[0]; s.Status == newsletter.SendDone {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			got := recipientsOf(box)
			if len(got) != total || len(box.All()) != total || s.Sent != total || s.Status != newsletter.SendDone {
				t.Fatalf("%d addresses, %d mails, progress %+v", len(got), len(box.All()), s)
			}
		})
	}
}

// TestClockAndReleasePublishesSend: a document the clock publishes, and
// one a release publishes, get their send as one published by hand does.
func TestClockAndReleasePublishesSend(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		d.newsletterOn(t, apptest.Series, true, false)
		d.subscribe(t, apptest.Series, "reader@example.org", newsletter.Confirmed)

		clock := d.approved(t, "by-the-clock")
		at := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		d.Publisher.Do("POST", "/api/v1/documents/"+clock+"/transitions", map[string]any{"action": "schedule", "at": at.Format(time.RFC3339)}).
			Want(http.StatusOK)
		if n := len(d.sends(t, clock)); n != 0 {
			t.Fatalf("scheduling created %d sends", n)
		}
		svc := d.Env.App.Content
		svc.SetClock(func() time.Time { return at.Add(time.Second) })
		if n, err := svc.PublishDue(t.Context()); err != nil || n != 1 {
			t.Fatalf("PublishDue = %d, %v", n, err)
		}
		svc.SetClock(time.Now)
		if n := len(d.sends(t, clock)); n != 1 {
			t.Fatalf("the clock's publish created %d sends", n)
		}

		released := d.approved(t, "in-a-release")
		var r struct{ ID string }
		d.Publisher.Do("POST", "/api/v1/releases", map[string]any{"name": "Friday", "documents": []string{released}}).
			Want(http.StatusCreated).Decode(&r)
		d.Publisher.Do("POST", "/api/v1/releases/"+r.ID+"/publish", nil).Want(http.StatusOK)
		if n := len(d.sends(t, released)); n != 1 {
			t.Fatalf("the release created %d sends", n)
		}
		if n := sendDue(t, d.worker()); n != 2 || recipientsOf(d.box)["reader@example.org"] != 2 {
			t.Fatalf("sent %d, mailbox %v", n, recipientsOf(d.box))
		}
	})
}

// TestMailRate: a worker limited to 20 mails a second takes at least the
// time the rate asks for beyond its burst.
func TestMailRate(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		d.newsletterOn(t, apptest.Series, true, false)
		for i := range 30 {
			d.subscribe(t, apptest.Series, fmt.Sprintf("r%02d@example.org", i), newsletter.Confirmed)
		}
		id := d.approved(t, "rated")
		d.transition(t, d.Publisher, id, "publish", http.StatusOK)
		w := d.worker(newsletter.SendConfig{Rate: 20}) // a burst of 20, then one each 50 ms
		start := time.Now()
		if n := sendDue(t, w); n != 30 {
			t.Fatalf("sent %d", n)
		}
		if took := time.Since(start); took < 450*time.Millisecond {
			t.Fatalf("30 mails at 20/s took %v, want at least 0.5 s", took)
		}
	})
}

// TestNewsletterPermissions: a series' newsletter and sends are its
// publishers' and the admins'; nobody else's, whatever else they hold.
func TestNewsletterPermissions(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		on := map[string]any{"enabled": true, "from_address": "kv@example.org"}
		for _, tc := range []struct {
			name   string
			c      *apptest.Client
			series string
			want   int
		}{
			{"anonymous", d.Anonymous, apptest.Series, http.StatusUnauthorized},
			{"writer", d.Writer, apptest.Series, http.StatusForbidden},
			{"assistant", d.Assistant, apptest.Series, http.StatusForbidden},
			{"editor of the parent", d.Editor, apptest.Series, http.StatusForbidden},
			{"publisher", d.Publisher, apptest.Series, http.StatusOK},
			{"publisher, on the parent", d.Publisher, apptest.ParentSeries, http.StatusForbidden},
			{"admin", d.Admin, apptest.Series, http.StatusOK},
			{"admin, on the parent", d.Admin, apptest.ParentSeries, http.StatusOK},
			{"admin, no such series", d.Admin, "nope", http.StatusNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := tc.c.For(t)
				path := "/api/v1/series/" + tc.series + "/newsletter"
				c.Do("GET", path, nil).Want(tc.want)
				c.Do("PUT", path, on).Want(tc.want)
			})
		}
	})
}

// TestOneClickUnsubscribeSkipsNextEdition: a reader who leaves in one
// click from an edition's List-Unsubscribe link (a form post, urlencoded
// or multipart, twice) gets no further edition.
func TestOneClickUnsubscribeSkipsNextEdition(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		d.newsletterOn(t, apptest.Series, true, false)
		stays := d.subscribe(t, apptest.Series, "stays@example.org", newsletter.Confirmed)
		leavers := []newsletter.Subscriber{
			d.subscribe(t, apptest.Series, "form@example.org", newsletter.Confirmed),
			d.subscribe(t, apptest.Series, "multipart@example.org", newsletter.Confirmed),
		}
		first := d.approved(t, "first")
		d.transition(t, d.Publisher, first, "publish", http.StatusOK)
		w := d.worker()
		if n := sendDue(t, w); n != 3 {
			t.Fatalf("first edition sent %d", n)
		}
		for i, sub := range leavers {
			link, err := url.Parse(d.Env.App.Newsletter.UnsubscribeLink(sub))
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if i == 0 {
					formPost(d.Anonymous, link.RequestURI(), "List-Unsubscribe=One-Click").Want(http.StatusOK)
					continue
				}
				body := "--b\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--b--\r\n"
				d.Anonymous.Do("POST", link.RequestURI(), body, "Content-Type", "multipart/form-data; boundary=b").Want(http.StatusOK)
			}
		}
		second := d.approved(t, "second")
		d.transition(t, d.Publisher, second, "publish", http.StatusOK)
		if n := sendDue(t, w); n != 1 {
			t.Fatalf("second edition sent %d, want 1", n)
		}
		if got := recipientsOf(d.box); got[stays.Email] != 2 || got["form@example.org"] != 1 || got["multipart@example.org"] != 1 {
			t.Fatalf("mailbox got %v", got)
		}
	})
}
