// Package webhooks sends a project's events to its webhook: signed, in the
// project's format (generic JSON, Slack or Discord), at least once, through
// the job engine, never to a non-public address unless allowed.
package webhooks

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/project"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/dbtx"
	"github.com/yoanbernabeu/oopsie/internal/jobs"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// Event is something that happened in a project: Name is one of the Event
// constants, ItemID the report, feedback or crash group it is about.
type Event struct {
	Name, ProjectID, ItemID string
}

// Enqueuer inserts jobs on the caller's transaction: jobs.Engine.
type Enqueuer interface {
	Enqueue(ctx context.Context, params ...river.InsertManyParams) error
}

// Notifier records deliveries and enqueues them. A nil *Notifier notifies
// nothing, for services built without webhooks.
type Notifier struct {
	client *ent.Client
	jobs   Enqueuer
	now    func() time.Time

	mu     sync.Mutex
	hooked map[string]hookedUntil // project id → whether it has a webhook
}

// hookedUntil is what Notify knows of a project's webhook, and until when.
type hookedUntil struct {
	hooked  bool
	expires time.Time
}

// hookedTTL is how long Notify trusts what it read of a project's webhook.
// Reading it for every ingest batch cost a third of the ingest throughput
// (make bench-ingest); setting or removing a webhook takes effect within
// this time on every replica instead, as revoking a key does.
const hookedTTL = 5 * time.Second

// NewNotifier returns a notifier enqueuing on e; client is the root client,
// for SendTest outside the caller's transaction.
func NewNotifier(client *ent.Client, e Enqueuer) *Notifier {
	return &Notifier{client: client, jobs: e, now: time.Now, hooked: map[string]hookedUntil{}}
}

// Notify records a delivery for each event whose project has a webhook and
// enqueues it, on c and the transaction ctx carries: the deliveries exist
// if and only if the write that raised the events commits.
func (n *Notifier) Notify(ctx context.Context, c *ent.Client, events []Event) error {
	if n == nil || len(events) == 0 {
		return nil
	}
	// The delivery log is the system's bookkeeping, whoever raised the
	// events (an SDK's public key may write feedback, not deliveries).
	ctx = viewer.SystemContext(ctx, "webhooks")
	var ids []string
	for _, e := range events {
		if !slices.Contains(ids, e.ProjectID) {
			ids = append(ids, e.ProjectID)
		}
	}
	hooked, err := n.withWebhook(ctx, c, ids)
	if err != nil {
		return fmt.Errorf("notify webhooks: %w", err)
	}
	if len(hooked) == 0 {
		return nil
	}
	var creates []*ent.WebhookDeliveryCreate
	for _, e := range events {
		if slices.Contains(hooked, e.ProjectID) {
			creates = append(creates, c.WebhookDelivery.Create().
				SetProjectID(e.ProjectID).SetEvent(e.Name).SetItemID(e.ItemID))
		}
	}
	_, err = n.record(ctx, c, creates)
	return err
}

// withWebhook returns those of the projects that have a webhook, reading
// only those it has not read within hookedTTL.
func (n *Notifier) withWebhook(ctx context.Context, c *ent.Client, ids []string) ([]string, error) {
	now := n.now()
	var hooked, unknown []string
	n.mu.Lock()
	for _, id := range ids {
		switch h, ok := n.hooked[id]; {
		case !ok || now.After(h.expires):
			unknown = append(unknown, id)
		case h.hooked:
			hooked = append(hooked, id)
		}
	}
	n.mu.Unlock()
	if len(unknown) == 0 {
		return hooked, nil
	}
	read, err := c.Project.Query().
		Where(project.IDIn(unknown...), project.WebhookURLNotNil()).
		IDs(ctx)
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.hooked) > maxHooked {
		for id, h := range n.hooked { // deleted projects' entries
			if now.After(h.expires) {
				delete(n.hooked, id)
			}
		}
	}
	for _, id := range unknown {
		n.hooked[id] = hookedUntil{hooked: slices.Contains(read, id), expires: now.Add(hookedTTL)}
	}
	return append(hooked, read...), nil
}

// maxHooked is how many projects withWebhook remembers before it forgets
// the expired ones.
const maxHooked = 1024

func (n *Notifier) record(ctx context.Context, c *ent.Client, creates []*ent.WebhookDeliveryCreate) ([]*ent.WebhookDelivery, error) {
	ds, err := c.WebhookDelivery.CreateBulk(creates...).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("notify webhooks: record deliveries: %w", err)
	}
	params := make([]river.InsertManyParams, len(ds))
	for i, d := range ds {
		params[i] = river.InsertManyParams{Args: DeliverArgs{DeliveryID: d.ID}}
	}
	if err := n.jobs.Enqueue(ctx, params...); err != nil {
		return nil, fmt.Errorf("notify webhooks: %w", err)
	}
	return ds, nil
}

// SendTest enqueues a test event to a project's webhook, on the caller's
// transaction (a GraphQL mutation's), and returns its delivery.
func (n *Notifier) SendTest(ctx context.Context, projectID string) (*ent.WebhookDelivery, error) {
	c := dbtx.Client(ctx, n.client)
	p, err := c.Project.Get(ctx, projectID)
	switch {
	case ent.IsNotFound(err):
		return nil, apperr.New(apperr.NotFound, "project not found")
	case err != nil:
		return nil, fmt.Errorf("send test webhook: %w", err)
	case p.WebhookURL == nil:
		return nil, apperr.InvalidField("projectId", "the project has no webhook URL; set one first")
	}
	ds, err := n.record(ctx, c, []*ent.WebhookDeliveryCreate{
		c.WebhookDelivery.Create().SetProjectID(p.ID).SetEvent(EventTest),
	})
	if err != nil {
		return nil, err
	}
	return ds[0], nil
}

// DeliverArgs is a delivery job: the delivery row says what to send.
type DeliverArgs struct {
	DeliveryID string `json:"deliveryId"`
}

// Kind names the job in River's table.
func (DeliverArgs) Kind() string { return "webhook_delivery" }

// InsertOpts puts deliveries on their own queue.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueWebhooks}
}
