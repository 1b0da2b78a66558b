package main

import (
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/newsletter"
)

// The sign-up limits: 5 in 10 minutes per address and 300 an hour in all
// unless set; a count per duration; anything else names the variable.
func TestConfigSignupLimits(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(env{"MASTHEAD_DATA_DIR": t.TempDir()}.getenv)
	if err != nil {
		t.Fatal(err)
	}
	if want := (newsletter.Limit{N: 5, Per: 10 * time.Minute}); cfg.SignupsPerAddress != want {
		t.Errorf("default per address %+v, want %+v", cfg.SignupsPerAddress, want)
	}
	if want := (newsletter.Limit{N: 300, Per: time.Hour}); cfg.SignupsTotal != want {
		t.Errorf("default total %+v, want %+v", cfg.SignupsTotal, want)
	}
	cfg, err = loadConfig(env{"MASTHEAD_DATA_DIR": t.TempDir(),
		"MASTHEAD_SIGNUPS_PER_ADDRESS": "3/1m", "MASTHEAD_SIGNUPS_TOTAL": " 1000 / 24h "}.getenv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SignupsPerAddress != (newsletter.Limit{N: 3, Per: time.Minute}) || cfg.SignupsTotal != (newsletter.Limit{N: 1000, Per: 24 * time.Hour}) {
		t.Errorf("set limits read as %+v and %+v", cfg.SignupsPerAddress, cfg.SignupsTotal)
	}
	for _, name := range []string{"MASTHEAD_SIGNUPS_PER_ADDRESS", "MASTHEAD_SIGNUPS_TOTAL"} {
		for _, bad := range []string{"5", "five/10m", "5/ten minutes", "0/10m", "-1/10m", "5/0s", "5/-1m", "/10m", "5/"} {
			_, err := loadConfig(env{"MASTHEAD_DATA_DIR": t.TempDir(), name: bad}.getenv)
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("%s=%q: %v, want an error naming the variable", name, bad, err)
			}
		}
	}
}
