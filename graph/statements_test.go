package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/schema/enums"
	"github.com/yoanbernabeu/oopsie/internal/database"
	"github.com/yoanbernabeu/oopsie/internal/dbtest"
	"github.com/yoanbernabeu/oopsie/internal/reports"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// countedClient is a client of db that counts the statements it sends.
func countedClient(db *database.DB) (*ent.Client, *atomic.Int64) {
	n := &atomic.Int64{}
	return ent.NewClient(ent.Driver(countingDriver{entsql.OpenDB(db.Dialect, db.SQL), n})), n
}

// countingDriver counts the statements sent to the database.
type countingDriver struct {
	dialect.Driver
	n *atomic.Int64
}

func (d countingDriver) Exec(ctx context.Context, q string, args, v any) error {
	d.n.Add(1)
	return d.Driver.Exec(ctx, q, args, v)
}

func (d countingDriver) Query(ctx context.Context, q string, args, v any) error {
	d.n.Add(1)
	return d.Driver.Query(ctx, q, args, v)
}

func (d countingDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	return countingTx{tx, d.n}, err
}

type countingTx struct {
	dialect.Tx
	n *atomic.Int64
}

func (t countingTx) Exec(ctx context.Context, q string, args, v any) error {
	t.n.Add(1)
	return t.Tx.Exec(ctx, q, args, v)
}

func (t countingTx) Query(ctx context.Context, q string, args, v any) error {
	t.n.Add(1)
	return t.Tx.Query(ctx, q, args, v)
}

// A page of 50 reports with their project, assignee and group costs a fixed
// handful of statements, not one per report: entgql loads each edge for the
// whole page at once.
func TestReportsPageHasNoNPlusOne(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		client, n := countedClient(db)
		ctx := viewer.SystemContext(context.Background(), "test")
		u := client.User.Create().SetEmail("a@example.com").SetPasswordHash("x").SaveX(ctx)
		for p := range 2 {
			proj := client.Project.Create().SetName("P").SetSlug([]string{"a", "b"}[p]).SaveX(ctx)
			now := time.Now()
			for g := range 5 {
				grp := client.ReportGroup.Create().SetProject(proj).SetFingerprint(string(rune('a' + g))).
					SetFirstSeenAt(now).SetLastSeenAt(now).SaveX(ctx)
				for range 5 {
					client.Report.Create().SetProject(proj).SetGroup(grp).SetAssignee(u).SetMessage("m").
						SetCategory(enums.ReportCategoryUI).SetSeverity(enums.ReportSeverityLow).SetConsentGiven(true).ExecX(ctx)
				}
			}
		}
		r := &Resolver{Client: client, ReportService: reports.New(client, nil, nil, time.Now)}
		srv := newServer(r, DefaultLimits, slog.New(slog.DiscardHandler))
		body, _ := json.Marshal(map[string]any{"query": `{ reports(first: 50) { totalCount edges { node {
			id message project { id name } assignee { id name } group { id reportCount } } } } }`})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req = req.WithContext(viewer.NewContext(req.Context(), viewer.ForUser(u.ID)))
		w := httptest.NewRecorder()

		before := n.Load()
		srv.ServeHTTP(w, req)
		statements := n.Load() - before

		var out struct {
			Data struct {
				Reports struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							Project  struct{ ID string }
							Assignee struct{ ID string }
							Group    struct{ ID string }
						}
					}
				}
			}
			Errors []any
		}
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out.Errors) > 0 {
			t.Fatalf("response %s: %v", w.Body.String(), err)
		}
		edges := out.Data.Reports.Edges
		if out.Data.Reports.TotalCount != 50 || len(edges) != 50 || edges[0].Node.Project.ID == "" ||
			edges[0].Node.Assignee.ID != u.ID || edges[0].Node.Group.ID == "" {
			t.Fatalf("page: total %d, %d edges, first %+v", out.Data.Reports.TotalCount, len(edges), edges[0])
		}
		if statements > 5 {
			t.Errorf("a 50-report page took %d SQL statements, want at most 5", statements)
		}
	})
}

// recordingDriver keeps the statements sent to the database.
type recordingDriver struct {
	dialect.Driver
	mu *sync.Mutex
	qs *[]string
}

func (d recordingDriver) Query(ctx context.Context, q string, args, v any) error {
	d.mu.Lock()
	*d.qs = append(*d.qs, q)
	d.mu.Unlock()
	return d.Driver.Query(ctx, q, args, v)
}

// Paging with pageInfo but no totalCount reads the pages without counting
// every matching row, and pageInfo is still right on every page.
func TestPageInfoWithoutCount(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		var (
			mu sync.Mutex
			qs []string
		)
		client := ent.NewClient(ent.Driver(recordingDriver{entsql.OpenDB(db.Dialect, db.SQL), &mu, &qs}))
		ctx := viewer.SystemContext(context.Background(), "test")
		u := client.User.Create().SetEmail("a@example.com").SetPasswordHash("x").SaveX(ctx)
		proj := client.Project.Create().SetName("P").SetSlug("p").SaveX(ctx)
		for i := range 45 {
			client.Report.Create().SetProject(proj).SetMessage(fmt.Sprint("m", i)).SetCreatedAt(time.Now().Add(time.Duration(i) * time.Second)).
				SetCategory(enums.ReportCategoryUI).SetSeverity(enums.ReportSeverityLow).SetConsentGiven(true).ExecX(ctx)
		}
		srv := newServer(&Resolver{Client: client, ReportService: reports.New(client, nil, nil, time.Now)},
			DefaultLimits, slog.New(slog.DiscardHandler))
		query := func(q string, vars map[string]any) (out struct {
			Data struct {
				Reports struct {
					TotalCount int
					PageInfo   struct {
						HasNextPage bool
						EndCursor   string
					}
					Edges []struct{ Node struct{ ID string } }
				}
			}
			Errors []any
		}, counted bool) {
			t.Helper()
			body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
			req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req = req.WithContext(viewer.NewContext(req.Context(), viewer.ForUser(u.ID)))
			mu.Lock()
			qs = nil
			mu.Unlock()
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, req)
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out.Errors) > 0 {
				t.Fatalf("response %s: %v", w.Body.String(), err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, s := range qs {
				counted = counted || strings.Contains(strings.ToUpper(s), "COUNT(")
			}
			return out, counted
		}

		const page = `query($after: Cursor) { reports(first: 20, after: $after, orderBy: {field: CREATED_AT, direction: DESC}) {
			pageInfo { hasNextPage endCursor } edges { node { id } } } }`
		seen := map[string]bool{}
		var after any
		for i, want := range []struct {
			n    int
			next bool
		}{{20, true}, {20, true}, {5, false}} {
			out, counted := query(page, map[string]any{"after": after})
			r := out.Data.Reports
			if len(r.Edges) != want.n || r.PageInfo.HasNextPage != want.next || counted {
				t.Fatalf("page %d: %d items, hasNextPage %v, counted %v; want %d, %v, no count",
					i, len(r.Edges), r.PageInfo.HasNextPage, counted, want.n, want.next)
			}
			for _, e := range r.Edges {
				seen[e.Node.ID] = true
			}
			after = r.PageInfo.EndCursor
		}
		if len(seen) != 45 {
			t.Errorf("pages held %d distinct reports, want 45", len(seen))
		}

		// Asked for, the total is counted.
		out, counted := query(`{ reports(first: 20) { totalCount pageInfo { hasNextPage } edges { node { id } } } }`, nil)
		if out.Data.Reports.TotalCount != 45 || !out.Data.Reports.PageInfo.HasNextPage || !counted {
			t.Errorf("with totalCount: total %d, hasNextPage %v, counted %v; want 45, true, true",
				out.Data.Reports.TotalCount, out.Data.Reports.PageInfo.HasNextPage, counted)
		}
	})
}
