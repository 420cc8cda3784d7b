package crashes_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/attachment"
	"github.com/yoanbernabeu/oopsie/ent/crashgroup"
	"github.com/yoanbernabeu/oopsie/ent/crashgroupuser"
	"github.com/yoanbernabeu/oopsie/ent/crashreport"
	"github.com/yoanbernabeu/oopsie/ent/publickey"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/attachments"
	"github.com/yoanbernabeu/oopsie/internal/crashes"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/pubsub"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

var sys = viewer.SystemContext(context.Background(), "test")

// clock hands out strictly increasing times, one second apart, so that
// first and last seen can be told apart without sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

type env struct {
	db        *database.DB
	project   *ent.Project
	key       *ent.PublicKey
	ctx       context.Context // the key's viewer, as ingest calls the service
	broker    *pubsub.Memory
	clock     *clock
	svc       *crashes.Service
	saver     *fakeSaver
	projectID string
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
		db: db, project: p, key: k, projectID: p.ID,
		ctx:    viewer.NewContext(context.Background(), viewer.ForPublicKey(p.ID, k.ID)),
		broker: pubsub.NewMemory(),
		clock:  newClock(),
		saver:  &fakeSaver{},
	}
	t.Cleanup(func() { e.broker.Close() })
	e.svc = crashes.New(db.Client, e.saver, e.broker, e.clock.now, crashes.Writers(3))
	return e
}

func (e *env) input() crashes.Input {
	return crashes.Input{
		ProjectID:    e.project.ID,
		PublicKeyID:  e.key.ID,
		ErrorType:    "TypeError",
		ErrorMessage: "Cannot read properties of undefined (reading 'id')",
		StackTrace: []crashes.Frame{
			{File: "src/cart.ts", Line: 42, Column: 7, Function: "checkout"},
			{File: "/app/node_modules/react-dom/cjs/react-dom.js", Line: 100, Function: "commitRoot"},
			{File: "src/app.ts", Line: 9},
		},
		AppVersion: "1.2.0",
		Platform:   "darwin-aarch64",
	}
}

func (e *env) ingest(t *testing.T, in crashes.Input) crashes.Result {
	t.Helper()
	res, err := e.svc.Ingest(e.ctx, in)
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	return res
}

func (e *env) group(t *testing.T, id string) *ent.CrashGroup {
	t.Helper()
	g, err := e.db.Client.CrashGroup.Get(sys, id)
	if err != nil {
		t.Fatalf("get group: %v", err)
	}
	return g
}

// counts returns how many crashes, groups, group users and attachments the
// project holds.
func (e *env) counts(t *testing.T) [4]int {
	t.Helper()
	c := e.db.Client
	var out [4]int
	var err error
	if out[0], err = c.CrashReport.Query().Where(crashreport.ProjectID(e.projectID)).Count(sys); err != nil {
		t.Fatal(err)
	}
	if out[1], err = c.CrashGroup.Query().Where(crashgroup.ProjectID(e.projectID)).Count(sys); err != nil {
		t.Fatal(err)
	}
	if out[2], err = c.CrashGroupUser.Query().Where(crashgroupuser.ProjectID(e.projectID)).Count(sys); err != nil {
		t.Fatal(err)
	}
	if out[3], err = c.Attachment.Query().Where(attachment.HasCrashReportWith(crashreport.ProjectID(e.projectID))).Count(sys); err != nil {
		t.Fatal(err)
	}
	return out
}

// fakeSaver stands in for the attachment store. It checks that it runs
// inside the ingest transaction, records an attachment row the way the real
// one does (as the caller's viewer, through the transaction's client), and
// then succeeds or fails with err.
type fakeSaver struct {
	err error

	mu        sync.Mutex
	owners    []attachments.Owner
	sawCrash  []bool
	cleanups  int
	callCount int
}

func (f *fakeSaver) Save(ctx context.Context, tx *ent.Client, owner attachments.Owner, files []attachments.Upload) ([]*ent.Attachment, func(), error) {
	f.mu.Lock()
	f.callCount++
	f.owners = append(f.owners, owner)
	f.mu.Unlock()
	// The crash is not committed yet: only the transaction's client sees it.
	saw, err := tx.CrashReport.Query().Where(crashreport.ID(owner.CrashReportID)).Exist(viewer.SystemContext(ctx, "test"))
	if err != nil {
		return nil, nil, err
	}
	f.mu.Lock()
	f.sawCrash = append(f.sawCrash, saw)
	f.mu.Unlock()
	cleanup := func() {
		f.mu.Lock()
		f.cleanups++
		f.mu.Unlock()
	}
	var saved []*ent.Attachment
	for i, u := range files {
		a, err := tx.Attachment.Create().
			SetNillableCrashReportID(&owner.CrashReportID).
			SetFilename(u.Filename).
			SetMimeType("text/plain").
			SetSize(int64(len(u.Data))).
			SetSha256(strings.Repeat("0", 64)).
			SetStorageKey(fmt.Sprintf("%s/%d", owner.CrashReportID, i)).
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

func (f *fakeSaver) calls() (n, cleanups int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.callCount, f.cleanups
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

func TestIngestStoresCrashAndNewGroup(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		in := e.input()
		in.OSVersion = " macOS 14.2 "
		in.DeviceInfo = json.RawMessage(`{"ram":16}`)
		in.AppState = json.RawMessage(`{"screen":"cart"}`)
		in.Severity = enums.CrashSeverityFatal
		in.UserID = "user-1"
		in.Breadcrumbs = []crashes.Breadcrumb{
			{Type: "navigation", Message: "to /cart", Timestamp: time.Date(2026, 3, 1, 11, 59, 0, 0, time.UTC), Data: json.RawMessage(`{"from": "/"}`)},
			{Type: "click", Message: "checkout"},
		}
		res := e.ingest(t, in)
		if !res.IsNewGroup || res.Regressed || !strings.HasPrefix(res.ID, "crs_") || !strings.HasPrefix(res.GroupID, "grp_") {
			t.Fatalf("result = %+v, want a new group and prefixed ids", res)
		}

		c, err := db.Client.CrashReport.Get(sys, res.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantFP := crashes.Fingerprint("TypeError", in.StackTrace, nil)
		if c.GroupID == nil || *c.GroupID != res.GroupID || c.ProjectID != e.projectID ||
			c.PublicKeyID == nil || *c.PublicKeyID != e.key.ID || c.Fingerprint != wantFP ||
			c.Severity != enums.CrashSeverityFatal || c.OsVersion == nil || *c.OsVersion != "macOS 14.2" ||
			c.UserID == nil || *c.UserID != "user-1" || c.ErrorMessage != in.ErrorMessage {
			t.Errorf("crash = %+v", c)
		}
		var frames []map[string]any
		if err := json.Unmarshal(c.StackTrace, &frames); err != nil {
			t.Fatal(err)
		}
		if len(frames) != 3 || frames[0]["file"] != "src/cart.ts" || frames[0]["line"] != 42.0 ||
			frames[0]["column"] != 7.0 || frames[0]["function"] != "checkout" || frames[0]["isNative"] != false {
			t.Errorf("stack trace = %s, want camelCase frames as sent", c.StackTrace)
		}
		var crumbs []map[string]any
		if err := json.Unmarshal(c.Breadcrumbs, &crumbs); err != nil {
			t.Fatal(err)
		}
		if len(crumbs) != 2 || crumbs[0]["type"] != "navigation" || crumbs[0]["timestamp"] != "2026-03-01T11:59:00Z" ||
			crumbs[0]["data"].(map[string]any)["from"] != "/" || crumbs[1]["timestamp"] != nil {
			t.Errorf("breadcrumbs = %s", c.Breadcrumbs)
		}
		// jsonb keeps the document, not its spelling.
		if !jsonEqual(t, c.DeviceInfo, `{"ram":16}`) || !jsonEqual(t, c.AppState, `{"screen":"cart"}`) {
			t.Errorf("device info, app state = %s, %s", c.DeviceInfo, c.AppState)
		}

		g := e.group(t, res.GroupID)
		if g.Fingerprint != wantFP || g.ErrorType != "TypeError" || g.ErrorMessage != in.ErrorMessage ||
			g.OccurrenceCount != 1 || g.AffectedUsers != 1 || g.Status != enums.CrashGroupStatusNew ||
			!g.FirstSeenAt.Equal(g.LastSeenAt) ||
			!slices.Equal(g.AffectedVersions, []string{"1.2.0"}) || !slices.Equal(g.AffectedPlatforms, []string{"darwin-aarch64"}) {
			t.Errorf("group = %+v", g)
		}
		if n, _ := e.saver.calls(); n != 0 {
			t.Errorf("the attachment store was called %d times for a crash without attachments", n)
		}

		// A second crash of the same fingerprint joins the group.
		in2 := e.input()
		in2.ErrorMessage = "another message"
		res2 := e.ingest(t, in2)
		if res2.IsNewGroup || res2.GroupID != res.GroupID || res2.ID == res.ID {
			t.Fatalf("second result = %+v, want the same group, not new", res2)
		}
		g2 := e.group(t, res.GroupID)
		if g2.OccurrenceCount != 2 || g2.AffectedUsers != 1 || g2.ErrorMessage != in.ErrorMessage ||
			!g2.FirstSeenAt.Equal(g.FirstSeenAt) || !g2.LastSeenAt.After(g.LastSeenAt) {
			t.Errorf("group after a second crash = %+v, want count 2, the first message, first seen kept, last seen later", g2)
		}
		// Absent documents are SQL NULL, not JSON null.
		c2, err := db.Client.CrashReport.Get(sys, res2.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c2.DeviceInfo != nil || c2.AppState != nil || c2.OsVersion != nil || c2.UserID != nil || c2.Severity != enums.CrashSeverityError {
			t.Errorf("minimal crash = %+v, want no device info, app state, OS version, user, and severity error", c2)
		}
		if !jsonEqual(t, c2.Breadcrumbs, "[]") {
			t.Errorf("breadcrumbs = %s, want []", c2.Breadcrumbs)
		}
	})
}

func TestIngestConcurrentFirstCrashesMakeOneGroup(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		const n = 8
		var (
			wg      sync.WaitGroup
			start   = make(chan struct{})
			results = make([]crashes.Result, n)
			errs    = make([]error, n)
		)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				in := e.input()
				in.UserID = fmt.Sprintf("user-%d", i)
				<-start
				results[i], errs[i] = e.svc.Ingest(e.ctx, in)
			}()
		}
		close(start)
		wg.Wait()
		newGroups := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("crash %d: %v", i, errs[i])
			}
			if results[i].IsNewGroup {
				newGroups++
			}
			if results[i].GroupID != results[0].GroupID {
				t.Errorf("crash %d went to group %s, crash 0 to %s", i, results[i].GroupID, results[0].GroupID)
			}
		}
		if newGroups != 1 {
			t.Errorf("%d results say they created the group, want exactly 1", newGroups)
		}
		if got := e.counts(t); got != [4]int{n, 1, n, 0} {
			t.Errorf("crashes, groups, group users, attachments = %v, want [%d 1 %d 0]", got, n, n)
		}
		g := e.group(t, results[0].GroupID)
		if g.OccurrenceCount != n || g.AffectedUsers != n {
			t.Errorf("occurrences, affected users = %d, %d; want %d, %d", g.OccurrenceCount, g.AffectedUsers, n, n)
		}
	})
}

func TestIngestCountsDistinctUsers(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		var groupID string
		for _, user := range []string{"u1", "u1", "", "u2", " u1 "} {
			in := e.input()
			in.UserID = user
			groupID = e.ingest(t, in).GroupID
		}
		g := e.group(t, groupID)
		if g.OccurrenceCount != 5 || g.AffectedUsers != 2 {
			t.Errorf("occurrences, affected users = %d, %d; want 5, 2", g.OccurrenceCount, g.AffectedUsers)
		}
		// A user of another group counts there too, separately.
		in := e.input()
		in.ErrorType = "RangeError"
		in.UserID = "u1"
		other := e.ingest(t, in)
		if got := e.group(t, other.GroupID).AffectedUsers; got != 1 {
			t.Errorf("other group's affected users = %d, want 1", got)
		}
		if got := e.group(t, groupID).AffectedUsers; got != 2 {
			t.Errorf("first group's affected users = %d after another group's crash, want 2", got)
		}
	})
}

func TestIngestAccumulatesVersionsAndPlatforms(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		var groupID string
		for _, vp := range [][2]string{
			{"1.10.0", "windows-x86_64"},
			{"1.2.0", "darwin-aarch64"},
			{"1.9.0", "windows-x86_64"},
			{"1.2.0", "linux-x86_64"},
			{"1.10.0", "darwin-aarch64"},
		} {
			in := e.input()
			in.AppVersion, in.Platform = vp[0], vp[1]
			groupID = e.ingest(t, in).GroupID
		}
		g := e.group(t, groupID)
		if want := []string{"1.2.0", "1.9.0", "1.10.0"}; !slices.Equal(g.AffectedVersions, want) {
			t.Errorf("affected versions = %q, want %q", g.AffectedVersions, want)
		}
		if want := []string{"darwin-aarch64", "linux-x86_64", "windows-x86_64"}; !slices.Equal(g.AffectedPlatforms, want) {
			t.Errorf("affected platforms = %q, want %q", g.AffectedPlatforms, want)
		}
	})
}

func TestIngestRegression(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     enums.CrashGroupStatus
		resolvedIn *string
		version    string
		wantStatus enums.CrashGroupStatus
	}{
		{"resolved, newer version", enums.CrashGroupStatusResolved, ptr("1.2.0"), "1.3.0", enums.CrashGroupStatusRegressed},
		{"resolved, newer pre-release", enums.CrashGroupStatusResolved, ptr("1.2.0"), "1.3.0-beta.1", enums.CrashGroupStatusRegressed},
		{"resolved, same version", enums.CrashGroupStatusResolved, ptr("1.2.0"), "v1.2.0", enums.CrashGroupStatusResolved},
		{"resolved, older version", enums.CrashGroupStatusResolved, ptr("1.2.0"), "1.1.9", enums.CrashGroupStatusResolved},
		{"resolved, its release candidate", enums.CrashGroupStatusResolved, ptr("1.3.0"), "1.3.0-rc.1", enums.CrashGroupStatusResolved},
		{"resolved with no version", enums.CrashGroupStatusResolved, nil, "0.1.0", enums.CrashGroupStatusRegressed},
		{"resolved with an empty version", enums.CrashGroupStatusResolved, ptr(""), "0.1.0", enums.CrashGroupStatusRegressed},
		{"ignored stays ignored", enums.CrashGroupStatusIgnored, ptr("1.2.0"), "9.0.0", enums.CrashGroupStatusIgnored},
		{"investigating stays investigating", enums.CrashGroupStatusInvestigating, nil, "9.0.0", enums.CrashGroupStatusInvestigating},
	}
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, db, fmt.Sprintf("app-%d", i))
				first := e.ingest(t, e.input())
				resolvedAt := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
				err := db.Client.CrashGroup.UpdateOneID(first.GroupID).
					SetStatus(tt.status).SetResolvedAt(resolvedAt).SetNillableResolvedInVersion(tt.resolvedIn).Exec(sys)
				if err != nil {
					t.Fatal(err)
				}
				in := e.input()
				in.AppVersion = tt.version
				res := e.ingest(t, in)
				wantRegressed := tt.wantStatus == enums.CrashGroupStatusRegressed
				if res.Regressed != wantRegressed || res.IsNewGroup {
					t.Errorf("result = %+v, want regressed %v and an existing group", res, wantRegressed)
				}
				g := e.group(t, first.GroupID)
				if g.Status != tt.wantStatus {
					t.Errorf("status = %s, want %s", g.Status, tt.wantStatus)
				}
				if wantRegressed != (g.ResolvedAt == nil) {
					t.Errorf("resolved at = %v; want it cleared only on regression", g.ResolvedAt)
				}
				if g.OccurrenceCount != 2 {
					t.Errorf("occurrences = %d, want 2 whatever the status", g.OccurrenceCount)
				}
				if wantRegressed {
					// Once regressed, further crashes are not new regressions.
					again := e.ingest(t, in)
					if again.Regressed {
						t.Error("a crash in an already regressed group reported a regression")
					}
				}
			})
		}
	})
}

func TestIngestConcurrentCrashesIntoExistingGroup(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		in := e.input()
		in.UserID = "user-0"
		first := e.ingest(t, in)
		const n = 16
		var (
			wg      sync.WaitGroup
			start   = make(chan struct{})
			results [n]crashes.Result
			errs    [n]error
		)
		for i := range n {
			wg.Go(func() {
				in := e.input()
				in.UserID = fmt.Sprintf("user-%d", i%4)
				in.AppVersion = []string{"1.2.0", "1.3.0"}[i%2]
				if i%3 == 0 {
					in.Platform = "linux-x86_64"
				}
				<-start
				results[i], errs[i] = e.svc.Ingest(e.ctx, in)
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("crash %d: %v", i, errs[i])
			}
			if results[i].GroupID != first.GroupID || results[i].IsNewGroup || results[i].Regressed {
				t.Errorf("crash %d: %+v, want counted into group %s", i, results[i], first.GroupID)
			}
		}
		if got := e.counts(t); got != [4]int{n + 1, 1, 4, 0} {
			t.Errorf("crashes, groups, group users, attachments = %v, want [%d 1 4 0]", got, n+1)
		}
		g := e.group(t, first.GroupID)
		if g.OccurrenceCount != n+1 || g.AffectedUsers != 4 {
			t.Errorf("occurrences, affected users = %d, %d; want %d, 4", g.OccurrenceCount, g.AffectedUsers, n+1)
		}
		if want := []string{"1.2.0", "1.3.0"}; !slices.Equal(g.AffectedVersions, want) {
			t.Errorf("affected versions = %q, want %q", g.AffectedVersions, want)
		}
		if want := []string{"darwin-aarch64", "linux-x86_64"}; !slices.Equal(g.AffectedPlatforms, want) {
			t.Errorf("affected platforms = %q, want %q", g.AffectedPlatforms, want)
		}
	})
}

// A crash the database refuses (its project was deleted after its key was
// checked) fails alone: the crashes that shared its batch are counted.
func TestIngestBatchIsolatesARefusedCrash(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		good, gone := newEnv(t, db, "good"), newEnv(t, db, "gone")
		if _, err := db.Client.PublicKey.Delete().Where(publickey.ProjectID(gone.projectID)).Exec(sys); err != nil {
			t.Fatal(err)
		}
		if err := db.Client.Project.DeleteOneID(gone.projectID).Exec(sys); err != nil {
			t.Fatal(err)
		}
		const n = 24
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			errs  [n]error
		)
		for i := range n {
			e := good
			if i%6 == 5 {
				e = gone
			}
			wg.Go(func() {
				in := e.input()
				in.Fingerprint = []string{"alpha", "beta"}[i%2]
				in.UserID = fmt.Sprintf("user-%d", i%3)
				<-start
				_, errs[i] = good.svc.Ingest(e.ctx, in)
			})
		}
		close(start)
		wg.Wait()
		users := map[[2]int]bool{}
		for i, err := range errs {
			refused := i%6 == 5
			if refused != (err != nil) {
				t.Errorf("crash %d: error %v, want an error: %v", i, err, refused)
			}
			if !refused {
				users[[2]int{i % 2, i % 3}] = true
			}
		}
		if got, want := good.counts(t), [4]int{20, 2, len(users), 0}; got != want {
			t.Errorf("crashes, groups, group users, attachments = %v, want %v", got, want)
		}
		if got := gone.counts(t); got != [4]int{} {
			t.Errorf("deleted project: %v, want nothing", got)
		}
		var occurrences, affected int
		for _, g := range db.Client.CrashGroup.Query().AllX(sys) {
			occurrences += g.OccurrenceCount
			affected += g.AffectedUsers
		}
		if occurrences != 20 || affected != len(users) {
			t.Errorf("groups count %d crashes, %d affected users; want 20, %d", occurrences, affected, len(users))
		}
	})
}

func TestIngestConcurrentCrashesRegressOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		first := e.ingest(t, e.input())
		err := db.Client.CrashGroup.UpdateOneID(first.GroupID).
			SetStatus(enums.CrashGroupStatusResolved).SetResolvedAt(time.Now()).SetResolvedInVersion("1.2.0").Exec(sys)
		if err != nil {
			t.Fatal(err)
		}
		const n = 8
		var (
			wg      sync.WaitGroup
			start   = make(chan struct{})
			results [n]crashes.Result
			errs    [n]error
		)
		for i := range n {
			wg.Go(func() {
				in := e.input()
				in.AppVersion = "1.3.0"
				<-start
				results[i], errs[i] = e.svc.Ingest(e.ctx, in)
			})
		}
		close(start)
		wg.Wait()
		regressed := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("crash %d: %v", i, errs[i])
			}
			if results[i].Regressed {
				regressed++
			}
		}
		if regressed != 1 {
			t.Errorf("%d crashes say they regressed the group, want exactly 1", regressed)
		}
		g := e.group(t, first.GroupID)
		if g.Status != enums.CrashGroupStatusRegressed || g.ResolvedAt != nil || g.OccurrenceCount != n+1 {
			t.Errorf("status %s, resolved at %v, occurrences %d; want regressed, none, %d", g.Status, g.ResolvedAt, g.OccurrenceCount, n+1)
		}
	})
}

func TestIngestKeepsTheLaterLastSeen(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		first := e.ingest(t, e.input())
		e.ingest(t, e.input()) // the clock moved on
		before := e.group(t, first.GroupID)
		// A crash stamped before the last one, committed after it.
		early := crashes.New(db.Client, nil, nil, func() time.Time { return before.FirstSeenAt })
		if _, err := early.Ingest(e.ctx, e.input()); err != nil {
			t.Fatal(err)
		}
		g := e.group(t, first.GroupID)
		if g.OccurrenceCount != 3 || !g.LastSeenAt.Equal(before.LastSeenAt) || !g.LastSeenAt.After(g.FirstSeenAt) {
			t.Errorf("occurrences %d, last seen %v; want 3, %v kept (first %v)", g.OccurrenceCount, g.LastSeenAt, before.LastSeenAt, before.FirstSeenAt)
		}
	})
}

func TestIngestFingerprintOverride(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		a := e.input()
		a.Fingerprint = "  checkout-failure  "
		b := e.input()
		b.ErrorType = "RangeError"
		b.StackTrace = nil
		b.Fingerprint = "checkout-failure"
		ra, rb := e.ingest(t, a), e.ingest(t, b)
		if ra.GroupID != rb.GroupID || !ra.IsNewGroup || rb.IsNewGroup {
			t.Errorf("results %+v, %+v; want one group from the SDK's fingerprint", ra, rb)
		}
		if g := e.group(t, ra.GroupID); g.Fingerprint != "checkout-failure" || g.ErrorType != "TypeError" {
			t.Errorf("group fingerprint, error type = %q, %q; want the trimmed override and the first crash's type", g.Fingerprint, g.ErrorType)
		}
		// Without an override, the same crash is grouped apart.
		if rc := e.ingest(t, e.input()); rc.GroupID == ra.GroupID {
			t.Error("a crash without an override joined the override's group")
		}
		long := e.input()
		long.Fingerprint = strings.Repeat("f", 129)
		_, err := e.svc.Ingest(e.ctx, long)
		wantInvalidField(t, err, "fingerprint")
	})
}

func TestIngestSameFingerprintOtherProject(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		a, b := newEnv(t, db, "app-a"), newEnv(t, db, "app-b")
		ra, rb := a.ingest(t, a.input()), b.ingest(t, b.input())
		if ra.GroupID == rb.GroupID || !ra.IsNewGroup || !rb.IsNewGroup {
			t.Errorf("results %+v, %+v; want a group per project", ra, rb)
		}
	})
}

func TestIngestPublishesAfterCommit(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		b := &committedBroker{Memory: e.broker, client: db.Client}
		svc := crashes.New(db.Client, e.saver, b, e.clock.now)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		received, err := e.broker.Subscribe(ctx, crashes.TopicCrashReceived, 8)
		if err != nil {
			t.Fatal(err)
		}
		updated, err := e.broker.Subscribe(ctx, crashes.TopicCrashGroupUpdated, 8)
		if err != nil {
			t.Fatal(err)
		}

		res, err := svc.Ingest(e.ctx, e.input())
		if err != nil {
			t.Fatal(err)
		}
		ev := recv(t, received)
		var got map[string]any
		if err := json.Unmarshal(ev.Payload, &got); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"id": res.ID, "groupId": res.GroupID, "isNewGroup": true, "regressed": false}
		if ev.ProjectID != e.projectID || !reflect.DeepEqual(got, want) {
			t.Errorf("crash.received = %s for %s, want %v for %s", ev.Payload, ev.ProjectID, want, e.projectID)
		}
		ev = recv(t, updated)
		if ev.ProjectID != e.projectID || string(ev.Payload) != `{"id":"`+res.GroupID+`"}` {
			t.Errorf("crash_group.updated = %s for %s", ev.Payload, ev.ProjectID)
		}
		if !b.allVisible() {
			t.Error("an event was published before its rows were visible outside the transaction")
		}

		// A crash that fails publishes nothing.
		bad := e.input()
		bad.AppVersion = ""
		if _, err := svc.Ingest(e.ctx, bad); err == nil {
			t.Fatal("a crash without app version was accepted")
		}
		failing := crashes.New(db.Client, &fakeSaver{err: errors.New("disk full")}, b, e.clock.now)
		withFile := e.input()
		withFile.Attachments = []attachments.Upload{{Filename: "log.txt", Data: []byte("x")}}
		if _, err := failing.Ingest(e.ctx, withFile); err == nil {
			t.Fatal("a crash whose attachments failed was accepted")
		}
		if n := b.published(); n != 2 {
			t.Errorf("%d events published, want only the 2 of the stored crash", n)
		}
	})
}

func TestIngestSucceedsWhenPublishFails(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		closed := pubsub.NewMemory()
		closed.Close()
		svc := crashes.New(db.Client, nil, closed, nil)
		res, err := svc.Ingest(e.ctx, e.input())
		if err != nil {
			t.Fatalf("ingest with a closed broker: %v", err)
		}
		if _, err := db.Client.CrashReport.Get(sys, res.ID); err != nil {
			t.Errorf("the crash is not stored: %v", err)
		}
	})
}

func TestIngestAttachments(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		in := e.input()
		in.Attachments = []attachments.Upload{{Filename: "log.txt", ClaimedType: "text/plain", Data: []byte("hello")}}
		res := e.ingest(t, in)
		n, cleanups := e.saver.calls()
		if n != 1 || cleanups != 0 {
			t.Fatalf("saver calls, cleanups = %d, %d; want 1, 0", n, cleanups)
		}
		if o := e.saver.owners[0]; o != (attachments.Owner{CrashReportID: res.ID}) {
			t.Errorf("owner = %+v, want the crash %s only", o, res.ID)
		}
		if !e.saver.sawCrash[0] {
			t.Error("the saver did not see the crash through the transaction it was given")
		}
		if got := e.counts(t); got != [4]int{1, 1, 0, 1} {
			t.Errorf("crashes, groups, group users, attachments = %v, want [1 1 0 1]", got)
		}
	})
}

func TestIngestAttachmentFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		// A first crash, stored with its attachment, in a group the failing
		// crash would join.
		ok := e.input()
		ok.UserID = "u1"
		ok.Attachments = []attachments.Upload{{Filename: "ok.txt", Data: []byte("ok")}}
		first := e.ingest(t, ok)
		before := e.counts(t)
		groupBefore := e.group(t, first.GroupID)

		diskFull := errors.New("disk full")
		failing := &fakeSaver{err: diskFull}
		svc := crashes.New(db.Client, failing, e.broker, e.clock.now)
		for _, tc := range []struct {
			name   string
			mutate func(*crashes.Input)
		}{
			{"into the existing group", func(in *crashes.Input) {}},
			{"into a new group", func(in *crashes.Input) { in.ErrorType = "NewError" }},
		} {
			in := e.input()
			tc.mutate(&in)
			in.UserID = "u2"
			in.AppVersion = "9.9.9"
			in.Attachments = []attachments.Upload{{Filename: "bad.txt", Data: []byte("bad")}}
			_, err := svc.Ingest(e.ctx, in)
			if !errors.Is(err, diskFull) {
				t.Fatalf("%s: error = %v, want the saver's", tc.name, err)
			}
			if after := e.counts(t); after != before {
				t.Errorf("%s: crashes, groups, group users, attachments = %v, want %v as before", tc.name, after, before)
			}
		}
		g := e.group(t, first.GroupID)
		if g.OccurrenceCount != groupBefore.OccurrenceCount || g.AffectedUsers != groupBefore.AffectedUsers ||
			!slices.Equal(g.AffectedVersions, groupBefore.AffectedVersions) || !g.LastSeenAt.Equal(groupBefore.LastSeenAt) {
			t.Errorf("group = %+v after failed crashes, want it as before: %+v", g, groupBefore)
		}
		// The failed saves' own blobs are cleaned up; the committed crash's
		// are not touched.
		if n, cleanups := failing.calls(); n != 2 || cleanups != 2 {
			t.Errorf("failing saver calls, cleanups = %d, %d; want 2, 2", n, cleanups)
		}
		if _, cleanups := e.saver.calls(); cleanups != 0 {
			t.Errorf("the committed crash's cleanup ran %d times", cleanups)
		}
	})
}

func TestIngestRejectsAnotherProject(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		a, b := newEnv(t, db, "app-a"), newEnv(t, db, "app-b")
		in := a.input()
		_, err := b.svc.Ingest(b.ctx, in) // b's key, a's project
		if !errors.Is(err, viewer.ErrForbidden) {
			t.Fatalf("error = %v, want forbidden", err)
		}
		if got := a.counts(t); got != [4]int{} {
			t.Errorf("project a holds %v after a foreign key's crash, want nothing", got)
		}
		_, err = a.svc.Ingest(context.Background(), in) // nobody
		if !errors.Is(err, viewer.ErrUnauthenticated) {
			t.Fatalf("anonymous error = %v, want unauthenticated", err)
		}
	})
}

func TestIngestValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		field  string
		mutate func(*crashes.Input)
	}{
		{"errorType", func(in *crashes.Input) { in.ErrorType = "  " }},
		{"errorType", func(in *crashes.Input) { in.ErrorType = strings.Repeat("E", 201) }},
		{"errorType", func(in *crashes.Input) { in.ErrorType = "Type\nError" }},
		{"errorMessage", func(in *crashes.Input) { in.ErrorMessage = strings.Repeat("m", 10_001) }},
		{"errorMessage", func(in *crashes.Input) { in.ErrorMessage = "nul\x00byte" }},
		{"errorMessage", func(in *crashes.Input) { in.ErrorMessage = "bad \xff utf-8" }},
		{"appVersion", func(in *crashes.Input) { in.AppVersion = "" }},
		{"appVersion", func(in *crashes.Input) { in.AppVersion = strings.Repeat("1", 101) }},
		{"platform", func(in *crashes.Input) { in.Platform = "" }},
		{"platform", func(in *crashes.Input) { in.Platform = strings.Repeat("p", 101) }},
		{"osVersion", func(in *crashes.Input) { in.OSVersion = strings.Repeat("o", 101) }},
		{"userId", func(in *crashes.Input) { in.UserID = strings.Repeat("u", 201) }},
		{"severity", func(in *crashes.Input) { in.Severity = "FATAL" }},
		{"stackTrace", func(in *crashes.Input) { in.StackTrace = make([]crashes.Frame, 201) }},
		{"stackTrace[1].line", func(in *crashes.Input) { in.StackTrace[1].Line = -1 }},
		{"stackTrace[0].column", func(in *crashes.Input) { in.StackTrace[0].Column = -3 }},
		{"stackTrace[2].file", func(in *crashes.Input) { in.StackTrace[2].File = strings.Repeat("f", 1001) }},
		{"stackTrace[0].function", func(in *crashes.Input) { in.StackTrace[0].Function = "a\x00b" }},
		{"breadcrumbs", func(in *crashes.Input) { in.Breadcrumbs = make([]crashes.Breadcrumb, 101) }},
		{"breadcrumbs[0].type", func(in *crashes.Input) {
			in.Breadcrumbs = []crashes.Breadcrumb{{Type: strings.Repeat("t", 101)}}
		}},
		{"breadcrumbs[0].message", func(in *crashes.Input) {
			in.Breadcrumbs = []crashes.Breadcrumb{{Message: strings.Repeat("m", 2001)}}
		}},
		{"breadcrumbs[1].data", func(in *crashes.Input) {
			in.Breadcrumbs = []crashes.Breadcrumb{{}, {Data: json.RawMessage(`["not", "an object"]`)}}
		}},
		{"breadcrumbs[0].data", func(in *crashes.Input) {
			in.Breadcrumbs = []crashes.Breadcrumb{{Data: json.RawMessage(`{"big":"` + strings.Repeat("x", 10_001) + `"}`)}}
		}},
		{"breadcrumbs[0].data", func(in *crashes.Input) {
			in.Breadcrumbs = []crashes.Breadcrumb{{Data: json.RawMessage(`{"nul":"\u0000"}`)}}
		}},
		{"deviceInfo", func(in *crashes.Input) { in.DeviceInfo = json.RawMessage(`[1,2]`) }},
		{"deviceInfo", func(in *crashes.Input) { in.DeviceInfo = json.RawMessage(`{"a":`) }},
		{"deviceInfo", func(in *crashes.Input) { in.DeviceInfo = json.RawMessage(`{"a":"\u0000"}`) }},
		{"appState", func(in *crashes.Input) { in.AppState = json.RawMessage(`{"a":"\ud800"}`) }},
		{"appState", func(in *crashes.Input) { in.AppState = json.RawMessage(`"text"`) }},
		{"fingerprint", func(in *crashes.Input) { in.Fingerprint = "a\tb" }},
	}
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db, "app")
		for _, tt := range tests {
			in := e.input()
			tt.mutate(&in)
			_, err := e.svc.Ingest(e.ctx, in)
			wantInvalidField(t, err, tt.field)
		}
		if got := e.counts(t); got != [4]int{} {
			t.Errorf("rejected crashes left %v behind, want nothing", got)
		}
		// The limits themselves are accepted, and so are escapes jsonb can hold.
		in := e.input()
		in.ErrorType = strings.Repeat("E", 200)
		in.ErrorMessage = strings.Repeat("m", 10_000)
		in.AppVersion = strings.Repeat("1", 100)
		in.UserID = strings.Repeat("u", 200)
		in.StackTrace = make([]crashes.Frame, 200)
		in.Breadcrumbs = make([]crashes.Breadcrumb, 100)
		in.DeviceInfo = json.RawMessage(`{"emoji":"\ud83d\ude00","quote":"\\u0000"}`)
		in.Fingerprint = strings.Repeat("f", 128)
		in.Severity = enums.CrashSeverityWarning
		e.ingest(t, in)
	})
}

// committedBroker checks, as each event is published, that the item it
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
	var (
		ok  bool
		err error
	)
	switch e.Topic {
	case crashes.TopicCrashReceived:
		ok, err = b.client.CrashReport.Query().Where(crashreport.ID(p.ID)).Exist(sys)
	case crashes.TopicCrashGroupUpdated:
		ok, err = b.client.CrashGroup.Query().Where(crashgroup.ID(p.ID)).Exist(sys)
	}
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

func recv(t *testing.T, s *pubsub.Subscription) pubsub.Event {
	t.Helper()
	// Ingest publishes before it returns, into a buffered subscription, so
	// the event is there already: nothing to wait for.
	select {
	case e, ok := <-s.C:
		if !ok {
			t.Fatal("subscription ended")
		}
		return e
	default:
		t.Fatal("no event was published by the time Ingest returned")
	}
	return pubsub.Event{}
}

func ptr[T any](v T) *T { return &v }

func jsonEqual(t *testing.T, got json.RawMessage, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("stored JSON %q: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(g, w)
}

// DeleteBlobs is not exercised by ingest: nothing is deleted there.
func (f *fakeSaver) DeleteBlobs(context.Context, []string) {}

// A batch locks the existing groups it counts into last: while another
// transaction holds a group's row, a crash into it is still inserted, and
// the batch waits only at the lock, then counts once it is released.
func TestIngestLocksAnExistingGroupOnlyToCountIt(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, dialect.Postgres)
	e := newEnv(t, db, "app")
	first := e.ingest(t, e.input())

	ctx := context.Background()
	holder, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.ExecContext(ctx, `SELECT id FROM crash_groups WHERE id = $1 FOR NO KEY UPDATE`, first.GroupID); err != nil {
		t.Fatal(err)
	}

	type outcome struct {
		res crashes.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := e.svc.Ingest(e.ctx, e.input())
		done <- outcome{res, err}
	}()

	// What the batch's backend waits for: the statement it runs.
	var waiting string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		err := db.SQL.QueryRowContext(ctx, `SELECT query FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting)
		if err == nil {
			break
		}
	}
	if !strings.Contains(waiting, `FROM "crash_groups"`) || !strings.Contains(waiting, "FOR NO KEY UPDATE") {
		t.Fatalf("the batch waits on %q, want the lock of its groups after its crashes are inserted", waiting)
	}
	var inserted int
	if err := db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE a.wait_event_type = 'Lock' AND l.locktype = 'relation'
		AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND l.relation = 'crash_reports'::regclass
		AND l.mode = 'RowExclusiveLock'`).Scan(&inserted); err != nil {
		t.Fatal(err)
	}
	if inserted != 1 {
		t.Errorf("the waiting batch has not inserted into crash_reports yet")
	}
	if err := holder.Rollback(); err != nil {
		t.Fatal(err)
	}

	o := <-done
	if o.err != nil || o.res.GroupID != first.GroupID {
		t.Fatalf("ingest = %+v, %v; want counted into %s", o.res, o.err, first.GroupID)
	}
	if g := e.group(t, first.GroupID); g.OccurrenceCount != 2 {
		t.Errorf("occurrences = %d, want 2", g.OccurrenceCount)
	}
}
