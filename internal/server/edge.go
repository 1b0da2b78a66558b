package server

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/labstack/gommon/bytes"
)

// Header values every response shares. Assigned as they are (never
// appended to in place: each has a capacity of one), they spare a
// request the slice that Header.Set makes.
var (
	noSniffValue = []string{"nosniff"}[:1:1]
)

// edge is the one middleware every request passes: what Echo's RequestID,
// RequestLogger, Recover and BodyLimit middleware and the nosniff and
// text checks did as six links of the chain, in one frame. A profile of
// the delivery routes showed the chain as most of their fixed cost per
// request: a closure and a defer each, a pooled reader wrapped around
// every GET's empty body, a parsed query for every list page.
//
// In order, for each request: nosniff; the request id (the client's
// X-Request-Id, or a new one), sent back; a size check of the body;
// the path and query checked for storable text; the handler, with its
// panic recovered and its error answered by the error handler; one log
// line.
func edge(cfg Config) echo.MiddlewareFunc {
	limit, err := bytes.Parse(cfg.BodyLimit)
	if err != nil {
		panic(fmt.Errorf("server: invalid body limit %q", cfg.BodyLimit))
	}
	ids := requestIDs()
	log := cfg.Logger
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			r, res := c.Request(), c.Response()
			h := res.Header()
			h[echo.HeaderXContentTypeOptions] = noSniffValue
			id := r.Header.Get(echo.HeaderXRequestID)
			if id == "" {
				id = ids()
			}
			h[echo.HeaderXRequestID] = []string{id}
			start := time.Now()
			defer func() {
				if p := recover(); p != nil {
					if p == http.ErrAbortHandler {
						panic(p)
					}
					perr, ok := p.(error)
					if !ok {
						perr = fmt.Errorf("%v", p)
					}
					stack := make([]byte, 4<<10)
					stack = stack[:runtime.Stack(stack, false)]
					log.Error("panic", "err", perr, "request_id", id, "stack", string(stack))
					c.Error(perr)
				}
				finish(cfg, c, id, start)
			}()
			if err := limitBody(c, r, limit, cfg.LimitsOwnBody); err != nil {
				c.Error(err)
				return err
			}
			if err := checkRequestText(r); err != nil {
				c.Error(err)
				return err
			}
			if err := next(c); err != nil {
				c.Error(err)
				// Returned though answered, as Echo's request logger did:
				// Echo ignores an error of a committed response.
				return err
			}
			return nil
		}
	}
}

// finish counts the request in the metrics and logs it: every request
// with the access log on (MASTHEAD_ACCESS_LOG), failures always. A
// client that hung up is a 499 (StatusClientClosed), at info: not a
// server error. The line goes through the logger's handler, which is
// where its cost is decided (the serve command's is buffered: README,
// "Logging").
func finish(cfg Config, c echo.Context, id string, start time.Time) {
	took := time.Since(start)
	r, res := c.Request(), c.Response()
	if cfg.Metrics != nil {
		cfg.Metrics.observe(r.URL.Path, res.Status, took)
	}
	if !cfg.AccessLog && res.Status < 500 {
		return
	}
	level := slog.LevelInfo
	if res.Status >= 500 {
		level = slog.LevelError
	}
	if !cfg.Logger.Enabled(r.Context(), level) {
		return
	}
	cfg.Logger.LogAttrs(r.Context(), level, "request",
		slog.String("method", r.Method), slog.String("route", c.Path()), slog.String("path", r.URL.Path),
		slog.Int("status", res.Status), slog.Int64("bytes", res.Size), slog.Duration("duration", took),
		slog.String("request_id", id), slog.String("remote_ip", c.RealIP()))
}

// limitBody refuses a body over limit, by its declared length or once
// read that far; skip names the routes that limit their own. A request
// without a body is left alone.
func limitBody(c echo.Context, r *http.Request, limit int64, skip func(echo.Context) bool) error {
	if r.Body == nil || r.Body == http.NoBody || (skip != nil && skip(c)) {
		return nil
	}
	if r.ContentLength > limit {
		return echo.ErrStatusRequestEntityTooLarge
	}
	r.Body = &limitedBody{ReadCloser: r.Body, left: limit}
	return nil
}

// limitedBody fails a read past its limit with 413.
type limitedBody struct {
	io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, echo.ErrStatusRequestEntityTooLarge
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, echo.ErrStatusRequestEntityTooLarge
	}
	return n, err
}

// plainQuery reports whether a raw query string decodes to itself, bar
// '+' for spaces: no escapes, no separator that url.ParseQuery refuses,
// and storable text. Such a query needs no parsing to be checked.
func plainQuery(raw string) bool {
	for i := 0; i < len(raw); i++ {
		if b := raw[i]; b == '%' || b == ';' || b == 0 || b >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
