package media_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/media"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// TestBlobStore runs one body against the local folder and a real S3
// server (s3rver, see apptest.StartS3rver), on both engines: uploads
// stored under their SHA-256 once, served gated with Range, ETag/304 and
// immutable caching, the orphan a crash leaves swept after its grace
// period, and a migration from a local folder refused while one file's
// checksum is wrong.
func TestBlobStore(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"folder", "s3"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			var srv *apptest.S3rver
			if backend == "s3" {
				srv = apptest.StartS3rver(t)
			}
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				mediaURL := ""
				if srv != nil {
					mediaURL = srv.MediaURL()
				}
				blobStoreBody(t, db, mediaURL)
			})
		})
	}
}

// blobStoreBody is the suite on the blob storage mediaURL names (empty:
// a local folder).
func blobStoreBody(t *testing.T, db *store.DB, mediaURL string) {
	ctx := context.Background()
	dir := t.TempDir()
	env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) {
		o.MediaDir, o.MediaURL, o.UploadLimit = dir, mediaURL, 64<<10
	}})
	blobs, err := media.OpenBlobs(mediaURL, dir)
	if err != nil {
		t.Fatal(err)
	}
	n := apptest.NewNewsroom(t, env)
	env.Anonymous().Do("GET", "/readyz", nil).Want(http.StatusOK)

	picture := apptest.PNG(t, 40, 30)
	first, second := uploadAsset(t, n, picture), uploadAsset(t, n, picture)
	if first.SHA256 != hashHex(picture) || second.SHA256 != first.SHA256 || second.ID == first.ID {
		t.Fatalf("two uploads of one picture: %+v, %+v", first, second)
	}
	held := keysOf(first)
	if keys := listKeys(t, blobs); !sameKeys(keys, held) {
		t.Fatalf("blobs after two uploads of one picture: %v, want only its SHA-256 and its variants' %v", keys, held)
	}

	checkServedGated(t, n, first.ID, picture)
	checkOrphanSwept(t, env, blobs, held)
	checkMigrate(t, ctx, db, blobs, picture, first)
	checkReadiness(t, db, mediaURL)
}

// checkReadiness: /readyz reports blob storage that does not answer (a
// folder gone, a bucket that does not exist) as unavailable.
func checkReadiness(t *testing.T, db *store.DB, mediaURL string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "media")
	if mediaURL != "" {
		mediaURL = strings.Replace(mediaURL, "s3://"+apptest.S3Bucket+"?", "s3://no-such-bucket?", 1)
	}
	env := apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) { o.MediaDir, o.MediaURL = dir, mediaURL }})
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	r := env.Anonymous().Do("GET", "/readyz", nil).Want(http.StatusServiceUnavailable)
	if got := r.JSON()["detail"]; got != "blob storage unreachable" {
		t.Errorf("readiness without blob storage: %s", r.Body)
	}
}

// checkServedGated: the public file is not found until a live document
// shows it, then served whole, by range and not modified, with an ETag
// and immutable caching, then not found again once unpublished.
func checkServedGated(t *testing.T, n *apptest.Newsroom, id string, picture []byte) {
	t.Helper()
	anon, path := n.Anonymous, "/media/"+id
	anon.Do("GET", path, nil).Want(http.StatusNotFound)
	doc := publishWithHero(t, n, id)
	file := anon.Do("GET", path, nil).Want(http.StatusOK)
	etag := file.Header.Get("ETag")
	if !bytes.Equal(file.Body, picture) || etag != `"`+hashHex(picture)+`"` ||
		!strings.Contains(file.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("public file: %d bytes, ETag %q, Cache-Control %q", len(file.Body), etag, file.Header.Get("Cache-Control"))
	}
	part := anon.Do("GET", path, nil, "Range", "bytes=8-23").Want(http.StatusPartialContent)
	if !bytes.Equal(part.Body, picture[8:24]) {
		t.Errorf("bytes 8-23: %x, want %x", part.Body, picture[8:24])
	}
	tail := anon.Do("GET", path, nil, "Range", "bytes=-5").Want(http.StatusPartialContent)
	if !bytes.Equal(tail.Body, picture[len(picture)-5:]) {
		t.Errorf("the last 5 bytes: %x", tail.Body)
	}
	anon.Do("GET", path, nil, "If-None-Match", etag).Want(http.StatusNotModified)
	anon.Do("GET", path, nil, "If-None-Match", `"another"`).Want(http.StatusOK)
	n.Publisher.Do("POST", "/api/v1/documents/"+doc+"/transitions", map[string]any{"action": "unpublish"}).Want(http.StatusOK)
	anon.Do("GET", path, nil).Want(http.StatusNotFound)
	anon.Do("GET", path, nil, "If-None-Match", etag).Want(http.StatusNotFound)
}

// checkOrphanSwept: bytes written as an upload does before its row
// commits, with no row after (a crash), stay while young and go after
// the grace period; bytes an asset holds stay.
func checkOrphanSwept(t *testing.T, env *apptest.Env, blobs media.Blobs, held []string) {
	t.Helper()
	ctx := context.Background()
	orphan := apptest.PNG(t, 7, 7)
	if err := blobs.Put(ctx, hashHex(orphan), orphan); err != nil {
		t.Fatal(err)
	}
	if removed, err := env.App.Media.SweepOrphans(ctx, time.Hour); err != nil || removed != 0 {
		t.Fatalf("sweep within the grace period: removed %d, %v", removed, err)
	}
	if keys := listKeys(t, blobs); len(keys) != len(held)+1 {
		t.Fatalf("blobs before the grace period ends: %v", keys)
	}
	// A grace of -1s counts the orphan, written in this second, as old:
	// what an hour does to it in production, without waiting an hour.
	if removed, err := env.App.Media.SweepOrphans(ctx, -time.Second); err != nil || removed != 1 {
		t.Fatalf("sweep after the grace period: removed %d, %v", removed, err)
	}
	if keys := listKeys(t, blobs); !sameKeys(keys, held) {
		t.Fatalf("blobs after the sweep: %v, want only %v", keys, held)
	}
}

// checkMigrate copies a local folder's files to the blob storage under
// test: refused, naming the asset, while a file's bytes do not match its
// checksum; then done, each file read back with the right hash.
func checkMigrate(t *testing.T, ctx context.Context, db *store.DB, target media.Blobs, picture []byte, a media.Asset) {
	t.Helper()
	srcDir := t.TempDir()
	source, err := media.NewFolder(srcDir)
	if err != nil {
		t.Fatal(err)
	}
	sum := hashHex(picture)
	if err := source.Put(ctx, sum, picture); err != nil {
		t.Fatal(err)
	}
	for _, v := range a.Variants { // the variants are copied too
		data, err := media.ReadBlob(ctx, target, v.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		if err := source.Put(ctx, v.SHA256, data); err != nil {
			t.Fatal(err)
		}
	}
	for _, key := range keysOf(a) { // the target starts empty
		if err := target.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	local := filepath.Join(srcDir, sum[:2], sum)
	if err := os.WriteFile(local, append([]byte("tampered"), picture...), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = media.Migrate(ctx, db, source, target)
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("migrating a tampered file: %v, want a checksum mismatch", err)
	}
	if keys := listKeys(t, target); len(keys) != 0 {
		t.Fatalf("a refused file reached the target: %v", keys)
	}
	if err := os.WriteFile(local, picture, 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := media.Migrate(ctx, db, source, target)
	if err != nil || res.Files != 2 || res.Bytes != 2*int64(len(picture)) {
		t.Fatalf("migration: %+v, %v", res, err)
	}
	for _, key := range keysOf(a) {
		got, err := media.ReadBlob(ctx, target, key)
		if err != nil || hashHex(got) != key {
			t.Fatalf("read back %s from the target: %d bytes, %v", key, len(got), err)
		}
	}
}

// keysOf lists the blobs an asset holds: its own and its variants'.
func keysOf(a media.Asset) []string {
	keys := []string{a.SHA256}
	for _, v := range a.Variants {
		keys = append(keys, v.SHA256)
	}
	return keys
}

// sameKeys reports whether two lists hold the same keys.
func sameKeys(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// uploadAsset uploads data as the newsroom's assistant, with the
// attribution publishing needs.
func uploadAsset(t *testing.T, n *apptest.Newsroom, data []byte) media.Asset {
	t.Helper()
	var a media.Asset
	upload(t, n.Assistant, "hero.png", data, exampleAttribution).Want(http.StatusCreated).Decode(&a)
	return a
}

// publishWithHero publishes a briefing showing the asset; it returns
// the document's id.
func publishWithHero(t *testing.T, n *apptest.Newsroom, hero string) string {
	t.Helper()
	var d struct{ ID string }
	n.Writer.Do("POST", "/api/v1/documents", map[string]any{"type": "briefing", "series": apptest.Series, "title": "Seoul Weighs Its Options",
		"hero": hero, "fields": map[string]any{"summary": "S", "what_happened": []string{"a"}, "implications": "I"}}).Want(http.StatusCreated).Decode(&d)
	for _, step := range []struct {
		c      *apptest.Client
		action string
	}{{n.Writer, "submit"}, {n.Editor, "approve"}, {n.Publisher, "publish"}} {
		step.c.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": step.action}).Want(http.StatusOK)
	}
	return d.ID
}

func listKeys(t *testing.T, blobs media.Blobs) []string {
	t.Helper()
	var keys []string
	if err := blobs.List(context.Background(), func(b media.BlobInfo) error {
		keys = append(keys, b.Key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return keys
}

func hashHex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
