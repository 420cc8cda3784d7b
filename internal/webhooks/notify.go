// Package webhooks sends a project's events to its webhook: signed, in the
// project's format (generic JSON, Slack or Discord), at least once, through
// the job engine, never to a non-public address unless allowed.
package webhooks

import (
	"context"
	"fmt"
	"slices"

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
}

// NewNotifier returns a notifier enqueuing on e; client is the root client,
// for SendTest outside the caller's transaction.
func NewNotifier(client *ent.Client, e Enqueuer) *Notifier { return &Notifier{client: client, jobs: e} }

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
	hooked, err := c.Project.Query().
		Where(project.IDIn(ids...), project.WebhookURLNotNil()).
		IDs(ctx)
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
