package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// tempPrefix marks in-flight writes. It starts with a dot, which no valid
// key contains, so a temp file can never be mistaken for (or read as) a blob.
const tempPrefix = ".tmp-"

// Local stores blobs as files under one directory, for single-machine
// deployments.
type Local struct {
	dir string
}

var _ Blobs = (*Local)(nil)

// NewLocal returns a store rooted at dir, creating it with mode 0700 when
// missing. An existing directory keeps its permissions: they are the
// operator's decision.
func NewLocal(dir string) (*Local, error) {
	if dir == "" {
		return nil, errors.New("local storage: empty directory")
	}
	// Absolute so that a later chdir (tests, embedding) cannot move the store.
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("local storage %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("local storage %s: %w", abs, err)
	}
	return &Local{dir: abs}, nil
}

func (l *Local) path(key string) string {
	return filepath.Join(l.dir, filepath.FromSlash(key))
}

// Put writes to a temp file beside the final path, fsyncs it, renames it into
// place and fsyncs the directory: after a crash the key holds either nothing
// or the whole blob. contentType is ignored; the attachment row keeps it.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64, _ string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("put blob: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	final := l.path(key)
	dir := filepath.Dir(final)
	if err := l.makeShards(key); err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}

	tmp, err := os.CreateTemp(dir, tempPrefix+"*") // mode 0600
	if err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	renamed := false
	defer func() {
		if renamed {
			return
		}
		_ = tmp.Close() // may already be closed; the error then is moot
		_ = os.Remove(tmp.Name())
	}()

	var src io.Reader = ctxReader{ctx: ctx, r: r}
	// Reading one byte past size detects an over-long body without
	// consuming an unbounded stream.
	if size >= 0 && size+1 > 0 {
		src = io.LimitReader(src, size+1)
	}
	n, err := io.Copy(tmp, src)
	if err != nil {
		return fmt.Errorf("put blob %s: write: %w", key, err)
	}
	if size >= 0 && n != size {
		if n > size {
			return fmt.Errorf("put blob %s: %w: more than the declared %d bytes", key, ErrSizeMismatch, size)
		}
		return fmt.Errorf("put blob %s: %w: got %d bytes, declared %d", key, ErrSizeMismatch, n, size)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("put blob %s: sync: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("put blob %s: close: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fmt.Errorf("put blob %s: rename: %w", key, err)
	}
	renamed = true
	if err := syncDir(dir); err != nil {
		// The caller will treat the blob as not stored; a file it never
		// records would be an orphan retention cannot find.
		_ = os.Remove(final)
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	return nil
}

// makeShards creates the two shard directories, fsyncing each parent whose
// entries changed so the new directories survive a crash too.
func (l *Local) makeShards(key string) error {
	for _, rel := range []string{key[:2], key[:5]} {
		d := l.path(rel)
		err := os.Mkdir(d, 0o700)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := syncDir(filepath.Dir(d)); err != nil {
			return err
		}
	}
	return nil
}

// Get opens the blob for reading. The caller must close it.
func (l *Local) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, fmt.Errorf("get blob: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get blob %s: %w", key, err)
	}
	f, err := os.Open(l.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("get blob %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get blob %s: %w", key, err)
	}
	return f, nil
}

// Delete removes the blob; a missing one is fine. Shard directories are kept:
// there are at most 65,536 of them and the next Put will likely reuse them.
func (l *Local) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("delete blob: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	p := l.path(key)
	err := os.Remove(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	// Without this a crash could resurrect a blob whose row is already gone,
	// leaving an orphan nothing will ever delete.
	if err := syncDir(filepath.Dir(p)); err != nil {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	return nil
}

// Ping creates and removes a file, because a directory that exists but is
// read-only or full should fail readiness just like a missing one.
func (l *Local) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("ping local storage %s: %w", l.dir, err)
	}
	f, err := os.CreateTemp(l.dir, tempPrefix+"ping-*")
	if err != nil {
		return fmt.Errorf("ping local storage %s: %w", l.dir, err)
	}
	name := f.Name()
	cerr := f.Close()
	rerr := os.Remove(name)
	if err := errors.Join(cerr, rerr); err != nil {
		return fmt.Errorf("ping local storage %s: %w", l.dir, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	serr := d.Sync()
	cerr := d.Close()
	if err := errors.Join(serr, cerr); err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	return nil
}
