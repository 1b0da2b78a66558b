package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// TestMediaMigrateCommand moves the demo newsroom's media from the local
// folder to a real S3 server (s3rver): refused, switching nothing, while
// one file's bytes do not match its checksum; then done, printing the
// setting; and an instance set to the bucket, with the local folder
// gone, serves the same hero image.
func TestMediaMigrateCommand(t *testing.T) {
	t.Parallel()
	srv := apptest.StartS3rver(t)
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			e := baseEnv(t, b).with("MASTHEAD_ADMIN_PASSWORD", "admin-password-1")
			if _, errOut, err := runCmd(t, e, "", "demo", "--password", demoPassword); err != nil {
				t.Fatalf("demo: %v\n%s", err, errOut)
			}
			in := start(t, e)
			before := look(t, in)
			in.Stop()

			bucket := srv.MediaURL()
			file, good := firstFile(t, filepath.Join(e["MASTHEAD_DATA_DIR"], "media"))
			if err := os.WriteFile(file, []byte("not the picture"), 0o600); err != nil {
				t.Fatal(err)
			}
			out, errOut, err := runCmd(t, e, "", "media", "migrate", "--to", bucket)
			if err == nil || !strings.Contains(err.Error(), "checksum mismatch") || !strings.Contains(err.Error(), "nothing was switched") ||
				strings.Contains(out, "MASTHEAD_MEDIA_URL") {
				t.Fatalf("migrating a tampered file: %v\n%s%s", err, out, errOut)
			}
			if err := os.WriteFile(file, good, 0o600); err != nil {
				t.Fatal(err)
			}
			out, errOut, err = runCmd(t, e, "", "media", "migrate", "--to", bucket)
			if err != nil || !strings.Contains(out, "MASTHEAD_MEDIA_URL="+bucket) {
				t.Fatalf("migration: %v\n%s%s", err, out, errOut)
			}

			if err := os.RemoveAll(filepath.Join(e["MASTHEAD_DATA_DIR"], "media")); err != nil {
				t.Fatal(err)
			}
			in = start(t, e.with("MASTHEAD_MEDIA_URL", bucket))
			after := look(t, in)
			in.Stop()
			if len(before.hero) == 0 || !bytes.Equal(after.hero, before.hero) {
				t.Errorf("the hero from the bucket: %d bytes, from the folder %d", len(after.hero), len(before.hero))
			}
			checkTransferOnBucket(t, b, e.with("MASTHEAD_MEDIA_URL", bucket), before.hero)
		})
	}
}

// checkTransferOnBucket: an export reads the files from the bucket, and
// an import into another database on another bucket prefix writes them
// there, whence its instance serves the same hero.
func checkTransferOnBucket(t *testing.T, b storetest.Backend, e env, hero []byte) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "newsroom.ndjson")
	if _, errOut, err := runCmd(t, e, "", "export", "--out", file); err != nil {
		t.Fatalf("export from the bucket: %v\n%s", err, errOut)
	}
	dst := baseEnv(t, b).with("MASTHEAD_MEDIA_URL", strings.Replace(e["MASTHEAD_MEDIA_URL"], "&prefix=", "&prefix=imported-", 1))
	if _, errOut, err := runCmd(t, dst, "", "import", "--in", file); err != nil {
		t.Fatalf("import to the bucket: %v\n%s", err, errOut)
	}
	in := start(t, dst)
	got := look(t, in)
	in.Stop()
	if !bytes.Equal(got.hero, hero) {
		t.Errorf("the imported hero from the bucket: %d bytes, want %d", len(got.hero), len(hero))
	}
}

// firstFile returns the first regular file under dir, with its bytes.
func firstFile(t *testing.T, dir string) (string, []byte) {
	t.Helper()
	var found string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && found == "" && d.Type().IsRegular() {
			found = p
		}
		return err
	})
	if err != nil || found == "" {
		t.Fatalf("no media file under %s: %v", dir, err)
	}
	data, err := os.ReadFile(found)
	if err != nil {
		t.Fatal(err)
	}
	return found, data
}
