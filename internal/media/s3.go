package media

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/masthead-cms/masthead/internal/cms"
)

// Bucket keeps blobs in an S3-compatible bucket (AWS S3, Cloudflare R2,
// MinIO, SeaweedFS, Garage), each under prefix + key.
type Bucket struct {
	client *minio.Client
	bucket string
	prefix string
	url    string // without secrets, for messages
}

// OpenBucket connects to the bucket an s3:// URL names:
// s3://BUCKET?endpoint=http://HOST:PORT&region=R&use_path_style=true&prefix=P/.
// With no endpoint it is AWS S3; credentials come from AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (or the shared credentials
// file). Nothing is sent until the first call.
func OpenBucket(raw string) (*Bucket, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return nil, fmt.Errorf("media: %q is not an s3://bucket URL", raw)
	}
	q := u.Query()
	host, secure := "s3.amazonaws.com", true
	if ep := q.Get("endpoint"); ep != "" {
		e, err := url.Parse(ep)
		if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" {
			return nil, fmt.Errorf("media: endpoint %q must be an http(s) URL", ep)
		}
		host, secure = e.Host, e.Scheme == "https"
	}
	lookup := minio.BucketLookupAuto
	if v := q.Get("use_path_style"); v != "" {
		path, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("media: use_path_style=%q must be true or false", v)
		}
		if path {
			lookup = minio.BucketLookupPath
		} else {
			lookup = minio.BucketLookupDNS
		}
	}
	creds := credentials.NewChainCredentials([]credentials.Provider{
		&credentials.EnvAWS{}, &credentials.FileAWSCredentials{},
	})
	client, err := minio.New(host, &minio.Options{Creds: creds, Secure: secure, Region: q.Get("region"), BucketLookup: lookup})
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	return &Bucket{client: client, bucket: u.Host, prefix: q.Get("prefix"), url: raw}, nil
}

func (b *Bucket) name(key string) (string, error) {
	if !ValidKey(key) {
		return "", cms.NotFound("media")
	}
	return b.prefix + key, nil
}

// Put writes a blob unless the bucket holds it already: a key names its
// bytes, so nothing is ever overwritten.
func (b *Bucket) Put(ctx context.Context, key string, data []byte) error {
	name, err := b.name(key)
	if err != nil {
		return err
	}
	if _, err := b.client.StatObject(ctx, b.bucket, name, minio.StatObjectOptions{}); err == nil {
		return nil
	} else if !isNoSuchKey(err) {
		return fmt.Errorf("media: %s: %w", b, err)
	}
	// One plain signed PUT with the body's MD5 for the store to check:
	// the streaming (aws-chunked) signing minio-go uses over http by
	// default is not understood by every S3-compatible store, which would
	// keep the chunk framing as the file's bytes.
	_, err = b.client.PutObject(ctx, b.bucket, name, bytes.NewReader(data), int64(len(data)),
		minio.PutObjectOptions{ContentType: "application/octet-stream", DisableContentSha256: true, SendContentMd5: true})
	if err != nil {
		return fmt.Errorf("media: %s: put %s: %w", b, key, err)
	}
	return nil
}

// Open reads a blob; seeking reads from there on with a ranged GET, so a
// Range request fetches only what it asks for.
func (b *Bucket) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	name, err := b.name(key)
	if err != nil {
		return nil, err
	}
	obj, err := b.client.GetObject(ctx, b.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("media: %s: %w", b, err)
	}
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		if isNoSuchKey(err) {
			return nil, cms.NotFound("media")
		}
		return nil, fmt.Errorf("media: %s: %w", b, err)
	}
	return obj, nil
}

// Delete removes a blob; a missing one is no error.
func (b *Bucket) Delete(ctx context.Context, key string) error {
	name, err := b.name(key)
	if err != nil {
		return err
	}
	if err := b.client.RemoveObject(ctx, b.bucket, name, minio.RemoveObjectOptions{}); err != nil && !isNoSuchKey(err) {
		return fmt.Errorf("media: %s: %w", b, err)
	}
	return nil
}

// List calls fn with every blob under the prefix.
func (b *Bucket) List(ctx context.Context, fn func(BlobInfo) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing when fn fails
	for obj := range b.client.ListObjects(ctx, b.bucket, minio.ListObjectsOptions{Prefix: b.prefix, Recursive: true}) {
		if obj.Err != nil {
			return fmt.Errorf("media: %s: %w", b, obj.Err)
		}
		key := strings.TrimPrefix(obj.Key, b.prefix)
		if !ValidKey(key) {
			continue
		}
		if err := fn(BlobInfo{Key: key, Written: obj.LastModified}); err != nil {
			return err
		}
	}
	return nil
}

// Ping checks that the bucket answers and exists.
func (b *Bucket) Ping(ctx context.Context) error {
	ok, err := b.client.BucketExists(ctx, b.bucket)
	if err != nil {
		return fmt.Errorf("media: %s: %w", b, err)
	}
	if !ok {
		return fmt.Errorf("media: %s: no such bucket", b)
	}
	return nil
}

// String names the bucket for messages (the URL holds no secret).
func (b *Bucket) String() string { return b.url }

func isNoSuchKey(err error) bool {
	resp := minio.ToErrorResponse(err)
	return resp.Code == "NoSuchKey" || resp.StatusCode == 404
}

// OpenBlobs returns the blob storage a MASTHEAD_MEDIA_URL names: the
// folder dir when it is empty, a bucket for s3://.
func OpenBlobs(mediaURL, dir string) (Blobs, error) {
	if mediaURL == "" {
		return NewFolder(dir)
	}
	return OpenBucket(mediaURL)
}
