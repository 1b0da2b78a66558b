package admin

import (
	"io"
	"testing"
	"time"
)

// BenchmarkRenderWithClock is the cost of printing a page in its
// reader's zone: the clone of the parsed page bound to the clock (made
// once per zone), run (the dashboard). Compare BenchmarkRenderShared.
func BenchmarkRenderWithClock(b *testing.B) {
	ui, err := New(Deps{})
	if err != nil {
		b.Fatal(err)
	}
	k := clock{loc: time.UTC}
	for b.Loop() {
		if _, err := ui.h.execute(k, "dashboard.html", "layout", page{Title: "Dashboard", Data: dashboardData{}, Unread: -1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderShared runs one clone over and over: the cost of the
// page alone.
func BenchmarkRenderShared(b *testing.B) {
	ui, err := New(Deps{})
	if err != nil {
		b.Fatal(err)
	}
	t, err := ui.h.pages["dashboard.html"].t.Clone()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := t.ExecuteTemplate(io.Discard, "layout", page{Title: "Dashboard", Data: dashboardData{}, Unread: -1}); err != nil {
			b.Fatal(err)
		}
	}
}
