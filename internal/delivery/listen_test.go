package delivery_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// Issue 20, item 3: on PostgreSQL every instance hears of a change as it
// commits (LISTEN/NOTIFY) rather than by the 250 ms poll, which remains
// for when the listening connection is lost.

// eventually is how long a test waits for something that takes
// milliseconds: generous, for a busy machine; never a measure.
const eventually = 15 * time.Second

// instances starts n apps on one fresh PostgreSQL schema, each with a
// store handle (and so a listener) of its own, their background work
// running until the test ends. The first one's desk has the newsroom.
func instances(t *testing.T, n int, configure func(*app.Options)) (*desk, []*apptest.Env) {
	t.Helper()
	url, _ := storetest.PostgresURL(t)
	envs := make([]*apptest.Env, n)
	for i := range envs {
		envs[i] = apptest.New(t, openStore(t, store.Options{URL: url}), apptest.Options{Configure: configure})
	}
	k := openDesk(t, envs[0])
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	for _, e := range envs {
		e.App.Run(ctx, time.Second)
	}
	for i, e := range envs {
		until(t, fmt.Sprintf("instance %d listens", i), func() bool { return e.App.Live.Listening() })
	}
	return k, envs
}

// until waits for ok, failing the test if it does not come within
// eventually.
func until(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(eventually)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, eventually)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// listed is the total of korea-view's listing on one instance (a cached
// answer, which only an invalidation changes).
func listed(t *testing.T, c *apptest.Client) int {
	t.Helper()
	var p page
	c.Do("GET", "/delivery/v1/documents?series=korea-view", nil).Want(http.StatusOK).Decode(&p)
	return p.Total
}

// seenAfter polls c until the listing totals want and returns how long
// after since the first look that saw it began, or -1 after eventually.
func seenAfter(t *testing.T, c *apptest.Client, want int, since time.Time) time.Duration {
	for time.Since(since) < eventually {
		began := time.Since(since)
		if listed(t, c) == want {
			return began
		}
		time.Sleep(time.Millisecond)
	}
	return -1
}

// approved creates n briefings in korea-view and takes them to approved.
func approved(k *desk, n int) []mdoc {
	docs := make([]mdoc, n)
	for i := range docs {
		slug := fmt.Sprintf("briefing-%02d", i)
		d := k.act(k.writer, k.create(k.writer, briefing("korea-view", "Briefing "+slug, slug)), "submit")
		docs[i] = k.act(k.editor, d, "approve")
	}
	return docs
}

// percentile is the p-th percentile (0–100) of ds, nearest rank.
func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (p*len(s)+99)/100 - 1
	return s[max(i, 0)]
}

// TestThreeInstancesHearPublishes: 50 publishes on A, each seen by B and
// C, which had the listing before it cached; the latency from A's answer
// to the first look on B or C that shows it is logged (the goal is under
// 100 ms at p95). While they listen the poll does not run, so what B and C
// show they heard.
func TestThreeInstancesHearPublishes(t *testing.T) {
	const publishes = 50
	k, envs := instances(t, 3, nil)
	readers := []*apptest.Client{envs[1].Anonymous(), envs[2].Anonymous()}
	docs := approved(k, publishes)
	lat := make([][]time.Duration, len(readers))
	for i, d := range docs {
		for _, r := range readers {
			if got := listed(t, r); got != i {
				t.Fatalf("before publish %d: an instance lists %d", i, got)
			}
		}
		k.act(k.publisher, d, "publish")
		published := time.Now()
		var wg sync.WaitGroup
		for j, r := range readers {
			wg.Go(func() {
				took := seenAfter(t, r, i+1, published)
				if took < 0 {
					t.Errorf("publish %d on A: instance %c does not list it within %v", i, 'B'+j, eventually)
					return
				}
				lat[j] = append(lat[j], took)
			})
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
	}
	for i, e := range envs {
		if !e.App.Live.Listening() {
			t.Errorf("instance %c stopped listening during the publishes", 'A'+i)
		}
	}
	all := slices.Concat(lat...)
	for j, l := range lat {
		t.Logf("instance %c: %d publishes on A seen after p50 %v, p95 %v, max %v", 'B'+j, len(l),
			percentile(l, 50).Round(10*time.Microsecond), percentile(l, 95).Round(10*time.Microsecond), percentile(l, 100).Round(10*time.Microsecond))
	}
	t.Logf("B and C together: p50 %v, p95 %v (goal: p95 under 100ms)", percentile(all, 50).Round(10*time.Microsecond), percentile(all, 95).Round(10*time.Microsecond))
}

// listenerPID is the backend pid of an instance's listening connection,
// or 0 when there is none.
func listenerPID(t *testing.T, on *store.DB, name string) int {
	t.Helper()
	sqlDB, err := on.SQL()
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	rows, err := sqlDB.Query("SELECT pid FROM pg_stat_activity WHERE application_name = $1", name)
	if err != nil {
		t.Fatalf("pg_stat_activity: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			t.Fatal(err)
		}
		pids = append(pids, pid)
	}
	if len(pids) > 1 {
		t.Fatalf("%d connections named %q, want one", len(pids), name)
	}
	if len(pids) == 0 {
		return 0
	}
	return pids[0]
}

// TestLostListenerFallsBackToPolling: B's listening connection is killed
// on the server; B polls until it is back (its first retry waits long
// enough for the poll to be what shows A's publish), then listens on a new
// connection, after one full catch-up, and hears A's next publish.
func TestLostListenerFallsBackToPolling(t *testing.T) {
	const retry = 5 * time.Second // B's first wait before reconnecting
	k, envs := instances(t, 2, func(o *app.Options) { o.ListenRetry = retry })
	a, b := envs[0], envs[1]
	readerB := b.Anonymous()
	docs := approved(k, 2)
	name := b.DB.ListenerName()
	old := listenerPID(t, a.DB, name)
	if old == 0 {
		t.Fatalf("B listens, yet no connection is named %q in pg_stat_activity", name)
	}

	sqlA, _ := a.DB.SQL()
	var killed bool
	if err := sqlA.QueryRow("SELECT pg_terminate_backend($1)", old).Scan(&killed); err != nil || !killed {
		t.Fatalf("pg_terminate_backend(%d): %v, %v", old, killed, err)
	}
	lost := time.Now()
	until(t, "B notices the lost listener", func() bool { return !b.App.Live.Listening() })

	// While B is not listening, the poll brings it A's publish.
	if got := listed(t, readerB); got != 0 {
		t.Fatalf("B lists %d before any publish", got)
	}
	k.act(k.publisher, docs[0], "publish")
	published := time.Now()
	took := seenAfter(t, readerB, 1, published)
	if took < 0 {
		t.Fatalf("publish on A while B's listener is down: B does not list it within %v", eventually)
	}
	if b.App.Live.Listening() {
		t.Fatalf("B listened again %v after the kill, before its first retry (%v) was due", time.Since(lost), retry)
	}
	t.Logf("publish on A while B polls: seen on B after %v", took.Round(10*time.Microsecond))

	// B reconnects on a connection of its own, and hears again.
	until(t, "B listens again", func() bool { return b.App.Live.Listening() })
	t.Logf("B listens again %v after the kill", time.Since(lost).Round(time.Millisecond))
	if pid := listenerPID(t, a.DB, name); pid == 0 || pid == old {
		t.Fatalf("B listens again, on backend %d (the killed one was %d)", pid, old)
	}
	if got := listed(t, readerB); got != 1 {
		t.Fatalf("B lists %d after its catch-up, want 1", got)
	}
	k.act(k.publisher, docs[1], "publish")
	published = time.Now()
	took = seenAfter(t, readerB, 2, published)
	if took < 0 {
		t.Fatalf("publish on A after B reconnected: B does not list it within %v", eventually)
	}
	if !b.App.Live.Listening() {
		t.Fatalf("B stopped listening again")
	}
	t.Logf("publish on A after B reconnected: seen on B after %v (heard, the poll being off)", took.Round(10*time.Microsecond))
}
