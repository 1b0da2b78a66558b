package apptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// MailpitVariable names the mailpit binary that switches the mailpit
// suites on; .ci/run sets it.
const MailpitVariable = "MASTHEAD_TEST_MAILPIT"

// Mailpit is a real SMTP server, mailpit, running on loopback ports with
// a database of its own, read back through its HTTP API: the mail tests'
// mailbox provider.
type Mailpit struct {
	URL string // smtp://127.0.0.1:port, for app.Options.SMTPURL
	API string // http://127.0.0.1:port, mailpit's HTTP API
	t   testing.TB
}

// MailpitSummary is one message as mailpit lists it.
type MailpitSummary struct {
	ID        string
	MessageID string
	From      MailpitAddress
	To        []MailpitAddress
	Subject   string
}

// MailpitAddress is a mailbox in mailpit's answers.
type MailpitAddress struct {
	Name    string
	Address string
}

// StartMailpit starts mailpit (the binary that MASTHEAD_TEST_MAILPIT
// names) for the test, with extra command-line args (such as
// "--enable-chaos"), and stops it when the test ends. Without the
// variable the test is skipped, with a message saying how to run it;
// in CI (CI=true) it fails instead, so that no suite silently skips.
func StartMailpit(t testing.TB, args ...string) *Mailpit {
	t.Helper()
	bin := os.Getenv(MailpitVariable)
	if bin == "" {
		msg := "mailpit suite skipped: set " + MailpitVariable + " to a mailpit binary " +
			"(GOBIN=/some/dir go install github.com/axllent/mailpit@v1.33.1), as .ci/run does"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " — CI must run it")
		}
		t.Skip(msg)
	}
	smtpAddr, apiAddr := freeAddr(t), freeAddr(t)
	cmd := exec.Command(bin, append([]string{"--smtp", smtpAddr, "--listen", apiAddr,
		"--database", filepath.Join(t.TempDir(), "mailpit.db"), "--max", "0", "--quiet",
		"--disable-version-check", "--smtp-disable-rdns", "--smtp-max-recipients", "1000"}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("apptest: starting mailpit: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	m := &Mailpit{URL: "smtp://" + smtpAddr, API: "http://" + apiAddr, t: t}
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("apptest: mailpit exited: %v\n%s", err, out.String())
		default:
		}
		if m.ready() {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("apptest: mailpit not ready after 30s\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// freeAddr is a loopback address with a port that was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// ready reports whether both the API and the SMTP port answer.
func (m *Mailpit) ready() bool {
	resp, err := http.Get(m.API + "/api/v1/info")
	if err != nil {
		return false
	}
	resp.Body.Close()
	u, _ := url.Parse(m.URL)
	c, err := net.DialTimeout("tcp", u.Host, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return resp.StatusCode == http.StatusOK
}

// get reads one API path, failing the test unless it answers 200.
func (m *Mailpit) get(path string) []byte {
	m.t.Helper()
	resp, err := http.Get(m.API + path)
	if err != nil {
		m.t.Fatalf("mailpit GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		m.t.Fatalf("mailpit GET %s: %d %v\n%s", path, resp.StatusCode, err, body)
	}
	return body
}

// Messages lists every message received, newest first.
func (m *Mailpit) Messages() []MailpitSummary {
	m.t.Helper()
	var out []MailpitSummary
	for start := 0; ; {
		var page struct {
			Total    int
			Messages []MailpitSummary
		}
		if err := json.Unmarshal(m.get("/api/v1/messages?limit=1000&start="+strconv.Itoa(start)), &page); err != nil {
			m.t.Fatalf("mailpit messages: %v", err)
		}
		out = append(out, page.Messages...)
		start += len(page.Messages)
		if len(page.Messages) == 0 || start >= page.Total {
			return out
		}
	}
}

// WaitMessages waits until at least n messages arrived (mailpit stores a
// message a moment after SMTP accepted it) and returns them all.
func (m *Mailpit) WaitMessages(n int, within time.Duration) []MailpitSummary {
	m.t.Helper()
	deadline := time.Now().Add(within)
	for {
		msgs := m.Messages()
		if len(msgs) >= n || time.Now().After(deadline) {
			return msgs
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Raw is a message's source, as the SMTP server received it.
func (m *Mailpit) Raw(id string) string {
	m.t.Helper()
	return string(m.get("/api/v1/message/" + url.PathEscape(id) + "/raw"))
}

// Headers are a message's headers as mailpit parsed them.
func (m *Mailpit) Headers(id string) map[string][]string {
	m.t.Helper()
	var h map[string][]string
	if err := json.Unmarshal(m.get("/api/v1/message/"+url.PathEscape(id)+"/headers"), &h); err != nil {
		m.t.Fatalf("mailpit headers: %v", err)
	}
	return h
}

// MailpitMessage is one message as mailpit parsed it: its text and HTML
// parts among the rest.
type MailpitMessage struct {
	MailpitSummary
	Text, HTML string
	ReplyTo    []MailpitAddress
}

// Message reads one message, parsed by mailpit.
func (m *Mailpit) Message(id string) MailpitMessage {
	m.t.Helper()
	var msg MailpitMessage
	if err := json.Unmarshal(m.get("/api/v1/message/"+url.PathEscape(id)), &msg); err != nil {
		m.t.Fatalf("mailpit message: %v", err)
	}
	return msg
}

// String names the server in failure messages.
func (m *Mailpit) String() string { return fmt.Sprintf("mailpit at %s (API %s)", m.URL, m.API) }
