// Command searchgen measures public search at scale: it generates a
// newsroom of published briefings (scripts/searchgen/corpus) straight
// into a database through the store's own methods, then times a fixed
// mix of about 200 searches through the search service — the binary's own
// search path — and reports p50/p95/p99 overall and per class, the index
// build time, the database size and the process's RSS.
// scripts/bench-search runs it on SQLite and PostgreSQL; it is not part of
// the product.
//
//	go run ./scripts/searchgen -docs 100000                 # SQLite in a temporary dir
//	go run ./scripts/searchgen -url postgres://… -docs 100000 # a fresh schema, dropped after
package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/search"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/scripts/searchgen/corpus"
)

type options struct {
	url, dir, schema, totals, jsonOut string
	docs, rounds                      int
	seed                              int64
	keep, reuse, uncached             bool
	budget                            time.Duration
	barMS                             float64
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "", "PostgreSQL URL (default: SQLite)")
	flag.StringVar(&o.dir, "dir", "", "SQLite data dir (default: a temporary one, removed after)")
	flag.StringVar(&o.schema, "schema", "", "PostgreSQL schema to use (default: a fresh one, dropped after)")
	flag.IntVar(&o.docs, "docs", 100_000, "documents to generate")
	flag.Int64Var(&o.seed, "seed", 1, "random seed of the corpus and the query mix")
	flag.IntVar(&o.rounds, "rounds", 3, "timed passes over the query mix (after one warm-up pass)")
	flag.DurationVar(&o.budget, "budget", 4*time.Minute, "stop timing after this long")
	flag.BoolVar(&o.keep, "keep", false, "keep the database (with -dir or -schema, to -reuse it)")
	flag.BoolVar(&o.reuse, "reuse", false, "reuse an already generated database in -dir or -schema")
	flag.BoolVar(&o.uncached, "uncached", false, "drop the search service's result cache before every timed search (the cost of a miss)")
	flag.StringVar(&o.totals, "totals", "", "write each query's total to this file (to compare engines or versions)")
	flag.StringVar(&o.jsonOut, "json", "", "write the figures as JSON to this file")
	flag.Float64Var(&o.barMS, "bar", 0, "p95 bar in ms (default 15 on SQLite, 40 on PostgreSQL); exit 3 when missed")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			_ = pprof.StartCPUProfile(f)
		}
	}
	// Interrupted (bench-search's timeout), it still drops its schema.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code, err := run(ctx, o)
	stop()
	pprof.StopCPUProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "searchgen:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func say(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "searchgen: "+format+"\n", args...)
}

func run(ctx context.Context, o options) (int, error) {
	db, engine, cleanup, err := open(ctx, o)
	if err != nil {
		return 0, err
	}
	defer cleanup()
	if o.barMS == 0 {
		o.barMS = map[string]float64{store.SQLite: 15, store.Postgres: 40}[engine]
	}
	rep := report{Engine: engine, Docs: o.docs, Seed: o.seed, GoMaxProcs: runtime.GOMAXPROCS(0)}

	if !o.reuse {
		say("generating %d documents on %s", o.docs, engine)
		start := time.Now()
		last := start
		err := corpus.Load(ctx, db, corpus.Config{Docs: o.docs, Seed: o.seed, Progress: func(n int) {
			if time.Since(last) > 15*time.Second || n == o.docs {
				last = time.Now()
				say("  %d documents, %.0f/s", n, float64(n)/time.Since(start).Seconds())
			}
		}})
		if err != nil {
			return 0, err
		}
		rep.BuildSeconds = time.Since(start).Seconds()
		say("written in %.1f s", rep.BuildSeconds)
		// What a running instance's maintenance does after bulk writes:
		// PostgreSQL's autovacuum (statistics, visibility map); SQLite's
		// checkpoint of the write-ahead log.
		start = time.Now()
		if err := settle(ctx, db, engine); err != nil {
			return 0, err
		}
		rep.SettleSeconds = time.Since(start).Seconds()
		say("settled (%s) in %.1f s", map[string]string{store.SQLite: "WAL checkpoint, ANALYZE", store.Postgres: "VACUUM ANALYZE"}[engine], rep.SettleSeconds)
	}
	rep.RSSAfterLoadMB = rssMB("VmRSS")
	if rep.Sizes, err = sizes(ctx, db, engine, o); err != nil {
		say("database size: %v", err)
	}

	svc := search.NewService(db, nil, corpus.BaseURL)
	queries := corpus.Queries(o.seed, 0)
	// Warm-up pass: what a server that has been answering for a while has
	// in its caches. Its totals are the ones recorded.
	totals := make([]int, len(queries))
	start := time.Now()
	for i, q := range queries {
		res, err := svc.Search(ctx, q.Params)
		if err != nil {
			return 0, fmt.Errorf("search %+v: %w", q.Params, err)
		}
		totals[i] = res.Total
	}
	say("warm-up pass over %d queries in %.1f s", len(queries), time.Since(start).Seconds())
	if o.totals != "" {
		if err := writeTotals(o.totals, queries, totals); err != nil {
			return 0, err
		}
	}
	var samples []sample
	rep.LoadBefore = loadavg()
	start = time.Now()
	for round := 0; round < o.rounds && time.Since(start) < o.budget; round++ {
		for i, q := range queries {
			if o.uncached {
				svc.Invalidate()
			}
			t := time.Now()
			res, err := svc.Search(ctx, q.Params)
			d := time.Since(t)
			if err != nil {
				return 0, fmt.Errorf("search %+v: %w", q.Params, err)
			}
			if res.Total != totals[i] {
				return 0, fmt.Errorf("search %+v: total %d, was %d", q.Params, res.Total, totals[i])
			}
			samples = append(samples, sample{class: q.Class, facets: q.Params.Facets != "false", d: d, q: q.Params, total: res.Total})
		}
	}
	rep.LoadAfter = loadavg()
	rep.RSSPeakMB = rssMB("VmHWM")
	rep.Queries = len(queries)
	rep.Samples = len(samples)
	rep.All = stats(samples, func(sample) bool { return true })
	rep.Facets = stats(samples, func(s sample) bool { return s.facets })
	rep.NoFacets = stats(samples, func(s sample) bool { return !s.facets })
	rep.Classes = map[string]figures{}
	var classes []string
	for _, q := range queries {
		if _, ok := rep.Classes[q.Class]; !ok {
			classes = append(classes, q.Class)
			c := q.Class
			rep.Classes[c] = stats(samples, func(s sample) bool { return s.class == c })
		}
	}
	rep.Slowest = slowest(samples, 8)
	rep.BarMS = o.barMS
	rep.Pass = rep.All.P95 < o.barMS
	print(rep, classes)
	if o.jsonOut != "" {
		data, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(o.jsonOut, data, 0o644); err != nil {
			return 0, err
		}
	}
	if !rep.Pass {
		return 3, nil
	}
	return 0, nil
}

// open returns a migrated database and a cleanup.
func open(ctx context.Context, o options) (*store.DB, string, func(), error) {
	var cleanups []func()
	cleanup := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	opts := store.Options{}
	if o.url == "" {
		dir := o.dir
		if dir == "" {
			tmp, err := os.MkdirTemp("", "searchgen-")
			if err != nil {
				return nil, "", nil, err
			}
			dir = tmp
			cleanups = append(cleanups, func() { _ = os.RemoveAll(tmp) })
		} else if !o.keep && !o.reuse {
			cleanups = append(cleanups, func() { _ = os.Remove(store.SQLitePath(dir)) })
		}
		opts.DataDir = dir
	} else {
		schema := o.schema
		if schema == "" {
			schema = "searchgen_" + cms.RandomToken(4)
		}
		admin, err := sql.Open("pgx", o.url)
		if err != nil {
			return nil, "", nil, err
		}
		defer admin.Close()
		if !o.reuse {
			if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
				return nil, "", nil, fmt.Errorf("create schema: %w", err)
			}
		}
		if !o.keep {
			cleanups = append(cleanups, func() {
				db, err := sql.Open("pgx", o.url)
				if err == nil {
					if _, err := db.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
						say("drop schema %s: %v", schema, err)
					}
					db.Close()
				}
			})
		} else {
			say("schema %s kept", schema)
		}
		sep := "?"
		if strings.Contains(o.url, "?") {
			sep = "&"
		}
		opts.URL = o.url + sep + "search_path=" + schema
	}
	db, err := store.Open(ctx, opts)
	if err != nil {
		cleanup()
		return nil, "", nil, err
	}
	cleanups = append(cleanups, func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		cleanup()
		return nil, "", nil, err
	}
	return db, db.Dialect(), cleanup, nil
}

func settle(ctx context.Context, db *store.DB, engine string) error {
	sqlDB, err := db.SQL()
	if err != nil {
		return err
	}
	stmts := []string{"PRAGMA wal_checkpoint(TRUNCATE)", "ANALYZE"}
	if engine == store.Postgres {
		stmts = []string{"VACUUM ANALYZE"}
	}
	for _, s := range stmts {
		if _, err := sqlDB.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// sizes reports the database's size, whole and its search part, in MB.
func sizes(ctx context.Context, db *store.DB, engine string, o options) (map[string]float64, error) {
	sqlDB, err := db.SQL()
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	const mb = 1 << 20
	if engine == store.SQLite {
		var pages, size int64
		if err := sqlDB.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
			return nil, err
		}
		if err := sqlDB.QueryRowContext(ctx, "PRAGMA page_size").Scan(&size); err != nil {
			return nil, err
		}
		out["database"] = float64(pages*size) / mb
		rows, err := sqlDB.QueryContext(ctx, `SELECT CASE WHEN name LIKE 'search%' OR name LIKE 'sqlite_autoindex_search%' THEN 'public search (search_*)'
			WHEN name LIKE 'staff%' OR name LIKE 'sqlite_autoindex_staff%' THEN 'staff search (staff_*)'
			WHEN name LIKE 'delivered%' OR name LIKE 'sqlite_autoindex_delivered%' THEN 'delivered documents'
			ELSE 'everything else' END, SUM(pgsize) FROM dbstat GROUP BY 1`)
		if err != nil {
			return out, nil // dbstat is optional
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			var n int64
			if err := rows.Scan(&name, &n); err != nil {
				return nil, err
			}
			out[name] = float64(n) / mb
		}
		return out, rows.Err()
	}
	rows, err := sqlDB.QueryContext(ctx, `SELECT CASE WHEN c.relname LIKE 'search%' THEN 'public search (search_*)'
		WHEN c.relname LIKE 'staff%' THEN 'staff search (staff_*)'
		WHEN c.relname LIKE 'delivered%' THEN 'delivered documents' ELSE 'everything else' END,
		SUM(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm') GROUP BY 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	total := 0.0
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		out[name] = float64(n) / mb
		total += float64(n) / mb
	}
	out["database"] = total
	return out, rows.Err()
}

type sample struct {
	class  string
	facets bool
	d      time.Duration
	q      search.Params
	total  int
}

type figures struct {
	N    int     `json:"n"`
	P50  float64 `json:"p50_ms"`
	P95  float64 `json:"p95_ms"`
	P99  float64 `json:"p99_ms"`
	Max  float64 `json:"max_ms"`
	Mean float64 `json:"mean_ms"`
}

type report struct {
	Engine         string             `json:"engine"`
	Docs           int                `json:"docs"`
	Seed           int64              `json:"seed"`
	GoMaxProcs     int                `json:"gomaxprocs"`
	BuildSeconds   float64            `json:"build_seconds"`
	SettleSeconds  float64            `json:"settle_seconds"`
	Sizes          map[string]float64 `json:"sizes_mb"`
	RSSAfterLoadMB float64            `json:"rss_after_load_mb"`
	RSSPeakMB      float64            `json:"rss_peak_mb"`
	Queries        int                `json:"queries"`
	Samples        int                `json:"samples"`
	All            figures            `json:"all"`
	Facets         figures            `json:"with_facets"`
	NoFacets       figures            `json:"without_facets"`
	Classes        map[string]figures `json:"classes"`
	Slowest        []string           `json:"slowest"`
	LoadBefore     string             `json:"loadavg_before"`
	LoadAfter      string             `json:"loadavg_after"`
	BarMS          float64            `json:"bar_p95_ms"`
	Pass           bool               `json:"pass"`
}

func stats(samples []sample, keep func(sample) bool) figures {
	var ds []float64
	sum := 0.0
	for _, s := range samples {
		if keep(s) {
			ms := float64(s.d.Microseconds()) / 1000
			ds = append(ds, ms)
			sum += ms
		}
	}
	if len(ds) == 0 {
		return figures{}
	}
	sort.Float64s(ds)
	q := func(p float64) float64 {
		i := int(p*float64(len(ds))+0.999999) - 1 // nearest rank
		return ds[max(0, min(i, len(ds)-1))]
	}
	return figures{N: len(ds), P50: q(0.50), P95: q(0.95), P99: q(0.99), Max: ds[len(ds)-1], Mean: sum / float64(len(ds))}
}

func slowest(samples []sample, n int) []string {
	s := append([]sample(nil), samples...)
	sort.Slice(s, func(i, j int) bool { return s[i].d > s[j].d })
	var out []string
	for _, x := range s[:min(n, len(s))] {
		out = append(out, fmt.Sprintf("%6.1f ms  %-8s total %6d  %s", float64(x.d.Microseconds())/1000, x.class, x.total, describe(x.q)))
	}
	return out
}

func describe(p search.Params) string {
	parts := []string{"q=" + strconv.Quote(p.Q)}
	for _, kv := range [][2]string{{"series", p.Series}, {"topic", p.Topic}, {"year", p.Year}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	if p.Facets == "false" {
		parts = append(parts, "facets=false")
	}
	return strings.Join(parts, " ")
}

func print(r report, classes []string) {
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	fmt.Fprintf(w, "== search benchmark: %s, %d documents (seed %d), GOMAXPROCS %d\n", r.Engine, r.Docs, r.Seed, r.GoMaxProcs)
	if r.BuildSeconds > 0 {
		fmt.Fprintf(w, "index build: %.1f s (%.0f documents/s, everything publishing writes), then %.1f s settling\n",
			r.BuildSeconds, float64(r.Docs)/r.BuildSeconds, r.SettleSeconds)
	}
	var names []string
	for k := range r.Sizes {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(w, "size: %-28s %8.1f MB\n", k, r.Sizes[k])
	}
	fmt.Fprintf(w, "RSS of this process: %.0f MB after load, %.0f MB peak\n", r.RSSAfterLoadMB, r.RSSPeakMB)
	fmt.Fprintf(w, "%d queries × %d timed passes = %d searches, sequential, top 10 with exact totals\n", r.Queries, r.Samples/max(r.Queries, 1), r.Samples)
	fmt.Fprintf(w, "load average (1, 5, 15 min) before timing %s, after %s\n", r.LoadBefore, r.LoadAfter)
	fmt.Fprintf(w, "%-14s %5s %8s %8s %8s %8s %8s\n", "class", "n", "p50", "p95", "p99", "max", "mean")
	line := func(name string, f figures) {
		fmt.Fprintf(w, "%-14s %5d %8.2f %8.2f %8.2f %8.2f %8.2f\n", name, f.N, f.P50, f.P95, f.P99, f.Max, f.Mean)
	}
	for _, c := range classes {
		line(c, r.Classes[c])
	}
	line("with facets", r.Facets)
	line("no facets", r.NoFacets)
	line("ALL", r.All)
	fmt.Fprintln(w, "slowest:")
	for _, s := range r.Slowest {
		fmt.Fprintln(w, "  "+s)
	}
	verdict := "MET"
	if !r.Pass {
		verdict = "MISSED"
	}
	fmt.Fprintf(w, "bar: p95 %.2f ms < %.0f ms on %s: %s\n", r.All.P95, r.BarMS, r.Engine, verdict)
}

func writeTotals(path string, queries []corpus.Query, totals []int) error {
	var b strings.Builder
	for i, q := range queries {
		fmt.Fprintf(&b, "%d\t%s\t%s\n", totals[i], q.Class, describe(q.Params))
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func loadavg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// rssMB reads a memory figure of this process from /proc, in MB.
func rssMB(field string) float64 {
	data, err := os.ReadFile(filepath.Join("/proc", "self", "status"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field+":") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.ParseFloat(f[1], 64)
				return kb / 1024
			}
		}
	}
	return 0
}
