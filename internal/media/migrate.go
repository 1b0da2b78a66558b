package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// MigrateResult is what a migration copied.
type MigrateResult struct {
	Files int   // assets whose bytes (and variants') are in the target, checked
	Bytes int64 // their size
}

// Migrate copies every asset's bytes from one blob storage to another
// under their SHA-256, and reads each back from the target to check its
// hash. A file whose bytes in the source do not hash to its asset's
// SHA-256, or that reads back otherwise from the target, is refused; the
// copy goes on so that the error lists every one, and the caller switches
// nothing unless all are there. A migration run again copies only what
// is missing.
func Migrate(ctx context.Context, store Store, from, to Blobs) (MigrateResult, error) {
	var res MigrateResult
	var bad []error
	err := store.EachAsset(ctx, func(a Asset) error {
		if err := migrateOne(ctx, a, from, to); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			bad = append(bad, fmt.Errorf("%s (%s): %w", a.ID, a.Filename, err))
			return nil
		}
		res.Files++
		res.Bytes += a.Size
		return nil
	})
	if err != nil {
		return res, err
	}
	if len(bad) > 0 {
		return res, fmt.Errorf("media: %d of %d files not migrated:\n%w", len(bad), len(bad)+res.Files, errors.Join(bad...))
	}
	return res, nil
}

// migrateOne copies one asset's bytes and its variants', each checked on
// both sides.
func migrateOne(ctx context.Context, a Asset, from, to Blobs) error {
	if err := copyChecked(ctx, a.SHA256, from, to, a.SHA256, a.ID); err != nil {
		return err
	}
	for _, v := range a.Variants {
		if err := copyChecked(ctx, v.SHA256, from, to, v.SHA256); err != nil {
			return fmt.Errorf("variant %s %d: %w", v.Kind, v.Width, err)
		}
	}
	return nil
}

// copyChecked copies the first of keys that from holds to sum in to: its
// bytes must hash to sum in the source and read back so from the target.
func copyChecked(ctx context.Context, sum string, from, to Blobs, keys ...string) error {
	data, err := readAll(ctx, from, keys...)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if got := hashOf(data); got != sum {
		return fmt.Errorf("checksum mismatch in the source: the file hashes to %s, its asset says %s", got, sum)
	}
	if err := to.Put(ctx, sum, data); err != nil {
		return err
	}
	back, err := readAll(ctx, to, sum)
	if err != nil {
		return fmt.Errorf("read back: %w", err)
	}
	if got := hashOf(back); got != sum {
		return fmt.Errorf("checksum mismatch in the target: %s reads back as %s", sum, got)
	}
	return nil
}

// ReadBlob reads the first of keys that blobs holds: an asset's SHA-256,
// then its id (where files were stored before).
func ReadBlob(ctx context.Context, blobs Blobs, keys ...string) ([]byte, error) {
	return readAll(ctx, blobs, keys...)
}

// readAll reads the first of keys that blobs holds.
func readAll(ctx context.Context, blobs Blobs, keys ...string) ([]byte, error) {
	var err error
	for _, key := range keys {
		var f io.ReadCloser
		if f, err = blobs.Open(ctx, key); err == nil {
			defer f.Close()
			return io.ReadAll(f)
		}
	}
	return nil, err
}

func hashOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
