package published

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
)

// Kinds of Change.
const (
	ChangeDocument    = "document"    // a document went live, changed live, or went out
	ChangeSeries      = "series"      // a series was renamed or re-described
	ChangeContributor = "contributor" // a contributor was renamed
	ChangeMedia       = "media"       // an asset's attribution changed
	ChangeAll         = "all"         // anything: a batch, or a catch-up
)

// Change names what delivered content changed, so that every instance
// can drop what it made stale from its cache. It travels between
// instances (PostgreSQL's NOTIFY) as JSON.
type Change struct {
	Kind string `json:"kind"`
	ID   string `json:"id,omitempty"` // the document's id, the series' or contributor's slug, the asset's id
	// Version is the delivery version the change's transaction moved to
	// (0 where the store does not say).
	Version int64 `json:"version,omitempty"`
	// Origin is the instance that announced a change it invalidated
	// itself, by what it touched (Committed); "" for the others.
	Origin string `json:"origin,omitempty"`
}

// ErrCannotListen is what a ChangeListener returns at once when its
// database does not tell of changes as they commit (SQLite): the poll of
// the delivery version is then all there is.
var ErrCannotListen = errors.New("published: the database cannot listen for changes")

// ChangeListener is a store that hears of the delivery changes every
// instance commits, as they commit (LISTEN on PostgreSQL).
type ChangeListener interface {
	// ListenChanges holds one connection listening until it fails or ctx
	// ends, and returns why: it calls ready once listening, then fn with
	// each change in commit order.
	ListenChanges(ctx context.Context, ready func(), fn func(Change)) error
}

// Invalidate drops from this instance's cache what c made stale. Today
// that is the whole cache, whatever c names: a clear is always correct.
func (s *Service) Invalidate(c Change) {
	s.cache.clear()
}

// Listening reports whether this instance hears of changes as they
// commit; false while it is polling the delivery version instead.
func (s *Service) Listening() bool { return s.listening.Load() }

// listenRetry bounds the wait before reconnecting a lost listener.
const (
	listenRetryMin = 100 * time.Millisecond
	listenRetryMax = 10 * time.Second
)

// Watch keeps this instance's cache in step with changes committed
// elsewhere until ctx ends. Where the store can listen (PostgreSQL), each
// change is invalidated as it commits; while the listening connection is
// down (and on SQLite, always) the delivery version is read every
// interval and the cache dropped when it moved. Once listening again,
// the cache is dropped in full: what changed while it was down is not
// known.
func (s *Service) Watch(ctx context.Context, interval time.Duration) {
	w := &watch{s: s}
	if l, ok := s.store.(ChangeListener); ok {
		go w.listen(ctx, l)
	}
	cms.Every(ctx, interval, func(ctx context.Context) {
		if !s.listening.Load() {
			w.poll(ctx)
		}
	})
}

// watch is the state of one Watch: the delivery version last seen, which
// the listener and the poll both move.
type watch struct {
	s    *Service
	mu   sync.Mutex
	seen int64
	read bool // seen holds a reading
}

// poll drops the cache when the delivery version moved since last seen.
// The first reading drops it too: what was cached before it may predate
// a change made elsewhere.
func (w *watch) poll(ctx context.Context) {
	v, err := w.s.store.DeliveryVersion(ctx)
	if err != nil {
		if ctx.Err() == nil {
			w.s.cfg.Logger.Warn("delivery version check failed", "err", err)
		}
		return
	}
	// A move made by this instance's own changes alone was invalidated
	// when they committed; any other is not known, and clears everything.
	local := w.s.localBumps.Swap(0)
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.read || (v != w.seen && v-w.seen != local) {
		w.s.Invalidate(Change{Kind: ChangeAll, Version: v})
	}
	w.seen, w.read = v, true
}

// catchUp drops the whole cache and notes the delivery version, once a
// listener is up: changes committed before it listened are not known.
func (w *watch) catchUp(ctx context.Context) {
	v, err := w.s.store.DeliveryVersion(ctx)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.s.Invalidate(Change{Kind: ChangeAll, Version: v})
	if err == nil {
		w.seen, w.read = v, true
	}
}

// heard invalidates what a notification names and notes its version, so
// that the poll, should the listener fail, does not drop it again.
func (w *watch) heard(c Change) {
	if c.Origin != w.s.origin {
		w.s.Invalidate(c)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if c.Version > w.seen {
		w.seen = c.Version
	}
}

// listen keeps a listener up, reconnecting with a doubling wait after
// each failure, until ctx ends.
func (w *watch) listen(ctx context.Context, l ChangeListener) {
	s := w.s
	retry := s.cfg.ListenRetry
	if retry <= 0 {
		retry = listenRetryMin
	}
	wait := retry
	for {
		err := l.ListenChanges(ctx, func() {
			// Listening from now on; catch up once with what committed
			// while nobody listened, then stop polling.
			w.catchUp(ctx)
			s.listening.Store(true)
			wait = retry
			s.cfg.Logger.Info("listening for delivery changes")
		}, w.heard)
		was := s.listening.Swap(false)
		// Own changes counted while listening say nothing of the versions
		// the poll will see: forgetting them can only clear once more.
		s.localBumps.Store(0)
		if errors.Is(err, ErrCannotListen) || ctx.Err() != nil {
			return
		}
		if was {
			s.cfg.Logger.Warn("lost the delivery change listener; polling until it is back", "err", err, "retry", wait)
		} else {
			s.cfg.Logger.Warn("cannot listen for delivery changes; polling", "err", err, "retry", wait)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, max(listenRetryMax, retry))
	}
}
