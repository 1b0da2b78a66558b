package apptest

import (
	"io"
	"mime/quotedprintable"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Mailbox is a real SMTP server on a loopback port (go-smtp) that keeps
// what it receives, so mail tests read what a mail server would get.
type Mailbox struct {
	URL  string // smtp://127.0.0.1:port, for app.Options.SMTPURL
	mu   sync.Mutex
	msgs []Message
	read int // how many of msgs Take has returned
}

// Message is one mail as the server received it.
type Message struct {
	From string
	To   string // the recipients, comma-separated
	Data string // the raw message, headers and body
}

// StartMailbox starts a Mailbox that stops when the test ends.
func StartMailbox(t testing.TB) *Mailbox {
	t.Helper()
	box := &Mailbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	box.URL = "smtp://" + ln.Addr().String()
	return box
}

// All returns every message received so far.
func (b *Mailbox) All() []Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Message(nil), b.msgs...)
}

// Take returns the raw messages received since the last call, with their
// quoted-printable soft line breaks undone.
func (b *Mailbox) Take() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, m := range b.msgs[b.read:] {
		text := m.Data
		if body, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(m.Data))); err == nil {
			text = string(body)
		}
		out = append(out, text)
	}
	b.read = len(b.msgs)
	return out
}

// NewSession implements smtp.Backend.
func (b *Mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{box: b}, nil }

type mailSession struct {
	box  *Mailbox
	from string
	to   []string
}

// Reset forgets the envelope (RSET, and after each mail), as a real
// server does: one connection carries many mails.
func (s *mailSession) Reset()                                      { s.from, s.to = "", nil }
func (s *mailSession) Logout() error                               { return nil }
func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error   { s.to = append(s.to, to); return nil }
func (s *mailSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	s.box.msgs = append(s.box.msgs, Message{From: s.from, To: strings.Join(s.to, ","), Data: string(data)})
	return nil
}
