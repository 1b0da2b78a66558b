package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// The built binary, shared by the tests that run it as a process.
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

// binary builds masthead once per test run and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "masthead-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "masthead")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

// process is a running masthead binary.
type process struct {
	cmd  *exec.Cmd
	Logs *logSink
	URL  string
	done chan error
}

// startProcess runs the binary with e as its whole environment (and
// PATH), and returns before it listens; waitListening waits for that.
func startProcess(t *testing.T, e env) *process {
	t.Helper()
	p := &process{cmd: exec.Command(binary(t)), Logs: newLogSink(), done: make(chan error, 1)}
	p.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range e {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stderr = p.Logs
	p.cmd.Stdout = io.Discard
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		p.done <- nil
	})
	return p
}

func (p *process) waitListening(t *testing.T) {
	t.Helper()
	m := p.Logs.waitFor(t, listening, p.done)
	p.URL = "http://" + m[1]
}

// wait returns the process's exit error, failing when it does not end.
func (p *process) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(60 * time.Second):
		t.Fatalf("masthead did not exit:\n%s", p.Logs.String())
		return nil
	}
}

// TestGracefulShutdown: SIGTERM while a request is under way. The
// listener closes at once, the request is answered, and the process
// exits 0.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t).with("MASTHEAD_ADMIN_PASSWORD", "the-admin-password", "MASTHEAD_SHUTDOWN_TIMEOUT", "60s")
	p := startProcess(t, e)
	p.waitListening(t)
	addr := strings.TrimPrefix(p.URL, "http://")

	// A slow request: it asks to continue (Expect: 100-continue), so the
	// server's "100 Continue" says its handler is reading the body; the
	// body follows the signal, so the request is surely in flight when
	// the shutdown starts.
	body := `{"email":"admin@example.org","password":"the-admin-password"}`
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/auth/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", addr, len(body))
	br := bufio.NewReader(conn)
	if line, err := br.ReadString('\n'); err != nil || !strings.Contains(line, " 100 ") {
		t.Fatalf("no 100 Continue: %q %v", line, err)
	}
	if blank, err := br.ReadString('\n'); err != nil || blank != "\r\n" {
		t.Fatalf("after 100 Continue: %q %v", blank, err)
	}

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The listener closes: new connections are refused.
	for deadline := time.Now().Add(30 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections 30 s after SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case err := <-p.done:
		t.Fatalf("masthead exited (%v) with a request in flight:\n%s", err, p.Logs.String())
	default:
	}
	if _, err := io.WriteString(conn, body); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("the request in flight was not answered: %v\n%s", err, p.Logs.String())
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(data), "csrf_token") {
		t.Errorf("the request in flight: %d %s", resp.StatusCode, data)
	}
	if err := p.wait(t); err != nil {
		t.Errorf("exit: %v, want status 0\n%s", err, p.Logs.String())
	}
	if !strings.Contains(p.Logs.String(), "masthead stopped") {
		t.Errorf("no \"masthead stopped\" in the log:\n%s", p.Logs.String())
	}
}

// TestThreeProcessesStartTogether: three instances started at the same
// moment on one empty PostgreSQL database all migrate, seed and become
// ready, with one first admin between them.
func TestThreeProcessesStartTogether(t *testing.T) {
	t.Parallel()
	url := storetest.EmptyPostgresDatabase(t)
	binary(t) // before the clock of any start runs
	e := env{"MASTHEAD_ADDR": "127.0.0.1:0", "MASTHEAD_DATABASE_URL": url, "MASTHEAD_ADMIN_EMAIL": "admin@example.org",
		"MASTHEAD_ADMIN_PASSWORD": "the-admin-password", "MASTHEAD_METRICS_TOKEN": "a-metrics-token-of-24-chars"}
	var ps []*process
	for range 3 {
		ps = append(ps, startProcess(t, e.with("MASTHEAD_DATA_DIR", t.TempDir())))
	}
	for i, p := range ps {
		p.waitListening(t)
		resp, err := http.Get(p.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("instance %d /readyz: %d %s", i, resp.StatusCode, data)
		}
		newBrowser(t, p.URL).login("admin@example.org", "the-admin-password")
	}
	created := 0
	for _, p := range ps {
		created += strings.Count(p.Logs.String(), "created the first admin")
	}
	if created != 1 {
		t.Errorf("%d instances say they created the first admin, want 1", created)
	}
	for i, p := range ps {
		p.cmd.Process.Signal(syscall.SIGTERM)
		if err := p.wait(t); err != nil {
			t.Errorf("instance %d exit: %v\n%s", i, err, p.Logs.String())
		}
	}
}
