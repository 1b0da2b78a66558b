package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// bufferedLog is the serve command's log output: a line is appended to
// memory on the goroutine that logs it, and written to w by a goroutine
// of its own every interval, so that a request never waits for a write
// to stderr (or for whoever reads it: a slow pipe, journald). Past
// maxBuffered bytes not yet written, lines are counted and dropped
// rather than made to wait; the count is logged when writing resumes.
// Close writes what is left.
type bufferedLog struct {
	w        io.Writer
	mu       sync.Mutex
	buf      []byte
	dropped  int
	stop     chan struct{}
	done     chan struct{}
	closeOne sync.Once
}

const maxBuffered = 4 << 20

func newBufferedLog(w io.Writer, interval time.Duration) *bufferedLog {
	b := &bufferedLog{w: w, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		var spare []byte
		for {
			select {
			case <-t.C:
				spare = b.flush(spare)
			case <-b.stop:
				b.flush(spare)
				return
			}
		}
	}()
	return b
}

func (b *bufferedLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf)+len(p) > maxBuffered {
		b.dropped++
		return len(p), nil
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// flush writes what is buffered, handing back the emptied buffer for
// the next swap.
func (b *bufferedLog) flush(spare []byte) []byte {
	b.mu.Lock()
	out, dropped := b.buf, b.dropped
	b.buf, b.dropped = spare[:0], 0
	b.mu.Unlock()
	if dropped > 0 {
		out = fmt.Appendf(out, "level=WARN msg=\"log lines dropped: the log output did not keep up\" lines=%d\n", dropped)
	}
	if len(out) > 0 {
		_, _ = b.w.Write(out)
	}
	return out
}

// Close writes what is left and stops the writer.
func (b *bufferedLog) Close() {
	b.closeOne.Do(func() { close(b.stop) })
	<-b.done
}
