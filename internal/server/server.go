// Package server assembles Masthead's HTTP server: Echo with its
// middleware (request IDs, structured logs, panic recovery, body limits),
// the one error handler that writes RFC 9457 problems, health and
// readiness, and the mounting of the API packages. It runs the server until
// its context ends, then shuts down gracefully.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/masthead-cms/masthead/internal/cms"
)

// Config is what the server needs to know about its surroundings.
type Config struct {
	// BodyLimit is the largest request body accepted, e.g. "8M", except
	// on routes that LimitsOwnBody names (uploads set their own).
	BodyLimit     string
	LimitsOwnBody func(c echo.Context) bool
	Logger        *slog.Logger
	// Ready answers readiness: nil when the database is reachable and
	// migrated.
	Ready func(ctx context.Context) error
	// Metrics, when not nil, counts every request. Gatherer and
	// MetricsToken serve /metrics on this server to a scraper that
	// shows the token; with no token, /metrics is not served here.
	Metrics      *HTTPMetrics
	Gatherer     prometheus.Gatherer
	MetricsToken string
	// AccessLog logs every request, one line each; off, only those
	// answered with a 5xx.
	AccessLog bool
}

// New returns an Echo instance with Masthead's middleware, error handler
// and health routes. Callers mount their route groups on it.
func New(cfg Config) *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = ErrorHandler(cfg.Logger)
	e.Use(edge(cfg))
	e.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	e.GET("/readyz", readiness(cfg.Ready))
	if cfg.Gatherer != nil && cfg.MetricsToken != "" {
		e.GET("/metrics", metricsHandler(cfg.Gatherer, cfg.MetricsToken))
	}
	return e
}

func readiness(ready func(context.Context) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		if err := ready(ctx); err != nil {
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "detail": err.Error()})
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	}
}

// requestIDs returns a generator of unique request IDs: a random prefix
// per process and a counter. Cheaper than 32 random characters per request
// on the hot delivery path, and still unique across instances.
func requestIDs() func() string {
	prefix := cms.RandomToken(6)
	var n atomic.Uint64
	return func() string {
		return prefix + "-" + strconv.FormatUint(n.Add(1), 36)
	}
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// Serve runs e on ln until ctx ends, then stops accepting connections and
// waits up to grace for in-flight requests to finish.
func Serve(ctx context.Context, e *echo.Echo, ln net.Listener, grace time.Duration) error {
	srv := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("server: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server: %w", err)
	}
	return nil
}
