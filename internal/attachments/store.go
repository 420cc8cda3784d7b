package attachments

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/logging"
	"github.com/yoanbernabeu/oopsie/internal/storage"
)

// Field is the input field attachment errors are reported under.
const Field = "attachments"

// RetryAfter is what a client is told to wait when blob storage fails.
const RetryAfter = 30 * time.Second

// cleanupTimeout bounds the deletes of a cleanup, which run detached from
// the request: they must happen even when the client has gone.
const cleanupTimeout = 30 * time.Second

// Store is the Saver backed by blob storage, and serves downloads.
type Store struct {
	blobs storage.Blobs
}

var _ Saver = (*Store)(nil)

// NewStore returns a Store keeping bytes in blobs.
func NewStore(blobs storage.Blobs) *Store {
	return &Store{blobs: blobs}
}

// file is an upload that passed validation, ready to store.
type file struct {
	name, mime, sum, key string
	data                 []byte
}

// Save validates and sniffs every upload before writing anything, writes
// the blobs in parallel, then records the rows with tx, in the caller's
// transaction and as the viewer in ctx. On error nothing is left behind. The
// cleanup it returns is never nil, runs at most once, and deletes the blobs
// if the caller's transaction does not commit.
func (s *Store) Save(ctx context.Context, tx *ent.Client, owner Owner, uploads []Upload) ([]*ent.Attachment, func(), error) {
	noop := func() {}
	if err := owner.check(); err != nil {
		return nil, noop, err
	}
	if len(uploads) == 0 {
		return nil, noop, nil
	}
	files, err := prepare(uploads)
	if err != nil {
		return nil, noop, err
	}
	written, err := s.put(ctx, files)
	cleanup := s.cleanup(ctx, written)
	if err != nil {
		cleanup()
		return nil, noop, err
	}
	rows, err := record(ctx, tx, owner, files)
	if err != nil {
		cleanup()
		return nil, noop, err
	}
	return rows, cleanup, nil
}

// check refuses an owner with no id or several: a bug in the caller, not
// something the client can fix.
func (o Owner) check() error {
	n := 0
	for _, id := range []string{o.ReportID, o.FeedbackID, o.CrashReportID} {
		if id != "" {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("save attachments: owner must have exactly one id, has %d", n)
	}
	return nil
}

func prepare(uploads []Upload) ([]file, error) {
	if len(uploads) > MaxFiles {
		return nil, refuse(apperr.Invalid, "at most %d files may be attached, got %d", MaxFiles, len(uploads))
	}
	files := make([]file, len(uploads))
	var total int
	for i, u := range uploads {
		name := sanitizeFilename(u.Filename)
		if len(u.Data) > MaxFileBytes {
			return nil, refuse(apperr.TooLarge, "attachment %q is larger than %d MB", name, MaxFileBytes>>20)
		}
		total += len(u.Data)
		if total > MaxSubmissionBytes {
			return nil, refuse(apperr.TooLarge, "attachments total more than %d MB", MaxSubmissionBytes>>20)
		}
		files[i] = file{name: name, data: u.Data}
	}
	// Sniffing only once the limits hold keeps work on a refused request
	// small.
	for i := range files {
		f := &files[i]
		mime, err := Sniff(f.data)
		if err != nil {
			var ae *apperr.Error
			if !errors.As(err, &ae) {
				return nil, fmt.Errorf("sniff attachment: %w", err)
			}
			return nil, refuse(ae.Kind, "attachment %q: %s", f.name, ae.Message)
		}
		sum := sha256.Sum256(f.data)
		f.mime, f.sum, f.key = mime, hex.EncodeToString(sum[:]), storage.NewKey()
	}
	return files, nil
}

func refuse(kind apperr.Kind, format string, a ...any) *apperr.Error {
	msg := fmt.Sprintf(format, a...)
	return &apperr.Error{Kind: kind, Message: msg, Fields: map[string]string{Field: msg}}
}

// put writes every file's blob, in parallel because each write to S3 is a
// round trip. It returns the keys actually written, also on error; the
// first failure cancels the writes still running.
func (s *Store) put(ctx context.Context, files []file) ([]string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		written  []string
		firstErr error
	)
	for _, f := range files {
		wg.Go(func() {
			err := s.blobs.Put(ctx, f.key, bytes.NewReader(f.data), int64(len(f.data)), f.mime)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				written = append(written, f.key)
				return
			}
			if firstErr == nil {
				firstErr = err
				cancel()
			}
		})
	}
	wg.Wait()
	if firstErr == nil {
		return written, nil
	}
	if errors.Is(firstErr, context.Canceled) || errors.Is(firstErr, context.DeadlineExceeded) {
		// The request itself ended; there is nobody to tell to retry.
		return written, fmt.Errorf("store attachments: %w", firstErr)
	}
	return written, &apperr.Error{
		Kind:       apperr.Unavailable,
		Message:    "attachment storage is unavailable, please retry later",
		RetryAfter: RetryAfter,
		Err:        fmt.Errorf("store attachments: %w", firstErr),
	}
}

// cleanup returns a function deleting keys once. Deletes run detached from
// ctx, whose request may be over by then; a blob that cannot be deleted is
// logged, as nothing else will ever find it.
func (s *Store) cleanup(ctx context.Context, keys []string) func() {
	logger := logging.FromContext(ctx, nil)
	detached := context.WithoutCancel(ctx)
	return sync.OnceFunc(func() {
		if len(keys) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(detached, cleanupTimeout)
		defer cancel()
		for _, key := range keys {
			if err := s.blobs.Delete(ctx, key); err != nil {
				logger.ErrorContext(ctx, "orphan attachment blob left in storage", "key", key, "error", err)
			}
		}
	})
}

// record creates the rows in one statement. The privacy policy checks, as
// the viewer in ctx, that a public key attaches only to its own project's
// items.
func record(ctx context.Context, tx *ent.Client, owner Owner, files []file) ([]*ent.Attachment, error) {
	builders := make([]*ent.AttachmentCreate, len(files))
	for i, f := range files {
		b := tx.Attachment.Create().
			SetFilename(f.name).
			SetMimeType(f.mime).
			SetSize(int64(len(f.data))).
			SetSha256(f.sum).
			SetStorageKey(f.key)
		switch {
		case owner.ReportID != "":
			b.SetReportID(owner.ReportID)
		case owner.FeedbackID != "":
			b.SetFeedbackID(owner.FeedbackID)
		default:
			b.SetCrashReportID(owner.CrashReportID)
		}
		builders[i] = b
	}
	rows, err := tx.Attachment.CreateBulk(builders...).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("record attachments: %w", err)
	}
	return rows, nil
}

// Filename limits.
const (
	maxFilenameBytes = 255
	// Longer "extensions" are just part of the name and may be cut.
	maxExtBytes     = 16
	defaultFilename = "attachment"
)

// sanitizeFilename makes a client's file name safe to store and to offer
// back as a download name: the last path component only, without control
// or invisible formatting characters (a right-to-left override can make
// "gpj.exe" read as "exe.jpg"), without characters Windows forbids in file
// names, at most 255 bytes with the extension kept, and "attachment" when
// nothing is left.
func sanitizeFilename(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(`<>:"|?*`, r):
			return '_'
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			return -1
		case unicode.IsSpace(r):
			return ' '
		case !unicode.IsPrint(r):
			return -1
		}
		return r
	}, name)
	// Leading dots would make a hidden file, trailing ones and spaces are
	// dropped by Windows; "." and ".." vanish entirely.
	name = strings.Trim(name, " .")
	if len(name) > maxFilenameBytes {
		ext := path.Ext(name)
		if len(ext) > maxExtBytes {
			ext = ""
		}
		base := truncateUTF8(strings.TrimSuffix(name, ext), maxFilenameBytes-len(ext))
		name = strings.TrimRight(base, " .") + ext
	}
	if name == "" {
		return defaultFilename
	}
	return name
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// DeleteBlobs deletes the bytes of attachments whose rows are gone (their
// item was deleted). Best effort, after the deleting transaction committed:
// a blob that cannot be deleted is logged for the operator.
func (s *Store) DeleteBlobs(ctx context.Context, keys []string) {
	s.cleanup(ctx, keys)()
}
