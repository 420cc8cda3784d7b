package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yoanbernabeu/oopsie/internal/config"
	"github.com/yoanbernabeu/oopsie/internal/storage"
	"github.com/yoanbernabeu/oopsie/internal/storage/storagetest"
)

// The Blobs contract, checked against every implementation: callers must not
// be able to tell which one is configured.

func eachStore(t *testing.T, fn func(t *testing.T, b storage.Blobs)) {
	t.Helper()
	for _, c := range storagetest.All {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, c.New(t))
		})
	}
}

func readBlob(t *testing.T, b storage.Blobs, key string) []byte {
	t.Helper()
	rc, err := b.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%s): %v", key, err)
	}
	got, err := io.ReadAll(rc)
	if cerr := rc.Close(); cerr != nil {
		t.Fatal(cerr)
	}
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func assertMissing(t *testing.T, b storage.Blobs, key string) {
	t.Helper()
	if _, err := b.Get(context.Background(), key); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Get(%s) = %v, want ErrNotFound", key, err)
	}
}

// onlyReader hides any Seek method, so the streaming path is exercised.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestBlobsRoundTrip(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, b storage.Blobs) {
		ctx := context.Background()
		data := bytes.Repeat([]byte("oopsie\x00\xff"), 200_000) // 1.6 MB, binary
		for _, tc := range []struct {
			name string
			r    func() io.Reader
			size int64
		}{
			{"seekable", func() io.Reader { return bytes.NewReader(data) }, int64(len(data))},
			{"stream", func() io.Reader { return onlyReader{bytes.NewReader(data)} }, int64(len(data))},
			{"unknown size", func() io.Reader { return onlyReader{bytes.NewReader(data)} }, -1},
		} {
			key := storage.NewKey()
			if err := b.Put(ctx, key, tc.r(), tc.size, "application/octet-stream"); err != nil {
				t.Fatalf("%s: Put: %v", tc.name, err)
			}
			if got := readBlob(t, b, key); !bytes.Equal(got, data) {
				t.Fatalf("%s: got %d bytes, want %d identical bytes", tc.name, len(got), len(data))
			}
			if err := b.Delete(ctx, key); err != nil {
				t.Fatalf("%s: Delete: %v", tc.name, err)
			}
			assertMissing(t, b, key)
		}
	})
}

// A reader already advanced must be stored from where it stands, as io.Copy
// would.
func TestBlobsPartlyReadSeeker(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, b storage.Blobs) {
		r := strings.NewReader("skip:keep")
		if _, err := r.Seek(5, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		key := storage.NewKey()
		if err := b.Put(context.Background(), key, r, 4, ""); err != nil {
			t.Fatal(err)
		}
		if got := readBlob(t, b, key); string(got) != "keep" {
			t.Fatalf("got %q, want %q", got, "keep")
		}
	})
}

func TestBlobsEmpty(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, b storage.Blobs) {
		key := storage.NewKey()
		if err := b.Put(context.Background(), key, strings.NewReader(""), 0, ""); err != nil {
			t.Fatal(err)
		}
		if got := readBlob(t, b, key); len(got) != 0 {
			t.Fatalf("got %q, want nothing", got)
		}
	})
}

func TestBlobsOverwrite(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, b storage.Blobs) {
		ctx := context.Background()
		key := storage.NewKey()
		for _, v := range []string{"first", "second"} {
			if err := b.Put(ctx, key, strings.NewReader(v), int64(len(v)), ""); err != nil {
				t.Fatal(err)
			}
		}
		if got := readBlob(t, b, key); string(got) != "second" {
			t.Fatalf("got %q, want the last write", got)
		}
	})
}

func TestBlobsMissing(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, b storage.Blobs) {
		ctx := context.Background()
		key := storage.NewKey()
		assertMissing(t, b, key)
		// Twice: retention retries deletes after partial failures.
		for range 2 {
			if err := b.Delete(ctx, key); err != nil {
				t.Fatalf("Delete of a missing blob = %v, want nil", err)
			}
		}
	})
}

func TestBlobsInvalidKeysRefused(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, b storage.Blobs) {
		ctx := context.Background()
		valid := storage.NewKey()
		for _, key := range []string{"", "../x", "/etc/passwd", "ab/cd/..", strings.ToUpper(valid), valid + "0", "ab/cd/" + strings.Repeat("0", 59) + "?"} {
			if err := b.Put(ctx, key, strings.NewReader("x"), 1, ""); !errors.Is(err, storage.ErrInvalidKey) {
				t.Errorf("Put(%q) = %v, want ErrInvalidKey", key, err)
			}
			if _, err := b.Get(ctx, key); !errors.Is(err, storage.ErrInvalidKey) {
				t.Errorf("Get(%q) = %v, want ErrInvalidKey", key, err)
			}
			if err := b.Delete(ctx, key); !errors.Is(err, storage.ErrInvalidKey) {
				t.Errorf("Delete(%q) = %v, want ErrInvalidKey", key, err)
			}
		}
	})
}

func TestBlobsSizeMismatchRefused(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, b storage.Blobs) {
		ctx := context.Background()
		for _, tc := range []struct {
			name string
			data string
			size int64
		}{
			{"short", "abc", 4},
			{"long", "abcde", 4},
			{"empty declared", "a", 0},
		} {
			for _, wrap := range []struct {
				name string
				r    func(string) io.Reader
			}{
				{"seekable", func(s string) io.Reader { return strings.NewReader(s) }},
				{"stream", func(s string) io.Reader { return onlyReader{strings.NewReader(s)} }},
			} {
				key := storage.NewKey()
				err := b.Put(ctx, key, wrap.r(tc.data), tc.size, "")
				if !errors.Is(err, storage.ErrSizeMismatch) {
					t.Errorf("%s/%s: err = %v, want ErrSizeMismatch", tc.name, wrap.name, err)
				}
				assertMissing(t, b, key)
			}
		}
	})
}

// failingReader yields n bytes, then fails, like a client hanging up.
type failingReader struct{ n int }

var errBoom = errors.New("connection reset")

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errBoom
	}
	k := min(len(p), f.n)
	clear(p[:k])
	f.n -= k
	return k, nil
}

func TestBlobsFailingReaderStoresNothing(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, b storage.Blobs) {
		key := storage.NewKey()
		err := b.Put(context.Background(), key, &failingReader{n: 50_000}, 100_000, "")
		if !errors.Is(err, errBoom) {
			t.Fatalf("err = %v, want the reader's error", err)
		}
		assertMissing(t, b, key)
	})
}

func TestBlobsCancelledContext(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, b storage.Blobs) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		key := storage.NewKey()
		if err := b.Put(ctx, key, strings.NewReader("x"), 1, ""); !errors.Is(err, context.Canceled) {
			t.Fatalf("Put = %v, want context.Canceled", err)
		}
		if _, err := b.Get(ctx, key); !errors.Is(err, context.Canceled) {
			t.Fatalf("Get = %v, want context.Canceled", err)
		}
		assertMissing(t, b, key)
	})
}

func TestBlobsPing(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, b storage.Blobs) {
		if err := b.Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestS3MissingBucket(t *testing.T) {
	t.Parallel()
	_, cfg := storagetest.S3Config(t)
	cfg.Bucket = "no-such-bucket"
	s, err := storage.NewS3(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Ping(ctx); err == nil {
		t.Fatal("Ping succeeded on a missing bucket")
	}
	// A missing bucket is an outage, never an absent blob: a caller that
	// took it for one would answer 404 for attachments that still exist.
	_, err = s.Get(ctx, storage.NewKey())
	if err == nil || errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Get on a missing bucket = %v, want an error other than ErrNotFound", err)
	}
	if err := s.Delete(ctx, storage.NewKey()); err == nil {
		t.Fatal("Delete on a missing bucket succeeded")
	}
	if err := s.Put(ctx, storage.NewKey(), strings.NewReader("x"), 1, ""); err == nil {
		t.Fatal("Put on a missing bucket succeeded")
	}
}

func TestS3UnreachableEndpoint(t *testing.T) {
	t.Parallel()
	_, cfg := storagetest.S3Config(t)
	cfg.Endpoint = "http://127.0.0.1:1" // nothing listens on port 1
	s, err := storage.NewS3(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(context.Background()); err == nil {
		t.Fatal("Ping succeeded against an unreachable endpoint")
	}
	// The SDK retries with backoff; the deadline only keeps the test short.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := s.Get(ctx, storage.NewKey()); err == nil || errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Get = %v, want an error other than ErrNotFound", err)
	}
}

func TestNewS3RequiresSettings(t *testing.T) {
	t.Parallel()
	full := config.S3{Bucket: "b", Region: "r", AccessKey: "k", SecretKey: "s"}
	for _, tc := range []struct {
		name string
		edit func(*config.S3)
		want string
	}{
		{"bucket", func(c *config.S3) { c.Bucket = "" }, "STORAGE_S3_BUCKET"},
		{"region", func(c *config.S3) { c.Region = "" }, "STORAGE_S3_REGION"},
		{"half a key pair", func(c *config.S3) { c.SecretKey = "" }, "STORAGE_S3_SECRET"},
		{"the other half", func(c *config.S3) { c.AccessKey = "" }, "STORAGE_S3_KEY"},
	} {
		cfg := full
		tc.edit(&cfg)
		_, err := storage.NewS3(context.Background(), cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one naming %s", tc.name, err, tc.want)
		}
	}
	if _, err := storage.NewS3(context.Background(), full); err != nil {
		t.Fatalf("complete settings refused: %v", err)
	}
}

// Without a key pair, credentials come from the SDK's default chain, here
// the AWS_* variables; with nothing in the chain, requests fail. Not
// parallel: it sets the process's environment.
func TestS3DefaultCredentialChain(t *testing.T) {
	_, cfg := storagetest.S3Config(t)
	cfg.AccessKey, cfg.SecretKey = "", ""
	// Nothing from this machine's files or metadata service may count.
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")
	ctx := context.Background()

	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	s, err := storage.NewS3(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err == nil {
		t.Fatal("Ping succeeded with no credentials anywhere")
	}

	t.Setenv("AWS_ACCESS_KEY_ID", "ambient-key")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "ambient-secret")
	s, err = storage.NewS3(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	key := storage.NewKey()
	if err := s.Put(ctx, key, strings.NewReader("from a role"), -1, "text/plain"); err != nil {
		t.Fatalf("Put with the environment's credentials: %v", err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping with the environment's credentials: %v", err)
	}
}

func TestNewChoosesAdapter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, s3cfg := storagetest.S3Config(t)

	b, err := storage.New(ctx, config.Storage{Adapter: config.StorageLocal, LocalPath: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := b.(*storage.Local); !ok {
		t.Fatalf("local adapter gave %T", b)
	}

	b, err = storage.New(ctx, config.Storage{Adapter: config.StorageS3, LocalPath: t.TempDir(), S3: s3cfg})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := b.(*storage.S3); !ok {
		t.Fatalf("s3 adapter gave %T", b)
	}
	if err := b.Ping(ctx); err != nil {
		t.Fatalf("s3 store from New does not reach the bucket: %v", err)
	}

	if _, err := storage.New(ctx, config.Storage{Adapter: "ftp"}); err == nil || !strings.Contains(err.Error(), "ftp") {
		t.Fatalf("unknown adapter: err = %v, want one naming it", err)
	}
}
