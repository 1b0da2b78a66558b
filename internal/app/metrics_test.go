package app_test

import (
	"bytes"
	"net/http"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

const metricsToken = "the-metrics-token-1234"

// TestAppMetrics: the whole app's /metrics parses, holds every family an
// operator watches, and its delivery cache and request counters move
// with traffic.
func TestAppMetrics(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) { o.MetricsToken = metricsToken }})
		anon := env.Anonymous()
		scrape := func() map[string]*dto.MetricFamily {
			t.Helper()
			r := anon.Do("GET", "/metrics", nil, "Authorization", "Bearer "+metricsToken).Want(http.StatusOK)
			parser := expfmt.NewTextParser(model.UTF8Validation)
			f, err := parser.TextToMetricFamilies(bytes.NewReader(r.Body))
			if err != nil {
				t.Fatalf("/metrics does not parse: %v\n%s", err, r.Body)
			}
			return f
		}
		value := func(f map[string]*dto.MetricFamily, name string, label ...string) float64 {
			t.Helper()
			fam := f[name]
			if fam == nil {
				t.Fatalf("no %s in /metrics", name)
			}
		metrics:
			for _, m := range fam.GetMetric() {
				for i := 0; i+1 < len(label); i += 2 {
					found := false
					for _, l := range m.GetLabel() {
						found = found || (l.GetName() == label[i] && l.GetValue() == label[i+1])
					}
					if !found {
						continue metrics
					}
				}
				switch {
				case m.Counter != nil:
					return m.GetCounter().GetValue()
				case m.Gauge != nil:
					return m.GetGauge().GetValue()
				}
			}
			t.Fatalf("no %s%v in /metrics", name, label)
			return 0
		}
		before := scrape()
		for range 3 {
			anon.Do("GET", "/delivery/v1/series", nil).Want(http.StatusOK)
		}
		after := scrape()
		if d := value(after, "masthead_delivery_cache_hits_total") - value(before, "masthead_delivery_cache_hits_total"); d < 2 {
			t.Errorf("cache hits grew by %v after three reads of one list, want at least 2", d)
		}
		if value(after, "masthead_delivery_cache_misses_total") < 1 || value(after, "masthead_delivery_cache_bytes") <= 0 {
			t.Errorf("cache misses %v, bytes %v", value(after, "masthead_delivery_cache_misses_total"), value(after, "masthead_delivery_cache_bytes"))
		}
		if d := value(after, "masthead_http_requests_total", "group", "delivery", "class", "2xx") - value(before, "masthead_http_requests_total", "group", "delivery", "class", "2xx"); d != 3 {
			t.Errorf("delivery 2xx requests grew by %v, want 3", d)
		}
		for _, q := range []string{"webhooks", "mail", "editions"} {
			if v := value(after, "masthead_outbox_depth", "queue", q); v < 0 {
				t.Errorf("outbox %s depth %v", q, v)
			}
			value(after, "masthead_outbox_oldest_age_seconds", "queue", q)
		}
		if v := value(after, "masthead_outbox_scrape_ok"); v != 1 {
			t.Errorf("masthead_outbox_scrape_ok = %v", v)
		}
		if v := value(after, "masthead_scheduler_lag_seconds"); v != 0 {
			t.Errorf("scheduler lag %v with nothing scheduled", v)
		}
		if v := value(after, "go_sql_max_open_connections", "db_name", "masthead"); v <= 0 {
			t.Errorf("pool size %v", v)
		}
		if v := value(after, "masthead_build_info"); v != 1 {
			t.Errorf("build info %v", v)
		}
		anon.Do("GET", "/metrics", nil, "Authorization", "Bearer wrong").Want(http.StatusUnauthorized)
	})
}
