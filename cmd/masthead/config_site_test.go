package main

import (
	"strings"
	"testing"
	"time"
)

// The reader site's settings (issue 15): MASTHEAD_SITE on unless off,
// MASTHEAD_TIMEZONE an IANA name (UTC unless set), MASTHEAD_PUBLIC_URL an
// absolute http(s) pattern with {series} and {slug}; a bad value names
// its variable.
func TestConfigSiteSettings(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(env{"MASTHEAD_DATA_DIR": t.TempDir()}.getenv)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Site || cfg.TimeZone != time.UTC || cfg.PublicURL != "" {
		t.Errorf("defaults: site %v, time zone %v, public URL %q", cfg.Site, cfg.TimeZone, cfg.PublicURL)
	}
	cfg, err = loadConfig(env{"MASTHEAD_DATA_DIR": t.TempDir(), "MASTHEAD_SITE": "off", "MASTHEAD_TIMEZONE": "Asia/Seoul",
		"MASTHEAD_PUBLIC_URL": "https://www.example.org/{series}/{slug}"}.getenv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Site || cfg.TimeZone.String() != "Asia/Seoul" || cfg.PublicURL != "https://www.example.org/{series}/{slug}" {
		t.Errorf("set: site %v, time zone %v, public URL %q", cfg.Site, cfg.TimeZone, cfg.PublicURL)
	}
	bad := map[string][]string{
		"MASTHEAD_SITE":     {"yes", "true", "1"},
		"MASTHEAD_TIMEZONE": {"Korea/Nowhere", "Local", "+09:00"},
		"MASTHEAD_PUBLIC_URL": {"www.example.org/{series}/{slug}", "https://www.example.org/{slug}", "https://www.example.org/{series}",
			"ftp://example.org/{series}/{slug}", "https://{series}.example.org/{slug}", "https://example.org/{series}/{slug}/{slug}"},
	}
	for name, values := range bad {
		for _, v := range values {
			_, err := loadConfig(env{"MASTHEAD_DATA_DIR": t.TempDir(), name: v}.getenv)
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("%s=%q: %v, want an error naming the variable", name, v, err)
			}
		}
	}
}
