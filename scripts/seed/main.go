// Command seed fills a running Masthead with published briefings through
// its public management API, the way a newsroom would: an admin sets up a
// series, a contributor and an author, an editor and a publisher; the
// author writes and submits each briefing, the editor approves it, the
// publisher publishes it. scripts/bench-delivery builds and runs it; it is
// not part of the product.
//
//	go run ./scripts/seed -url http://127.0.0.1:8080 -password "$MASTHEAD_ADMIN_PASSWORD" -n 1000
//
// It prints the delivery path of one published briefing on stdout.
package main

import (
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/masthead-cms/masthead/scripts/apiclient"
)

const series = "korea-view"

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "Masthead's base URL")
	email := flag.String("email", "admin@masthead.localhost", "the admin's email (MASTHEAD_ADMIN_EMAIL)")
	password := flag.String("password", os.Getenv("MASTHEAD_ADMIN_PASSWORD"), "the admin's password (default $MASTHEAD_ADMIN_PASSWORD)")
	n := flag.Int("n", 1000, "how many briefings to publish")
	workers := flag.Int("workers", 4, "concurrent writers")
	flag.Parse()
	path, err := seed(*base, *email, *password, *n, *workers)
	if err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
	fmt.Println(path)
}

func seed(base, email, password string, n, workers int) (string, error) {
	start := time.Now()
	admin, err := apiclient.SignIn(base, email, password, "seed")
	if err != nil {
		return "", fmt.Errorf("admin: %w", err)
	}
	if err := admin.Call("POST", "/api/v1/series", map[string]any{"slug": series, "name": "Korea View", "kind": "newsletter",
		"about": "This briefing comes from Korea View, a weekly newsletter published by the Korea Economic Institute."}, nil); err != nil {
		return "", err
	}
	if err := admin.Call("POST", "/api/v1/contributors", map[string]any{"name": "Yong Kwon"}, nil); err != nil {
		return "", err
	}
	var author, editor, publisher *apiclient.Client
	for _, u := range []struct {
		role string
		dst  **apiclient.Client
	}{{"author", &author}, {"editor", &editor}, {"publisher", &publisher}} {
		if *u.dst, err = newUser(admin, u.role); err != nil {
			return "", fmt.Errorf("%s: %w", u.role, err)
		}
	}
	slugs := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				slug, err := publishBriefing(i, author, editor, publisher)
				if err != nil {
					errs <- fmt.Errorf("briefing %d: %w", i, err)
					next.Store(int64(n)) // stop the others
					return
				}
				slugs[i] = slug
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return "", err
	}
	fmt.Fprintf(os.Stderr, "seed: published %d briefings in %v\n", n, time.Since(start).Round(time.Millisecond))
	return "/delivery/v1/documents/" + series + "/" + slugs[n/2], nil
}

// newUser creates a user with role on the series and returns a client
// that acts as them through an API token.
func newUser(admin *apiclient.Client, role string) (*apiclient.Client, error) {
	email, password := role+"@seed.example.org", "seed-password-"+role
	var u struct {
		ID string `json:"id"`
	}
	if err := admin.Call("POST", "/api/v1/users", map[string]any{"email": email, "name": "Seed " + role, "password": password}, &u); err != nil {
		return nil, err
	}
	if err := admin.Call("POST", "/api/v1/roles", map[string]any{"user_id": u.ID, "role": role, "series": series}, nil); err != nil {
		return nil, err
	}
	return apiclient.SignIn(admin.Base, email, password, "seed")
}

func publishBriefing(i int, author, editor, publisher *apiclient.Client) (string, error) {
	var d struct {
		ID   string `json:"id"`
		Slug string `json:"slug"`
	}
	if err := author.Call("POST", "/api/v1/documents", briefing(i), &d); err != nil {
		return "", err
	}
	for _, step := range []struct {
		c      *apiclient.Client
		action string
	}{{author, "submit"}, {editor, "approve"}, {publisher, "publish"}} {
		if err := step.c.Call("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]string{"action": step.action}, nil); err != nil {
			return "", fmt.Errorf("%s: %w", step.action, err)
		}
	}
	return d.Slug, nil
}

// briefing is about as long as the reference example,
// shared/examples/korea-view-2021-04-14.txt.
func briefing(i int) map[string]any {
	return map[string]any{
		"type": "briefing", "series": series, "byline": "yong-kwon",
		"title":  fmt.Sprintf("Beijing Calibrates Its Approach to Seoul, Part %d", i+1),
		"topics": []string{"China", "South Korea", "diplomacy"},
		"fields": map[string]any{
			"summary": "China raised joint dialogue with South Korea and a future 2+2 meeting.",
			"what_happened": []string{
				"During recent talks, the Chinese FM raised the idea of joint dialogue to reach a political resolution between North and South Korea.",
				"China also voiced support for South Korea’s goals of peace and denuclearization of the Korean Peninsula.",
				"The two foreign ministers discussed holding a future 2+2 meeting with diplomatic and security officials from both sides.",
			},
			"implications": "China’s engagement with South Korea seems **more focused** on calibrating Beijing’s position vis-à-vis Washington than addressing tangible challenges shared with Seoul.",
			"context":      "China’s move to establish regular meetings with South Korea follows Seoul’s continued closeness with members of the [QUAD](https://en.wikipedia.org/wiki/Quadrilateral_Security_Dialogue).",
		},
	}
}
