package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// checkExampleDate: the example briefing is delivered with its own date,
// April 14, 2021, as the example shows it.
func checkExampleDate(t *testing.T, e env) {
	t.Helper()
	db, err := store.Open(context.Background(), store.Options{URL: e["MASTHEAD_DATABASE_URL"], DataDir: e["MASTHEAD_DATA_DIR"]})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d, err := db.FindDelivered(context.Background(), "korea-view", "beijing-calibrates-its-approach-to-seoul")
	if err != nil {
		t.Fatal(err)
	}
	if d.PublishedAt.UTC().Format(time.DateOnly) != "2021-04-14" {
		t.Errorf("the example briefing is delivered as published %s, want April 14, 2021", d.PublishedAt)
	}
	if !strings.Contains(string(d.Body), `"published_at":"2021-04-14T`) {
		t.Errorf("the delivered body does not say April 14, 2021: %.300s", d.Body)
	}
}

// TestDemo loads the demo newsroom on every backend and refuses to load it
// twice.
func TestDemo(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := baseEnv(t, b).with("MASTHEAD_ADMIN_PASSWORD", "admin-password-1")
			out, errOut, err := runCmd(t, e, "", "demo", "--password", "demo-password-1")
			if err != nil {
				t.Fatalf("demo: %v\n%s", err, errOut)
			}
			for _, want := range []string{"6 documents", "/admin", "writer@masthead.example", "editor@masthead.example", "demo-password-1"} {
				if !strings.Contains(out, want) {
					t.Errorf("demo output lacks %q:\n%s", want, out)
				}
			}
			checkExampleDate(t, e)
			_, _, err = runCmd(t, e, "", "demo")
			if err == nil || !strings.Contains(err.Error(), "already has content") {
				t.Errorf("second demo: %v, want a refusal", err)
			}
		})
	}
}
