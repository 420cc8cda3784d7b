package attachments_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/attachment"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/attachments"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

var keyShape = regexp.MustCompile(`^[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{60}$`)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func readAll(t *testing.T, r *recorder, key string) []byte {
	t.Helper()
	rc, err := r.Blobs.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%s): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSaveStoresBlobsAndRows(t *testing.T) {
	t.Parallel()
	eachDBAndStore(t, func(t *testing.T, f fixture, blobs *recorder) {
		store := attachments.NewStore(blobs)
		uploads := []attachments.Upload{
			// The claimed type is ignored: the content decides.
			{Filename: "screen.png", ClaimedType: "application/octet-stream", Data: pngBytes},
			{Filename: "../../etc/console.json", ClaimedType: "text/plain", Data: []byte(`{"errors":[]}`)},
			{Filename: "", Data: logText},
		}
		want := []struct{ name, mime string }{
			{"screen.png", attachments.TypePNG},
			{"console.json", attachments.TypeJSON},
			{"attachment", attachments.TypeText},
		}
		var saved []*ent.Attachment
		err := inTx(t, f, func(tx *ent.Client) error {
			var err error
			saved, _, err = store.Save(f.sdk, tx, attachments.Owner{ReportID: f.report.ID}, uploads)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(saved) != len(uploads) {
			t.Fatalf("saved %d rows, want %d", len(saved), len(uploads))
		}
		rows, err := f.db.Client.Attachment.Query().Where(attachment.ReportID(f.report.ID)).Order(attachment.ByFilename()).All(system)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(uploads) {
			t.Fatalf("%d rows committed, want %d", len(rows), len(uploads))
		}
		byName := map[string]*ent.Attachment{}
		for _, r := range rows {
			byName[r.Filename] = r
		}
		for i, w := range want {
			r := byName[w.name]
			if r == nil {
				t.Fatalf("no row named %q among %v", w.name, rows)
			}
			data := uploads[i].Data
			if r.MimeType != w.mime || r.Size != int64(len(data)) || r.Sha256 != sha(data) {
				t.Errorf("%s: row has %s, %d bytes, sha %s; want %s, %d, %s", w.name, r.MimeType, r.Size, r.Sha256, w.mime, len(data), sha(data))
			}
			if !keyShape.MatchString(r.StorageKey) {
				t.Errorf("%s: storage key %q is not a NewKey key", w.name, r.StorageKey)
			}
			if got := readAll(t, blobs, r.StorageKey); !bytes.Equal(got, data) {
				t.Errorf("%s: blob holds %d bytes, want the %d uploaded", w.name, len(got), len(data))
			}
		}
	})
}

func TestSaveOwners(t *testing.T) {
	t.Parallel()
	eachDBAndStore(t, func(t *testing.T, f fixture, blobs *recorder) {
		store := attachments.NewStore(blobs)
		for _, owner := range []attachments.Owner{
			{FeedbackID: f.feedback.ID},
			{CrashReportID: f.crash.ID},
		} {
			err := inTx(t, f, func(tx *ent.Client) error {
				_, _, err := store.Save(f.sdk, tx, owner, []attachments.Upload{{Filename: "a.gif", Data: gifBytes}})
				return err
			})
			if err != nil {
				t.Fatalf("%+v: %v", owner, err)
			}
		}
		fb, err := f.db.Client.Attachment.Query().Where(attachment.FeedbackID(f.feedback.ID)).Count(system)
		if err != nil {
			t.Fatal(err)
		}
		cr, err := f.db.Client.Attachment.Query().Where(attachment.CrashReportID(f.crash.ID)).Count(system)
		if err != nil {
			t.Fatal(err)
		}
		if fb != 1 || cr != 1 {
			t.Fatalf("feedback has %d attachments, crash %d; want 1 each", fb, cr)
		}

		for _, bad := range []attachments.Owner{{}, {ReportID: f.report.ID, FeedbackID: f.feedback.ID}} {
			_, cleanup, err := store.Save(f.sdk, f.db.Client, bad, []attachments.Upload{{Filename: "a.gif", Data: gifBytes}})
			if err == nil {
				t.Fatalf("owner %+v accepted", bad)
			}
			cleanup()
		}
		if n := blobs.putCalls(); n != 2 {
			t.Fatalf("%d blobs written, want 2: bad owners must write nothing", n)
		}
	})
}

func TestSaveRefusesBeforeWriting(t *testing.T) {
	t.Parallel()
	eachDBAndStore(t, func(t *testing.T, f fixture, blobs *recorder) {
		store := attachments.NewStore(blobs)
		big := func(n int) []byte { return append(bytes.Clone(pngBytes), make([]byte, n-len(pngBytes))...) }
		eleven := make([]attachments.Upload, attachments.MaxFiles+1)
		for i := range eleven {
			eleven[i] = attachments.Upload{Filename: "a.png", Data: pngBytes}
		}
		for _, tc := range []struct {
			name    string
			uploads []attachments.Upload
			kind    apperr.Kind
			inMsg   string
		}{
			{"too many files", eleven, apperr.Invalid, "at most 10"},
			{"one file over 10 MB", []attachments.Upload{
				{Filename: "ok.png", Data: pngBytes},
				{Filename: "huge.png", Data: big(attachments.MaxFileBytes + 1)},
			}, apperr.TooLarge, "huge.png"},
			{"over 20 MB in all", []attachments.Upload{
				{Filename: "a.png", Data: big(7 << 20)},
				{Filename: "b.png", Data: big(7 << 20)},
				{Filename: "c.png", Data: big(7 << 20)},
			}, apperr.TooLarge, "20 MB"},
			{"renamed executable", []attachments.Upload{
				{Filename: "ok.png", Data: pngBytes},
				{Filename: "photo.png", ClaimedType: "image/png", Data: peBytes},
			}, apperr.UnsupportedMediaType, `"photo.png"`},
			{"svg", []attachments.Upload{{Filename: "logo.svg", Data: []byte("<svg onload=alert(1)/>")}}, apperr.UnsupportedMediaType, "logo.svg"},
			{"zip", []attachments.Upload{{Filename: "logs.zip", Data: zipBytes}}, apperr.UnsupportedMediaType, "logs.zip"},
			{"empty file", []attachments.Upload{{Filename: "empty.txt"}}, apperr.Invalid, "empty.txt"},
		} {
			_, cleanup, err := store.Save(f.sdk, f.db.Client, attachments.Owner{ReportID: f.report.ID}, tc.uploads)
			cleanup()
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Kind != tc.kind {
				t.Errorf("%s: err = %v, want kind %v", tc.name, err, tc.kind)
				continue
			}
			if !strings.Contains(ae.Message, tc.inMsg) || ae.Fields[attachments.Field] == "" {
				t.Errorf("%s: error %q (fields %v) should mention %q under %q", tc.name, ae.Message, ae.Fields, tc.inMsg, attachments.Field)
			}
		}
		if n := blobs.putCalls(); n != 0 {
			t.Fatalf("%d blobs written for refused uploads", n)
		}
		if n := countAttachments(t, f.db); n != 0 {
			t.Fatalf("%d rows written for refused uploads", n)
		}
	})
}

func TestSaveStorageFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	eachDBAndStore(t, func(t *testing.T, f fixture, blobs *recorder) {
		uploads := []attachments.Upload{
			{Filename: "a.png", Data: pngBytes},
			{Filename: "b.jpg", Data: jpegBytes},
			{Filename: "c.pdf", Data: pdfBytes},
			{Filename: "d.webm", Data: webmBytes},
			{Filename: "fails.txt", Data: []byte("this one fails")},
		}
		blobs.failPutSize = int64(len("this one fails"))
		blobs.others = len(uploads) - 1
		store := attachments.NewStore(blobs)

		err := inTx(t, f, func(tx *ent.Client) error {
			_, _, err := store.Save(f.sdk, tx, attachments.Owner{ReportID: f.report.ID}, uploads)
			return err
		})
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Kind != apperr.Unavailable || ae.RetryAfter != attachments.RetryAfter {
			t.Fatalf("err = %v, want Unavailable with RetryAfter %v", err, attachments.RetryAfter)
		}
		if !errors.Is(err, errStorageDown) {
			t.Errorf("err = %v does not wrap the storage error for the logs", err)
		}
		if n := len(blobs.keys()); n != len(uploads)-1 {
			t.Fatalf("%d blobs were written before the failure, want %d", n, len(uploads)-1)
		}
		blobs.assertGone(t)
		if n := countAttachments(t, f.db); n != 0 {
			t.Fatalf("%d rows written despite the failure", n)
		}
	})
}

func TestSaveCleanupAfterRollback(t *testing.T) {
	t.Parallel()
	eachDBAndStore(t, func(t *testing.T, f fixture, blobs *recorder) {
		store := attachments.NewStore(blobs)
		var cleanup func()
		errLater := errors.New("a later step of the ingest failed")
		err := inTx(t, f, func(tx *ent.Client) error {
			var err error
			_, cleanup, err = store.Save(f.sdk, tx, attachments.Owner{ReportID: f.report.ID},
				[]attachments.Upload{{Filename: "a.png", Data: pngBytes}, {Filename: "b.txt", Data: logText}})
			if err != nil {
				return err
			}
			return errLater
		})
		if !errors.Is(err, errLater) {
			t.Fatalf("err = %v", err)
		}
		if n := len(blobs.keys()); n != 2 {
			t.Fatalf("%d blobs written, want 2", n)
		}
		for _, key := range blobs.keys() {
			readAll(t, blobs, key) // still there until cleanup runs
		}
		cleanup()
		cleanup() // the caller may run it from several error paths
		blobs.assertGone(t)
		if n := countAttachments(t, f.db); n != 0 {
			t.Fatalf("%d rows survived the rollback", n)
		}
	})
}

// The policy, not Save, keeps a public key to its own project; Save must
// still clean up the blobs it wrote when the policy says no.
func TestSaveOtherProjectRefused(t *testing.T) {
	t.Parallel()
	eachDBAndStore(t, func(t *testing.T, f fixture, blobs *recorder) {
		other := newFixture(t, f.db, "other-"+f.project.Slug)
		store := attachments.NewStore(blobs)
		err := inTx(t, f, func(tx *ent.Client) error {
			_, _, err := store.Save(f.sdk, tx, attachments.Owner{ReportID: other.report.ID},
				[]attachments.Upload{{Filename: "a.png", Data: pngBytes}})
			return err
		})
		if !errors.Is(err, viewer.ErrForbidden) {
			t.Fatalf("err = %v, want ErrForbidden", err)
		}
		if n := len(blobs.keys()); n != 1 {
			t.Fatalf("%d blobs written, want 1 (then deleted)", n)
		}
		blobs.assertGone(t)
		if n := countAttachments(t, f.db); n != 0 {
			t.Fatalf("%d rows written into another project", n)
		}
	})
}

func TestSaveNothing(t *testing.T) {
	t.Parallel()
	blobs := &recorder{Blobs: nil}
	store := attachments.NewStore(blobs)
	saved, cleanup, err := store.Save(context.Background(), nil, attachments.Owner{ReportID: "rep_x"}, nil)
	if err != nil || saved != nil || cleanup == nil {
		t.Fatalf("Save(no files) = %v, %v, cleanup nil: %v", saved, err, cleanup == nil)
	}
	cleanup()
}
