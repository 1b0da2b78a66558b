package main

import (
	"strings"
	"testing"
)

// The edition mail rate and concurrency: no rate limit and 4 at once
// unless set; anything else names the variable.
func TestConfigMailRate(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(env{"MASTHEAD_DATA_DIR": t.TempDir()}.getenv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MailRate != 0 || cfg.MailConcurrency != 4 {
		t.Errorf("defaults %v/s, %d at once", cfg.MailRate, cfg.MailConcurrency)
	}
	cfg, err = loadConfig(env{"MASTHEAD_DATA_DIR": t.TempDir(), "MASTHEAD_MAIL_RATE": "0.5", "MASTHEAD_MAIL_CONCURRENCY": "16"}.getenv)
	if err != nil || cfg.MailRate != 0.5 || cfg.MailConcurrency != 16 {
		t.Errorf("set: %v/s, %d at once, %v", cfg.MailRate, cfg.MailConcurrency, err)
	}
	for name, bads := range map[string][]string{
		"MASTHEAD_MAIL_RATE":        {"-1", "fast", "NaN", "Inf"},
		"MASTHEAD_MAIL_CONCURRENCY": {"0", "-2", "257", "four", "1.5"},
	} {
		for _, bad := range bads {
			_, err := loadConfig(env{"MASTHEAD_DATA_DIR": t.TempDir(), name: bad}.getenv)
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("%s=%q: %v, want an error naming the variable", name, bad, err)
			}
		}
	}
}
