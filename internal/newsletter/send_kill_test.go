package newsletter_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/newsletter"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// The helper process the kill and two-process tests start reads these.
const (
	sendHelperEnv = "MASTHEAD_SEND_HELPER" // set: this process is the helper
	sendURLEnv    = "MASTHEAD_SEND_URL"    // the database, as store.Options
	sendDirEnv    = "MASTHEAD_SEND_DIR"
	sendSMTPEnv   = "MASTHEAD_SEND_SMTP"
	sendSkewEnv   = "MASTHEAD_SEND_SKEW" // how far ahead of the wall the worker's clock runs
	helperBatch   = 20
	helperReady   = "running the background work"
)

// TestMain runs this test binary as a Masthead process doing its
// background work when a test starts it so; otherwise it runs the tests.
func TestMain(m *testing.M) {
	if os.Getenv(sendHelperEnv) != "" {
		if err := runBackgroundWork(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(1) // killed processes do not get here
	}
	os.Exit(storetest.Main(m))
}

// runBackgroundWork is a Masthead process as serve runs it, minus the
// HTTP server: the app built on the database, its background work
// running. Its edition worker leases batches of helperBatch, on a clock
// that runs MASTHEAD_SEND_SKEW ahead, which is how a restarted process
// finds a killed one's leases run out without a test waiting minutes.
func runBackgroundWork() error {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{URL: os.Getenv(sendURLEnv), DataDir: os.Getenv(sendDirEnv)})
	if err != nil {
		return err
	}
	base, _ := url.Parse("http://masthead.test")
	dir, err := os.MkdirTemp("", "masthead-send-helper")
	if err != nil {
		return err
	}
	const from = "Masthead <no-reply@example.org>"
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	a, err := app.New(ctx, db, app.Options{BaseURL: base, MediaDir: dir, SMTPURL: os.Getenv(sendSMTPEnv), MailFrom: from, Logger: log})
	if err != nil {
		return err
	}
	skew, err := time.ParseDuration(os.Getenv(sendSkewEnv))
	if err != nil {
		return err
	}
	sender, err := newsletter.NewSMTP(os.Getenv(sendSMTPEnv), from)
	if err != nil {
		return err
	}
	a.Sender = newsletter.NewSendWorker(db, a.Newsletter, sender, newsletter.SendConfig{Batch: helperBatch, Logger: log,
		Now: func() time.Time { return time.Now().UTC().Add(skew) }})
	a.Run(ctx, time.Second)
	fmt.Println(helperReady)
	select {}
}

// gatedMailbox is a real SMTP server that counts the mails it took per
// address and, once it took hold of them, keeps every further sender
// waiting for its answer until it is opened: the moment to kill a process
// in the middle of a send.
type gatedMailbox struct {
	url    string
	mu     sync.Mutex
	got    map[string]int
	total  int
	hold   int           // 0: no gate
	held   chan struct{} // closed when a sender first waits at the gate
	open   chan struct{}
	closed bool
	once   sync.Once
}

func startGatedMailbox(t *testing.T, hold int) *gatedMailbox {
	g := &gatedMailbox{got: map[string]int{}, hold: hold, held: make(chan struct{}), open: make(chan struct{})}
	srv := smtp.NewServer(g)
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0) // the killed process's connections reset
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { g.release(); srv.Close() })
	g.url = "smtp://" + ln.Addr().String()
	return g
}

// release opens the gate for good.
func (g *gatedMailbox) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.closed {
		g.closed = true
		close(g.open)
	}
}

// counts returns the mails taken per address and in all.
func (g *gatedMailbox) counts() (map[string]int, int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return maps.Clone(g.got), g.total
}

// NewSession implements smtp.Backend.
func (g *gatedMailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &gatedSession{g: g}, nil }

type gatedSession struct {
	g  *gatedMailbox
	to string
}

func (s *gatedSession) Reset()                               {}
func (s *gatedSession) Logout() error                        { return nil }
func (s *gatedSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *gatedSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = strings.ToLower(to)
	return nil
}

// Data counts a mail once it was read whole: the server has taken it, as
// a real one that queued it before its 250 went out. Past hold, that 250
// waits for the gate, so a sender killed meanwhile never learns the mail
// went: the duplicates a hard kill makes.
func (s *gatedSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	g := s.g
	g.mu.Lock()
	g.got[s.to]++
	g.total++
	full := g.hold > 0 && g.total > g.hold && !g.closed
	g.mu.Unlock()
	if full {
		g.once.Do(func() { close(g.held) })
		<-g.open
	}
	return nil
}

// sendProcesses starts helper processes on one database.
type sendProcesses struct {
	url, dir, smtp string
}

// start runs a helper process whose clock runs skew ahead, and returns
// once its background work runs; the test's end kills it.
func (p sendProcesses) start(t *testing.T, skew time.Duration) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), sendHelperEnv+"=1", sendURLEnv+"="+p.url, sendDirEnv+"="+p.dir,
		sendSMTPEnv+"="+p.smtp, sendSkewEnv+"="+skew.String())
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == helperReady {
				ready <- true
				_, _ = io.Copy(io.Discard, out)
				return
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("the helper process ended before it ran")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the helper process did not start")
	}
	return cmd
}

// processDesk is an edition desk on a database that helper processes can
// open too: a file for SQLite, a schema of its own on PostgreSQL.
func processDesk(t *testing.T, b storetest.Backend, smtpURL string) (*editionDesk, sendProcesses) {
	url, dir := b.URL(t)
	db, err := store.Open(t.Context(), store.Options{URL: url, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) {
		o.SMTPURL, o.MailFrom = smtpURL, "Masthead <no-reply@example.org>"
	}})
	return &editionDesk{Newsroom: apptest.NewNewsroom(t, env), db: db}, sendProcesses{url: url, dir: dir, smtp: smtpURL}
}

// edition publishes a briefing to total confirmed subscribers and
// returns the document's id.
func (d *editionDesk) edition(t *testing.T, slug string, total int) string {
	t.Helper()
	d.newsletterOn(t, apptest.Series, true, false)
	for i := range total {
		d.subscribe(t, apptest.Series, fmt.Sprintf("r%04d@example.org", i), newsletter.Confirmed)
	}
	id := d.approved(t, slug)
	d.transition(t, d.Publisher, id, "publish", http.StatusOK)
	return id
}

// waitDone waits for a document's one send to be done and returns it.
func (d *editionDesk) waitDone(t *testing.T, id string) newsletter.Send {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		s := d.sends(t, id)[0]
		if s.Status == newsletter.SendDone || time.Now().After(deadline) {
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// allSent checks that every recipient row of s is sent.
func (d *editionDesk) allSent(t *testing.T, s newsletter.Send, total int) {
	t.Helper()
	sent, err := d.db.FindRecipients(t.Context(), s.ID, newsletter.RcptSent, "", total+1)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != newsletter.SendDone || s.Sent != total || len(sent) != total {
		t.Fatalf("progress %+v, %d rows sent, want all %d", s, len(sent), total)
	}
}

// TestKilledProcessResumed: a Masthead process is killed -9 in the middle
// of an edition, with mail of its batch on the wire; a process started
// after it, once the dead one's lease ran out, sends the rest. Every
// recipient is sent and got the edition; the ones mailed twice are those
// the killed process mailed and could not record, one batch at most.
func TestKilledProcessResumed(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			const total, hold = 300, 70
			box := startGatedMailbox(t, hold)
			d, procs := processDesk(t, b, box.url)
			id := d.edition(t, "killed-mid-send", total)

			killed := procs.start(t, 0)
			select {
			case <-box.held:
			case <-time.After(60 * time.Second):
				t.Fatal("the process never sent its first mails")
			}
			if err := killed.Process.Kill(); err != nil { // SIGKILL
				t.Fatal(err)
			}
			err := killed.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != -1 {
				t.Fatalf("the process was not killed: %v", err)
			}
			_, before := box.counts()
			if s := d.sends(t, id)[0]; s.Status != newsletter.SendSending || before >= total {
				t.Fatalf("killed after %d mails, send %+v: not mid-send", before, s)
			}
			box.release()

			// The restarted process's clock is past the killed one's lease
			// (two minutes) as a process started later would be.
			procs.start(t, 3*time.Minute)
			s := d.waitDone(t, id)
			d.allSent(t, s, total)
			got, mails := box.counts()
			if len(got) != total {
				t.Fatalf("%d of %d addresses got the edition", len(got), total)
			}
			dups := mails - total
			t.Logf("killed after %d of %d mails; %d mailed twice (one batch of %d at most)", before, total, dups, helperBatch)
			if dups > helperBatch {
				t.Fatalf("%d mailed twice, more than a batch of %d", dups, helperBatch)
			}
			for addr, n := range got {
				if n > 2 {
					t.Errorf("%s got %d mails", addr, n)
				}
			}
		})
	}
}

// TestTwoProcessesOneEdition: two Masthead processes on one database,
// each doing its background work as serve does, send one edition of 500
// recipients: 500 mails, no address twice.
func TestTwoProcessesOneEdition(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			const total = 500
			box := startGatedMailbox(t, 0)
			d, procs := processDesk(t, b, box.url)
			procs.start(t, 0)
			procs.start(t, 0)
			id := d.edition(t, "two-processes", total)
			s := d.waitDone(t, id)
			d.allSent(t, s, total)
			got, mails := box.counts()
			if len(got) != total || mails != total {
				t.Fatalf("%d addresses, %d mails, want %d of each", len(got), mails, total)
			}
		})
	}
}
