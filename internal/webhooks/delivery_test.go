package webhooks_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/ent/webhookdelivery"
	"github.com/yoanbernabeu/oopsie/internal/crashes"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/dbtx"
	"github.com/yoanbernabeu/oopsie/internal/feedback"
	"github.com/yoanbernabeu/oopsie/internal/jobs"
	"github.com/yoanbernabeu/oopsie/internal/reports"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
	"github.com/yoanbernabeu/oopsie/internal/webhooks"
)

var sys = viewer.SystemContext(context.Background(), "test")

// received is one request the receiver got.
type received struct {
	header http.Header
	body   []byte
}

// receiver is a real HTTP server standing in for a project's webhook: it
// answers with the statuses it is given in turn (200 once they run out).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	got      chan received
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses, got: make(chan received, 16)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		status := http.StatusOK
		if len(r.statuses) > 0 {
			status, r.statuses = r.statuses[0], r.statuses[1:]
		}
		r.mu.Unlock()
		r.got <- received{header: req.Header.Clone(), body: b}
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) next(t *testing.T) received {
	t.Helper()
	select {
	case got := <-r.got:
		return got
	case <-time.After(20 * time.Second):
		t.Fatal("the webhook was not delivered")
		return received{}
	}
}

// quickRetry retries a failed delivery after 100 ms instead of River's
// attempt⁴ seconds.
type quickRetry struct{}

func (quickRetry) NextRetry(*rivertype.JobRow) time.Time {
	return time.Now().Add(100 * time.Millisecond)
}

type fixture struct {
	db       *database.DB
	engine   *jobs.Engine
	notifier *webhooks.Notifier
	project  *ent.Project
	keyCtx   context.Context // the SDK key's viewer, as ingest calls the services
	keyID    string
	logs     *strings.Builder
}

type options struct {
	format       enums.WebhookFormat
	allowPrivate bool
	noStart      bool
	slug         string
}

// setup makes a project whose webhook is url, and a started job engine
// delivering to it.
func setup(t *testing.T, db *database.DB, url string, o options) *fixture {
	t.Helper()
	if o.format == "" {
		o.format = enums.WebhookFormatGeneric
	}
	if o.slug == "" {
		o.slug = "shop"
	}
	p, err := db.Client.Project.Create().SetName("Shop").SetSlug(o.slug).
		SetWebhookURL(url).SetWebhookSecret("whsec_test").SetWebhookFormat(o.format).Save(sys)
	if err != nil {
		t.Fatal(err)
	}
	k, err := db.Client.PublicKey.Create().SetProjectID(p.ID).SetName("Default").SetKey("pk_" + o.slug + "_0123456789abcdef").Save(sys)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, project: p, keyID: k.ID, logs: &strings.Builder{},
		keyCtx: viewer.NewContext(context.Background(), viewer.ForPublicKey(p.ID, k.ID))}
	f.engine = newEngine(t, db, o.allowPrivate)
	f.notifier = webhooks.NewNotifier(db.Client, f.engine)
	if !o.noStart {
		f.start(t)
	}
	return f
}

func newEngine(t *testing.T, db *database.DB, allowPrivate bool) *jobs.Engine {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	workers := river.NewWorkers()
	river.AddWorker(workers, webhooks.NewWorker(db.Client, webhooks.Config{
		PublicURL: "https://oopsie.example.com/", AllowPrivate: allowPrivate, UserAgent: "Oopsie-Webhook/test", Logger: logger,
	}))
	e, err := jobs.New(context.Background(), db, jobs.Options{
		Workers: workers, Logger: logger, PollInterval: 50 * time.Millisecond, RetryPolicy: quickRetry{},
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (f *fixture) start(t *testing.T) {
	t.Helper()
	if err := f.engine.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := f.engine.Stop(ctx); err != nil {
			t.Errorf("stop engine: %v", err)
		}
	})
}

func (f *fixture) reports() *reports.Service {
	return reports.New(f.db.Client, nil, nil, nil, reports.Webhooks(f.notifier))
}

func (f *fixture) reportInput() reports.Input {
	return reports.Input{
		ProjectID: f.project.ID, PublicKeyID: f.keyID, Message: "The buy button does nothing",
		Category: enums.ReportCategoryUI, Severity: enums.ReportSeverityHigh, Consent: true,
		PageURL: "https://shop.test/cart", ReporterEmail: "jane@example.com",
	}
}

// delivery waits until the delivery of itemID reaches status.
func (f *fixture) delivery(t *testing.T, itemID string, status enums.WebhookDeliveryStatus) *ent.WebhookDelivery {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		d, err := f.db.Client.WebhookDelivery.Query().Where(webhookdelivery.ItemID(itemID)).Only(sys)
		if err == nil && d.Status == status {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery of %s: %+v, %v; want status %s", itemID, d, err, status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestReportCreatedIsDeliveredSigned(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		recv := newReceiver(t)
		f := setup(t, db, recv.URL+"/hook", options{allowPrivate: true})
		res, err := f.reports().Ingest(f.keyCtx, f.reportInput())
		if err != nil {
			t.Fatal(err)
		}
		got := recv.next(t)

		sig := got.header.Get(webhooks.SignatureHeader)
		if err := webhooks.Verify("whsec_test", sig, got.body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("signature %q does not verify: %v", sig, err)
		}
		if err := webhooks.Verify("whsec_other", sig, got.body, time.Now(), 5*time.Minute); !errors.Is(err, webhooks.ErrBadSignature) {
			t.Errorf("signature verified with another secret: %v", err)
		}
		if got.header.Get("X-Oopsie-Event") != "report.created" || !strings.HasPrefix(got.header.Get("X-Oopsie-Delivery"), "whd_") ||
			got.header.Get("Content-Type") != "application/json" {
			t.Errorf("headers = %v", got.header)
		}
		var body struct {
			Event   string `json:"event"`
			Project struct{ ID, Name string }
			Report  struct {
				ID            string `json:"id"`
				Message       string `json:"message"`
				Severity      string `json:"severity"`
				PageURL       string `json:"page_url"`
				ReporterEmail string `json:"reporter_email"`
			} `json:"report"`
			DashboardURL string `json:"dashboard_url"`
		}
		if err := json.Unmarshal(got.body, &body); err != nil {
			t.Fatalf("body %s: %v", got.body, err)
		}
		if body.Event != "report.created" || body.Project.ID != f.project.ID || body.Project.Name != "Shop" ||
			body.Report.ID != res.ID || body.Report.Message != "The buy button does nothing" || body.Report.Severity != "high" ||
			body.Report.PageURL != "https://shop.test/cart" || body.Report.ReporterEmail != "jane@example.com" ||
			body.DashboardURL != "https://oopsie.example.com/reports/"+res.ID {
			t.Errorf("body = %s", got.body)
		}
		d := f.delivery(t, res.ID, enums.WebhookDeliverySucceeded)
		if d.Attempts != 1 || d.ResponseCode == nil || *d.ResponseCode != 200 || d.DeliveredAt == nil || d.LastError != nil {
			t.Errorf("delivery log = %+v", d)
		}
	})
}

func TestDeliveryIsRetriedAfterA500(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		recv := newReceiver(t, http.StatusInternalServerError)
		f := setup(t, db, recv.URL, options{allowPrivate: true})
		res, err := f.reports().Ingest(f.keyCtx, f.reportInput())
		if err != nil {
			t.Fatal(err)
		}
		first, second := recv.next(t), recv.next(t)
		if first.header.Get("X-Oopsie-Delivery") != second.header.Get("X-Oopsie-Delivery") {
			t.Errorf("the retry is another delivery: %s then %s",
				first.header.Get("X-Oopsie-Delivery"), second.header.Get("X-Oopsie-Delivery"))
		}
		d := f.delivery(t, res.ID, enums.WebhookDeliverySucceeded)
		if d.Attempts != 2 || *d.ResponseCode != 200 {
			t.Errorf("delivery log = %+v, want 2 attempts ending in 200", d)
		}
	})
}

func TestDeliveryGivesUpAfterTheLastAttempt(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		always := make([]int, 20)
		for i := range always {
			always[i] = http.StatusBadGateway
		}
		recv := newReceiver(t, always...)
		f := setup(t, db, recv.URL, options{allowPrivate: true})
		res, err := f.reports().Ingest(f.keyCtx, f.reportInput())
		if err != nil {
			t.Fatal(err)
		}
		d := f.delivery(t, res.ID, enums.WebhookDeliveryFailed)
		if d.Attempts != 10 || *d.ResponseCode != http.StatusBadGateway || d.LastError == nil ||
			!strings.Contains(*d.LastError, "502") {
			t.Errorf("delivery log = %+v, want 10 attempts, the last a 502", d)
		}
	})
}

// Without OOPSIE_WEBHOOK_ALLOW_PRIVATE, a webhook whose host is (or
// resolves to) a loopback address is refused when the connection is made,
// even though it was saved (here, written directly, past updateProject's
// check, as a rebinding DNS name would get past it).
func TestDeliveryRefusesPrivateAddressesAtConnectTime(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		recv := newReceiver(t)
		for i, url := range []string{recv.URL, strings.Replace(recv.URL, "127.0.0.1", "localhost", 1)} {
			t.Run(url, func(t *testing.T) {
				f := setup(t, db, url, options{slug: fmt.Sprintf("shop-%d", i)})
				res, err := f.reports().Ingest(f.keyCtx, f.reportInput())
				if err != nil {
					t.Fatal(err)
				}
				d := f.delivery(t, res.ID, enums.WebhookDeliveryRetrying)
				if d.LastError == nil || !strings.Contains(*d.LastError, "refused") || d.ResponseCode != nil {
					t.Errorf("delivery log = %+v, want a refusal", d)
				}
			})
		}
		select {
		case got := <-recv.got:
			t.Errorf("a private receiver got a delivery: %s", got.body)
		default:
		}
	})
}

func TestEveryEventIsDelivered(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		recv := newReceiver(t)
		f := setup(t, db, recv.URL, options{allowPrivate: true})
		fb := feedback.New(db.Client, nil, nil, feedback.Webhooks(f.notifier))
		fid, err := fb.Ingest(f.keyCtx, feedback.Input{ProjectID: f.project.ID, PublicKeyID: f.keyID,
			Category: enums.FeedbackCategoryFeature, Message: "Dark mode please", AppVersion: "1.0.0", Platform: "web"})
		if err != nil {
			t.Fatal(err)
		}
		if ev := eventOf(t, recv.next(t)); ev.name != "feedback.created" || ev.item != fid {
			t.Errorf("feedback event = %+v", ev)
		}

		cs := crashes.New(db.Client, nil, nil, nil, crashes.Webhooks(f.notifier))
		crash := crashes.Input{ProjectID: f.project.ID, PublicKeyID: f.keyID, ErrorType: "TypeError",
			ErrorMessage: "x is undefined", AppVersion: "1.0.0", Platform: "web",
			StackTrace: []crashes.Frame{{File: "src/a.ts", Line: 1, Function: "main"}}}
		first, err := cs.Ingest(f.keyCtx, crash)
		if err != nil {
			t.Fatal(err)
		}
		if ev := eventOf(t, recv.next(t)); ev.name != "crash_group.created" || ev.item != first.GroupID {
			t.Errorf("new group event = %+v", ev)
		}
		// A second crash of the group raises nothing; once the group is
		// resolved, a crash of a newer version regresses it.
		if _, err := cs.Ingest(f.keyCtx, crash); err != nil {
			t.Fatal(err)
		}
		if err := db.Client.CrashGroup.UpdateOneID(first.GroupID).SetStatus(enums.CrashGroupStatusResolved).
			SetResolvedInVersion("1.0.0").Exec(sys); err != nil {
			t.Fatal(err)
		}
		crash.AppVersion = "1.1.0"
		if _, err := cs.Ingest(f.keyCtx, crash); err != nil {
			t.Fatal(err)
		}
		if ev := eventOf(t, recv.next(t)); ev.name != "crash_group.regressed" || ev.item != first.GroupID {
			t.Errorf("regression event = %+v", ev)
		}
		select {
		case got := <-recv.got:
			t.Errorf("an unexpected delivery: %s", got.body)
		case <-time.After(300 * time.Millisecond):
		}
	})
}

type event struct{ name, item string }

func eventOf(t *testing.T, r received) event {
	t.Helper()
	var b struct {
		Event      string
		Feedback   struct{ ID string }
		CrashGroup struct{ ID string } `json:"crash_group"`
	}
	if err := json.Unmarshal(r.body, &b); err != nil {
		t.Fatal(err)
	}
	return event{b.Event, b.Feedback.ID + b.CrashGroup.ID}
}

// A delivery is part of its write: when the write rolls back, there is
// neither a delivery nor a job, so nothing is sent.
func TestRolledBackWriteSendsNothing(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		recv := newReceiver(t)
		f := setup(t, db, recv.URL, options{allowPrivate: true})
		boom := errors.New("boom")
		err := dbtx.RunNew(sys, db.Client, func(ctx context.Context, c *ent.Client) error {
			if err := f.notifier.Notify(ctx, c, []webhooks.Event{{Name: webhooks.EventReportCreated, ProjectID: f.project.ID, ItemID: "rep_x"}}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		if n := db.Client.WebhookDelivery.Query().CountX(sys); n != 0 {
			t.Errorf("%d deliveries after a rollback", n)
		}
		var jobs int
		if err := db.SQL.QueryRow("SELECT count(*) FROM river_job").Scan(&jobs); err != nil || jobs != 0 {
			t.Errorf("%d jobs after a rollback (%v)", jobs, err)
		}
		// Outside a transaction opened through dbtx, Notify refuses rather
		// than enqueue apart from the write.
		if err := f.notifier.Notify(sys, db.Client, []webhooks.Event{{Name: webhooks.EventReportCreated, ProjectID: f.project.ID}}); !errors.Is(err, dbtx.ErrNoSQLTx) {
			t.Errorf("Notify outside a transaction: %v", err)
		}
	})
}

// A delivery enqueued while no replica works jobs (all down, or restarting)
// is delivered once one starts.
func TestDeliveryEnqueuedWhileStoppedIsDeliveredOnStart(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		recv := newReceiver(t)
		f := setup(t, db, recv.URL, options{allowPrivate: true, noStart: true})
		res, err := f.reports().Ingest(f.keyCtx, f.reportInput())
		if err != nil {
			t.Fatal(err)
		}
		// Queued, not worked: no engine runs.
		var state string
		if err := db.SQL.QueryRow("SELECT state FROM river_job").Scan(&state); err != nil || state != "available" {
			t.Fatalf("the delivery's job: state %q, %v; want one available job", state, err)
		}
		select {
		case <-recv.got:
			t.Fatal("delivered before any engine started")
		default:
		}
		// Another engine, as a restarted server builds it, picks the job up.
		other := newEngine(t, db, true)
		if err := other.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = other.Stop(context.Background()) })
		recv.next(t)
		f.delivery(t, res.ID, enums.WebhookDeliverySucceeded)
	})
}

func TestSendTestNeedsAWebhook(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		recv := newReceiver(t)
		f := setup(t, db, recv.URL, options{allowPrivate: true, format: enums.WebhookFormatDiscord})
		var d *ent.WebhookDelivery
		err := dbtx.RunNew(sys, db.Client, func(ctx context.Context, _ *ent.Client) error {
			var err error
			d, err = f.notifier.SendTest(ctx, f.project.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		got := recv.next(t)
		var discord struct {
			Username string
			Embeds   []struct{ Title, URL string }
		}
		if err := json.Unmarshal(got.body, &discord); err != nil || len(discord.Embeds) != 1 ||
			discord.Embeds[0].Title != "Oopsie test event for Shop" || got.header.Get("X-Oopsie-Delivery") != d.ID {
			t.Errorf("test event = %s (%v)", got.body, err)
		}
		if err := db.Client.Project.UpdateOneID(f.project.ID).ClearWebhookURL().Exec(sys); err != nil {
			t.Fatal(err)
		}
		err = dbtx.RunNew(sys, db.Client, func(ctx context.Context, _ *ent.Client) error {
			_, err := f.notifier.SendTest(ctx, f.project.ID)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "no webhook URL") {
			t.Errorf("test event without a webhook: %v", err)
		}
	})
}
