package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/server"
)

// metricsServer is a server with request metrics and /metrics behind
// token (none: not served).
func metricsServer(t *testing.T, token string, log *slog.Logger) *httptest.Server {
	t.Helper()
	reg := prometheus.NewRegistry()
	e := server.New(server.Config{
		BodyLimit: "1K", Logger: log, Ready: func(context.Context) error { return nil },
		Metrics: server.NewHTTPMetrics(reg), Gatherer: reg, MetricsToken: token,
	})
	e.GET("/api/v1/boom", func(echo.Context) error { return cms.Errorf(cms.CodeInternal, "boom") })
	e.GET("/delivery/v1/x", func(c echo.Context) error { return c.String(http.StatusOK, "x") })
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url, auth string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// scrape reads /metrics with the token and parses it with the Prometheus
// text parser.
func scrape(t *testing.T, srv *httptest.Server, token string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, body := get(t, srv.URL+"/metrics", "Bearer "+token)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v\n%s", err, body)
	}
	return families
}

// requests is the count of masthead_http_requests_total for group and class.
func requests(families map[string]*dto.MetricFamily, group, class string) float64 {
	f := families["masthead_http_requests_total"]
	if f == nil {
		return -1
	}
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["group"] == group && labels["class"] == class {
			return m.GetCounter().GetValue()
		}
	}
	return -1
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	srv := metricsServer(t, "the-metrics-token", slog.New(slog.DiscardHandler))
	before := scrape(t, srv, "the-metrics-token")
	for range 3 {
		get(t, srv.URL+"/delivery/v1/x", "")
	}
	get(t, srv.URL+"/api/v1/boom", "")
	get(t, srv.URL+"/no-such-page", "")
	after := scrape(t, srv, "the-metrics-token")
	for _, tc := range []struct {
		group, class string
		more         float64
	}{
		{"delivery", "2xx", 3},
		{"api", "5xx", 1},
		{"site", "4xx", 1},
		{"other", "2xx", 1}, // the first scrape
		{"delivery", "5xx", 0},
	} {
		if got := requests(after, tc.group, tc.class) - requests(before, tc.group, tc.class); got != tc.more {
			t.Errorf("%s %s requests grew by %v, want %v", tc.group, tc.class, got, tc.more)
		}
	}
	h := after["masthead_http_request_duration_seconds"]
	if h == nil || h.GetType() != dto.MetricType_HISTOGRAM {
		t.Fatalf("no latency histogram: %v", h)
	}
	var observed uint64
	for _, m := range h.GetMetric() {
		observed += m.GetHistogram().GetSampleCount()
	}
	if observed < 6 {
		t.Errorf("the latency histogram holds %d requests, want at least 6", observed)
	}
}

// A scraper without the token, or with another, gets a 401 problem and
// no numbers.
func TestMetricsToken(t *testing.T) {
	t.Parallel()
	srv := metricsServer(t, "the-metrics-token", slog.New(slog.DiscardHandler))
	for _, auth := range []string{"", "Bearer wrong", "Bearer the-metrics-token-and-more", "the-metrics-token", "Basic dGhlLW1ldHJpY3MtdG9rZW4="} {
		resp, body := get(t, srv.URL+"/metrics", auth)
		var p server.Problem
		if err := json.Unmarshal(body, &p); err != nil || resp.StatusCode != http.StatusUnauthorized ||
			p.Code != cms.CodeUnauthenticated || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("Authorization %q: %d %s", auth, resp.StatusCode, body)
		}
		if strings.Contains(string(body), "masthead_http_requests_total") {
			t.Errorf("Authorization %q: numbers shown", auth)
		}
	}
}

// With no token set, /metrics is not on the main port at all.
func TestMetricsWithoutToken(t *testing.T) {
	t.Parallel()
	srv := metricsServer(t, "", slog.New(slog.DiscardHandler))
	for _, auth := range []string{"", "Bearer ", "Bearer x"} {
		if resp, body := get(t, srv.URL+"/metrics", auth); resp.StatusCode != http.StatusNotFound {
			t.Errorf("Authorization %q: %d %s, want 404", auth, resp.StatusCode, body)
		}
	}
}

// The access log: off, only failures are logged; on, every request, one
// line with what an operator looks for.
func TestAccessLog(t *testing.T) {
	t.Parallel()
	var off syncBuffer
	srv := metricsServer(t, "", slog.New(slog.NewJSONHandler(&off, nil)))
	get(t, srv.URL+"/delivery/v1/x", "")
	get(t, srv.URL+"/api/v1/boom", "")
	if n := strings.Count(off.String(), `"msg":"request"`); n != 1 || !strings.Contains(off.String(), `"status":500`) {
		t.Errorf("access log off logged %d requests:\n%s", n, off.String())
	}

	var on syncBuffer
	reg := prometheus.NewRegistry()
	e := server.New(server.Config{BodyLimit: "1K", Logger: slog.New(slog.NewJSONHandler(&on, nil)),
		Ready: func(context.Context) error { return nil }, Metrics: server.NewHTTPMetrics(reg), AccessLog: true})
	e.GET("/delivery/v1/:slug", func(c echo.Context) error { return c.String(http.StatusOK, "hello") })
	srv2 := httptest.NewServer(e)
	defer srv2.Close()
	resp, _ := get(t, srv2.URL+"/delivery/v1/abc", "")
	var line map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(on.String())), &line); err != nil {
		t.Fatalf("access log %q: %v", on.String(), err)
	}
	want := map[string]any{"msg": "request", "method": "GET", "route": "/delivery/v1/:slug", "status": 200.0, "bytes": 5.0,
		"request_id": resp.Header.Get("X-Request-Id")}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("access log %s = %v, want %v", k, line[k], v)
		}
	}
	if _, ok := line["duration"]; !ok || line["request_id"] == "" {
		t.Errorf("access log line %v lacks a duration or a request id", line)
	}
}
