package media

import (
	"context"
	"time"
)

// SweepGrace is how old a blob with no asset must be before the sweep
// removes it: an upload writes its bytes, then commits its row within
// moments, so a younger one may be an upload under way.
const SweepGrace = time.Hour

// SweepOrphans removes the blobs older than grace that no asset holds:
// the bytes an upload wrote before a crash, or a refusal, kept its row
// from committing. It returns how many it removed.
func (s *Service) SweepOrphans(ctx context.Context, grace time.Duration) (int, error) {
	cutoff := time.Now().Add(-grace)
	var orphans []string
	err := s.blobs.List(ctx, func(b BlobInfo) error {
		if b.Written.After(cutoff) {
			return nil
		}
		held, err := s.store.AssetHoldsBlob(ctx, b.Key)
		if err == nil && !held {
			orphans = append(orphans, b.Key)
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, key := range orphans {
		// Asked again just before: an upload of the same bytes may have
		// committed since the listing.
		if held, err := s.store.AssetHoldsBlob(ctx, key); err != nil || held {
			continue
		}
		if err := s.blobs.Delete(ctx, key); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// RunSweeper sweeps orphans every interval until ctx ends. Every instance
// may sweep: removing an orphan twice is harmless.
func (s *Service) RunSweeper(ctx context.Context, interval, grace time.Duration, onError func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.SweepOrphans(ctx, grace); err != nil && ctx.Err() == nil {
				onError(err)
			}
		}
	}
}
