package media_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// TestImageServedByEveryInstance: three instances on one database and
// one bucket, each with a media folder of its own (which stays empty):
// an image uploaded through the first and shown by a document it
// publishes is served, byte for byte, by the other two.
func TestImageServedByEveryInstance(t *testing.T) {
	t.Parallel()
	srv := apptest.StartS3rver(t)
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			url, dir := b.Migrated(t)
			bucket := srv.MediaURL() // one bucket prefix for all three
			var envs []*apptest.Env
			for range 3 {
				db, err := store.Open(context.Background(), store.Options{URL: url, DataDir: dir})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				own := t.TempDir()
				envs = append(envs, apptest.New(t, db, apptest.Options{Configure: func(o *app.Options) {
					o.MediaDir, o.MediaURL = own, bucket
				}}))
			}
			n := apptest.NewNewsroom(t, envs[0])
			picture := apptest.PNG(t, 40, 30)
			asset := uploadAsset(t, n, picture)
			publishWithHero(t, n, asset.ID)
			for i, env := range envs {
				r := env.Anonymous().Do("GET", "/media/"+asset.ID, nil)
				if r.Status != http.StatusOK || !bytes.Equal(r.Body, picture) {
					t.Errorf("instance %d answers %d with %d bytes, not the %d uploaded", i+1, r.Status, len(r.Body), len(picture))
				}
			}
		})
	}
}
