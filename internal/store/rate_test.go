package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// TestRateWindows: the one counter behind the sign-in and sign-up
// throttles counts per key in fixed windows, on both engines, takes hits
// back, and forgets windows that ended.
func TestRateWindows(t *testing.T) {
	t.Parallel()
	const window = 10 * time.Minute
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		hit := func(key string, at time.Time) (int, time.Time) {
			t.Helper()
			n, end, err := db.CountHit(ctx, key, at, window)
			if err != nil {
				t.Fatal(err)
			}
			return n, end
		}
		for _, tc := range []struct {
			name    string
			key     string
			at      time.Time
			wantN   int
			wantEnd time.Time
		}{
			{"a new key starts a window", "signup:addr:203.0.113.7", t0, 1, t0.Add(window)},
			{"counted in the window", "signup:addr:203.0.113.7", t0.Add(time.Minute), 2, t0.Add(window)},
			{"just before the window ends", "signup:addr:203.0.113.7", t0.Add(window - time.Microsecond), 3, t0.Add(window)},
			{"keys are separate", "signup:all", t0, 1, t0.Add(window)},
			{"a throttle's key is not another's", "login:addr:203.0.113.7", t0, 1, t0.Add(window)},
			{"a new window when the last ended", "signup:addr:203.0.113.7", t0.Add(window), 1, t0.Add(2 * window)},
			{"and it counts on", "signup:addr:203.0.113.7", t0.Add(window + time.Second), 2, t0.Add(2 * window)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if n, end := hit(tc.key, tc.at); n != tc.wantN || !end.Equal(tc.wantEnd) {
					t.Errorf("CountHit = %d until %v, want %d until %v", n, end, tc.wantN, tc.wantEnd)
				}
			})
		}
		t.Run("ended windows are deleted when a window starts", func(t *testing.T) {
			// "signup:all" and the login key ended at t0+window; a new
			// key's first hit after that removes their rows.
			hit("signup:addr:198.51.100.1", t0.Add(window+time.Minute))
			for key, want := range map[string]int{"signup:all": 0, "login:addr:203.0.113.7": 0, "signup:addr:203.0.113.7": 1} {
				if n := countRateRows(t, db, key); n != want {
					t.Errorf("%d rows of %q are stored, want %d", n, key, want)
				}
			}
		})
		t.Run("forgive and clear", func(t *testing.T) {
			at := t0.Add(window + 2*time.Minute)
			hit("login:addr:192.0.2.1", at)
			if err := db.ForgiveHit(ctx, "login:addr:192.0.2.1"); err != nil {
				t.Fatal(err)
			}
			if n, _ := hit("login:addr:192.0.2.1", at); n != 1 {
				t.Errorf("after forgiving one of one, the next hit is number %d", n)
			}
			if err := db.ClearHits(ctx, "signup:addr:203.0.113.7"); err != nil {
				t.Fatal(err)
			}
			if n, _ := hit("signup:addr:203.0.113.7", at); n != 1 {
				t.Errorf("after clearing, the next hit is number %d", n)
			}
		})
		t.Run("concurrent hits all count, each once", func(t *testing.T) {
			const n = 20
			var wg sync.WaitGroup
			counts := make(chan int, n)
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c, _, err := db.CountHit(ctx, "login:busy", t0, window)
					if err != nil {
						t.Error(err)
					}
					counts <- c
				}()
			}
			wg.Wait()
			close(counts)
			seen := map[int]bool{}
			for c := range counts {
				seen[c] = true
			}
			if len(seen) != n || !seen[1] || !seen[n] {
				t.Errorf("counts %v: want each of 1..%d once", seen, n)
			}
		})
	})
}

func countRateRows(t *testing.T, db *store.DB, key string) int {
	t.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	query := "SELECT COUNT(*) FROM rate_windows WHERE key = ?"
	if db.Dialect() == store.Postgres {
		query = "SELECT COUNT(*) FROM rate_windows WHERE key = $1"
	}
	var n int
	if err := sqlDB.QueryRow(query, key).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
