package webhooks

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

type countingEnqueuer struct{ jobs int }

func (e *countingEnqueuer) Enqueue(_ context.Context, params ...river.InsertManyParams) error {
	e.jobs += len(params)
	return nil
}

// Notify reads whether a project has a webhook at most once per hookedTTL:
// a webhook set meanwhile is picked up when that expires.
func TestNotifyTrustsWhatItReadForHookedTTL(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := viewer.SystemContext(context.Background(), "test")
		p := db.Client.Project.Create().SetName("Shop").SetSlug("shop").SaveX(ctx)
		jobs := &countingEnqueuer{}
		n := NewNotifier(db.Client, jobs)
		now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
		n.now = func() time.Time { return now }
		notify := func() {
			t.Helper()
			if err := n.Notify(ctx, db.Client, []Event{{Name: EventReportCreated, ProjectID: p.ID, ItemID: "rep_1"}}); err != nil {
				t.Fatal(err)
			}
		}

		notify() // no webhook: nothing
		db.Client.Project.UpdateOneID(p.ID).SetWebhookURL("https://hooks.example.com/x").SetWebhookSecret("whsec_x").ExecX(ctx)
		now = now.Add(hookedTTL - time.Second)
		notify() // still within what it read
		if jobs.jobs != 0 || db.Client.WebhookDelivery.Query().CountX(ctx) != 0 {
			t.Fatalf("%d jobs within the TTL, want 0", jobs.jobs)
		}
		now = now.Add(2 * time.Second)
		notify() // read again: the webhook is there
		if jobs.jobs != 1 || db.Client.WebhookDelivery.Query().CountX(ctx) != 1 {
			t.Errorf("%d jobs once the TTL passed, want 1", jobs.jobs)
		}
		// Now known to have one, the project is not read again: a delivery
		// is recorded even with the database's answer unchanged.
		notify()
		if jobs.jobs != 2 {
			t.Errorf("%d jobs, want 2", jobs.jobs)
		}
	})
}
