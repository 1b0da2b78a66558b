package media

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/masthead-cms/masthead/internal/cms"
)

// Batch stages blobs beside a Folder and moves them in together, for a
// restore that must leave no file behind when it fails. Put writes to a
// staging directory inside the folder (so that moving in is a rename on
// the same file system), Place moves every staged blob into place, and
// Close removes the staging directory and, unless Keep was called, every
// file Place moved in.
type Batch struct {
	f      *Folder
	dir    string
	staged map[string]bool
	order  []string // staged keys, in the order they came
	placed []string // paths Place moved in
	kept   bool
}

// NewBatch starts a batch of blobs for f.
func (f *Folder) NewBatch() (*Batch, error) {
	dir, err := os.MkdirTemp(f.dir, ".batch-")
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	return &Batch{f: f, dir: dir, staged: map[string]bool{}}, nil
}

// Put stages a blob. A key that is not an asset id (a path, say) or that
// was staged already is refused before anything is written.
func (b *Batch) Put(key string, data []byte) error {
	if !ValidID(key) {
		return cms.Errorf(cms.CodeInvalid, "media: %q is not a media id (32 lower-case hex digits)", key)
	}
	if b.staged[key] {
		return cms.Errorf(cms.CodeInvalid, "media: %s comes twice", key)
	}
	if err := os.WriteFile(filepath.Join(b.dir, key), data, 0o600); err != nil {
		return fmt.Errorf("media: stage %s: %w", key, err)
	}
	b.staged[key] = true
	b.order = append(b.order, key)
	return nil
}

// Place moves every staged blob into the folder. A blob the folder holds
// already with the same bytes stays where it is (and Close leaves it);
// one with other bytes is refused, for it is not this batch's to replace.
func (b *Batch) Place() error {
	for _, key := range b.order {
		p, err := b.f.path(key)
		if err != nil {
			return err
		}
		staged := filepath.Join(b.dir, key)
		same, err := sameFile(p, staged)
		if err != nil || same {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			return fmt.Errorf("media: %w", err)
		}
		if err := os.Rename(staged, p); err != nil {
			return fmt.Errorf("media: place %s: %w", key, err)
		}
		b.placed = append(b.placed, p)
	}
	return nil
}

// sameFile reports whether the folder holds p with staged's bytes; an
// existing file of other bytes is an error.
func sameFile(p, staged string) (bool, error) {
	have, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("media: %w", err)
	}
	want, err := os.ReadFile(staged)
	if err != nil {
		return false, fmt.Errorf("media: %w", err)
	}
	if !bytes.Equal(have, want) {
		return false, cms.Errorf(cms.CodeConflict, "media: the folder holds another file as %s; move it away first", filepath.Base(p))
	}
	return true, nil
}

// Keep makes the placed blobs stay when the batch is closed: call it once
// whatever they belong to has committed.
func (b *Batch) Keep() { b.kept = true }

// Close removes the staging directory and, unless kept, the blobs Place
// moved in (with their directories, when that leaves them empty).
func (b *Batch) Close() error {
	var errs []error
	if !b.kept {
		for _, p := range b.placed {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
			_ = os.Remove(filepath.Dir(p)) // only succeeds if empty
		}
		b.placed = nil
	}
	errs = append(errs, os.RemoveAll(b.dir))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("media: %w", err)
	}
	return nil
}
