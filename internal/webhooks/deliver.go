package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/netguard"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// attemptTimeout bounds one delivery attempt, connection to last byte.
const attemptTimeout = 10 * time.Second

// Config configures delivery.
type Config struct {
	// PublicURL is the dashboard's address, for dashboard_url.
	PublicURL string
	// AllowPrivate lets webhooks reach loopback, private and link-local
	// addresses (OOPSIE_WEBHOOK_ALLOW_PRIVATE), for receivers on the
	// operator's own network.
	AllowPrivate bool
	// UserAgent names the sender, with its version.
	UserAgent string
	Logger    *slog.Logger
	Now       func() time.Time
}

// Worker delivers DeliverArgs jobs.
type Worker struct {
	river.WorkerDefaults[DeliverArgs]
	client *ent.Client
	http   *http.Client
	cfg    Config
}

// NewWorker returns a worker reading deliveries through client.
func NewWorker(client *ent.Client, cfg Config) *Worker {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Worker{client: client, http: NewHTTPClient(cfg.AllowPrivate), cfg: cfg}
}

// NewHTTPClient is the client deliveries go through: no redirects (a
// redirect is a way around the address check and the receiver's URL is
// configured, not discovered), a 10 s bound per attempt, and unless
// allowPrivate, a dialer that refuses non-public addresses at connect time.
func NewHTTPClient(allowPrivate bool) *http.Client {
	dialer := netguard.Dialer(attemptTimeout)
	if allowPrivate {
		dialer.Control = nil
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = dialer.DialContext
	tr.Proxy = nil // a proxy would dial on our behalf, past the check
	tr.MaxIdleConnsPerHost = 4
	return &http.Client{
		Transport: tr,
		Timeout:   attemptTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// Timeout bounds the whole job: loading, one attempt, recording it.
func (w *Worker) Timeout(*river.Job[DeliverArgs]) time.Duration {
	return attemptTimeout + 20*time.Second
}

// errGone ends a delivery whose subject or webhook no longer exists.
var errGone = errors.New("nothing left to deliver")

// Work makes one attempt. An error makes River retry with backoff, up to its
// maximum of attempts; the delivery row records every attempt.
func (w *Worker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	ctx = viewer.SystemContext(ctx, "webhooks")
	d, err := w.client.WebhookDelivery.Get(ctx, job.Args.DeliveryID)
	if ent.IsNotFound(err) {
		return nil // its project was deleted
	}
	if err != nil {
		return fmt.Errorf("deliver webhook: %w", err)
	}
	s, err := w.load(ctx, d)
	if errors.Is(err, errGone) {
		w.record(ctx, d, job, 0, err, true)
		return river.JobCancel(err)
	}
	if err != nil {
		return fmt.Errorf("deliver webhook %s: %w", d.ID, err)
	}
	code, err := w.post(ctx, d, s)
	final := err == nil || job.Attempt >= job.MaxAttempts
	w.record(ctx, d, job, code, err, final)
	if err != nil {
		return fmt.Errorf("deliver webhook %s: %w", d.ID, err)
	}
	return nil
}

func (w *Worker) load(ctx context.Context, d *ent.WebhookDelivery) (subject, error) {
	p, err := w.client.Project.Get(ctx, d.ProjectID)
	if ent.IsNotFound(err) {
		return subject{}, errGone
	}
	if err != nil {
		return subject{}, err
	}
	if p.WebhookURL == nil || p.WebhookSecret == nil {
		return subject{}, fmt.Errorf("the project's webhook was removed: %w", errGone)
	}
	s := subject{project: p}
	switch d.Event {
	case EventReportCreated:
		s.report, err = w.client.Report.Get(ctx, d.ItemID)
	case EventFeedbackCreated:
		s.feedback, err = w.client.Feedback.Get(ctx, d.ItemID)
	case EventCrashGroupCreated, EventCrashGroupRegressed:
		s.group, err = w.client.CrashGroup.Get(ctx, d.ItemID)
	}
	if ent.IsNotFound(err) {
		return subject{}, fmt.Errorf("%s was deleted: %w", d.ItemID, errGone)
	}
	return s, err
}

// post sends the event and returns the receiver's status (0 without one).
// Any 2xx is success; anything else is retried.
func (w *Worker) post(ctx context.Context, d *ent.WebhookDelivery, s subject) (int, error) {
	b, err := body(s.project.WebhookFormat, newMessage(d.Event, w.cfg.PublicURL, s))
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, *s.project.WebhookURL, bytes.NewReader(b))
	if err != nil {
		return 0, fmt.Errorf("the webhook URL is not valid: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", w.cfg.UserAgent)
	req.Header.Set("X-Oopsie-Event", d.Event)
	// Receivers deduplicate on this: delivery is at least once.
	req.Header.Set("X-Oopsie-Delivery", d.ID)
	req.Header.Set(SignatureHeader, Sign(*s.project.WebhookSecret, w.cfg.Now(), b))
	res, err := w.http.Do(req)
	if err != nil {
		if errors.Is(err, netguard.ErrBlocked) {
			return 0, errors.New("refused: the webhook's host resolves to a private, loopback or link-local address")
		}
		return 0, errors.New(describeTransportError(err))
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, fmt.Errorf("the receiver answered %s", res.Status)
	}
	return res.StatusCode, nil
}

// describeTransportError keeps what a person needs (a timeout, a refused
// connection) without the request's URL, which the log already shows.
func describeTransportError(err error) string {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			err = inner
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out after " + attemptTimeout.String()
	}
	return err.Error()
}

// record writes an attempt's outcome to the delivery log. It must not fail
// the job: a delivered event is not sent again because the log could not be
// written.
func (w *Worker) record(ctx context.Context, d *ent.WebhookDelivery, job *river.Job[DeliverArgs], code int, err error, final bool) {
	u := w.client.WebhookDelivery.UpdateOneID(d.ID).SetAttempts(job.Attempt)
	if code != 0 {
		u.SetResponseCode(code)
	} else {
		u.ClearResponseCode()
	}
	switch {
	case err == nil:
		u.SetStatus(enums.WebhookDeliverySucceeded).SetDeliveredAt(w.cfg.Now()).ClearLastError()
	case final:
		u.SetStatus(enums.WebhookDeliveryFailed).SetLastError(truncate(err.Error(), 1000))
	default:
		u.SetStatus(enums.WebhookDeliveryRetrying).SetLastError(truncate(err.Error(), 1000))
	}
	if uerr := u.Exec(context.WithoutCancel(ctx)); uerr != nil && !ent.IsNotFound(uerr) {
		w.cfg.Logger.Error("record webhook delivery", "delivery", d.ID, "error", uerr)
	}
}
