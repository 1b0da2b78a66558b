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

	"github.com/masthead-cms/masthead/internal/cms"
)

// Folder keeps blobs as files in a local directory (the default; an
// S3-compatible bucket would implement Blobs the same way).
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

// ValidID reports whether id has the form of an asset id (cms.NewID), the
// only keys blob storage takes.
func ValidID(id string) bool { return keyRE.MatchString(id) }

func (f *Folder) path(key string) (string, error) {
	if !ValidID(key) {
		return "", cms.NotFound("media")
	}
	return filepath.Join(f.dir, key[:2], key), nil
}

// Put writes a blob atomically: a temporary file renamed into place.
func (f *Folder) Put(_ context.Context, key string, data []byte) error {
	p, err := f.path(key)
	if err != nil {
		return err
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
