package apptest

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
)

// S3rverVariable names the s3rver script (node_modules/s3rver/bin/s3rver.js)
// that StartS3rver runs: a small real S3 HTTP server in Node.
const S3rverVariable = "MASTHEAD_TEST_S3RVER"

// S3Bucket is the bucket StartS3rver creates.
const S3Bucket = "masthead"

// S3rver is a running s3rver on loopback.
type S3rver struct {
	// Endpoint is its http://127.0.0.1:PORT address.
	Endpoint string
}

// StartS3rver runs s3rver on a free loopback port with one bucket,
// S3Bucket, until the test ends. It accepts any credentials; as the blob
// storage reads them from the standard AWS_* variables, those are set for
// the whole test process when they are not set already. Without
// MASTHEAD_TEST_S3RVER the test is skipped, except in CI, where it fails.
func StartS3rver(t testing.TB) *S3rver {
	t.Helper()
	script := os.Getenv(S3rverVariable)
	if script == "" {
		msg := "S3 blob-store suite skipped: set " + S3rverVariable + " to node_modules/s3rver/bin/s3rver.js " +
			"(npm install s3rver@3.7.1 in a folder outside the repo), as .ci/run does"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " — CI must run it")
		}
		t.Skip(msg)
	}
	for _, v := range [][2]string{{"AWS_ACCESS_KEY_ID", "S3RVER"}, {"AWS_SECRET_ACCESS_KEY", "S3RVER"}} {
		if os.Getenv(v[0]) == "" {
			_ = os.Setenv(v[0], v[1]) // not t.Setenv: parallel tests share the process
		}
	}
	addr := freeAddr(t)
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", script, "--directory", t.TempDir(), "--address", host, "--port", port,
		"--silent", "--allow-mismatched-signatures", "--no-vhost-buckets", "--configure-bucket", S3Bucket)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("apptest: starting s3rver: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	s := &S3rver{Endpoint: "http://" + addr}
	s.await(t, exited, &out)
	return s
}

// await waits until the server answers, or fails the test.
func (s *S3rver) await(t testing.TB, exited chan error, out *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("apptest: s3rver exited: %v\n%s", err, out.String())
		default:
		}
		if resp, err := http.Get(s.Endpoint + "/"); err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("apptest: s3rver not ready after 30s\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// MediaURL is a MASTHEAD_MEDIA_URL for the bucket under a prefix of its
// own, so that tests sharing a server do not see one another's blobs.
func (s *S3rver) MediaURL() string {
	return "s3://" + S3Bucket + "?endpoint=" + s.Endpoint + "&region=us-east-1&use_path_style=true&prefix=t" + cms.NewID()[:12] + "/"
}
