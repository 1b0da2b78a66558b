package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is stderr as a test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestBufferedLogKeepsEveryLine: lines written from many
// goroutines all reach the output, each whole, and Close writes what is
// left; past its bound, lines are dropped and counted, not waited for.
func TestBufferedLogKeepsEveryLine(t *testing.T) {
	t.Parallel()
	var out lockedBuffer
	b := newBufferedLog(&out, time.Hour) // only Close writes
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for range 100 {
				_, _ = b.Write([]byte(strings.Repeat(string(rune('a'+g)), 10) + "\n"))
			}
		})
	}
	wg.Wait()
	if out.String() != "" {
		t.Fatalf("written before Close: %q", out.String())
	}
	b.Close()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 800 {
		t.Fatalf("%d lines after Close, want 800", len(lines))
	}
	for _, l := range lines {
		if len(l) != 10 || strings.Count(l, l[:1]) != 10 {
			t.Fatalf("a line was torn: %q", l)
		}
	}

	var full lockedBuffer
	b = newBufferedLog(&full, time.Hour)
	line := []byte(strings.Repeat("x", 1023) + "\n")
	for range maxBuffered/len(line) + 10 {
		_, _ = b.Write(line)
	}
	b.Close()
	if !strings.Contains(full.String(), "log lines dropped") || !strings.Contains(full.String(), "lines=10") {
		t.Errorf("past the bound: no count of 10 dropped lines in the output's end: %q", full.String()[len(full.String())-200:])
	}
}
