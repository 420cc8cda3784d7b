package storage

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func newLocal(t *testing.T) (*Local, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "blobs")
	l, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	return l, dir
}

// files lists every non-directory entry under dir, relative to it.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestNewLocalCreatesPrivateDir(t *testing.T) {
	t.Parallel()
	_, dir := newLocal(t)
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode = %v, want drwx------", fi.Mode())
	}
	if _, err := NewLocal(""); err == nil {
		t.Fatal("empty dir accepted")
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	l, dir := newLocal(t)
	ctx := context.Background()
	key := NewKey()
	data := bytes.Repeat([]byte("oopsie "), 10_000)

	if err := l.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "text/plain"); err != nil {
		t.Fatal(err)
	}
	rc, err := l.Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	if cerr := rc.Close(); cerr != nil {
		t.Fatal(cerr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("got %d bytes, want %d identical bytes", len(got), len(data))
	}
	if got := files(t, dir); len(got) != 1 || got[0] != key {
		t.Fatalf("files = %v, want just %s", got, key)
	}

	if err := l.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Get(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete = %v, want ErrNotFound", err)
	}
}

func TestPutUnknownSize(t *testing.T) {
	t.Parallel()
	l, _ := newLocal(t)
	ctx := context.Background()
	key := NewKey()
	if err := l.Put(ctx, key, strings.NewReader("streamed"), -1, ""); err != nil {
		t.Fatal(err)
	}
	rc, err := l.Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if b, _ := io.ReadAll(rc); string(b) != "streamed" {
		t.Fatalf("got %q", b)
	}
}

func TestEmptyBlob(t *testing.T) {
	t.Parallel()
	l, _ := newLocal(t)
	key := NewKey()
	if err := l.Put(context.Background(), key, strings.NewReader(""), 0, ""); err != nil {
		t.Fatal(err)
	}
	rc, err := l.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
}

func TestFileMode0600(t *testing.T) {
	t.Parallel()
	l, dir := newLocal(t)
	key := NewKey()
	if err := l.Put(context.Background(), key, strings.NewReader("x"), 1, ""); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(key)))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("file mode = %v, want -rw-------", fi.Mode())
	}
	for _, shard := range []string{key[:2], key[:5]} {
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(shard)))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o700 {
			t.Fatalf("shard %s mode = %v, want drwx------", shard, fi.Mode())
		}
	}
}

func TestGetMissing(t *testing.T) {
	t.Parallel()
	l, _ := newLocal(t)
	_, err := l.Get(context.Background(), NewKey())
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestDeleteMissing(t *testing.T) {
	t.Parallel()
	l, _ := newLocal(t)
	if err := l.Delete(context.Background(), NewKey()); err != nil {
		t.Fatalf("Delete missing = %v, want nil", err)
	}
}

func TestInvalidKeysRefused(t *testing.T) {
	t.Parallel()
	l, dir := newLocal(t)
	ctx := context.Background()
	valid := NewKey()
	bad := []string{
		"",
		"../x",
		"/etc/passwd",
		"ab/../../x",
		"AB/CD/..",
		"ab/cd/..",
		"..",
		"ab/cd",
		strings.ToUpper(valid),
		"/" + valid[1:],
		valid[:len(valid)-1] + "/",
		valid[:len(valid)-1] + "g",
		valid[:len(valid)-2] + "..",
		valid + "0",
		valid[:len(valid)-1],
		strings.Replace(valid, "/", "\\", 1),
		strings.Replace(valid, "/", "0", 1),
		valid[:6] + "\x00" + valid[7:],
	}
	for _, key := range bad {
		if err := l.Put(ctx, key, strings.NewReader("x"), 1, ""); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Put(%q) = %v, want ErrInvalidKey", key, err)
		}
		if _, err := l.Get(ctx, key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Get(%q) = %v, want ErrInvalidKey", key, err)
		}
		if err := l.Delete(ctx, key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidKey", key, err)
		}
	}
	if left := files(t, dir); len(left) != 0 {
		t.Fatalf("files written for invalid keys: %v", left)
	}
}

// failingReader yields n bytes, then an error, like a client that hangs up
// mid-upload.
type failingReader struct{ n int }

var errBoom = errors.New("connection reset")

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errBoom
	}
	k := min(len(p), f.n)
	for i := range k {
		p[i] = 'x'
	}
	f.n -= k
	return k, nil
}

func TestFailingReaderLeavesNothing(t *testing.T) {
	t.Parallel()
	l, dir := newLocal(t)
	key := NewKey()
	err := l.Put(context.Background(), key, &failingReader{n: 50_000}, 100_000, "")
	if !errors.Is(err, errBoom) {
		t.Fatalf("err = %v, want the reader's error", err)
	}
	if left := files(t, dir); len(left) != 0 {
		t.Fatalf("files left behind: %v", left)
	}
	if _, err := l.Get(context.Background(), key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get = %v, want ErrNotFound", err)
	}
}

func TestSizeMismatchRefused(t *testing.T) {
	t.Parallel()
	l, dir := newLocal(t)
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
		key := NewKey()
		err := l.Put(ctx, key, strings.NewReader(tc.data), tc.size, "")
		if !errors.Is(err, ErrSizeMismatch) {
			t.Errorf("%s: err = %v, want ErrSizeMismatch", tc.name, err)
		}
		if _, err := l.Get(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: Get = %v, want ErrNotFound", tc.name, err)
		}
	}
	if left := files(t, dir); len(left) != 0 {
		t.Fatalf("files left behind: %v", left)
	}
}

func TestPutCancelledContext(t *testing.T) {
	t.Parallel()
	l, dir := newLocal(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Put(ctx, NewKey(), strings.NewReader("x"), 1, ""); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if left := files(t, dir); len(left) != 0 {
		t.Fatalf("files left behind: %v", left)
	}
}

// cancelAfterFirstRead cancels the upload's context once data has started
// flowing, to show a cancelled request stops writing mid-stream.
type cancelAfterFirstRead struct {
	cancel context.CancelFunc
	n      int
}

func (c *cancelAfterFirstRead) Read(p []byte) (int, error) {
	c.n++
	if c.n == 1 {
		c.cancel()
	}
	return len(p), nil
}

func TestPutCancelledMidStream(t *testing.T) {
	t.Parallel()
	l, dir := newLocal(t)
	ctx, cancel := context.WithCancel(context.Background())
	r := &cancelAfterFirstRead{cancel: cancel}
	err := l.Put(ctx, NewKey(), r, -1, "") // unbounded: only ctx can stop it
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if left := files(t, dir); len(left) != 0 {
		t.Fatalf("files left behind: %v", left)
	}
}

var keyShape = regexp.MustCompile(`^[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{60}$`)

func TestNewKeyUniqueAndAccepted(t *testing.T) {
	t.Parallel()
	const n = 10_000
	seen := make(map[string]struct{}, n)
	for range n {
		k := NewKey()
		if !keyShape.MatchString(k) {
			t.Fatalf("key %q has unexpected shape", k)
		}
		if err := checkKey(k); err != nil {
			t.Fatalf("NewKey produced a key checkKey refuses: %v", err)
		}
		if _, dup := seen[k]; dup {
			t.Fatalf("duplicate key %q", k)
		}
		seen[k] = struct{}{}
	}
}

func TestPing(t *testing.T) {
	t.Parallel()
	l, dir := newLocal(t)
	if err := l.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if left := files(t, dir); len(left) != 0 {
		t.Fatalf("Ping left files: %v", left)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := l.Ping(context.Background()); err == nil {
		t.Fatal("Ping succeeded on a missing directory")
	}
}
