package newsletter_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/masthead-cms/masthead/internal/newsletter"
)

// countingServer is a real SMTP server that counts connections and mails.
type countingServer struct {
	mu       sync.Mutex
	sessions int
	mails    int
}

func (c *countingServer) NewSession(*smtp.Conn) (smtp.Session, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sessions++
	return &countingSession{c: c}, nil
}

func (c *countingServer) counts() (sessions, mails int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sessions, c.mails
}

type countingSession struct{ c *countingServer }

func (s *countingSession) Reset()                               {}
func (s *countingSession) Logout() error                        { return nil }
func (s *countingSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *countingSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *countingSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	s.c.mails++
	return nil
}

// startCounting starts a countingServer; readTimeout > 0 makes it drop
// connections that rest longer.
func startCounting(t *testing.T, readTimeout time.Duration) (*countingServer, newsletter.Sender) {
	t.Helper()
	counter := &countingServer{}
	srv := smtp.NewServer(counter)
	srv.Domain = "localhost"
	srv.ReadTimeout = readTimeout
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	sender, err := newsletter.NewSMTP("smtp://"+ln.Addr().String(), "Masthead <no-reply@example.org>")
	if err != nil {
		t.Fatal(err)
	}
	return counter, sender
}

func sendN(t *testing.T, sender newsletter.Sender, n int) {
	t.Helper()
	for i := range n {
		m := newsletter.Mail{To: fmt.Sprintf("r%d@example.org", i), Subject: "Korea View", Body: "text"}
		if err := sender.Send(context.Background(), m); err != nil {
			t.Fatalf("mail %d: %v", i, err)
		}
	}
}

func TestSMTPKeepsItsConnection(t *testing.T) {
	counter, sender := startCounting(t, 0)
	sendN(t, sender, 50)
	if sessions, mails := counter.counts(); sessions != 1 || mails != 50 {
		t.Fatalf("%d connections for %d mails, want 1 for 50", sessions, mails)
	}
}

func TestSMTPRedialsADroppedConnection(t *testing.T) {
	counter, sender := startCounting(t, 100*time.Millisecond)
	sendN(t, sender, 1)
	// The server drops the resting connection; the next mail finds out
	// at MAIL FROM and goes through on a new one.
	time.Sleep(400 * time.Millisecond)
	sendN(t, sender, 1)
	if sessions, mails := counter.counts(); sessions != 2 || mails != 2 {
		t.Fatalf("%d connections, %d mails; want 2 and 2", sessions, mails)
	}
}
