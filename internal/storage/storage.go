// Package storage keeps attachment bytes outside the database, behind the
// Blobs interface: a local directory by default, an S3-compatible bucket when
// several replicas must share them.
package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/yoanbernabeu/oopsie/internal/config"
)

var (
	// ErrNotFound is returned (wrapped) by Get when no blob has the key.
	ErrNotFound = errors.New("blob not found")
	// ErrInvalidKey is returned (wrapped) for a key NewKey could not have
	// made; such keys are refused before touching storage.
	ErrInvalidKey = errors.New("invalid blob key")
	// ErrSizeMismatch is returned (wrapped) by Put when the reader yields more
	// or fewer bytes than the declared size; nothing is stored then.
	ErrSizeMismatch = errors.New("blob size mismatch")
)

// Blobs stores opaque byte streams under keys made by NewKey.
type Blobs interface {
	// Put stores exactly size bytes from r under key, or all of r when size
	// is negative. On error nothing is left under key.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Get opens the blob; the caller closes it. ErrNotFound when missing.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes the blob. A missing blob is not an error, so retention
	// can retry after a partial failure.
	Delete(ctx context.Context, key string) error
	// Ping reports whether the storage can currently accept writes, for
	// readiness checks and 503 decisions.
	Ping(ctx context.Context) error
}

// Key layout: two 2-character shard levels, then the rest, all lowercase hex.
// Sharding keeps any one directory (or S3 prefix listing) small: 65,536 leaf
// directories for the whole store.
const (
	keyBytes  = 32
	keyHexLen = 2 * keyBytes
	keyLen    = keyHexLen + 2 // two slashes
)

// NewKey returns a fresh, non-guessable key of 256 random bits, hex encoded
// and sharded like "ab/cd/<60 hex digits>". Keys are never derived from
// user input, so they can double as capability-like identifiers.
func NewKey() string {
	var b [keyBytes]byte
	// Since Go 1.24 crypto/rand.Read never returns an error; it aborts the
	// program instead of handing out a predictable key.
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:2] + "/" + h[2:4] + "/" + h[4:]
}

// checkKey accepts exactly the shape NewKey produces. Being this strict, not
// merely rejecting "..", is what guarantees a key can never name anything
// outside the store, whatever the backend's path or prefix rules.
func checkKey(key string) error {
	if len(key) != keyLen {
		return fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case i == 2 || i == 5:
			if c != '/' {
				return fmt.Errorf("%w: %q", ErrInvalidKey, key)
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		default:
			return fmt.Errorf("%w: %q", ErrInvalidKey, key)
		}
	}
	return nil
}

// ctxReader lets a cancelled request abort a long upload between reads
// instead of streaming the rest to disk for nothing.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// New opens the blob storage the configuration chooses. It does not Ping:
// start-up decides whether unreachable storage is fatal.
func New(ctx context.Context, cfg config.Storage) (Blobs, error) {
	switch cfg.Adapter {
	case config.StorageLocal:
		return NewLocal(cfg.LocalPath)
	case config.StorageS3:
		return NewS3(ctx, cfg.S3)
	default:
		return nil, fmt.Errorf("storage: unknown adapter %q (want %s or %s)", cfg.Adapter, config.StorageLocal, config.StorageS3)
	}
}
