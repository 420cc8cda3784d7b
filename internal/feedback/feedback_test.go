package feedback_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/attachment"
	entfeedback "github.com/yoanbernabeu/oopsie/ent/feedback"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/attachments"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/feedback"
	"github.com/yoanbernabeu/oopsie/internal/pubsub"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

var sys = viewer.SystemContext(context.Background(), "test")

type env struct {
	db      *database.DB
	project *ent.Project
	key     *ent.PublicKey
	ctx     context.Context // the key's viewer, as ingest calls the service
	broker  *pubsub.Memory
	saver   *fakeSaver
	svc     *feedback.Service
}

func newEnv(t *testing.T, db *database.DB, slug string) *env {
	t.Helper()
	p, err := db.Client.Project.Create().SetName(slug).SetSlug(slug).Save(sys)
	if err != nil {
		t.Fatal(err)
	}
	k, err := db.Client.PublicKey.Create().SetProjectID(p.ID).SetName("Default").SetKey("pk_" + slug + "_0123456789abcdef").Save(sys)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{
		db: db, project: p, key: k,
		ctx:    viewer.NewContext(context.Background(), viewer.ForPublicKey(p.ID, k.ID)),
		broker: pubsub.NewMemory(),
		saver:  &fakeSaver{},
	}
	t.Cleanup(func() { e.broker.Close() })
	e.svc = feedback.New(db.Client, e.saver, e.broker)
	return e
}

func (e *env) input() feedback.Input {
	return feedback.Input{
		ProjectID:   e.project.ID,
		PublicKeyID: e.key.ID,
		Category:    enums.FeedbackCategoryBug,
		Message:     "The save button does not work",
		AppVersion:  "1.2.3",
		Platform:    "windows-x86_64",
	}
}

// counts returns how many feedback rows and feedback attachments the
// project holds.
func (e *env) counts(t *testing.T) [2]int {
	t.Helper()
	c := e.db.Client
	n, err := c.Feedback.Query().Where(entfeedback.ProjectID(e.project.ID)).Count(sys)
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.Attachment.Query().Where(attachment.HasFeedbackWith(entfeedback.ProjectID(e.project.ID))).Count(sys)
	if err != nil {
		t.Fatal(err)
	}
	return [2]int{n, a}
}

// fakeSaver stands in for the attachment store: it writes an attachment row
// as the real one does (as the caller's viewer, through the transaction's
// client), then succeeds or fails with err.
type fakeSaver struct {
	err error

	mu       sync.Mutex
	owners   []attachments.Owner
	sawItem  []bool
	cleanups int
	deleted  []string
}

func (f *fakeSaver) Save(ctx context.Context, tx *ent.Client, owner attachments.Owner, files []attachments.Upload) ([]*ent.Attachment, func(), error) {
	saw, err := tx.Feedback.Query().Where(entfeedback.ID(owner.FeedbackID)).Exist(viewer.SystemContext(ctx, "test"))
	if err != nil {
		return nil, nil, err
	}
	f.mu.Lock()
	f.owners = append(f.owners, owner)
	f.sawItem = append(f.sawItem, saw)
	f.mu.Unlock()
	cleanup := func() {
		f.mu.Lock()
		f.cleanups++
		f.mu.Unlock()
	}
	var saved []*ent.Attachment
	for _, u := range files {
		a, err := tx.Attachment.Create().
			SetNillableFeedbackID(&owner.FeedbackID).
			SetFilename(u.Filename).
			SetMimeType("image/png").
			SetSize(int64(len(u.Data))).
			SetSha256(strings.Repeat("0", 64)).
			SetStorageKey(owner.FeedbackID + "/" + u.Filename).
			Save(ctx)
		if err != nil {
			return nil, cleanup, err
		}
		saved = append(saved, a)
	}
	if f.err != nil {
		// Fails after writing: the row above must roll back with the rest.
		return nil, cleanup, f.err
	}
	return saved, cleanup, nil
}

func (f *fakeSaver) state() (owners []attachments.Owner, sawItem []bool, cleanups int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.owners), slices.Clone(f.sawItem), f.cleanups
}

func wantInvalidField(t *testing.T, err error, field string) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Kind != apperr.Invalid {
		t.Fatalf("error = %v, want an invalid-input apperr", err)
	}
	if e.Fields[field] == "" {
		t.Fatalf("error = %v (fields %v), want a problem with %q", err, e.Fields, field)
	}
}

func TestIngestStoresFeedback(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		in := e.input()
		in.Category = enums.FeedbackCategoryFeature
		in.Message = "\n  Dark mode, please.\n"
		in.Email = " user@example.com "
		in.OSVersion = "Windows 11"
		in.DeviceInfo = json.RawMessage(`{"locale":"fr-FR"}`)
		id, err := e.svc.Ingest(e.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(id, "fbk_") {
			t.Errorf("id = %q, want an fbk_ id", id)
		}
		f, err := db.Client.Feedback.Get(sys, id)
		if err != nil {
			t.Fatal(err)
		}
		if f.ProjectID != e.project.ID || f.PublicKeyID == nil || *f.PublicKeyID != e.key.ID ||
			f.Category != enums.FeedbackCategoryFeature || f.Message != "Dark mode, please." ||
			f.Email == nil || *f.Email != "user@example.com" || f.AppVersion != "1.2.3" ||
			f.Platform != "windows-x86_64" || f.OsVersion == nil || *f.OsVersion != "Windows 11" ||
			f.Status != enums.FeedbackStatusOpen || f.InternalNotes != "" {
			t.Errorf("feedback = %+v", f)
		}
		var device map[string]any
		if err := json.Unmarshal(f.DeviceInfo, &device); err != nil || device["locale"] != "fr-FR" {
			t.Errorf("device info = %s (%v)", f.DeviceInfo, err)
		}
		if owners, _, _ := e.saver.state(); len(owners) != 0 {
			t.Errorf("the attachment store was called for feedback without attachments")
		}

		// The minimum: no email, OS version or device info.
		id, err = e.svc.Ingest(e.ctx, e.input())
		if err != nil {
			t.Fatal(err)
		}
		f, err = db.Client.Feedback.Get(sys, id)
		if err != nil {
			t.Fatal(err)
		}
		if f.Email != nil || f.OsVersion != nil || f.DeviceInfo != nil {
			t.Errorf("minimal feedback = %+v, want no email, OS version or device info", f)
		}
	})
}

func TestIngestAttachments(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		in := e.input()
		in.Attachments = []attachments.Upload{
			{Filename: "a.png", ClaimedType: "image/png", Data: []byte("a")},
			{Filename: "b.png", ClaimedType: "image/png", Data: []byte("b")},
		}
		id, err := e.svc.Ingest(e.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		owners, saw, cleanups := e.saver.state()
		if len(owners) != 1 || owners[0] != (attachments.Owner{FeedbackID: id}) {
			t.Errorf("owners = %+v, want one save for feedback %s only", owners, id)
		}
		if len(saw) != 1 || !saw[0] {
			t.Error("the saver did not see the feedback through the transaction it was given")
		}
		if cleanups != 0 {
			t.Errorf("cleanup ran %d times after a commit", cleanups)
		}
		if got := e.counts(t); got != [2]int{1, 2} {
			t.Errorf("feedback, attachments = %v, want [1 2]", got)
		}
	})
}

func TestIngestAttachmentFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		ok := e.input()
		ok.Attachments = []attachments.Upload{{Filename: "ok.png", Data: []byte("ok")}}
		if _, err := e.svc.Ingest(e.ctx, ok); err != nil {
			t.Fatal(err)
		}
		before := e.counts(t)

		diskFull := errors.New("disk full")
		failing := &fakeSaver{err: diskFull}
		svc := feedback.New(db.Client, failing, e.broker)
		in := e.input()
		in.Attachments = []attachments.Upload{{Filename: "bad.png", Data: []byte("bad")}}
		_, err := svc.Ingest(e.ctx, in)
		if !errors.Is(err, diskFull) {
			t.Fatalf("error = %v, want the saver's", err)
		}
		if after := e.counts(t); after != before {
			t.Errorf("feedback, attachments = %v, want %v as before the failure", after, before)
		}
		if _, _, cleanups := failing.state(); cleanups != 1 {
			t.Errorf("the failed save's cleanup ran %d times, want 1", cleanups)
		}
		if _, _, cleanups := e.saver.state(); cleanups != 0 {
			t.Errorf("the committed feedback's cleanup ran %d times", cleanups)
		}
	})
}

func TestIngestPublishesAfterCommit(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		b := &committedBroker{Memory: e.broker, client: db.Client}
		svc := feedback.New(db.Client, &fakeSaver{}, b)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		sub, err := e.broker.Subscribe(ctx, feedback.TopicFeedbackCreated, 8)
		if err != nil {
			t.Fatal(err)
		}
		id, err := svc.Ingest(e.ctx, e.input())
		if err != nil {
			t.Fatal(err)
		}
		// Ingest publishes before it returns, into a buffered subscription,
		// so the event is there already: nothing to wait for.
		select {
		case ev := <-sub.C:
			var got map[string]any
			if err := json.Unmarshal(ev.Payload, &got); err != nil {
				t.Fatal(err)
			}
			if ev.ProjectID != e.project.ID || !reflect.DeepEqual(got, map[string]any{"id": id}) {
				t.Errorf("event = %s for %s, want {\"id\":%q} for %s", ev.Payload, ev.ProjectID, id, e.project.ID)
			}
		default:
			t.Fatal("no event was published by the time Ingest returned")
		}
		if !b.allVisible() {
			t.Error("the event was published before the feedback was visible outside the transaction")
		}

		// Failures publish nothing.
		bad := e.input()
		bad.Message = ""
		if _, err := svc.Ingest(e.ctx, bad); err == nil {
			t.Fatal("empty feedback was accepted")
		}
		failing := feedback.New(db.Client, &fakeSaver{err: errors.New("disk full")}, b)
		withFile := e.input()
		withFile.Attachments = []attachments.Upload{{Filename: "x.png", Data: []byte("x")}}
		if _, err := failing.Ingest(e.ctx, withFile); err == nil {
			t.Fatal("feedback whose attachments failed was accepted")
		}
		if n := b.published(); n != 1 {
			t.Errorf("%d events published, want only the stored feedback's", n)
		}
	})
}

func TestIngestSucceedsWhenPublishFails(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		closed := pubsub.NewMemory()
		closed.Close()
		id, err := feedback.New(db.Client, nil, closed).Ingest(e.ctx, e.input())
		if err != nil {
			t.Fatalf("ingest with a closed broker: %v", err)
		}
		if _, err := db.Client.Feedback.Get(sys, id); err != nil {
			t.Errorf("the feedback is not stored: %v", err)
		}
	})
}

func TestIngestRejectsAnotherProject(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		a, b := newEnv(t, db, "app-a"), newEnv(t, db, "app-b")
		_, err := b.svc.Ingest(b.ctx, a.input()) // b's key, a's project
		if !errors.Is(err, viewer.ErrForbidden) {
			t.Fatalf("error = %v, want forbidden", err)
		}
		_, err = a.svc.Ingest(context.Background(), a.input()) // nobody
		if !errors.Is(err, viewer.ErrUnauthenticated) {
			t.Fatalf("anonymous error = %v, want unauthenticated", err)
		}
		if got := a.counts(t); got != [2]int{} {
			t.Errorf("project a holds %v, want nothing", got)
		}
	})
}

func TestIngestValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		field  string
		mutate func(*feedback.Input)
	}{
		{"category", func(in *feedback.Input) { in.Category = "" }},
		{"category", func(in *feedback.Input) { in.Category = "BUG" }},
		{"category", func(in *feedback.Input) { in.Category = "praise" }},
		{"message", func(in *feedback.Input) { in.Message = "" }},
		{"message", func(in *feedback.Input) { in.Message = " \n\t " }},
		{"message", func(in *feedback.Input) { in.Message = strings.Repeat("m", 10_001) }},
		{"message", func(in *feedback.Input) { in.Message = "nul\x00" }},
		{"message", func(in *feedback.Input) { in.Message = "bad \xff" }},
		{"email", func(in *feedback.Input) { in.Email = "not an email" }},
		{"email", func(in *feedback.Input) { in.Email = "User <user@example.com>" }},
		{"email", func(in *feedback.Input) { in.Email = "user@example.com (me)" }},
		{"email", func(in *feedback.Input) { in.Email = "a@b.c, d@e.f" }},
		{"email", func(in *feedback.Input) { in.Email = strings.Repeat("a", 310) + "@example.com" }},
		{"appVersion", func(in *feedback.Input) { in.AppVersion = " " }},
		{"appVersion", func(in *feedback.Input) { in.AppVersion = strings.Repeat("1", 101) }},
		{"platform", func(in *feedback.Input) { in.Platform = "" }},
		{"platform", func(in *feedback.Input) { in.Platform = "linux\n" + "x" }},
		{"osVersion", func(in *feedback.Input) { in.OSVersion = strings.Repeat("o", 101) }},
		{"deviceInfo", func(in *feedback.Input) { in.DeviceInfo = json.RawMessage(`[]`) }},
		{"deviceInfo", func(in *feedback.Input) { in.DeviceInfo = json.RawMessage(`{"a":1`) }},
		{"deviceInfo", func(in *feedback.Input) { in.DeviceInfo = json.RawMessage(`{"a":"\u0000"}`) }},
		{"deviceInfo", func(in *feedback.Input) { in.DeviceInfo = json.RawMessage(`{"a":"\udc00"}`) }},
	}
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		for _, tt := range tests {
			in := e.input()
			tt.mutate(&in)
			_, err := e.svc.Ingest(e.ctx, in)
			wantInvalidField(t, err, tt.field)
		}
		if got := e.counts(t); got != [2]int{} {
			t.Errorf("rejected feedback left %v behind, want nothing", got)
		}
		// The limits themselves pass, on both databases.
		in := e.input()
		in.Category = enums.FeedbackCategoryGeneral
		in.Message = strings.Repeat("é", 5_000)
		in.Email = strings.Repeat("a", 64) + "@" + strings.Repeat("b", 251) + ".com"
		in.AppVersion = strings.Repeat("1", 100)
		in.Platform = strings.Repeat("p", 100)
		in.OSVersion = strings.Repeat("o", 100)
		in.DeviceInfo = json.RawMessage(`{"emoji":"\ud83d\ude00"}`)
		if _, err := e.svc.Ingest(e.ctx, in); err != nil {
			t.Fatalf("feedback at the limits: %v", err)
		}
	})
}

// committedBroker checks, as each event is published, that the feedback it
// names is visible outside the ingest transaction: published after commit.
type committedBroker struct {
	*pubsub.Memory
	client *ent.Client

	mu      sync.Mutex
	visible []bool
}

func (b *committedBroker) Publish(ctx context.Context, e pubsub.Event) error {
	var p struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return err
	}
	ok, err := b.client.Feedback.Query().Where(entfeedback.ID(p.ID)).Exist(sys)
	b.mu.Lock()
	b.visible = append(b.visible, ok && err == nil)
	b.mu.Unlock()
	return b.Memory.Publish(ctx, e)
}

func (b *committedBroker) allVisible() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.visible) > 0 && !slices.Contains(b.visible, false)
}

func (b *committedBroker) published() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.visible)
}

// DeleteBlobs records the keys of deleted attachments.
func (f *fakeSaver) DeleteBlobs(_ context.Context, keys []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = append(f.deleted, keys...)
}

func (f *fakeSaver) deletedKeys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.deleted)
}
