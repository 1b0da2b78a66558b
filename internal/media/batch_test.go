package media_test

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/media"
)

// filesUnder lists the regular files below dir.
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBatchLeavesNothingUnlessKept: a path-like key is refused before
// anything is written; placed blobs go away again unless the batch is
// kept; a blob the folder already holds is left alone.
func TestBatchLeavesNothingUnlessKept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	f, err := media.NewFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, b := cms.NewID(), cms.NewID()

	batch, err := f.NewBatch()
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"../../x", "../" + a, strings.ToUpper(a), ""} {
		if err := batch.Put(bad, []byte("x")); !cms.IsCode(err, cms.CodeInvalid) {
			t.Errorf("Put(%q): %v, want invalid", bad, err)
		}
	}
	if err := batch.Put(a, []byte("a")); err != nil {
		t.Fatal(err)
	}
	if err := batch.Put(a, []byte("a")); !cms.IsCode(err, cms.CodeInvalid) {
		t.Errorf("the same key twice: %v", err)
	}
	if err := batch.Place(); err != nil {
		t.Fatal(err)
	}
	if err := batch.Close(); err != nil {
		t.Fatal(err)
	}
	if files := filesUnder(t, dir); len(files) != 0 {
		t.Fatalf("an unkept batch left %v", files)
	}
	if _, err := os.Stat(filepath.Join(dir, "../x")); err == nil {
		t.Fatal("a path-like key escaped the folder")
	}

	if err := f.Put(ctx, b, []byte("b")); err != nil { // already there
		t.Fatal(err)
	}
	batch, _ = f.NewBatch()
	_ = batch.Put(a, []byte("a"))
	_ = batch.Put(b, []byte("b"))
	if err := batch.Place(); err != nil {
		t.Fatal(err)
	}
	_ = batch.Close()
	if files := filesUnder(t, dir); len(files) != 1 || readBlob(t, f, b) != "b" {
		t.Fatalf("after an unkept batch: %v, want only the blob that was there", files)
	}

	batch, _ = f.NewBatch()
	_ = batch.Put(b, []byte("other"))
	if err := batch.Place(); !cms.IsCode(err, cms.CodeConflict) {
		t.Errorf("replacing another file: %v, want a conflict", err)
	}
	_ = batch.Close()

	batch, _ = f.NewBatch()
	_ = batch.Put(a, []byte("a"))
	if err := batch.Place(); err != nil {
		t.Fatal(err)
	}
	batch.Keep()
	_ = batch.Close()
	if got := readBlob(t, f, a); got != "a" || len(filesUnder(t, dir)) != 2 {
		t.Fatalf("a kept batch: %q, files %v", got, filesUnder(t, dir))
	}
}

func readBlob(t *testing.T, f *media.Folder, key string) string {
	t.Helper()
	r, err := f.Open(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, _ := io.ReadAll(r)
	return string(b)
}
