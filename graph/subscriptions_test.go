package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/gorilla/websocket"

	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/auth"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/live"
	"github.com/yoanbernabeu/oopsie/internal/pubsub"
	"github.com/yoanbernabeu/oopsie/internal/reports"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// wsSubscriber follows one subscription over graphql-transport-ws.
type wsSubscriber struct {
	next chan json.RawMessage // each "next" message's payload
	done chan struct{}
}

func subscribeWS(t *testing.T, url, token, query string, vars map[string]any) *wsSubscriber {
	t.Helper()
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: 30 * time.Second}
	conn, _, err := d.Dial("ws"+strings.TrimPrefix(url, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	send := func(m map[string]any) {
		if err := conn.WriteJSON(m); err != nil {
			t.Fatal(err)
		}
	}
	send(map[string]any{"type": "connection_init", "payload": map[string]string{"authorization": "Bearer " + token}})
	var ack struct{ Type string }
	if err := conn.ReadJSON(&ack); err != nil || ack.Type != "connection_ack" {
		t.Fatalf("connection_init: %+v, %v", ack, err)
	}
	send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": query, "variables": vars}})
	s := &wsSubscriber{next: make(chan json.RawMessage, 16), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for {
			var m struct {
				Type    string
				Payload json.RawMessage
			}
			if err := conn.ReadJSON(&m); err != nil {
				return
			}
			if m.Type == "next" {
				s.next <- m.Payload
			}
		}
	}()
	return s
}

func (s *wsSubscriber) receive(t *testing.T) json.RawMessage {
	t.Helper()
	select {
	case m := <-s.next:
		return m
	case <-s.done:
		t.Fatal("the subscription ended")
	case <-time.After(30 * time.Second):
		t.Fatal("no event within 30 s")
	}
	return nil
}

// A live event is executed once for all the subscribers of one shape, and
// once more for each other shape, not once per subscriber: the report's
// project, a database read in each execution, is read once per shape.
// Every subscriber still gets its own shape's response.
func TestSubscribersOfOneShapeShareTheResponse(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		client, n := countedClient(db)
		ctx := viewer.SystemContext(context.Background(), "test")
		proj := client.Project.Create().SetName("Shop").SetSlug("shop").SaveX(ctx)
		now := time.Now()
		grp := client.ReportGroup.Create().SetProject(proj).SetFingerprint("f").SetFirstSeenAt(now).SetLastSeenAt(now).SaveX(ctx)

		broker := pubsub.NewMemory()
		t.Cleanup(func() { broker.Close() })
		authn := auth.New(client, auth.Config{Secret: []byte("test secret")})
		token, _, err := authn.CreateAPIToken(ctx, "dashboard")
		if err != nil {
			t.Fatal(err)
		}
		r := &Resolver{Client: client, Auth: authn, ReportService: reports.New(client, nil, nil, time.Now),
			Live: live.New(client, broker, slog.New(slog.DiscardHandler))}
		hs := httptest.NewServer(NewHandler(r, DefaultLimits, slog.New(slog.DiscardHandler)))
		t.Cleanup(hs.Close)

		const perShape = 12
		shapes := []struct {
			query string
			vars  map[string]any
		}{
			{`subscription($p: ID) { reportCreated(projectId: $p) { id message project { name } } }`, map[string]any{"p": proj.ID}},
			{`subscription($p: ID) { reportCreated(projectId: $p) { id project { slug } } }`, map[string]any{"p": proj.ID}},
			{`subscription { reportCreated { id message project { name } } }`, nil},
		}
		subs := make([][]*wsSubscriber, len(shapes))
		var wg sync.WaitGroup
		var mu sync.Mutex
		for i, sh := range shapes {
			for range perShape {
				wg.Go(func() {
					s := subscribeWS(t, hs.URL, token, sh.query, sh.vars)
					mu.Lock()
					subs[i] = append(subs[i], s)
					mu.Unlock()
				})
			}
		}
		wg.Wait()

		publish := func(message string) string {
			rep := client.Report.Create().SetProject(proj).SetGroup(grp).SetMessage(message).
				SetCategory(enums.ReportCategoryUI).SetSeverity(enums.ReportSeverityLow).SetConsentGiven(true).SaveX(ctx)
			payload, _ := json.Marshal(reports.CreatedEvent{ID: rep.ID, GroupID: grp.ID})
			if err := broker.Publish(ctx, pubsub.Event{Topic: reports.TopicCreated, ProjectID: proj.ID, Payload: payload}); err != nil {
				t.Fatal(err)
			}
			return rep.ID
		}
		// A subscription is made some time after its request, and nothing
		// tells the client when: publish until every subscriber has had an
		// event, then a fence that all of them read, so that nothing is
		// still being delivered when the counted event goes out.
		var all []*wsSubscriber
		for _, group := range subs {
			all = append(all, group...)
		}
		waiting := all
		for round := 0; len(waiting) > 0; round++ {
			if round == 60 {
				t.Fatalf("%d subscribers had no event after %d rounds", len(waiting), round)
			}
			publish(fmt.Sprint("warm-up ", round))
			var still []*wsSubscriber
			for _, s := range waiting {
				select {
				case <-s.next:
				case <-time.After(500 * time.Millisecond):
					still = append(still, s)
				}
			}
			waiting = still
		}
		fence := publish("fence")
		for _, s := range all {
			for !strings.Contains(string(s.receive(t)), fence) {
			}
		}

		before := n.Load()
		id := publish("counted")
		want := []string{
			fmt.Sprintf(`{"data":{"reportCreated":{"id":%q,"message":"counted","project":{"name":"Shop"}}}}`, id),
			fmt.Sprintf(`{"data":{"reportCreated":{"id":%q,"project":{"slug":"shop"}}}}`, id),
			fmt.Sprintf(`{"data":{"reportCreated":{"id":%q,"message":"counted","project":{"name":"Shop"}}}}`, id),
		}
		for i, group := range subs {
			for _, s := range group {
				if got := string(s.receive(t)); got != want[i] {
					t.Fatalf("shape %d got %s, want %s", i, got, want[i])
				}
			}
		}
		// The report's insert, its reload by the hub, one project read per shape.
		if got, max := n.Load()-before, int64(2+len(shapes)); got != max {
			t.Errorf("one event to %d subscribers of %d shapes took %d statements, want %d", perShape*len(shapes), len(shapes), got, max)
		}
	})
}

// Subscriptions share responses only when nothing a response depends on
// differs.
func TestShapeKey(t *testing.T) {
	t.Parallel()
	op := func(query string, vars map[string]any) *graphql.OperationContext {
		return &graphql.OperationContext{RawQuery: query, Variables: vars}
	}
	const q = `subscription($p: ID) { reportCreated(projectId: $p) { id project { snippet(kind: HTML) } } }`
	key := func(oc *graphql.OperationContext, v viewer.Viewer, base string) string {
		k, ok := shapeKey(oc, v, base)
		if !ok {
			t.Fatal("no key")
		}
		return k
	}
	user, token := viewer.ForUser("usr_1"), viewer.ForAPIToken("tok_1")
	same := key(op(q, map[string]any{"p": "prj_1"}), user, "https://a.example")
	if got := key(op(q, map[string]any{"p": "prj_1"}), token, "https://a.example"); got != same {
		t.Error("two admins with one query do not share")
	}
	for name, other := range map[string]string{
		"variables": key(op(q, map[string]any{"p": "prj_2"}), user, "https://a.example"),
		"query":     key(op(q+" ", map[string]any{"p": "prj_1"}), user, "https://a.example"),
		"address":   key(op(q, map[string]any{"p": "prj_1"}), user, "https://b.example"),
		"rights":    key(op(q, map[string]any{"p": "prj_1"}), viewer.ForPublicKey("prj_1", "key_1"), "https://a.example"),
	} {
		if other == same {
			t.Errorf("subscriptions that differ in %s share responses", name)
		}
	}
}
