package server_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/server"
)

func TestProblemFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		err    error
		status int
		code   cms.Code
		detail string
	}{
		{"invalid", cms.Invalid("email", "is required"), 400, cms.CodeInvalid, "email: is required"},
		{"wrapped", fmt.Errorf("auth: %w", cms.NotFound("user")), 404, cms.CodeNotFound, "user not found"},
		{"csrf", cms.Errorf(cms.CodeCSRF, "no token"), 403, cms.CodeCSRF, "no token"},
		{"throttled", &cms.Error{Code: cms.CodeTooManyRequests, Message: "wait", RetryAfter: 9}, 429, cms.CodeTooManyRequests, "wait"},
		{"unknown code", &cms.Error{Code: "made_up", Message: "x"}, 500, "made_up", "x"},
		{"echo 404", echo.ErrNotFound, 404, cms.CodeNotFound, "Not Found"},
		{"echo 405", echo.ErrMethodNotAllowed, 405, cms.CodeMethodNotAllowed, "Method Not Allowed"},
		{"echo 413", echo.ErrStatusRequestEntityTooLarge, 413, cms.CodeTooLarge, "Request Entity Too Large"},
		{"echo 500", echo.NewHTTPError(500, "driver: secret"), 500, cms.CodeInternal, "internal error"},
		{"plain error", errors.New("store: secret"), 500, cms.CodeInternal, "internal error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := server.ProblemFor(tc.err)
			if p.Status != tc.status || p.Code != tc.code || p.Detail != tc.detail || p.Title != http.StatusText(tc.status) || p.Type == "" {
				t.Errorf("ProblemFor(%v) = %+v, want status %d code %q detail %q", tc.err, p, tc.status, tc.code, tc.detail)
			}
		})
	}
	if p := server.ProblemFor(cms.Invalid("email", "bad")); len(p.Errors) != 1 || p.Errors[0].Field != "email" {
		t.Errorf("field problems lost: %+v", p.Errors)
	}
	blockers := []cms.Blocker{
		{DocumentID: "d1", Title: "One", Reason: "hero_licence", Message: "the hero image has no licence"},
		{DocumentID: "d2", Title: "Two", Reason: "embargoed", Message: "embargoed until 2027-01-05T09:00:00Z"},
	}
	p := server.ProblemFor(fmt.Errorf("release: %w", cms.Blocked(blockers)))
	if p.Status != http.StatusConflict || len(p.Blockers) != 2 || p.Blockers[1] != blockers[1] ||
		p.Detail != "cannot go live: the hero image has no licence (and 1 more)" {
		t.Errorf("a blocked publish is %+v", p)
	}
}

// TestServeDrainsInFlightRequests cancels the context while a request is
// being handled: the listener closes at once, the request still finishes,
// and Serve returns nil.
func TestServeDrainsInFlightRequests(t *testing.T) {
	e := server.New(server.Config{
		BodyLimit: "1K",
		Logger:    slog.New(slog.DiscardHandler),
		Ready:     func(context.Context) error { return nil },
	})
	started, release := make(chan struct{}), make(chan struct{})
	e.GET("/slow", func(c echo.Context) error {
		close(started)
		<-release
		return c.String(http.StatusOK, "done")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- server.Serve(ctx, e, ln, 10*time.Second) }()

	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		got <- result{resp.StatusCode, string(body), err}
	}()
	<-started
	cancel()

	// Wait until the listener is closed: shutdown has begun.
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("the listener still accepts connections after the context ended")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-served:
		t.Fatalf("Serve returned (%v) while a request was in flight", err)
	default:
	}
	close(release)
	r := <-got
	if r.err != nil || r.status != http.StatusOK || r.body != "done" {
		t.Errorf("in-flight request: %d %q %v, want 200 done", r.status, r.body, r.err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve = %v, want nil after a clean shutdown", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after the last request finished")
	}
}

// TestClientHangUpIsNoServerError: a handler that stops because its
// client went away is logged as 499 at info level, not as a 500 error.
func TestClientHangUpIsNoServerError(t *testing.T) {
	var logged syncBuffer
	e := server.New(server.Config{
		BodyLimit: "1K",
		Logger:    slog.New(slog.NewJSONHandler(&logged, nil)),
		Ready:     func(context.Context) error { return nil },
		AccessLog: true,
	})
	started := make(chan struct{})
	e.GET("/wait", func(c echo.Context) error {
		close(started)
		<-c.Request().Context().Done()
		return fmt.Errorf("store: %w", c.Request().Context().Err())
	})
	srv := httptest.NewServer(e)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/wait", nil)
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-started
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the request finished though its client hung up")
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logged.String(), `"msg":"request"`) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	out := logged.String()
	if !strings.Contains(out, `"status":499`) || strings.Contains(out, `"level":"ERROR"`) {
		t.Fatalf("log after a hang-up:\n%s", out)
	}
}

// syncBuffer is a log the server writes while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
