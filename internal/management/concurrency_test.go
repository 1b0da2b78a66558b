package management_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// raceResult is one racing request's outcome.
type raceResult struct {
	status int
	body   []byte
	err    error
}

// raceRequest is one request of a race, sent with a bearer token.
type raceRequest struct {
	bearer, method, path string
	body                 any
	headers              []string
}

// race sends n requests at once: each goroutine builds its request, waits
// at the start barrier, and sends it when the barrier opens. It uses plain
// net/http, because the test's Fatal may not be called from other
// goroutines.
func race(env *apptest.Env, n int, build func(i int) raceRequest) []raceResult {
	results := make([]raceResult, n)
	start := make(chan struct{})
	var ready, done sync.WaitGroup
	ready.Add(n)
	done.Add(n)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: n}}
	defer client.CloseIdleConnections()
	for i := range n {
		go func() {
			defer done.Done()
			rr := build(i)
			data, err := json.Marshal(rr.body)
			if err != nil {
				ready.Done()
				results[i].err = err
				return
			}
			req, err := http.NewRequest(rr.method, env.Server.URL+rr.path, bytes.NewReader(data))
			if err != nil {
				ready.Done()
				results[i].err = err
				return
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+rr.bearer)
			for j := 0; j+1 < len(rr.headers); j += 2 {
				req.Header.Set(rr.headers[j], rr.headers[j+1])
			}
			ready.Done()
			<-start
			resp, err := client.Do(req)
			if err != nil {
				results[i].err = err
				return
			}
			defer resp.Body.Close()
			results[i].body, results[i].err = io.ReadAll(resp.Body)
			results[i].status = resp.StatusCode
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return results
}

// tally counts the statuses of a race and fails on transport errors.
func tally(t *testing.T, results []raceResult) map[int]int {
	t.Helper()
	counts := map[int]int{}
	for i, r := range results {
		if r.err != nil {
			t.Fatalf("request %d: %v", i, r.err)
		}
		counts[r.status]++
	}
	return counts
}

// bearerOf makes an API token for c.
func bearerOf(t *testing.T, c *apptest.Client) string {
	t.Helper()
	return createToken(t, c, map[string]any{"name": "race"}).Token
}

func TestConcurrentPatchesOneWins(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)
		d := createBriefing(t, n.writer, "Raced document")
		revsBefore := len(listRevisions(t, n.writer, d.ID))
		eventsBefore := len(listEvents(t, n.writer, d.ID))

		const writers = 20
		bearer := bearerOf(t, n.writer)
		results := race(env, writers, func(i int) raceRequest {
			return raceRequest{bearer: bearer, method: "PATCH", path: "/api/v1/documents/" + d.ID,
				// A checkpoint each: the winner's write is a revision of
				// its own, not coalesced into the creation's.
				body:    map[string]any{"title": fmt.Sprintf("Title from writer %d", i), "checkpoint": true},
				headers: []string{"If-Match", versionTag(d.Version)}}
		})
		counts := tally(t, results)
		t.Logf("%d concurrent PATCHes on If-Match %s: %v", writers, versionTag(d.Version), counts)
		if counts[http.StatusOK] != 1 || counts[http.StatusPreconditionFailed] != writers-1 {
			for i, r := range results {
				if r.status != http.StatusOK && r.status != http.StatusPreconditionFailed {
					t.Logf("request %d: %d %s", i, r.status, r.body)
				}
			}
			t.Fatalf("statuses %v, want exactly one 200 and %d × 412", counts, writers-1)
		}

		var winner docFull
		for _, r := range results {
			if r.status == http.StatusOK {
				if err := json.Unmarshal(r.body, &winner); err != nil {
					t.Fatal(err)
				}
			} else {
				var p struct{ Code string }
				if err := json.Unmarshal(r.body, &p); err != nil || p.Code != "precondition_failed" {
					t.Errorf("412 body %s", r.body)
				}
			}
		}
		got := getDoc(t, n.writer, d.ID)
		if got.Version != d.Version+1 || got.HeadRevision != d.HeadRevision+1 || got.Title != winner.Title {
			t.Errorf("after the race: version %d head %d title %q; winner wrote %q", got.Version, got.HeadRevision, got.Title, winner.Title)
		}
		revs := listRevisions(t, n.writer, d.ID)
		if len(revs) != revsBefore+1 {
			t.Errorf("revisions grew from %d to %d, want by exactly one", revsBefore, len(revs))
		}
		if last := revs[len(revs)-1]; last.Title != winner.Title {
			t.Errorf("new head revision title %q, winner %q", last.Title, winner.Title)
		}
		if evs := listEvents(t, n.writer, d.ID); len(evs) != eventsBefore+1 {
			t.Errorf("events grew from %d to %d, want by exactly one", eventsBefore, len(evs))
		}
	})
}

func TestConcurrentPublishOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		ifMatch bool
	}{{"without If-Match", false}, {"with the same If-Match", true}} {
		t.Run(tc.name, func(t *testing.T) {
			apptest.Run(t, func(t *testing.T, env *apptest.Env) {
				n := setupNewsroom(t, env)
				second := env.CreateUser("publisher2@example.org", "publisher:the-peninsula")
				d := approvedBriefing(t, n, "Raced publish")
				tokens := []string{bearerOf(t, n.publisher), bearerOf(t, second)}

				// Two publishers, five requests each, all released at once.
				const publishers = 10
				results := race(env, publishers, func(i int) raceRequest {
					rr := raceRequest{bearer: tokens[i%2], method: "POST", path: "/api/v1/documents/" + d.ID + "/transitions",
						body: map[string]any{"action": "publish"}}
					if tc.ifMatch {
						rr.headers = []string{"If-Match", versionTag(d.Version)}
					}
					return rr
				})
				counts := tally(t, results)
				t.Logf("%d concurrent publishes: %v", publishers, counts)
				if counts[http.StatusOK] != 1 || counts[http.StatusConflict]+counts[http.StatusPreconditionFailed] != publishers-1 {
					for i, r := range results {
						t.Logf("request %d: %d %s", i, r.status, r.body)
					}
					t.Fatalf("statuses %v, want one 200 and the rest 409 or 412", counts)
				}

				got := getDoc(t, n.publisher, d.ID)
				if got.State != "published" || got.LiveRevision == nil || *got.LiveRevision != *d.ApprovedRevision || got.Version != d.Version+1 {
					t.Errorf("after the race: %+v", got)
				}
				publishes := 0
				for _, e := range listEvents(t, n.publisher, d.ID) {
					if e.Action == "publish" {
						publishes++
					}
				}
				if publishes != 1 {
					t.Errorf("%d publish events, want exactly one", publishes)
				}
			})
		})
	}
}
