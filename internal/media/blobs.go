package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
)

// Folder keeps blobs as files in a local directory (the default; S3 is
// the same interface over a bucket).
type Folder struct {
	dir string
}

// NewFolder returns blob storage in dir, creating it.
func NewFolder(dir string) (*Folder, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	return &Folder{dir: dir}, nil
}

// keyRE is what a key may be: our ids only, so no path can escape dir.
var keyRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

// ValidID reports whether id has the form of an asset id (cms.NewID).
func ValidID(id string) bool { return keyRE.MatchString(id) }

// ValidKey reports whether key is one blob storage takes: a SHA-256 in
// lower-case hex (what files are stored under) or an asset id (what they
// were stored under before, still read).
func ValidKey(key string) bool { return ValidID(key) || sha256RE.MatchString(key) }

func (f *Folder) path(key string) (string, error) {
	if !ValidKey(key) {
		return "", cms.NotFound("media")
	}
	return filepath.Join(f.dir, key[:2], key), nil
}

// Put writes a blob atomically (a temporary file renamed into place) unless
// the folder holds it already: a key names its bytes, so nothing is ever
// overwritten. An existing blob's time is renewed, so that the orphan
// sweep's grace period counts from this Put.
func (f *Folder) Put(_ context.Context, key string, data []byte) error {
	p, err := f.path(key)
	if err != nil {
		return err
	}
	now := time.Now()
	if err := os.Chtimes(p, now, now); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return fmt.Errorf("media: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return fmt.Errorf("media: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("media: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("media: %w", err)
	}
	return os.Rename(tmp.Name(), p)
}

// Open reads a blob.
func (f *Folder) Open(_ context.Context, key string) (io.ReadSeekCloser, error) {
	p, err := f.path(key)
	if err != nil {
		return nil, err
	}
	file, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, cms.NotFound("media")
	}
	return file, err
}

// Delete removes a blob; a missing one is no error.
func (f *Folder) Delete(_ context.Context, key string) error {
	p, err := f.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("media: %w", err)
	}
	return nil
}

// List calls fn with every blob's key and time of writing. Staging
// directories and temporary files are not blobs.
func (f *Folder) List(ctx context.Context, fn func(BlobInfo) error) error {
	return filepath.WalkDir(f.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || ctx.Err() != nil {
			return errors.Join(err, ctx.Err())
		}
		if d.IsDir() && p != f.dir && len(d.Name()) != 2 {
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() || !ValidKey(d.Name()) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return fn(BlobInfo{Key: d.Name(), Written: info.ModTime()})
	})
}

// Ping checks that the folder is there.
func (f *Folder) Ping(context.Context) error {
	if _, err := os.Stat(f.dir); err != nil {
		return fmt.Errorf("media: %w", err)
	}
	return nil
}

// String names the folder for messages.
func (f *Folder) String() string { return f.dir }
