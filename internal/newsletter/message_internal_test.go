package newsletter

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestPublishedDate: the date line reads as the example's does.
func TestPublishedDate(t *testing.T) {
	t.Parallel()
	if got := publishedDate(time.Date(2021, 4, 14, 23, 30, 0, 0, time.UTC)); got != "April 14, 2021" {
		t.Errorf("publishedDate = %q", got)
	}
}

// TestWrap: lines of at most 76 characters (not bytes), with the indent
// on every continuation, a long word whole and line breaks kept.
func TestWrap(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("vis-à-vis ", 20) + "https://example.org/" + strings.Repeat("x", 90) + "\nnext"
	got := wrap("    ", long)
	lines := strings.Split(got, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "next" {
		t.Fatalf("wrap gave %q", got)
	}
	for i, l := range lines[:len(lines)-1] {
		if n := utf8.RuneCountInString(l); n > 76 && !strings.Contains(l, "https://") {
			t.Errorf("line %d has %d characters: %q", i, n, l)
		}
		if i > 0 && !strings.HasPrefix(l, "    ") {
			t.Errorf("line %d lacks the indent: %q", i, l)
		}
	}
	if !strings.Contains(got, "https://example.org/"+strings.Repeat("x", 90)) {
		t.Errorf("the link was broken: %q", got)
	}
}
