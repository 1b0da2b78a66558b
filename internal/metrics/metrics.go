// Package metrics builds the Prometheus registry an instance exposes at
// /metrics: the database pool, the delivery cache, the webhook and mail
// outboxes, the scheduler's lag, the Go runtime and the build. The HTTP
// request counts are the server package's; they register here too. The
// registry is made per app and passed around, never global.
package metrics

import (
	"context"
	"database/sql"
	"log/slog"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/masthead-cms/masthead/internal/published"
	"github.com/masthead-cms/masthead/internal/store"
)

// Sources are what the registry reads at each scrape.
type Sources struct {
	// DB is the pool whose use is reported.
	DB *sql.DB
	// Ops reads the outboxes and the scheduler's backlog.
	Ops func(ctx context.Context, now time.Time) (store.OpsStats, error)
	// Cache reports the delivery cache.
	Cache func() published.CacheStats
	// Version is the build's version (main.version); empty takes the
	// module's.
	Version string
	Logger  *slog.Logger
}

// NewRegistry returns a registry with every collector of src, and the Go
// runtime's.
func NewRegistry(src Sources) *prometheus.Registry {
	if src.Logger == nil {
		src.Logger = slog.New(slog.DiscardHandler)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfo(src.Version),
	)
	if src.DB != nil {
		reg.MustRegister(collectors.NewDBStatsCollector(src.DB, "masthead"))
	}
	if src.Cache != nil {
		cache := src.Cache
		reg.MustRegister(
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "masthead_delivery_cache_hits_total",
				Help: "Delivery reads answered from the response cache."},
				func() float64 { return float64(cache().Hits) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "masthead_delivery_cache_misses_total",
				Help: "Delivery reads that built their response."},
				func() float64 { return float64(cache().Misses) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "masthead_delivery_cache_bytes",
				Help: "Bytes the delivery response cache holds."},
				func() float64 { return float64(cache().Bytes) }),
		)
	}
	if src.Ops != nil {
		reg.MustRegister(&opsCollector{read: src.Ops, log: src.Logger})
	}
	return reg
}

// buildInfo is masthead_build_info: the version, the VCS revision and
// the Go version this binary was built from, as labels of a constant 1.
func buildInfo(version string) prometheus.Collector {
	revision, modified := "unknown", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if version == "" || version == "dev" {
			if v := bi.Main.Version; v != "" && v != "(devel)" {
				version = v
			}
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if modified {
		revision += "-modified"
	}
	if version == "" {
		version = "dev"
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "masthead_build_info",
		Help:        "The build: its version, VCS revision and Go version (value 1).",
		ConstLabels: prometheus.Labels{"version": version, "revision": revision, "goversion": runtime.Version()}})
	g.Set(1)
	return g
}

var (
	queueDepth = prometheus.NewDesc("masthead_outbox_depth",
		"Items waiting in an outbox: webhook deliveries, single mails, edition mails.", []string{"queue"}, nil)
	queueAge = prometheus.NewDesc("masthead_outbox_oldest_age_seconds",
		"How long the oldest waiting item of an outbox has waited (0: none waits).", []string{"queue"}, nil)
	schedulerLag = prometheus.NewDesc("masthead_scheduler_lag_seconds",
		"How long ago the oldest scheduled document or release came due without being published (0: none).", nil, nil)
	opsUp = prometheus.NewDesc("masthead_outbox_scrape_ok",
		"1 when the outboxes and the scheduler could be read at this scrape, 0 when not.", nil, nil)
)

// opsCollector reads the outboxes and the scheduler at each scrape, with
// a few indexed queries.
type opsCollector struct {
	read func(ctx context.Context, now time.Time) (store.OpsStats, error)
	log  *slog.Logger
}

func (c *opsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueDepth
	ch <- queueAge
	ch <- schedulerLag
	ch <- opsUp
}

func (c *opsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	now := time.Now()
	st, err := c.read(ctx, now)
	if err != nil {
		c.log.Warn("metrics: cannot read the outboxes", "err", err)
		ch <- prometheus.MustNewConstMetric(opsUp, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(opsUp, prometheus.GaugeValue, 1)
	for _, q := range []struct {
		name string
		q    store.Queue
	}{{"webhooks", st.Webhooks}, {"mail", st.Mail}, {"editions", st.Editions}} {
		ch <- prometheus.MustNewConstMetric(queueDepth, prometheus.GaugeValue, float64(q.q.Depth), q.name)
		ch <- prometheus.MustNewConstMetric(queueAge, prometheus.GaugeValue, since(now, q.q.Oldest), q.name)
	}
	ch <- prometheus.MustNewConstMetric(schedulerLag, prometheus.GaugeValue, since(now, st.DueSince))
}

func since(now, t time.Time) float64 {
	if t.IsZero() || t.After(now) {
		return 0
	}
	return now.Sub(t).Seconds()
}
