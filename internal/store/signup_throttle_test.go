package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// TestSignupAttemptWindows: the sign-up throttle counts per key in fixed
// windows, on both engines, and forgets windows that ended.
func TestSignupAttemptWindows(t *testing.T) {
	t.Parallel()
	const window = 10 * time.Minute
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, tc := range []struct {
			name    string
			key     string
			at      time.Time
			wantN   int
			wantEnd time.Time
		}{
			{"a new key starts a window", "addr:203.0.113.7", t0, 1, t0.Add(window)},
			{"counted in the window", "addr:203.0.113.7", t0.Add(time.Minute), 2, t0.Add(window)},
			{"just before the window ends", "addr:203.0.113.7", t0.Add(window - time.Microsecond), 3, t0.Add(window)},
			{"keys are separate", "all", t0, 1, t0.Add(window)},
			{"a new window when the last ended", "addr:203.0.113.7", t0.Add(window), 1, t0.Add(2 * window)},
			{"and it counts on", "addr:203.0.113.7", t0.Add(window + time.Second), 2, t0.Add(2 * window)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				n, end, err := db.RecordSignupAttempt(ctx, tc.key, tc.at, window)
				if err != nil {
					t.Fatal(err)
				}
				if n != tc.wantN || !end.Equal(tc.wantEnd) {
					t.Errorf("RecordSignupAttempt = %d until %v, want %d until %v", n, end, tc.wantN, tc.wantEnd)
				}
			})
		}
		t.Run("ended windows are deleted when a window starts", func(t *testing.T) {
			// "all" ended at t0+window; a new key's first sign-up after
			// that removes its row.
			if _, _, err := db.RecordSignupAttempt(ctx, "addr:198.51.100.1", t0.Add(window+time.Minute), window); err != nil {
				t.Fatal(err)
			}
			if n := countSignupRows(t, db, "all"); n != 0 {
				t.Errorf("the ended window of %q is still stored (%d rows)", "all", n)
			}
			if n := countSignupRows(t, db, "addr:203.0.113.7"); n != 1 {
				t.Errorf("a window in force was deleted (%d rows)", n)
			}
		})
		t.Run("concurrent sign-ups all count, each once", func(t *testing.T) {
			const n = 20
			var wg sync.WaitGroup
			counts := make(chan int, n)
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c, _, err := db.RecordSignupAttempt(ctx, "addr:busy", t0, window)
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

func countSignupRows(t *testing.T, db *store.DB, key string) int {
	t.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	query := "SELECT COUNT(*) FROM signup_attempts WHERE key = ?"
	if db.Dialect() == store.Postgres {
		query = "SELECT COUNT(*) FROM signup_attempts WHERE key = $1"
	}
	var n int
	if err := sqlDB.QueryRow(query, key).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
