package newsletter_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

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

// TestUnpublishedDocumentHoldsItsSend: a document unpublished before its
// edition went mails no one; its send pauses with the reason, and once
// the document is live again a resume sends it.
func TestUnpublishedDocumentHoldsItsSend(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		d := newEditionDesk(t, db)
		d.newsletterOn(t, apptest.Series, true, false)
		d.subscribe(t, apptest.Series, "reader@example.org", newsletter.Confirmed)
		id := d.approved(t, "pulled")
		d.transition(t, d.Publisher, id, "publish", http.StatusOK)
		d.transition(t, d.Publisher, id, "unpublish", http.StatusOK)
		w := d.worker()
		if n := sendDue(t, w); n != 0 || len(d.box.All()) != 0 {
			t.Fatalf("an unpublished document was mailed: %d", n)
		}
		s := d.sends(t, id)[0]
		if s.Status != newsletter.SendPaused || !strings.Contains(s.Reason, "not live") {
			t.Fatalf("send %+v", s)
		}
		d.transition(t, d.Writer, id, "submit", http.StatusOK)
		d.transition(t, d.Admin, id, "approve", http.StatusOK)
		d.transition(t, d.Publisher, id, "publish", http.StatusOK)
		d.Publisher.Do("POST", "/api/v1/sends/"+s.ID+"/resume", nil).Want(http.StatusOK)
		if n := sendDue(t, w); n != 1 || len(d.sends(t, id)) != 1 {
			t.Fatalf("resumed: sent %d", n)
		}
	})
}
