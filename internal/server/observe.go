package server

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/masthead-cms/masthead/internal/cms"
)

// Route groups the request metrics count by.
const (
	groupDelivery = iota
	groupAPI
	groupAdmin
	groupSite
	groupOther
	groups
)

var groupNames = [groups]string{"delivery", "api", "admin", "site", "other"}

// classes are the status classes 1xx to 5xx. A client that hung up (499)
// is a 4xx: no failure of the server.
const classes = 5

// HTTPMetrics counts requests and their latency by route group and status
// class. Every series is resolved when it is made, so that a request
// costs two array reads, a counter increment and a histogram observation:
// no label lookup, no allocation.
type HTTPMetrics struct {
	requests [groups][classes]prometheus.Counter
	latency  [groups][classes]prometheus.Observer
}

// NewHTTPMetrics registers the request metrics with reg.
func NewHTTPMetrics(reg prometheus.Registerer) *HTTPMetrics {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "masthead_http_requests_total",
		Help: "HTTP requests answered, by route group and status class.",
	}, []string{"group", "class"})
	latency := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "masthead_http_request_duration_seconds",
		Help:    "Time to answer HTTP requests, by route group and status class.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"group", "class"})
	reg.MustRegister(requests, latency)
	m := &HTTPMetrics{}
	for g := range groups {
		for c := range classes {
			class := string(rune('1'+c)) + "xx"
			m.requests[g][c] = requests.WithLabelValues(groupNames[g], class)
			m.latency[g][c] = latency.WithLabelValues(groupNames[g], class)
		}
	}
	return m
}

// observe records one answered request.
func (m *HTTPMetrics) observe(path string, status int, took time.Duration) {
	g, c := groupOf(path), status/100-1
	if c < 0 || c >= classes {
		c = classes - 1
	}
	m.requests[g][c].Inc()
	m.latency[g][c].Observe(took.Seconds())
}

// groupOf names the part of Masthead a request path belongs to: the
// delivery API and the media it serves, the management API, the newsroom
// UI, the operational endpoints, and the reader site (everything else).
func groupOf(path string) int {
	switch {
	case strings.HasPrefix(path, "/delivery/"), strings.HasPrefix(path, "/media/"):
		return groupDelivery
	case strings.HasPrefix(path, "/api/"):
		return groupAPI
	case path == "/admin" || strings.HasPrefix(path, "/admin/"):
		return groupAdmin
	case path == "/healthz" || path == "/readyz" || path == "/metrics":
		return groupOther
	}
	return groupSite
}

// metricsHandler serves reg in the Prometheus text format to a scraper
// that shows the bearer token; anyone else gets a 401 problem.
func metricsHandler(reg prometheus.Gatherer, token string) echo.HandlerFunc {
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	want := []byte("Bearer " + token)
	return func(c echo.Context) error {
		got := []byte(c.Request().Header.Get(echo.HeaderAuthorization))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
			return cms.Errorf(cms.CodeUnauthenticated, "/metrics needs the metrics token: Authorization: Bearer $MASTHEAD_METRICS_TOKEN")
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}

// MetricsServer is the listener MASTHEAD_METRICS_ADDR opens: /metrics,
// without a token (the address is the operator's private network).
func MetricsServer(reg prometheus.Gatherer) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
}
