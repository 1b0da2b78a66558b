package main

import (
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/store/storetest"
)

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
			_, _, err = runCmd(t, e, "", "demo")
			if err == nil || !strings.Contains(err.Error(), "already has content") {
				t.Errorf("second demo: %v, want a refusal", err)
			}
		})
	}
}
