// Package storagetest gives tests real blob stores: a local directory, and
// an S3 bucket served in process by gofakes3, so the S3 code path runs
// through the real SDK and HTTP without any network or credentials.
package storagetest

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/storage"
)

// Constructor makes a fresh, empty store for one test.
type Constructor struct {
	Name string
	New  func(t testing.TB) storage.Blobs
}

// All lists every Blobs implementation, for suites that must hold for each.
var All = []Constructor{
	{"local", func(t testing.TB) storage.Blobs { return Local(t) }},
	{"s3", func(t testing.TB) storage.Blobs { return S3(t) }},
}

// Local returns a store in a fresh temporary directory.
func Local(t testing.TB) *storage.Local {
	t.Helper()
	l, err := storage.NewLocal(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Bucket is the bucket S3 creates.
const Bucket = "oopsie-test"

// S3 returns a store on a fresh in-process S3 server holding one empty
// bucket, closed when the test ends.
func S3(t testing.TB) *storage.S3 {
	t.Helper()
	s, _ := S3Config(t)
	return s
}

// S3Config is S3, also returning the configuration it used, so a test can
// build further clients against the same server (another bucket, say).
func S3Config(t testing.TB) (*storage.S3, config.S3) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(Bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	cfg := config.S3{
		Bucket:    Bucket,
		Region:    "us-east-1",
		AccessKey: "test-key",
		SecretKey: "test-secret",
		Endpoint:  srv.URL,
	}
	s, err := storage.NewS3(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, cfg
}
