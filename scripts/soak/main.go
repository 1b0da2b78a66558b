// Command soak holds a running Masthead under mixed load for a bounded
// time: readers (delivery: documents, a list page, the site feed) on
// connections of their own with a 2 s timeout, writers editing drafts
// through the management API (PATCH with If-Match), and a publisher that
// publishes a new briefing every few seconds and times until delivery
// shows it. It reports reader p50/p99/max and timeouts, PATCH p50/p90/max
// and publish → visible (document and list) p50/max. It runs against a
// newsroom scripts/seed filled (it signs in as the seed's author, editor
// and publisher); scripts/bench-soak starts one and runs it. It is not
// part of the product.
//
//	go run ./scripts/soak -url http://127.0.0.1:8080 -duration 60s
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/masthead-cms/masthead/scripts/apiclient"
)

const series = "korea-view"

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "Masthead's base URL")
	duration := flag.Duration("duration", 60*time.Second, "how long the load runs")
	readers := flag.Int("readers", 200, "concurrent readers")
	writers := flag.Int("writers", 10, "concurrent writers (PATCH of drafts)")
	every := flag.Duration("publish-every", 3*time.Second, "how often the publisher publishes a new briefing")
	timeout := flag.Duration("timeout", 2*time.Second, "a reader's request taking longer is a timeout")
	flag.Parse()
	if err := run(*base, *duration, *readers, *writers, *every, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

type samples struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *samples) add(d time.Duration) { s.mu.Lock(); s.d = append(s.d, d); s.mu.Unlock() }

func (s *samples) pct(p float64) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.d) == 0 {
		return 0
	}
	slices.Sort(s.d)
	return s.d[min(len(s.d)-1, int(p*float64(len(s.d))))]
}

func (s *samples) n() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.d) }

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func run(base string, duration time.Duration, nReaders, nWriters int, every, timeout time.Duration) error {
	author, err := apiclient.SignIn(base, "author@seed.example.org", "seed-password-author", "soak")
	if err != nil {
		return fmt.Errorf("author (run scripts/seed first): %w", err)
	}
	editor, err := apiclient.SignIn(base, "editor@seed.example.org", "seed-password-editor", "soak")
	if err != nil {
		return err
	}
	publisher, err := apiclient.SignIn(base, "publisher@seed.example.org", "seed-password-publisher", "soak")
	if err != nil {
		return err
	}
	var list struct {
		Data []struct {
			Slug string `json:"slug"`
		} `json:"data"`
	}
	if err := author.Do("GET", "/delivery/v1/documents?series="+series+"&limit=100", nil, &list, nil); err != nil {
		return err
	}
	if len(list.Data) == 0 {
		return errors.New("nothing is published: run scripts/seed first")
	}
	paths := []string{"/delivery/v1/documents?series=" + series + "&limit=25", "/delivery/v1/feed.atom"}
	for _, d := range list.Data {
		paths = append(paths, "/delivery/v1/documents/"+series+"/"+d.Slug)
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var reads samples
	var timeouts, readErrors atomic.Int64
	transport := &http.Transport{MaxIdleConnsPerHost: nReaders, MaxConnsPerHost: nReaders}
	for r := range nReaders {
		wg.Go(func() {
			hc := &http.Client{Transport: transport, Timeout: timeout}
			for i := r; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				t0 := time.Now()
				resp, err := hc.Get(base + paths[i%len(paths)])
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				d := time.Since(t0)
				switch {
				case err != nil && d >= timeout:
					timeouts.Add(1)
				case err != nil:
					readErrors.Add(1)
				}
				reads.add(d)
			}
		})
	}

	var patches samples
	var patchErrors atomic.Int64
	for w := range nWriters {
		wg.Go(func() {
			var d struct {
				ID      string `json:"id"`
				Version int    `json:"version"`
			}
			if err := author.Call("POST", "/api/v1/documents", briefing(1_000_000+w, "soak-draft"), &d); err != nil {
				patchErrors.Add(1)
				return
			}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				t0 := time.Now()
				err := author.Do("PATCH", "/api/v1/documents/"+d.ID, map[string]any{"title": fmt.Sprintf("Soak draft %d, edit %d", w, i)},
					&d, map[string]string{"If-Match": fmt.Sprintf(`"%d"`, d.Version)})
				patches.add(time.Since(t0))
				if err != nil {
					patchErrors.Add(1)
					time.Sleep(100 * time.Millisecond)
				}
			}
		})
	}

	var visibleDoc, visibleList, publishCall samples
	var publishErrors atomic.Int64
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		probe := &http.Client{Timeout: 5 * time.Second}
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			var d struct {
				ID   string `json:"id"`
				Slug string `json:"slug"`
			}
			if err := author.Call("POST", "/api/v1/documents", briefing(2_000_000+i, "soak-live"), &d); err != nil {
				publishErrors.Add(1)
				continue
			}
			ok := author.Call("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]string{"action": "submit"}, nil) == nil &&
				editor.Call("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]string{"action": "approve"}, nil) == nil
			t0 := time.Now()
			if !ok || publisher.Call("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]string{"action": "publish"}, nil) != nil {
				publishErrors.Add(1)
				continue
			}
			publishCall.add(time.Since(t0))
			docSeen, listSeen := false, false
			for !(docSeen && listSeen) && time.Since(t0) < 10*time.Second {
				if !docSeen && fetches(probe, base+"/delivery/v1/documents/"+series+"/"+d.Slug, "") {
					docSeen = true
					visibleDoc.add(time.Since(t0))
				}
				if !listSeen && fetches(probe, base+"/delivery/v1/documents?series="+series+"&limit=25", d.Slug) {
					listSeen = true
					visibleList.add(time.Since(t0))
				}
				time.Sleep(2 * time.Millisecond)
			}
			if !(docSeen && listSeen) {
				publishErrors.Add(1)
			}
		}
	})

	start := time.Now()
	time.Sleep(duration)
	close(stop)
	wg.Wait()
	elapsed := time.Since(start)

	fmt.Printf("Soak: %v, %d readers (timeout %v), %d writers, a publish every %v\n", elapsed.Round(time.Second), nReaders, timeout, nWriters, every)
	fmt.Printf("readers:  %d requests (%.0f/s), p50 %s, p99 %s, max %s, timeouts %d, other errors %d\n",
		reads.n(), float64(reads.n())/elapsed.Seconds(), ms(reads.pct(0.5)), ms(reads.pct(0.99)), ms(reads.pct(1)), timeouts.Load(), readErrors.Load())
	fmt.Printf("PATCH:    %d, p50 %s, p90 %s, max %s, errors %d\n", patches.n(), ms(patches.pct(0.5)), ms(patches.pct(0.9)), ms(patches.pct(1)), patchErrors.Load())
	fmt.Printf("publish:  %d, call p50 %s, max %s; visible (after the publish answered): document p50 %s, max %s; list p50 %s, max %s; errors %d\n",
		publishCall.n(), ms(publishCall.pct(0.5)), ms(publishCall.pct(1)), ms(visibleDoc.pct(0.5)), ms(visibleDoc.pct(1)),
		ms(visibleList.pct(0.5)), ms(visibleList.pct(1)), publishErrors.Load())
	return nil
}

// fetches reports whether url answers 200 (and holds want, when given).
func fetches(c *http.Client, url, want string) bool {
	resp, err := c.Get(url)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return err == nil && resp.StatusCode == http.StatusOK && (want == "" || bytes.Contains(body, []byte(`"`+want+`"`)))
}

func briefing(i int, slug string) map[string]any {
	return map[string]any{
		"type": "briefing", "series": series, "byline": "yong-kwon", "slug": fmt.Sprintf("%s-%d-%d", slug, i, time.Now().UnixNano()),
		"title":  fmt.Sprintf("Soak Briefing %d", i),
		"topics": []string{"China", "diplomacy"},
		"fields": map[string]any{
			"summary":       "China raised joint dialogue with South Korea and a future 2+2 meeting.",
			"what_happened": []string{"The Chinese FM raised the idea of joint dialogue."},
			"implications":  "China’s engagement with South Korea seems **more focused** on calibrating Beijing’s position.",
			"context":       "China’s move follows Seoul’s continued closeness with members of the QUAD.",
		},
	}
}
