// Command publishtimer times a publish to visibility, for
// scripts/three-instances: it sends the publish transition itself (so the
// clock starts when the answer arrives, not when a shell got round to it),
// then reads a listing on every instance given, each on its own, every
// millisecond, until its total reaches -want. It prints one line per
// instance, "URL MS", the milliseconds from the publish's answer to the
// start of the first read that saw it. It is not part of the product.
//
//	publishtimer -publish http://lb/api/v1/documents/ID/transitions -session S -csrf T -want 3 \
//	    http://127.0.0.1:8081/delivery/v1/documents?series=desk http://127.0.0.1:8082/…
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"
)

func main() {
	publish := flag.String("publish", "", "URL of the document's transitions (required)")
	session := flag.String("session", "", "the publisher's masthead_session cookie")
	csrf := flag.String("csrf", "", "its CSRF token")
	want := flag.Int("want", 0, "the listing's total once the publish shows")
	timeout := flag.Duration("timeout", 15*time.Second, "how long to wait for each instance")
	flag.Parse()
	if err := run(*publish, *session, *csrf, *want, *timeout, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "publishtimer:", err)
		os.Exit(1)
	}
}

func run(publish, session, csrf string, want int, timeout time.Duration, listings []string) error {
	if publish == "" || len(listings) == 0 {
		return errors.New("give -publish and at least one listing URL")
	}
	client := &http.Client{Timeout: 10 * time.Second}
	// Open a connection to each instance first: the clock measures the
	// change reaching it, not a TCP handshake.
	for _, u := range listings {
		if _, err := total(client, u); err != nil {
			return err
		}
	}
	req, err := http.NewRequest(http.MethodPost, publish, bytes.NewReader([]byte(`{"action":"publish"}`)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", csrf)
	req.AddCookie(&http.Cookie{Name: "masthead_session", Value: session})
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	_ = res.Body.Close()
	published := time.Now()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("publish: %s", res.Status)
	}
	seen := make([]time.Duration, len(listings))
	var wg sync.WaitGroup
	for i, u := range listings {
		wg.Go(func() {
			seen[i] = -1
			for time.Since(published) < timeout {
				began := time.Since(published)
				if n, err := total(client, u); err == nil && n == want {
					seen[i] = began
					return
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
	wg.Wait()
	for i, u := range listings {
		if seen[i] < 0 {
			return fmt.Errorf("%s does not total %d within %v", u, want, timeout)
		}
		fmt.Printf("%s %.1f\n", u, float64(seen[i].Microseconds())/1000)
	}
	return nil
}

// total reads a listing's total.
func total(client *http.Client, u string) (int, error) {
	res, err := client.Get(u)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", u, res.Status)
	}
	var p struct {
		Total int `json:"total"`
	}
	return p.Total, json.NewDecoder(res.Body).Decode(&p)
}
