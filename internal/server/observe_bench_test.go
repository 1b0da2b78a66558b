package server

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// BenchmarkEdge is what the edge middleware (request id, recover, body
// limit, text check, metrics, log) adds to a request, with the access log
// off: compare with BenchmarkBareHandler (the figure between them is the
// middleware's own cost and allocations).
func BenchmarkEdge(b *testing.B) {
	m := NewHTTPMetrics(prometheus.NewRegistry())
	benchHandler(b, edge(Config{Metrics: m, Logger: slog.New(slog.DiscardHandler), BodyLimit: "8M"})(okHandler))
}

func BenchmarkBareHandler(b *testing.B) { benchHandler(b, okHandler) }

func okHandler(c echo.Context) error {
	c.Response().WriteHeader(http.StatusOK)
	return nil
}

func benchHandler(b *testing.B, h echo.HandlerFunc) {
	e := echo.New()
	req := httptest.NewRequest(http.MethodGet, "/delivery/v1/documents/the-peninsula/a-story", nil)
	rec := httptest.NewRecorder()
	c := e.NewContext(req, rec)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		c.Reset(req, rec)
		if err := h(c); err != nil {
			b.Fatal(err)
		}
	}
}
