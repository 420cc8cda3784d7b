package attachments_test

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/storage"
	"github.com/yoanbernabeu/oopsie/internal/storage/storagetest"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// fixture is one project's items, made as the system, and the context of
// an SDK holding the project's public key.
type fixture struct {
	db       *database.DB
	project  *ent.Project
	report   *ent.Report
	feedback *ent.Feedback
	crash    *ent.CrashReport
	sdk      context.Context
}

var system = viewer.SystemContext(context.Background(), "test")

func newFixture(t *testing.T, db *database.DB, slug string) fixture {
	t.Helper()
	c := db.Client
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	f := fixture{db: db}
	var err error
	f.project, err = c.Project.Create().SetName(slug).SetSlug(slug).Save(system)
	must(err)
	key, err := c.PublicKey.Create().SetProjectID(f.project.ID).SetName("Default").SetKey("pk_" + slug + "_0000000000000000").Save(system)
	must(err)
	f.report, err = c.Report.Create().SetProjectID(f.project.ID).SetMessage("broken").
		SetCategory(enums.ReportCategoryUI).SetSeverity(enums.ReportSeverityLow).SetConsentGiven(true).Save(system)
	must(err)
	f.feedback, err = c.Feedback.Create().SetProjectID(f.project.ID).SetCategory(enums.FeedbackCategoryBug).
		SetMessage("it broke").SetAppVersion("1.0").SetPlatform("web").Save(system)
	must(err)
	f.crash, err = c.CrashReport.Create().SetProjectID(f.project.ID).SetErrorType("TypeError").SetErrorMessage("x is undefined").
		SetAppVersion("1.0").SetPlatform("web").SetFingerprint("f").Save(system)
	must(err)
	f.sdk = viewer.NewContext(context.Background(), viewer.ForPublicKey(f.project.ID, key.ID))
	return f
}

// eachDBAndStore runs fn for every database and blob store pairing, each
// with a fresh fixture.
func eachDBAndStore(t *testing.T, fn func(t *testing.T, f fixture, blobs *recorder)) {
	t.Helper()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		for _, s := range storagetest.All {
			t.Run(s.Name, func(t *testing.T) {
				t.Parallel()
				fn(t, newFixture(t, db, s.Name), &recorder{Blobs: s.New(t)})
			})
		}
	})
}

var errStorageDown = errors.New("storage is down")

// recorder is a real store that remembers the keys written to it, and can
// be made to fail.
type recorder struct {
	storage.Blobs

	// failPutSize makes the Put of a blob of this size fail, once every
	// other Put of the call has succeeded, so that there are blobs to clean
	// up whatever order the writes run in. Zero never fails.
	failPutSize int64
	others      int
	failGet     bool

	mu      sync.Mutex
	calls   int
	written []string
	ready   chan struct{}
}

func (r *recorder) Put(ctx context.Context, key string, body io.Reader, size int64, contentType string) error {
	r.mu.Lock()
	r.calls++
	if r.ready == nil {
		r.ready = make(chan struct{})
		if r.others == 0 {
			close(r.ready)
		}
	}
	ready := r.ready
	r.mu.Unlock()

	if r.failPutSize != 0 && size == r.failPutSize {
		select {
		case <-ready:
		case <-ctx.Done():
			return ctx.Err()
		}
		return errStorageDown
	}
	if err := r.Blobs.Put(ctx, key, body, size, contentType); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.written = append(r.written, key)
	if len(r.written) == r.others {
		close(r.ready)
	}
	return nil
}

func (r *recorder) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if r.failGet {
		return nil, errStorageDown
	}
	return r.Blobs.Get(ctx, key)
}

func (r *recorder) keys() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.written...)
}

func (r *recorder) putCalls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}

// assertGone checks, in the real store, that none of the keys ever written
// is still there.
func (r *recorder) assertGone(t *testing.T) {
	t.Helper()
	for _, key := range r.keys() {
		if _, err := r.Blobs.Get(context.Background(), key); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("blob %s: Get = %v, want ErrNotFound", key, err)
		}
	}
}

func countAttachments(t *testing.T, db *database.DB) int {
	t.Helper()
	n, err := db.Client.Attachment.Query().Count(system)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// inTx runs fn in a transaction as the SDK would, committing when it
// succeeds and rolling back when it fails.
func inTx(t *testing.T, f fixture, fn func(tx *ent.Client) error) error {
	t.Helper()
	tx, err := f.db.Client.Tx(f.sdk)
	if err != nil {
		t.Fatal(err)
	}
	if err := fn(tx.Client()); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			t.Fatal(rerr)
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return nil
}
